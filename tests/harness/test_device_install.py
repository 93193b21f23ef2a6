"""``AndroidDevice.install``: once per device and APK, and devices do not wait for each other."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from harness.android.adb import AdbServer
from harness.android.device import AndroidDevice

WAIT_S = 10.0


class FakeSync:
    def __init__(self, on_push: Any) -> None:
        self.on_push = on_push

    def push(self, path: Path, remote: str) -> None:
        self.on_push(remote)


class FakeAdbDevice:
    """Just what ``install`` calls, with a hook while the APK is being pushed."""

    def __init__(self, on_push: Any = None) -> None:
        self.pushed: list[str] = []
        self.installed: list[str] = []
        self.sync = FakeSync(self._push)
        self._on_push = on_push

    def _push(self, remote: str) -> None:
        self.pushed.append(remote)
        if self._on_push is not None:
            self._on_push()

    def install_remote(self, remote: str, clean: bool, flags: list[str]) -> None:
        self.installed.append(remote)


def device(serial: str, fake: FakeAdbDevice) -> AndroidDevice:
    android = AndroidDevice(serial, AdbServer(port=1, binary="adb"))  # never connects: `ad` is fake
    android.ad = fake  # type: ignore[assignment]
    return android


def test_two_devices_install_at_the_same_time(tmp_path: Path) -> None:
    """--prewarm installs the UiAutomator2 server on every device at once; a lock shared by all
    devices made them queue (~0.5 s each at the realistic profile)."""
    apk = tmp_path / "server.apk"
    apk.write_bytes(b"same APK for both devices")
    first_pushing = threading.Event()
    second_done = threading.Event()
    first_saw_second: list[bool] = []

    def first_push() -> None:  # the first device is still pushing when the second one installs
        first_pushing.set()
        first_saw_second.append(second_done.wait(WAIT_S))

    first = device("serial-a", FakeAdbDevice(on_push=first_push))
    second = device("serial-b", FakeAdbDevice())
    thread = threading.Thread(target=first.install, args=(apk,))
    thread.start()
    try:
        assert first_pushing.wait(WAIT_S)
        assert second.install(apk) is True
        second_done.set()
    finally:
        thread.join(WAIT_S)
    assert first_saw_second == [True]


def test_one_device_installs_an_apk_once(tmp_path: Path) -> None:
    apk = tmp_path / "game.apk"
    apk.write_bytes(b"game")
    fake = FakeAdbDevice()
    android = device("serial-once", fake)
    started = threading.Barrier(4)
    results: list[bool] = []

    def install() -> None:
        started.wait(WAIT_S)
        results.append(android.install(apk))

    threads = [threading.Thread(target=install) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert sorted(results) == [False, False, False, True]
    assert len(fake.pushed) == len(fake.installed) == 1
    assert android.install(apk, force=True) is True
    assert len(fake.installed) == 2
