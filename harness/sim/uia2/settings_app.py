"""Appium Settings (``io.appium.settings``), the helper app the driver installs by default.

The driver installs the real APK from npm, starts its ``.Settings`` activity and waits
until ``dumpsys activity services io.appium.settings`` shows a foreground service. The
real activity starts ``ForegroundService`` and finishes at once; so does this runtime,
which the virtual device runs for that package because the APK names no harness runtime.
"""

from __future__ import annotations

from harness.sim.android.intents import Intent
from harness.sim.android.runtime import Activity, AppRuntime

PACKAGE = "io.appium.settings"
FOREGROUND_SERVICE = ".ForegroundService"


class SettingsActivity(Activity):
    def on_create(self, intent: Intent) -> None:
        self.intent = intent
        self.runtime.start_service(FOREGROUND_SERVICE, foreground=True)
        self.log("I", "Starting the foreground service", tag="APPIUM SETTINGS")
        self.finish()


class AppiumSettingsRuntime(AppRuntime):
    activity_class = SettingsActivity
