"""A virtual Defold engine for the virtual Android device: the sample game's real Lua runs here.

Public API:

* :class:`~harness.sim.defold.runtime.DefoldRuntime` — load a project, ``start()``, ``step(frames)``,
  ``tap(x, y)``, ``stop()``; :func:`~harness.sim.defold.render.render_png` draws its GUI.
* :func:`~harness.sim.defold.extensions.register_extension` — native extensions in Python.
* :func:`~harness.sim.defold.build.build_apk` — package ``sample_app/`` for the virtual device.
* importing this package registers the ``defold`` runtime (``rustore.harness.runtime=defold``).
"""

from harness.sim.defold import app as _app  # noqa: F401 - registers the "defold" runtime with the Android model
from harness.sim.defold import builtin_extensions as _builtin  # noqa: F401 - the screenshot extension
from harness.sim.defold.extensions import (
    ExtensionContext,
    ExtensionModule,
    register_extension,
    unregister_extension,
)
from harness.sim.defold.project import GameProject, ProjectFiles
from harness.sim.defold.runtime import DefoldRuntime

__all__ = [
    "DefoldRuntime",
    "ExtensionContext",
    "ExtensionModule",
    "GameProject",
    "ProjectFiles",
    "register_extension",
    "unregister_extension",
]
