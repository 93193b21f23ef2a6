"""An `emulator` pool: the plugin boots the AVD with the SDK's emulator, runs on it, then powers it off."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from harness.android.adb import AdbServer

pytest_plugins = ["pytester"]

DEVICES = """
version: 1
default_pool: emulators
app:
  package: ru.rustore.sample.billing
  activity: com.dynamo.android.DefoldActivity
  deeplink_scheme: rustoresample
pools:
  emulators:
    kind: emulator
    devices:
      - avd: Pixel_Harness_34
        boot: {{port: {port}, timeout: 60}}
"""

TEST = """
def test_runs_on_the_booted_avd(device):
    assert device.serial == "emulator-{port}"
    assert device.android.getprop("ro.boot.qemu.avd_name") == "Pixel_Harness_34"
"""


def fake_sdk(root: Path) -> Path:
    """An ANDROID_HOME whose emulator/emulator is the stand-in (and platform-tools/adb the real adb)."""
    shim = root / "emulator" / "emulator"
    shim.parent.mkdir(parents=True)
    fake = Path(__file__).with_name("fake_emulator.py")
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} {fake} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return root


def test_plugin_boots_the_avd_and_powers_it_off(
    pytester: pytest.Pytester, private_adb: AdbServer, monkeypatch
) -> None:
    from harness.android.emulator import free_console_port

    port = free_console_port(private_adb)
    monkeypatch.setenv("ANDROID_HOME", str(fake_sdk(pytester.path / "sdk")))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])
    )
    pytester.makefile(".yaml", devices=DEVICES.format(port=port))
    pytester.makepyfile(test_avd=TEST.format(port=port))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--devices-file", "devices.yaml", timeout=240
    )
    result.assert_outcomes(passed=1)
    # `adb emu kill` at the end of the run: adb no longer has the emulator as a usable device
    assert private_adb.device_states().get(f"emulator-{port}") != "device"


def test_missing_emulator_binary_is_a_clear_quarantine_reason(
    pytester: pytest.Pytester, private_adb: AdbServer, monkeypatch
) -> None:
    monkeypatch.setenv("ANDROID_HOME", str(pytester.path / "empty-sdk"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    pytester.makefile(".yaml", devices=DEVICES.format(port=5680))
    pytester.makepyfile(test_avd=TEST.format(port=5680))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--devices-file", "devices.yaml", timeout=120
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*no Android emulator found*"])
