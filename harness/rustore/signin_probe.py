"""Can a phone buy through RuStore? Asked of the SDK through the game, before the phone is leased.

Whether the RuStore user is signed in (or banned, or RuStore outdated) lives in RuStore's private
data, out of adb's reach. So the pool's health check asks the SDK the way a player would: it
starts the game, taps the game's availability check (``input tap`` where the game's bridge says
the button is) and reads the answer from the callback the game logs. No Appium session is
needed, so an unfit phone is quarantined before any test runs on it and the worker takes another.
"""

from __future__ import annotations

from typing import Any

from harness.android.device import AndroidDevice
from harness.android.logcat import LogcatStream
from harness.game.bridge import PocoBridge
from harness.game.sample import wait_ready
from harness.rustore.channels import Channel
from harness.rustore.recorder import CallbackRecorder

CHECK_BUTTON = "btn_check"
UNAVAILABLE_FIXES = {
    "RuStoreUserUnauthorizedException": "the user is not signed in: open RuStore on the device and sign in",
    "RuStoreUserBannedException": "the user is banned: sign in to RuStore with another account",
    "RuStoreNotInstalledException": "RuStore is not installed: install it from https://www.rustore.ru",
    "RuStoreOutdatedException": "RuStore is outdated: update it in RuStore itself",
    "RuStoreApplicationBannedException": "the app is banned in RuStore: see the RuStore console",
    "RuStoreFeatureUnavailableException": "payments are off for the app: enable them in the RuStore console",
}


def unavailable_reason(event: Any) -> str | None:
    """Why purchases are unavailable, from an availability callback (None: available, or the check
    itself failed, which says nothing about the phone and is left to the tests to report)."""
    if event.channel != Channel.CHECK_PURCHASES_AVAILABLE_SUCCESS.value or not isinstance(event.parsed, dict):
        return None
    if event.parsed.get("isAvailable") is not False:
        return None
    cause = event.parsed.get("cause") or {}
    name = str(cause.get("simpleName") or "unknown cause")
    fix = UNAVAILABLE_FIXES.get(name, str(cause.get("detailMessage", "")))
    return f"RuStore purchases are unavailable ({name}): {fix}"


def probe_purchases(
    device: AndroidDevice, package: str, activity: str, *, timeout: float = 60.0
) -> str | None:
    """None when the SDK says purchases are available on ``device``; else the reason and its fix.

    The game must be installed. It is left stopped, with its data cleared, as a test expects it.
    """
    recorder = CallbackRecorder()
    logcat = LogcatStream(device.ad)
    logcat.subscribe(recorder.feed)
    bridge = PocoBridge(device.ad)
    logcat.start()
    try:
        device.force_stop(package)
        device.clear(package)
        mark = logcat.mark()
        device.app_start(package, activity)
        button = wait_ready(logcat, bridge, package, activity, mark, timeout).get(CHECK_BUTTON)
        if button is None:
            raise AssertionError(f"the game shows no {CHECK_BUTTON} once ready on {device.serial}")
        x, y = button.center
        device.shell(["input", "tap", str(x), str(y)])
        return unavailable_reason(recorder.expect_any("check_purchases_availability", timeout))
    finally:
        bridge.close()
        logcat.stop()
        device.force_stop(package)
        device.clear(package)
