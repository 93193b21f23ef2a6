"""One Appium session per device for the run; a session whose server died is replaced."""

from __future__ import annotations


def test_session_reused_then_recreated(appium_driver, appium_sessions, adb_device):
    assert appium_sessions.get(adb_device.serial) is appium_driver  # reused, not a new session
    made = appium_sessions.created
    adb_device.shell("am force-stop io.appium.uiautomator2.server")  # the device-side server dies
    fresh = appium_sessions.get(adb_device.serial)
    assert fresh is not appium_driver and appium_sessions.created == made + 1
    assert fresh.current_package  # it answers
