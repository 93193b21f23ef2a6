"""The device side of the adb transport (adbd) for virtual devices.

``AdbdServer(model).start()`` listens on 127.0.0.1; the real adb server attaches it with
``adb connect 127.0.0.1:PORT`` and cannot tell it from a phone on the network. Modules:
``protocol`` (packet codec), ``stream`` (one flow-controlled stream), ``connection``
(handshake and stream multiplexer), ``services`` (shell, exec, abb_exec, sync, tcp),
``banner`` (identity and features), ``server`` (the listening socket).
"""

from harness.sim.adbd.banner import IMPLEMENTED_FEATURES
from harness.sim.adbd.server import AdbdServer

__all__ = ["IMPLEMENTED_FEATURES", "AdbdServer"]
