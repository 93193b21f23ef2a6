"""With no virtual pool running, the plugin starts one for the run, shares it between xdist
workers, and the run that started it stops it at the end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import VIRTUAL_POOL, write_devices

from harness.android.adb import AdbServer
from harness.sim.farm import Farm


def test_the_plugin_starts_one_pool_for_the_run_and_stops_it(
    pytester: pytest.Pytester, adb_env: AdbServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    state_dir = tmp_path / "fresh-state"
    monkeypatch.setenv("RUSTORE_HARNESS_STATE_DIR", str(state_dir))
    farm = Farm(state_dir=state_dir, adb=adb_env)
    assert farm.status() is None
    write_devices(pytester, VIRTUAL_POOL, "virtual")
    log = pytester.path / "seen.txt"
    monkeypatch.setenv("SEEN_LOG", str(log))
    pytester.makepyfile(
        test_started="""
        import os, pytest
        from harness.sim.state import load_state, default_state_dir

        @pytest.mark.parametrize("n", range(4))
        def test_on_started_pool(device, store, n):
            state = load_state(default_state_dir())
            assert state is not None and device.serial in [d.serial for d in state.devices]
            assert store.clock() is not None
            with open(os.environ["SEEN_LOG"], "a") as f:
                f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {state.pid} {device.serial}\\n")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=4)
    rows = [line.split() for line in log.read_text().splitlines()]
    assert len({pid for _, pid, _ in rows}) == 1, "both workers used the one pool started for the run"
    assert {w for w, _, _ in rows} == {"gw0", "gw1"}
    assert len({serial for _, _, serial in rows}) == 2
    assert farm.status() is None, "the run that started the pool stopped it"
    assert not any(s in adb_env.device_states() for _, _, s in rows), "its devices are detached from adb"


def test_a_pool_that_was_already_running_is_left_running(
    pytester: pytest.Pytester, virtual_env: object, adb_env: AdbServer
) -> None:
    pytester.makepyfile("def test_x(device):\n    assert device.serial\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    farm = Farm(state_dir=Path(os.environ["RUSTORE_HARNESS_STATE_DIR"]), adb=adb_env)
    assert farm.status() is not None
