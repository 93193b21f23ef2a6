"""A remote pool for real: a real Appium server driving a virtual device, and no adb for the plugin.

The device side is the virtual pool (farm launcher: one device with RuStore and the banks, the
sandbox, the game's server) behind an adb server of these tests' own, so the device never shows
up in other areas' ``adb devices``. Appium runs on this host (``harness.android.appium``) and
reaches the device through that adb server (``appium:adbPort`` in the pool's capabilities, as a
farm's own Appium reaches its phones). The inner pytest runs see only the Appium URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.android.adb import AdbServer
from harness.android.appium import AppiumServerRecord, start_server, stop_server
from harness.ports import free_loopback_port
from harness.sim.farm import Farm, build_virtual_app
from harness.sim.state import SimState

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@dataclass(frozen=True)
class RemoteFarm:
    """What a remote pool's devices.yaml needs to know about this 'farm'."""

    appium: AppiumServerRecord
    adb: AdbServer
    state: SimState
    apk: Path

    @property
    def serial(self) -> str:
        return self.state.devices[0].serial


@pytest.fixture(scope="session")
def farm_adb(private_adb: AdbServer) -> Iterator[AdbServer]:
    server = AdbServer(port=free_loopback_port(), binary=private_adb.binary)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="session")
def remote_farm(farm_adb: AdbServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteFarm]:
    root = tmp_path_factory.mktemp("remote-farm")
    apk = build_virtual_app(SAMPLE_APP, root / "sample_app.apk")
    farm = Farm(state_dir=root / "sim-state", adb=farm_adb)
    state, started = farm.up(1, "pixel-7-api-34")
    assert started and len(state.devices) == 1
    try:
        appium = start_server(root / "appium.log")
        try:
            yield RemoteFarm(appium, farm_adb, state, apk)
        finally:
            stop_server(appium)
    finally:
        farm.down()


@pytest.fixture
def no_adb_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Inner runs get an adb that cannot work: a dead server port and an adb binary that fails."""
    fake = tmp_path / "no-adb"
    fake.write_text("#!/bin/sh\necho 'adb is not available to a remote pool run' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_loopback_port()))
    monkeypatch.setenv("ADBUTILS_ADB_PATH", str(fake))
    assert os.environ["ADBUTILS_ADB_PATH"] == str(fake)
