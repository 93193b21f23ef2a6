"""A UiAutomator2-server-compatible endpoint inside the virtual device.

The real Appium UiAutomator2 driver installs its server APKs, starts them with
``am instrument -w … io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner``
and talks HTTP to device port 6790 through ``adb forward``. :func:`attach` gives a virtual
device that instrumentation; like on a phone it only runs once the server packages are
installed (the driver's default path installs the real APKs from npm with ``adb install``).
The driver's default path also needs its Appium Settings helper app (:mod:`.settings_app`).
"""

from __future__ import annotations

from typing import Any

from harness.sim.android.runtime import register_package_runtime
from harness.sim.uia2.server import DEVICE_PORT, INSTRUMENTATION, run_server
from harness.sim.uia2.settings_app import PACKAGE as SETTINGS_PACKAGE
from harness.sim.uia2.settings_app import AppiumSettingsRuntime

__all__ = ["DEVICE_PORT", "INSTRUMENTATION", "attach"]

register_package_runtime(SETTINGS_PACKAGE, AppiumSettingsRuntime)


def attach(device: Any) -> None:
    """Register the server's instrumentation on one :class:`~harness.sim.android.AndroidDevice`."""
    device.register_instrumentation(INSTRUMENTATION, run_server)
