"""Session lifecycle through the real Appium server: default and fast capabilities, reuse,
recreation after the server died, clean teardown, two devices in parallel."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import adbutils
from appium.webdriver.common.appiumby import AppiumBy
from native_app import ACTIVITY, PACKAGE, TAG, checkout_apk

from harness.android.adb import AdbServer
from harness.android.appium import AppiumServerRecord, ensure_android_home
from harness.android.appium_session import (
    DEFAULT,
    SERVER_PACKAGE,
    SERVER_TEST_PACKAGE,
    AppiumSessions,
)
from harness.sim.host import HostedDevice


def server_processes(dev: adbutils.AdbDevice) -> list[str]:
    return [line for line in dev.shell("ps -A").splitlines() if line.endswith(SERVER_PACKAGE)]


def forwards_of(adb: AdbServer, serial: str) -> list[str]:
    return [line for line in adb.run("forward", "--list").splitlines() if line.startswith(serial + " ")]


def test_default_capabilities_install_the_real_server_apks(
    appium_server: AppiumServerRecord, device: HostedDevice, adb_device: adbutils.AdbDevice
) -> None:
    """The driver's own defaults: it installs its server APKs and Appium Settings with adb install.

    No build-tools (apksigner, Java) are needed: the pinned driver compares versions and
    installs, it does not check certificates of its server APKs.
    """
    assert not (ensure_android_home() / "build-tools").exists()
    assert SERVER_PACKAGE not in adb_device.list_packages()
    with AppiumSessions(appium_server.url, profile=DEFAULT) as factory:
        driver = factory.get(device.serial)
        assert "<hierarchy" in driver.page_source
        installed = adb_device.list_packages()
        assert {SERVER_PACKAGE, SERVER_TEST_PACKAGE, "io.appium.settings"} <= set(installed)
        assert f"instrumentation:{SERVER_TEST_PACKAGE}/androidx.test.runner.AndroidJUnitRunner" in (
            adb_device.shell("pm list instrumentation")
        )
        assert len(server_processes(adb_device)) == 1
    port = device.serial.rsplit(":", 1)[1]
    failed = [
        line
        for line in Path(appium_server.log_file).read_text().splitlines()
        if "exited with code" in line and port in line
    ]
    assert failed == []  # every adb command of the default path succeeds (appops, cmd notification …)


def test_fast_capabilities_and_quit_leave_no_forward_or_instrumentation(
    sessions: AppiumSessions, device: HostedDevice, adb_device: adbutils.AdbDevice, private_adb: AdbServer
) -> None:
    driver = sessions.get(device.serial)
    caps = driver.capabilities
    assert caps["skipServerInstallation"] is True and caps["skipDeviceInitialization"] is True
    assert "io.appium.settings" not in adb_device.list_packages()  # the fast path skips it
    port = caps["systemPort"]
    assert forwards_of(private_adb, device.serial) == [f"{device.serial} tcp:{port} tcp:6790"]
    assert len(server_processes(adb_device)) == 1
    assert driver.get_window_size() == {"width": 1080, "height": 2400}
    sessions.quit(device.serial)
    assert forwards_of(private_adb, device.serial) == []
    assert server_processes(adb_device) == []
    assert "am instrument" not in adb_device.shell("ps -A -o ARGS")


def test_one_session_per_device_recreated_when_it_died(
    sessions: AppiumSessions, device: HostedDevice, adb_device: adbutils.AdbDevice
) -> None:
    first = sessions.get(device.serial)
    assert sessions.get(device.serial) is first
    adb_device.shell(f"am force-stop {SERVER_PACKAGE}")  # the server dies under the session
    second = sessions.get(device.serial)
    assert second is not first and sessions.created == 2
    assert second.get_window_size()["width"] == 1080


def open_checkout(dev: adbutils.AdbDevice, apk: Path) -> None:
    dev.install(str(apk), nolaunch=True, silent=True)
    assert "Status: ok" in dev.shell(f"am start -W -n {PACKAGE}/{ACTIVITY}")


def test_two_devices_two_sessions_in_parallel(
    attach: Any, sessions: AppiumSessions, private_adb: AdbServer, tmp_path: Path
) -> None:
    apk = tmp_path / "checkout.apk"
    apk.write_bytes(checkout_apk())
    devices = [attach(), attach()]
    client = private_adb.client()

    def pay(hosted: HostedDevice) -> tuple[str, int]:
        dev = client.device(hosted.serial)
        open_checkout(dev, apk)
        driver = sessions.get(hosted.serial)
        driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/email").send_keys(hosted.serial)
        driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/pay").click()
        lines = dev.shell(f"logcat -d -v brief -s {TAG}")
        assert f"clicked pay email={hosted.serial}" in lines
        return driver.session_id, driver.capabilities["systemPort"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(pay, devices))
    assert len({session for session, _ in results}) == 2
    assert len({port for _, port in results}) == 2
