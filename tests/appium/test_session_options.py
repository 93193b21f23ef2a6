"""The session factory's capabilities and bookkeeping, without a server (a stand-in driver factory)."""

from __future__ import annotations

from typing import Any

import pytest
from appium.options.android import UiAutomator2Options
from selenium.common.exceptions import WebDriverException

from harness.android.appium_session import DEFAULT, AppiumSessions, uiautomator2_options
from harness.android.session_handoff import OpenSession, SessionHandoff


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


def _handed_over(tmp_path: Any, key: str, session: OpenSession) -> SessionHandoff:
    handoff = SessionHandoff(tmp_path / "sessions")
    handoff.reserve(key).offer(session)
    return handoff


def test_a_session_opened_elsewhere_is_taken_over_instead_of_a_new_one(tmp_path: Any) -> None:
    opened = OpenSession("127.0.0.1:5555", "sid-1", {"platformName": "Android"}, 8230)
    adopted: list[FakeDriver] = []

    def adopt(url: str, session: OpenSession) -> FakeDriver:
        assert (url, session) == ("http://appium", opened)
        adopted.append(FakeDriver(UiAutomator2Options()))
        return adopted[-1]

    def no_new_session(url: str, options: UiAutomator2Options) -> FakeDriver:
        raise AssertionError("a second session was opened")

    sessions = AppiumSessions(
        "http://appium",
        profile=DEFAULT,
        driver_factory=no_new_session,
        handoff=_handed_over(tmp_path, "virtual-1", opened),
        adopt_factory=adopt,
    )
    driver = sessions.get("127.0.0.1:5555", handoff_key="virtual-1")
    assert driver is adopted[0] and sessions.get("127.0.0.1:5555") is driver
    assert (sessions.adopted, sessions.created) == (1, 0)
    sessions.quit_all()
    assert driver.quits == 1  # the taker owns it now: it closes it


def test_a_dead_or_foreign_handed_over_session_is_replaced(tmp_path: Any) -> None:
    made: list[FakeDriver] = []

    def factory(url: str, options: UiAutomator2Options) -> FakeDriver:
        made.append(FakeDriver(options))
        return made[-1]

    def dead(url: str, session: OpenSession) -> FakeDriver:
        driver = FakeDriver(UiAutomator2Options())
        driver.dead = True
        made.append(driver)
        return driver

    handoff = _handed_over(tmp_path, "virtual-1", OpenSession("127.0.0.1:5555", "sid-1", {}, 8230))
    sessions = AppiumSessions("http://appium", profile=DEFAULT, driver_factory=factory, handoff=handoff)
    sessions.adopt_factory = dead
    fresh = sessions.get("127.0.0.1:5555", handoff_key="virtual-1")
    assert fresh is made[1] and made[0].quits == 1 and (sessions.adopted, sessions.created) == (0, 1)

    # a session handed over for another serial (the pool was restarted) is not this device's
    foreign = _handed_over(tmp_path / "x", "virtual-2", OpenSession("127.0.0.1:6000", "sid-2", {}, 8231))
    sessions = AppiumSessions("http://appium", profile=DEFAULT, driver_factory=factory, handoff=foreign)
    sessions.adopt_factory = lambda url, session: FakeDriver(UiAutomator2Options())
    assert sessions.get("127.0.0.1:5557", handoff_key="virtual-2") is made[-1]
    assert (sessions.adopted, sessions.created) == (0, 1)


def test_only_sessions_taken_over_are_handed_back_open(tmp_path: Any) -> None:
    opened = OpenSession("127.0.0.1:5555", "sid-1", {"platformName": "Android"}, 8230)
    handoff = _handed_over(tmp_path, "virtual-1", opened)
    adopted = FakeDriver(UiAutomator2Options())
    adopted.session_id, adopted.caps = "sid-1", {"platformName": "Android"}
    made: list[FakeDriver] = []

    def factory(url: str, options: UiAutomator2Options) -> FakeDriver:
        made.append(FakeDriver(options))
        return made[-1]

    sessions = AppiumSessions(
        "http://appium",
        profile=DEFAULT,
        driver_factory=factory,
        handoff=handoff,
        adopt_factory=lambda u, s: adopted,
    )
    sessions.get("127.0.0.1:5555", handoff_key="virtual-1")
    sessions.get("127.0.0.1:5557", handoff_key="virtual-2")  # nothing prewarmed: its own session
    sessions.give_back()
    sessions.quit_all()
    assert adopted.quits == 0 and made[0].quits == 1  # the opener closes the one it opened
    assert handoff.given_back() == [opened]
