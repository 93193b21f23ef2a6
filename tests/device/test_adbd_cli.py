"""The real adb CLI (through the private adb server) against virtual devices with the fake model."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from adbd_fakes import FakeModel

from harness.android.adb import AdbServer
from harness.sim.host import DeviceHost, HostedDevice

pytestmark = pytest.mark.timeout(120)


def adb(server: AdbServer, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [server.binary, "-P", str(server.port), *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_devices_long_lists_identity(adb_server: AdbServer, fake_device: HostedDevice) -> None:
    lines = adb_server.run("devices", "-l").splitlines()
    line = next(line for line in lines if line.startswith(fake_device.serial))
    fields = line.split()
    assert fields[1] == "device"
    assert "product:fake_product" in fields
    assert "model:Fake_Model" in fields
    assert "device:fakedev" in fields


def test_features_are_what_the_banner_advertises(adb_server: AdbServer, fake_device: HostedDevice) -> None:
    features = set(adb_server.run("-s", fake_device.serial, "features").split())
    assert {"shell_v2", "cmd", "stat_v2", "ls_v2", "fixed_push_mkdir", "abb_exec"} <= features
    assert "delayed_ack" not in features


@pytest.mark.parametrize(
    ("command", "code", "stdout", "stderr"),
    [
        ("echo hi there", 0, b"hi there\n", b""),
        ("exit 3", 3, b"", b""),
        ("false", 1, b"", b""),
        ("nosuchcommand", 127, b"", b"/system/bin/sh: nosuchcommand: inaccessible or not found\n"),
    ],
)
def test_shell_v2_exit_codes_and_streams(
    adb_server: AdbServer, fake_device: HostedDevice, command: str, code: int, stdout: bytes, stderr: bytes
) -> None:
    done = adb(adb_server, "-s", fake_device.serial, "shell", command)
    assert (done.returncode, done.stdout, done.stderr) == (code, stdout, stderr)


def test_shell_v2_stdin_reaches_the_command(adb_server: AdbServer, fake_device: HostedDevice) -> None:
    payload = os.urandom(300_000)
    done = adb(adb_server, "-s", fake_device.serial, "shell", "wc -c", stdin=payload)
    assert done.returncode == 0
    assert done.stdout == b"300000\n"


def test_exec_out_is_binary_safe(adb_server: AdbServer, fake_device: HostedDevice) -> None:
    fake_device.model.fs.write("/data/local/tmp/blob", bytes(range(256)) * 1000)
    done = adb(adb_server, "-s", fake_device.serial, "exec-out", "cat /data/local/tmp/blob")
    assert done.returncode == 0
    assert done.stdout == bytes(range(256)) * 1000


def test_push_pull_20_mib_round_trip(
    adb_server: AdbServer, fake_device: HostedDevice, tmp_path: Path
) -> None:
    source = tmp_path / "random.bin"
    source.write_bytes(os.urandom(20 * 1024 * 1024))
    remote = "/data/local/tmp/sub/dir/random.bin"
    pushed = adb(adb_server, "-s", fake_device.serial, "push", str(source), remote)
    assert pushed.returncode == 0, pushed.stderr
    stored = fake_device.model.fs.read(remote)
    assert stored is not None
    assert hashlib.sha256(stored).digest() == hashlib.sha256(source.read_bytes()).digest()
    target = tmp_path / "back.bin"
    pulled = adb(adb_server, "-s", fake_device.serial, "pull", remote, str(target))
    assert pulled.returncode == 0, pulled.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()


def test_push_into_directory_and_ls(adb_server: AdbServer, fake_device: HostedDevice, tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_bytes(b"hello\n")
    assert adb(adb_server, "-s", fake_device.serial, "push", str(source), "/sdcard/").returncode == 0
    assert fake_device.model.fs.read("/sdcard/note.txt") == b"hello\n"
    listing = adb(adb_server, "-s", fake_device.serial, "ls", "/sdcard").stdout.decode()
    names = [line.split()[-1] for line in listing.splitlines()]
    assert names[:2] == [".", ".."] and "note.txt" in names


def test_pull_of_missing_file_fails_like_adbd(
    adb_server: AdbServer, fake_device: HostedDevice, tmp_path: Path
) -> None:
    done = adb(adb_server, "-s", fake_device.serial, "pull", "/sdcard/absent.txt", str(tmp_path / "x"))
    assert done.returncode == 1
    assert b"No such file or directory" in done.stderr


def test_push_to_a_directory_appends_the_name(
    adb_server: AdbServer, fake_device: HostedDevice, tmp_path: Path
) -> None:
    fake_device.model.fs.write("/data/local/tmp/d/inner", b"x")
    source = tmp_path / "d"
    source.write_bytes(b"x")
    # The client sees a directory via STA2 and appends the file name: that one succeeds.
    assert adb(adb_server, "-s", fake_device.serial, "push", str(source), "/data/local/tmp/d").returncode == 0
    assert fake_device.model.fs.read("/data/local/tmp/d/d") == b"x"


def test_reverse_is_refused_with_a_message(adb_server: AdbServer, fake_device: HostedDevice) -> None:
    done = adb(adb_server, "-s", fake_device.serial, "reverse", "tcp:9000", "tcp:9000")
    assert done.returncode == 1
    assert b"reverse forwarding is not supported" in done.stderr


def test_two_devices_are_independent(
    adb_server: AdbServer, fake_pair: tuple[HostedDevice, HostedDevice]
) -> None:
    first, second = fake_pair
    assert adb(adb_server, "-s", first.serial, "shell", "echo one").stdout == b"one\n"
    assert adb(adb_server, "-s", second.serial, "shell", "exit 7").returncode == 7
    assert first.model.commands[-1] == "echo one"
    assert second.model.commands[-1] == "exit 7"


def test_root_is_refused_like_a_production_build(adb_server: AdbServer, fake_device: HostedDevice) -> None:
    done = adb(adb_server, "-s", fake_device.serial, "root")
    assert b"adbd cannot run as root in production builds" in done.stdout + done.stderr
    assert (
        adb(adb_server, "-s", fake_device.serial, "shell", "echo still attached").stdout
        == b"still attached\n"
    )


def test_push_failure_reports_the_file_system_error(
    adb_server: AdbServer, fake_device: HostedDevice, tmp_path: Path
) -> None:
    fake_device.model.fs.write("/data/local/tmp/plainfile", b"x")
    source = tmp_path / "child.txt"
    source.write_bytes(b"data")
    done = adb(
        adb_server, "-s", fake_device.serial, "push", str(source), "/data/local/tmp/plainfile/child.txt"
    )
    assert done.returncode == 1
    assert b"couldn't create file: Not a directory" in done.stderr


def test_killing_the_adb_client_ends_a_long_running_command(
    adb_server: AdbServer, device_host: DeviceHost, fake_device: HostedDevice
) -> None:
    """What Appium relies on to stop ``am instrument -w``: the client goes away, ``closed`` is set."""
    model = fake_device.model
    assert isinstance(model, FakeModel)
    client = subprocess.Popen(
        [
            adb_server.binary,
            "-P",
            str(adb_server.port),
            "-s",
            fake_device.serial,
            "shell",
            "echo started; wait-closed",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert client.stdout is not None
        assert client.stdout.readline() == b"started\n"  # the command is running on the device
    finally:
        client.kill()
        client.wait()

    async def closed_seen() -> None:
        async with asyncio.timeout(20):
            await model.closed_seen.wait()

    device_host.call(closed_seen())


def test_exec_out_carries_stderr_too_like_adbd_without_shell_protocol(
    adb_server: AdbServer, fake_device: HostedDevice
) -> None:
    done = adb(adb_server, "-s", fake_device.serial, "exec-out", "nosuchtool")
    assert done.stdout == b"/system/bin/sh: nosuchtool: inaccessible or not found\n"
