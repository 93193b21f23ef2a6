"""Commands the driver runs through adb itself (not proxied): install/remove, mobile: shell,
mobile: startActivity, keyboard and back, logcat."""

from __future__ import annotations

from pathlib import Path

import adbutils
from appium.webdriver.common.appiumby import AppiumBy
from native_app import ACTIVITY, PACKAGE, TAG, checkout_apk

from harness.android.appium_session import AppiumSessions
from harness.android.logcat import LogcatStream
from harness.sim.host import HostedDevice


def test_install_is_installed_start_activity_and_remove(
    sessions: AppiumSessions,
    device: HostedDevice,
    adb_device: adbutils.AdbDevice,
    tmp_path: Path,
    logcat: LogcatStream,
) -> None:
    driver = sessions.get(device.serial)
    apk = tmp_path / "checkout.apk"
    apk.write_bytes(checkout_apk())
    assert driver.is_app_installed(PACKAGE) is False
    driver.install_app(str(apk))
    assert driver.is_app_installed(PACKAGE) is True
    assert "versionCode=7" in adb_device.shell(f"dumpsys package {PACKAGE}")
    since = logcat.mark()
    driver.execute_script("mobile: startActivity", {"component": f"{PACKAGE}/{ACTIVITY}"})
    logcat.wait_for(rf"{TAG}.*onCreate", since)
    assert driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/pay").is_displayed()
    driver.remove_app(PACKAGE)
    assert driver.is_app_installed(PACKAGE) is False
    assert PACKAGE not in adb_device.list_packages()


def test_mobile_shell_with_the_insecure_feature(sessions: AppiumSessions, device: HostedDevice) -> None:
    driver = sessions.get(device.serial)
    out = driver.execute_script("mobile: shell", {"command": "getprop", "args": ["ro.build.version.sdk"]})
    assert out.strip() == "34"
    assert driver.execute_script("mobile: shell", {"command": "echo", "args": ["hello"]}).strip() == "hello"


def test_keyboard_back_and_logcat(
    sessions: AppiumSessions, device: HostedDevice, adb_device: adbutils.AdbDevice, tmp_path: Path
) -> None:
    apk = tmp_path / "checkout.apk"
    apk.write_bytes(checkout_apk())
    adb_device.install(str(apk), nolaunch=True, silent=True)
    driver = sessions.get(device.serial)
    adb_device.shell(f"am start -W -n {PACKAGE}/{ACTIVITY}")
    assert driver.is_keyboard_shown() is False
    driver.hide_keyboard()  # no soft keyboard: the driver finds nothing to close and succeeds
    driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/show_error").click()
    driver.back()  # closes the dialog first, like BACK on a phone
    assert driver.find_elements(AppiumBy.ID, "android:id/button1") == []
    messages = [entry["message"] for entry in driver.get_log("logcat")]
    assert any("error dialog shown" in m for m in messages)
    assert any("dialog BACK" in m for m in messages)
