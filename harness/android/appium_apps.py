"""Installing, stopping, wiping and starting apps through Appium, for devices the harness has no adb to.

The same operations ``AndroidDevice`` does over adb, as the UiAutomator2 driver's extensions
(appium-android-driver, commands/app-management.js and intent.js), which the driver runs with
its own adb on the Appium host:

- ``mobile: terminateApp``: ``am force-stop`` when the app has a process, then waits until it has none;
- ``mobile: clearApp``: ``pm clear`` (the next start is a first start);
- ``mobile: startActivity`` with ``wait``: ``am start-activity -W -n package/activity``;
- ``mobile: installApp``: the APK at a path *on the Appium server's host*, or an http(s) URL it downloads;
- ``mobile: isAppInstalled``.

``session`` gives the device's current WebDriver (the session factory), so a session that
died and was recreated is used from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium.common.exceptions import WebDriverException


class AppiumAppError(RuntimeError):
    """An app operation through Appium failed; the message names it and the server's answer."""


class AppiumApps:
    """App control of one device through its Appium session (no adb on this side)."""

    def __init__(self, session: Callable[[], Any], name: str = "") -> None:
        self.session = session
        self.name = name

    def _run(self, script: str, args: dict[str, Any]) -> Any:
        try:
            return self.session().execute_script(script, args)
        except WebDriverException as exc:
            raise AppiumAppError(
                f"`{script}` {args} on {self.name or 'the device'}: {exc.msg or exc}"
            ) from exc

    def force_stop(self, package: str) -> None:
        self._run("mobile: terminateApp", {"appId": package})

    def clear(self, package: str) -> None:
        self._run("mobile: clearApp", {"appId": package})

    def app_start(self, package: str, activity: str | None = None) -> None:
        if activity:
            self._run("mobile: startActivity", {"component": f"{package}/{activity}", "wait": True})
        else:
            self._run("mobile: activateApp", {"appId": package})

    def is_installed(self, package: str) -> bool:
        return bool(self._run("mobile: isAppInstalled", {"appId": package}))

    def install(self, apk: str | Path) -> None:
        """Install (or replace) the APK; a path is read by the Appium server, on its own host."""
        self._run("mobile: installApp", {"appPath": str(apk), "replace": True})
