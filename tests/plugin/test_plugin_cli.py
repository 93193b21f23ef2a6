"""`rustore-harness devices` and `doctor`: output and exit codes, on the virtual pool and on bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import APP

from harness.android.adb import AdbServer
from harness.cli import cli
from harness.sim.state import SimState

ADB_POOL = """
  usb:
    kind: adb
    devices:
      - serial: NOPHONE123
        label: galaxy
"""


def devices_file(tmp_path: Path, pools: str, default: str) -> Path:
    path = tmp_path / "devices.yaml"
    path.write_text(f"version: 1\ndefault_pool: {default}\n{APP.strip()}\npools:\n{pools}")
    return path


@pytest.mark.parametrize("command", ["devices", "doctor"])
def test_a_bad_devices_file_exits_2_with_one_message(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "devices.yaml"
    bad.write_text(
        "version: 1\ndefault_pool: usb\napp: {package: a.b, deeplink_scheme: x}\n"
        "pools:\n  usb:\n    kind: adb\n    devices: []\n"
    )
    result = CliRunner().invoke(cli, [command, "--devices-file", str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {bad}:")
    assert "pools.usb.devices" in result.output and result.output.count("\n") == 1
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(
        result.exception, SystemExit
    )


def test_an_unknown_pool_exits_2(tmp_path: Path) -> None:
    path = devices_file(tmp_path, ADB_POOL, "usb")
    result = CliRunner().invoke(cli, ["devices", "--devices-file", str(path), "--pool", "usbb"])
    assert result.exit_code == 2
    assert "unknown pool 'usbb'" in result.output and "did you mean 'usb'" in result.output


def test_devices_lists_the_virtual_pool_healthy(
    virtual_env: SimState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import VIRTUAL_POOL

    path = devices_file(tmp_path, textwrap.indent(VIRTUAL_POOL.strip(), "  ") + "\n", "virtual")
    result = CliRunner().invoke(cli, ["devices", "--devices-file", str(path)])
    assert result.exit_code == 0, result.output
    assert f"pool virtual (virtual, 2 device(s)) from {path}" in result.output
    for device in virtual_env.devices:
        assert f"{device.serial}" in result.output
    assert result.output.count("OK   virtual-") == 2 and "API 34" in result.output
    assert "sandbox_url" in result.output


def test_devices_reports_an_absent_phone_and_exits_1(adb_env: AdbServer, tmp_path: Path) -> None:
    path = devices_file(tmp_path, ADB_POOL, "usb")
    result = CliRunner().invoke(cli, ["devices", "--devices-file", str(path)])
    assert result.exit_code == 1
    assert "FAIL NOPHONE123 (galaxy)" in result.output and "adb state is 'absent'" in result.output


def test_doctor_on_the_virtual_pool(virtual_env: SimState, tmp_path: Path) -> None:
    from conftest import VIRTUAL_POOL

    path = devices_file(tmp_path, textwrap.indent(VIRTUAL_POOL.strip(), "  ") + "\n", "virtual")
    result = CliRunner().invoke(
        cli, ["doctor", "--devices-file", str(path), "--appium-url", "http://127.0.0.1:9"]
    )
    lines = result.output.splitlines()
    checks = ("adb binary", "adb server", "Appium + driver", "Appium server", "device virtual-1")
    for what in (*checks, "device virtual-2", "game on virtual-1", "sandbox"):
        assert any(line[5:].startswith(what) for line in lines), what
    assert any(line.startswith("FAIL Appium server") for line in lines)
    assert "fix: run `rustore-harness appium start`" in result.output
    assert any(line.startswith("OK   sandbox") for line in lines)
    assert result.exit_code == 1 and result.output.rstrip().endswith("problem(s)")


def test_doctor_on_an_absent_phone_gives_the_fix(adb_env: AdbServer, tmp_path: Path) -> None:
    path = devices_file(tmp_path, ADB_POOL, "usb")
    result = CliRunner().invoke(
        cli, ["doctor", "--devices-file", str(path), "--appium-url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 1
    assert "FAIL device NOPHONE123" in result.output
    assert "fix: see `adb devices -l`" in result.output
    assert "sandbox" not in result.output, "a phone pool has no sandbox to check"
