"""adbutils (through the real adb server) and the adb-shell PyPI client (direct, no server)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
from pathlib import Path

import adbutils
import pytest
from adb_shell.adb_device import AdbDeviceTcp

from harness.android.adb import AdbServer
from harness.sim.host import DeviceHost, HostedDevice

pytestmark = pytest.mark.timeout(120)

BIG = 20 * 1024 * 1024


async def _upper_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data.upper())
        await writer.drain()
    writer.close()


def _exchange(port: int, message: bytes) -> bytes:
    """Send, then read until as many bytes came back or the far end closed (adb streams cannot half-close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(message)
        received = b""
        while len(received) < len(message) and (chunk := sock.recv(65536)):
            received += chunk
    return received


def test_adbutils_shell_and_exit_code(adb_client: adbutils.AdbClient, fake_device: HostedDevice) -> None:
    device = adb_client.device(fake_device.serial)
    assert device.shell("echo hello adbutils") == "hello adbutils"
    result = device.shell2("exit 5", v2=True)
    assert result.returncode == 5
    assert device.shell2("nosuch", v2=True).returncode == 127
    assert device.get_state() == "device"
    assert "shell_v2" in device.get_features()


def test_adbutils_sync_push_pull_20_mib(adb_client: adbutils.AdbClient, fake_device: HostedDevice) -> None:
    device = adb_client.device(fake_device.serial)
    payload = os.urandom(BIG)
    device.sync.push(payload, "/data/local/tmp/big.bin")
    assert device.sync.stat("/data/local/tmp/big.bin").size == BIG
    pulled = device.sync.read_bytes("/data/local/tmp/big.bin")
    assert hashlib.sha256(pulled).digest() == hashlib.sha256(payload).digest()
    names = {entry.path for entry in device.sync.list("/data/local/tmp")}
    assert "big.bin" in names


def test_adbutils_forward_and_create_connection(
    adb_client: adbutils.AdbClient, device_host: DeviceHost, fake_device: HostedDevice
) -> None:
    device_host.call(fake_device.model.net.listen(6790, _upper_echo))
    device = adb_client.device(fake_device.serial)
    local_port = device.forward_port(6790)
    try:
        assert any(item.remote == "tcp:6790" for item in device.forward_list())
        assert _exchange(local_port, b"through adbutils forward") == b"THROUGH ADBUTILS FORWARD"
    finally:
        device.forward_remove(f"tcp:{local_port}")
    conn = device.create_connection(adbutils.Network.TCP, 6790)
    try:
        conn.settimeout(10)
        conn.sendall(b"direct stream")
        received = b""
        while len(received) < 13 and (chunk := conn.recv(100)):
            received += chunk
        assert received == b"DIRECT STREAM"
    finally:
        conn.close()


def test_cli_forward_reaches_device_server(
    adb_server: AdbServer, device_host: DeviceHost, fake_device: HostedDevice
) -> None:
    device_host.call(fake_device.model.net.listen(6791, _upper_echo))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    adb_server.run("-s", fake_device.serial, "forward", f"tcp:{local_port}", "tcp:6791")
    try:
        assert f"tcp:{local_port} tcp:6791" in adb_server.run("forward", "--list")
        big = os.urandom(3 * 1024 * 1024)
        assert _exchange(local_port, big) == big.upper()
    finally:
        adb_server.run("-s", fake_device.serial, "forward", "--remove", f"tcp:{local_port}")


def test_forward_to_port_without_listener_fails_the_connection(
    adb_server: AdbServer, fake_device: HostedDevice
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    adb_server.run("-s", fake_device.serial, "forward", f"tcp:{local_port}", "tcp:6999")
    try:
        assert _exchange(local_port, b"anyone?") == b""
    finally:
        adb_server.run("-s", fake_device.serial, "forward", "--remove", f"tcp:{local_port}")


def test_adb_shell_client_direct(fake_device: HostedDevice, tmp_path: Path) -> None:
    client = AdbDeviceTcp("127.0.0.1", fake_device.port, default_transport_timeout_s=10.0)
    assert client.connect(rsa_keys=None, auth_timeout_s=5.0)
    try:
        assert client.shell("echo via adb-shell") == "via adb-shell\n"
        assert client.exec_out("echo exec") == "exec\n"
        source = tmp_path / "up.bin"
        source.write_bytes(os.urandom(2 * 1024 * 1024 + 17))
        client.push(str(source), "/data/local/tmp/up.bin")
        assert client.stat("/data/local/tmp/up.bin")[1] == source.stat().st_size
        target = tmp_path / "down.bin"
        client.pull("/data/local/tmp/up.bin", str(target))
        assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
        names = {bytes(entry.filename) for entry in client.list("/data/local/tmp")}
        assert b"up.bin" in names
    finally:
        client.close()
