"""RuStore on the virtual device: the Defold plugin (``rustorecore``/``rustorebilling``), the billing
SDK model backed by the sandbox, the payment sheet, the RuStore store app and the bank apps.

Importing this package registers the two Defold extensions, the payment-sheet activity and the
bank apps' runtime; :func:`prepare_device` preinstalls RuStore and the banks on a device.
See docs/rustore-emulation.md.
"""

from harness.sim.rustore import banks as _banks  # noqa: F401 - registers the bank apps' runtime
from harness.sim.rustore import plugin as _plugin
from harness.sim.rustore import sheet as _sheet  # noqa: F401 - registers the payment sheet activity
from harness.sim.rustore.device_setup import prepare_device

_plugin.register()

__all__ = ["prepare_device"]
