"""Fixtures for the game on a virtual device attached to the real adb server."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import adbutils
import pytest

from harness.android.adb import AdbServer
from harness.sim.defold import register_extension, unregister_extension
from harness.sim.defold.extensions import registered_extensions
from harness.sim.host import DeviceHost, HostedDevice

from .rustore_double import RuStoreDouble

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"
PACKAGE = "ru.rustore.sample.billing"
GAME = f"{PACKAGE}/com.dynamo.android.DefoldActivity"


class LogWatcher:
    """Follows ``adb logcat`` on a stream; waits are queue reads, never sleeps."""

    def __init__(self, dev: adbutils.AdbDevice) -> None:
        self.conn = dev.shell("logcat -v brief defold:D RuStoreHarness:I *:S", stream=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.cursor = 0
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
        """The next line (after the previous match) matching ``pattern``."""
        regex = re.compile(pattern)
        while self.cursor < len(self.seen):
            line = self.seen[self.cursor]
            self.cursor += 1
            if m := regex.search(line):
                return m
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no logcat line matching {pattern!r}; saw {self.seen[-10:]}") from None
            self.seen.append(line)
            self.cursor = len(self.seen)
            if m := regex.search(line):
                return m

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def game_device(private_adb: AdbServer) -> Iterator[tuple[HostedDevice, adbutils.AdbDevice]]:
    host = DeviceHost()
    try:
        hosted = host.add_device("pixel-7-api-34")
        private_adb.connect(hosted.serial)
        yield hosted, private_adb.client().device(hosted.serial)
        private_adb.disconnect(hosted.serial)
    finally:
        host.close()


@pytest.fixture
def plugin() -> Iterator[RuStoreDouble]:
    double = RuStoreDouble()
    before = registered_extensions()
    register_extension("rustorecore", double.core)
    register_extension("rustorebilling", double.billing)
    yield double
    for name in ("rustorecore", "rustorebilling"):
        unregister_extension(name)
        if name in before:  # give back whatever the real plugin emulation had registered
            register_extension(name, before[name])
