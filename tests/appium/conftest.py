"""Real Appium 3 + UiAutomator2 driving virtual devices through the real adb server.

One Appium server (``harness.android.appium.start_server``, the pinned npm install) per test
session, on a free port, talking to the session's private adb server (``private_adb`` sets
``ANDROID_ADB_SERVER_PORT`` before Appium starts; the session factory also passes it as
``adbPort``, which appium-adb needs). Devices are fresh per test.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import adbutils
import pytest

from harness.android.adb import AdbServer
from harness.android.appium import AppiumServerRecord, start_server, stop_server
from harness.android.appium_session import AppiumSessions
from harness.sim.host import DeviceHost, HostedDevice

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:  # reuse tests/defold's Poco client and RuStore plugin double
    sys.path.insert(0, str(TESTS_DIR))

AttachFn = Callable[[], HostedDevice]


@pytest.fixture(scope="session")
def appium_server(
    private_adb: AdbServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppiumServerRecord]:
    record = start_server(tmp_path_factory.mktemp("appium") / "appium.log")
    try:
        yield record
    finally:
        stop_server(record)


@pytest.fixture(scope="session")
def device_host() -> Iterator[DeviceHost]:
    host = DeviceHost()
    try:
        yield host
    finally:
        host.close()


@pytest.fixture
def attach(private_adb: AdbServer, device_host: DeviceHost) -> Iterator[AttachFn]:
    """Start a virtual device and ``adb connect`` it; detached and stopped at teardown."""
    attached: list[HostedDevice] = []

    def _attach() -> HostedDevice:
        device = device_host.add_device("pixel-7-api-34")
        attached.append(device)
        private_adb.connect(device.serial)
        return device

    yield _attach
    for device in attached:
        private_adb.disconnect(device.serial)
        device_host.remove_device(device)


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


class LogcatFollower:
    """``adb logcat`` as a stream of lines; waits are queue reads, never sleeps."""

    def __init__(self, dev: adbutils.AdbDevice, spec: str = "") -> None:
        self.conn = dev.shell(f"logcat -v brief {spec}".strip(), stream=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        buffer = b""
        try:
            while chunk := self.conn.conn.recv(65536):
                buffer += chunk
                *complete, buffer = buffer.split(b"\n")
                for line in complete:
                    self.lines.put(line.decode("utf-8", "replace").rstrip("\r"))
        except OSError:
            pass

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        regex = re.compile(pattern)
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no logcat line matching {pattern!r}; saw {self.seen[-10:]}") from None
            self.seen.append(line)
            if match := regex.search(line):
                return match

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def logcat(adb_device: adbutils.AdbDevice) -> Iterator[Callable[[str], LogcatFollower]]:
    followers: list[LogcatFollower] = []

    def follow(spec: str = "") -> LogcatFollower:
        follower = LogcatFollower(adb_device, spec)
        followers.append(follower)
        return follower

    yield follow
    for follower in followers:
        follower.close()
