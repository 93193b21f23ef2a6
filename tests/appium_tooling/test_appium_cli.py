"""`rustore-harness appium start|status|stop` with the real Appium server from npm."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from harness.android.adb import adb_binary
from harness.android.appium import AppiumInstallation, ensure_android_home, load_record
from harness.process import wait_gone

CLI = [sys.executable, "-m", "harness.cli"]


def run_cli(*args: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RUSTORE_HARNESS_STATE_DIR=str(state_dir))
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


def test_android_home_points_at_the_harness_adb(tmp_path: Path) -> None:
    home = ensure_android_home(tmp_path / "sdk")
    assert (home / "platform-tools" / "adb").resolve() == Path(adb_binary()).resolve()


def test_start_status_stop_real_appium(tmp_path: Path) -> None:
    started = run_cli("appium", "start", state_dir=tmp_path)
    url = started.stdout.strip()
    assert url.startswith("http://127.0.0.1:")
    try:
        status = httpx.get(f"{url}/status", timeout=10).json()["value"]
        assert status["ready"] is True
        assert status["build"]["version"] == AppiumInstallation.default().pinned()["appium"]
        assert AppiumInstallation.default().installed() == AppiumInstallation.default().pinned()
        shown = run_cli("appium", "status", state_dir=tmp_path).stdout
        assert url in shown and "appium-uiautomator2-driver@" in shown
        again = run_cli("appium", "start", state_dir=tmp_path)
        assert again.stdout.strip() == url and "already running" in again.stderr
        record = load_record(tmp_path)
        assert record is not None
        log = Path(record.log_file).read_text()
        assert "Welcome to Appium" in log
    finally:
        record = load_record(tmp_path)
        run_cli("appium", "stop", state_dir=tmp_path)
    assert record is not None and wait_gone(record.pid, 10)
    assert "not running" in run_cli("appium", "status", state_dir=tmp_path).stdout
    assert not (tmp_path / "appium.json").exists()
