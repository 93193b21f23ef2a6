"""The session factory's capabilities and bookkeeping, without a server (a stand-in driver factory)."""

from __future__ import annotations

from typing import Any

import pytest
from appium.options.android import UiAutomator2Options
from selenium.common.exceptions import WebDriverException

from harness.android.appium_session import DEFAULT, AppiumSessions, uiautomator2_options


def caps(options: UiAutomator2Options) -> dict[str, Any]:
    return dict(options.to_capabilities())


def test_fast_options_carry_what_a_gl_game_and_parallel_devices_need(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "15123")
    got = caps(uiautomator2_options("127.0.0.1:5555", app_package="com.example.game", system_port=8211))
    assert got["platformName"] == "Android" and got["automationName"] == "UIAutomator2"
    assert got["appium:udid"] == "127.0.0.1:5555" and got["appium:appPackage"] == "com.example.game"
    assert got["appium:noReset"] is True and got["appium:newCommandTimeout"] == 600
    assert got["appium:systemPort"] == 8211 and got["appium:adbPort"] == 15123
    assert got["appium:settings"] == {"waitForIdleTimeout": 0}
    assert got["appium:skipServerInstallation"] is True and got["appium:skipDeviceInitialization"] is True


def test_a_remote_server_gets_no_local_ports_and_installs_its_own_server() -> None:
    got = caps(uiautomator2_options("R58M123", remote=True, extra={"deviceName": "phone-1"}))
    assert "appium:adbPort" not in got and "appium:systemPort" not in got
    assert "appium:skipServerInstallation" not in got and "appium:skipDeviceInitialization" not in got
    assert got["appium:noReset"] is True and got["appium:deviceName"] == "phone-1"


def test_default_profile_leaves_the_drivers_defaults_and_extra_wins() -> None:
    got = caps(
        uiautomator2_options("emulator-5554", profile=DEFAULT, extra={"noReset": False, "appium:x": 1})
    )
    assert "appium:skipServerInstallation" not in got and "appium:skipDeviceInitialization" not in got
    assert got["appium:noReset"] is False and got["appium:x"] == 1
    a = caps(uiautomator2_options("a"))["appium:systemPort"]
    b = caps(uiautomator2_options("b"))["appium:systemPort"]
    assert a != b
    with pytest.raises(ValueError):
        uiautomator2_options("a", profile="turbo")


class FakeDriver:
    def __init__(self, options: UiAutomator2Options) -> None:
        self.options = options
        self.dead = False
        self.quits = 0

    @property
    def orientation(self) -> str:
        if self.dead:
            raise WebDriverException("instrumentation process is not running")
        return "PORTRAIT"

    def quit(self) -> None:
        self.quits += 1


def test_one_session_per_device_reused_and_recreated() -> None:
    made: list[FakeDriver] = []

    def factory(url: str, options: UiAutomator2Options) -> FakeDriver:
        assert url == "http://appium"
        made.append(FakeDriver(options))
        return made[-1]

    # DEFAULT: the driver installs its own server, so no device is needed for this test
    sessions = AppiumSessions("http://appium", profile=DEFAULT, driver_factory=factory)
    first = sessions.get("dev-a")
    assert sessions.get("dev-a") is first and sessions.get("dev-b") is not first
    first.dead = True
    again = sessions.get("dev-a")
    assert again is not first and first.quits == 1 and sessions.created == 3
    assert again.options.system_port != first.options.system_port  # the old forward may still listen
    sessions.quit_all()
    assert [d.quits for d in made] == [1, 1, 1]
