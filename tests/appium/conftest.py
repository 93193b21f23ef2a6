"""Real Appium 3 + UiAutomator2 driving virtual devices through the real adb server.

One Appium server (``harness.android.appium.start_server``, the pinned npm install) per test
session, on a free port, talking to the session's private adb server (``private_adb`` sets
``ANDROID_ADB_SERVER_PORT`` before Appium starts; the session factory also passes it as
``adbPort``, which appium-adb needs). Devices are fresh per test.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import adbutils
import pytest

from harness.android.adb import AdbServer
from harness.android.appium import (
    AppiumServerRecord,
    start_server,
    stop_server,
)
from harness.android.appium_session import AppiumSessions
from harness.android.logcat import LogcatStream
from harness.sim.host import HostedDevice

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:  # reuse tests/defold's Poco client and tests/rustore_device's game
    sys.path.insert(0, str(TESTS_DIR))

# The sample game with RuStore on a virtual device, its sandbox and its server (tests/rustore_device).
from rustore_device.conftest import (  # noqa: E402, F401  (fixtures)
    game_apk,
    game_server_url,
    make_game,
    rustore_host,
    sandbox,
    sandbox_url,
)

AttachFn = Callable[..., HostedDevice]


@pytest.fixture(scope="session")
def appium_server(
    private_adb: AdbServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppiumServerRecord]:
    # On a fresh clone the first use installs Appium from npm (ensure() lets one worker at a time).
    record = start_server(tmp_path_factory.mktemp("appium") / "appium.log")
    try:
        yield record
    finally:
        stop_server(record)


@pytest.fixture
def device(attach: AttachFn) -> HostedDevice:
    return attach()


@pytest.fixture
def adb_device(private_adb: AdbServer, device: HostedDevice) -> adbutils.AdbDevice:
    return private_adb.client().device(device.serial)


@pytest.fixture
def sessions(appium_server: AppiumServerRecord) -> Iterator[AppiumSessions]:
    """The harness's session factory with the fast profile; every session quit at teardown."""
    factory = AppiumSessions(appium_server.url)
    try:
        yield factory
    finally:
        factory.quit_all()


@pytest.fixture
def logcat(adb_device: adbutils.AdbDevice) -> Iterator[LogcatStream]:
    """The device's logcat from now on (``wait_for`` is a Condition wait fed by the stream)."""
    stream = LogcatStream(adb_device).start()
    try:
        yield stream
    finally:
        stream.stop()
