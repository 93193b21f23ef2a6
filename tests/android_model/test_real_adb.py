"""The Android model behind the real adb server and adbutils (through the virtual adbd)."""

from __future__ import annotations

from collections.abc import Iterator

import adbutils
import pytest

from harness.android.adb import AdbServer
from harness.sim.host import DeviceHost, HostedDevice

from .apps import game_apk


@pytest.fixture(scope="module")
def phone(private_adb: AdbServer) -> Iterator[tuple[AdbServer, HostedDevice]]:
    with DeviceHost() as host:
        device = host.add_device("pixel-7-api-34")
        private_adb.connect(device.serial)
        try:
            yield private_adb, device
        finally:
            private_adb.disconnect(device.serial)


def test_shell_and_props_through_real_adb(phone):
    adb, dev = phone
    assert adb.run("-s", dev.serial, "shell", "getprop", "ro.build.version.sdk").strip() == "34"
    out = adb.run("-s", dev.serial, "shell", "ps", "-A")
    assert out.splitlines()[0].split()[-1] == "NAME" and "system_server" in out


def test_install_start_and_logcat_through_real_adb(phone, tmp_path):
    adb, dev = phone
    apk = tmp_path / "game.apk"
    apk.write_bytes(game_apk())
    assert "Success" in adb.run("-s", dev.serial, "install", "-r", str(apk))
    out = adb.run(
        "-s",
        dev.serial,
        "shell",
        "am",
        "start",
        "-W",
        "-n",
        "com.example.game/com.dynamo.android.DefoldActivity",
    )
    assert "LaunchState: COLD" in out
    log = adb.run("-s", dev.serial, "logcat", "-d")
    assert (
        "START u0 {flg=0x10000000 cmp=com.example.game/com.dynamo.android.DefoldActivity} from uid 2000"
        in log
    )


def test_adbutils_shell2_push_pull_and_exit_codes(phone):
    _adb, dev = phone
    device = adbutils.AdbClient().device(dev.serial)
    result = device.shell2("nosuchcmd")
    assert result.returncode == 127 and "inaccessible or not found" in result.output
    device.sync.push(b"payload", "/data/local/tmp/p.bin")
    assert device.sync.read_bytes("/data/local/tmp/p.bin") == b"payload"
    assert device.shell("cat /data/local/tmp/p.bin") == "payload"
    assert dev.model.fs.read("/data/local/tmp/p.bin") == b"payload"


def test_streaming_logcat_sees_entries_written_from_another_thread(phone):
    _adb, dev = phone
    device = adbutils.AdbClient().device(dev.serial)
    conn = device.shell("logcat -v time -T 1", stream=True)
    try:
        conn.conn.settimeout(10)
        dev.model.logcat.write("I", "FromTest", "written-by-the-test-thread", pid=4321)
        seen = b""
        while b"written-by-the-test-thread" not in seen:
            chunk = conn.conn.recv(4096)
            assert chunk, "logcat stream ended early"
            seen += chunk
        assert b"I/FromTest( 4321): written-by-the-test-thread" in seen
    finally:
        conn.close()


@pytest.mark.parametrize(
    "features",
    [("shell_v2", "cmd", "stat_v2"), ()],
    ids=["exec-cmd-install", "legacy-push-install"],
)
def test_install_paths_without_abb(private_adb, tmp_path, features):
    """Without abb, adb uses ``exec:cmd package 'install' -S N``; with no features, push + ``pm install``."""
    apk = tmp_path / "game.apk"
    apk.write_bytes(game_apk())
    with DeviceHost() as host:
        dev = host.add_device("pixel-7-api-34", features=features)
        private_adb.connect(dev.serial)
        try:
            out = private_adb.run("-s", dev.serial, "install", "-r", str(apk))
            assert "Success" in out
            assert dev.model.packages.get("com.example.game") is not None
            assert dev.model.fs.listdir("/data/local/tmp") == []  # the legacy path removes its copy
        finally:
            private_adb.disconnect(dev.serial)
