"""The Android model behind a virtual device: packages, activities, logcat, files and a shell.

Public API (see docs/virtual-package-format.md for the APK side):

- :class:`AndroidDevice` — implements ``harness.sim.device_api.DeviceModel``.
- :func:`register_runtime` — make a manifest's ``rustore.harness.runtime`` name run your runtime.
- :func:`register_instrumentation` — serve ``am instrument -w … COMPONENT`` with an async handler.
- :class:`Activity` / :class:`AppRuntime` — what runtimes subclass (lifecycle, input, render);
  :class:`GenericRuntime` logs every lifecycle call under the ``VirtualApp`` tag.
- ``device.logcat.write(priority, tag, message, pid=…, tid=…)`` — thread-safe log writer;
  ``device.open_uri(uri, from_package=…)`` — open a link as an app would (deeplink return).
- :mod:`harness.sim.android.apk` / :mod:`harness.sim.android.axml` — build real APKs from Python.
"""

from harness.sim.android.activities import StartResult
from harness.sim.android.apk import (
    ActivitySpec,
    DataSpec,
    InstrumentationSpec,
    IntentFilterSpec,
    ManifestSpec,
    build_apk,
    parse_apk,
)
from harness.sim.android.device import AndroidDevice
from harness.sim.android.instrumentation import InstrumentationRun, register_instrumentation
from harness.sim.android.intents import ComponentName, Intent
from harness.sim.android.packages import InstalledPackage, InstallError
from harness.sim.android.runtime import (
    LIFECYCLE_TAG,
    Activity,
    AppRuntime,
    GenericActivity,
    GenericRuntime,
    register_runtime,
)

__all__ = [
    "LIFECYCLE_TAG",
    "Activity",
    "ActivitySpec",
    "AndroidDevice",
    "AppRuntime",
    "ComponentName",
    "DataSpec",
    "GenericActivity",
    "GenericRuntime",
    "InstallError",
    "InstalledPackage",
    "InstrumentationRun",
    "InstrumentationSpec",
    "Intent",
    "IntentFilterSpec",
    "ManifestSpec",
    "StartResult",
    "build_apk",
    "parse_apk",
    "register_instrumentation",
    "register_runtime",
]
