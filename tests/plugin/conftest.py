"""Fixtures for the plugin's tests: pytester, devices files, and one shared virtual pool.

The plugin is tested the way users meet it: inner pytest runs (``pytester``) that load it
from its entry point. Runs that need devices share one virtual pool started here through the
farm launcher, behind the private adb server, with its state in a temporary folder that the
inner runs find through ``RUSTORE_HARNESS_STATE_DIR`` (so they lease, not start, a pool).
"""

from __future__ import annotations

import os
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
def shared_pool(
    private_adb: AdbServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, SimState]]:
    """Two virtual devices on the private adb server, running for the whole plugin test session."""
    state_dir = tmp_path_factory.mktemp("sim-state")
    farm = Farm(state_dir=state_dir, adb=private_adb)
    state, started = farm.up(2, "pixel-7-api-34")
    assert started and len(state.devices) == 2
    try:
        yield state_dir, state
    finally:
        farm.down()


@pytest.fixture
def virtual_env(
    pytester: pytest.Pytester, shared_pool: tuple[Path, SimState], monkeypatch: pytest.MonkeyPatch
) -> SimState:
    """A pytester folder whose devices.yaml selects the shared virtual pool."""
    state_dir, state = shared_pool
    monkeypatch.setenv("RUSTORE_HARNESS_STATE_DIR", str(state_dir))
    write_devices(pytester, VIRTUAL_POOL, "virtual")
    assert os.environ["ANDROID_ADB_SERVER_PORT"] == str(state.adb_port)
    return state
