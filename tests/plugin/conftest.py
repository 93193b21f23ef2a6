"""Fixtures for the plugin's tests: pytester, devices files, and one shared virtual pool.

The plugin is tested the way users meet it: inner pytest runs (``pytester``) that load it
from its entry point. Runs that need devices share one virtual pool started here through the
farm launcher, behind the private adb server, with its state in a temporary folder that the
inner runs find through ``RUSTORE_HARNESS_STATE_DIR`` (so they lease, not start, a pool).
"""

from __future__ import annotations

import os
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.android.adb import AdbServer
from harness.sim.farm import Farm
from harness.sim.state import SimState


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


APP = """
app:
  package: ru.rustore.sample.billing
  deeplink_scheme: rustoresample
"""


def write_devices(pytester: pytest.Pytester, pools: str, default_pool: str) -> Path:
    pools_text = textwrap.indent(textwrap.dedent(pools), "  ")
    text = f"version: 1\ndefault_pool: {default_pool}\n{textwrap.dedent(APP)}pools:\n{pools_text}"
    return pytester.makefile(".yaml", devices=text)


VIRTUAL_POOL = """
virtual:
  kind: virtual
  count: 2
"""


@pytest.fixture(scope="session")
def plugin_adb(private_adb: AdbServer) -> Iterator[AdbServer]:
    """A real adb server of the plugin tests' own, so their devices never show up in other areas'
    `adb devices` (those tests own the session's `private_adb` and count what it lists)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = AdbServer(port=port, binary=private_adb.binary)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def adb_env(plugin_adb: AdbServer, monkeypatch: pytest.MonkeyPatch) -> AdbServer:
    """Point this test (and the inner pytest runs it starts) at the plugin tests' adb server."""
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(plugin_adb.port))
    monkeypatch.setenv("ADBUTILS_ADB_PATH", plugin_adb.binary)
    return plugin_adb


@pytest.fixture(scope="session")
def shared_pool(
    plugin_adb: AdbServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, SimState]]:
    """Two virtual devices on the plugin tests' adb server, running for the whole test session."""
    state_dir = tmp_path_factory.mktemp("sim-state")
    farm = Farm(state_dir=state_dir, adb=plugin_adb)
    state, started = farm.up(2, "pixel-7-api-34")
    assert started and len(state.devices) == 2
    try:
        yield state_dir, state
    finally:
        farm.down()


@pytest.fixture
def virtual_env(
    pytester: pytest.Pytester,
    shared_pool: tuple[Path, SimState],
    adb_env: AdbServer,
    monkeypatch: pytest.MonkeyPatch,
) -> SimState:
    """A pytester folder whose devices.yaml selects the shared virtual pool."""
    state_dir, state = shared_pool
    monkeypatch.setenv("RUSTORE_HARNESS_STATE_DIR", str(state_dir))
    write_devices(pytester, VIRTUAL_POOL, "virtual")
    assert os.environ["ANDROID_ADB_SERVER_PORT"] == str(state.adb_port)
    return state
