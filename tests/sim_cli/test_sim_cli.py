"""`rustore-harness sim up|status|down` end to end: a real daemon, the real adb server, real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness.android.adb import AdbServer
from harness.process import wait_gone

CLI = [sys.executable, "-m", "harness.cli"]


def run_cli(*args: str, state_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RUSTORE_HARNESS_STATE_DIR=str(state_dir))
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=180)
    if check:
        assert done.returncode == 0, f"{args} failed: {done.stdout}\n{done.stderr}"
    return done


def status(state_dir: Path) -> dict[str, object]:
    return json.loads(run_cli("sim", "status", "--json", state_dir=state_dir).stdout)


def serials(doc: dict[str, object]) -> list[str]:
    devices = doc["devices"]
    assert isinstance(devices, list)
    return [d["serial"] for d in devices]


@pytest.fixture
def state_dir(tmp_path: Path, private_adb: AdbServer) -> object:
    yield tmp_path / "sim-state"
    run_cli("sim", "down", state_dir=tmp_path / "sim-state", check=False)


def test_up_attaches_devices_and_publishes_services(state_dir: Path, private_adb: AdbServer) -> None:
    run_cli("sim", "up", "--devices", "2", state_dir=state_dir)
    doc = status(state_dir)
    assert doc["running"] is True
    listed = serials(doc)
    assert len(listed) == 2
    states = private_adb.device_states()
    for serial in listed:
        assert serial.startswith("127.0.0.1:")
        assert states.get(serial) == "device"
    devices = doc["devices"]
    assert isinstance(devices, list)
    assert all(d["profile"] == "pixel-7-api-34" and d["adb_state"] == "device" for d in devices)
    for key in ("sandbox_url", "game_server_url"):
        url = doc[key]
        assert isinstance(url, str) and url.startswith("http://127.0.0.1:")
    openapi = httpx.get(f"{doc['sandbox_url']}/openapi.json", timeout=10)
    assert openapi.status_code == 200 and "paths" in openapi.json()
    # The device answers like a phone through the real adb server.
    out = private_adb.run("-s", listed[0], "shell", "getprop", "ro.build.version.sdk")
    assert out.strip() == "34"
    # Each device knows where the pool's services are (the SDK and the game read these).
    for serial in listed:
        sandbox = private_adb.run("-s", serial, "shell", "getprop", "rustore.harness.sandbox_url")
        game = private_adb.run(
            "-s", serial, "shell", "getprop", "rustore.harness.config.rustore_harness.game_server_url"
        )
        assert sandbox.strip() == doc["sandbox_url"] and game.strip() == doc["game_server_url"]


def test_second_up_creates_no_duplicates(state_dir: Path, private_adb: AdbServer) -> None:
    run_cli("sim", "up", "--devices", "1", "--devices-only", state_dir=state_dir)
    first = serials(status(state_dir))
    again = run_cli("sim", "up", "--devices", "1", "--devices-only", state_dir=state_dir)
    assert "already running" in again.stderr
    assert serials(status(state_dir)) == first
    attached = [s for s in private_adb.device_states() if s.startswith("127.0.0.1:")]
    assert attached == first


def test_down_detaches_and_stops(state_dir: Path, private_adb: AdbServer) -> None:
    run_cli("sim", "up", "--devices", "1", "--devices-only", state_dir=state_dir)
    doc = status(state_dir)
    pid = doc["pid"]
    assert isinstance(pid, int)
    down = run_cli("sim", "down", state_dir=state_dir)
    assert "1 device(s) detached" in down.stdout
    assert not set(serials(doc)) & set(private_adb.device_states())
    assert wait_gone(pid, 10.0)
    assert status(state_dir)["running"] is False


def test_crashed_pool_leaves_no_stale_device(state_dir: Path, private_adb: AdbServer) -> None:
    run_cli("sim", "up", "--devices", "1", "--devices-only", state_dir=state_dir)
    doc = status(state_dir)
    pid = doc["pid"]
    assert isinstance(pid, int)
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid, 10.0)
    # Whatever adb thinks right after the crash, the next command heals it.
    assert status(state_dir)["running"] is False
    assert not set(serials(doc)) & set(private_adb.device_states())
    run_cli("sim", "up", "--devices", "1", "--devices-only", state_dir=state_dir)
    attached = [s for s in private_adb.device_states() if s.startswith("127.0.0.1:")]
    assert attached == serials(status(state_dir))


def test_each_device_runs_in_its_own_process_with_its_own_identity(
    state_dir: Path, private_adb: AdbServer
) -> None:
    run_cli("sim", "up", "--devices", "3", "--devices-only", state_dir=state_dir)
    doc = status(state_dir)
    devices = doc["devices"]
    assert isinstance(devices, list)
    pids = [d["pid"] for d in devices]
    assert pids[0] == doc["pid"] and len(set(pids)) == 3, pids  # the daemon hosts the first
    serialnos = {
        private_adb.run("-s", d["serial"], "shell", "getprop", "ro.serialno").strip() for d in devices
    }
    assert len(serialnos) == 3, serialnos  # three phones, three RuStore sandbox users
    run_cli("sim", "down", state_dir=state_dir)
    assert all(wait_gone(pid, 10.0) for pid in pids)


def test_a_device_process_that_dies_stops_the_pool(state_dir: Path, private_adb: AdbServer) -> None:
    """A pool missing a device is not the pool that was asked for: the daemon stops, the next
    command finds nothing running and detaches what is left."""
    run_cli("sim", "up", "--devices", "2", "--devices-only", state_dir=state_dir)
    doc = status(state_dir)
    devices = doc["devices"]
    assert isinstance(devices, list)
    os.kill(devices[1]["pid"], signal.SIGKILL)
    assert wait_gone(devices[0]["pid"], 10.0)  # the daemon saw its child go and stopped
    assert status(state_dir)["running"] is False
    assert not set(serials(doc)) & set(private_adb.device_states())


def test_bad_device_count_is_a_clear_error(state_dir: Path) -> None:
    done = run_cli("sim", "up", "--devices", "0", state_dir=state_dir, check=False)
    assert done.returncode == 2
    assert "--devices" in done.stderr and "Traceback" not in done.stderr


def test_plugin_profile_and_mode_reach_every_device(state_dir: Path, private_adb: AdbServer) -> None:
    run_cli(
        "sim",
        "up",
        "--devices",
        "2",
        "--devices-only",
        "--plugin-profile",
        "5.0.1",
        "--plugin-mode",
        "fixed",
        state_dir=state_dir,
    )
    for serial in serials(status(state_dir)):
        props = private_adb.run("-s", serial, "shell", "getprop | grep rustore.harness.plugin")
        assert "[rustore.harness.plugin.profile]: [5.0.1]" in props
        assert "[rustore.harness.plugin.mode]: [fixed]" in props
