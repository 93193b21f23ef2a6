"""Packet-level behaviour of the virtual adbd: handshake, flow control, stream lifecycle, hostile peers."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from adbd_fakes import FakeModel
from adbd_wire import v2_packets, wire

from harness.sim.adbd import AdbdServer
from harness.sim.adbd.connection import MAX_STREAMS
from harness.sim.adbd.protocol import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION_MIN,
    A_WRTE,
    HEADER,
    MAX_PAYLOAD,
    Packet,
    encode,
)
from harness.sim.adbd.stream import READAHEAD

pytestmark = pytest.mark.timeout(60)


@asynccontextmanager
async def served(model: FakeModel | None = None, **kwargs: object) -> AsyncIterator[AdbdServer]:
    server = AdbdServer(model or FakeModel(), **kwargs)  # type: ignore[arg-type]
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def test_banner_and_version() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            assert client.banner == (
                b"device::ro.product.name=fake_product;ro.product.model=Fake_Model;"
                b"ro.product.device=fakedev;features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,abb_exec"
            )

    run(scenario)


def test_cnxn_reply_carries_version_and_max_payload() -> None:
    async def scenario() -> None:
        async with served() as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(encode(Packet(A_CNXN, 0x01000001, MAX_PAYLOAD, b"host::\0"), with_checksum=False))
            raw = await reader.readexactly(HEADER.size)
            command, version, max_payload, *_ = HEADER.unpack(raw)
            assert (command, version, max_payload) == (A_CNXN, 0x01000001, MAX_PAYLOAD)
            writer.close()

    run(scenario)


def test_features_can_be_restricted_per_device() -> None:
    async def scenario() -> None:
        async with served(features=("shell_v2", "cmd")) as server, wire(server.port) as client:
            assert client.banner.endswith(b";features=shell_v2,cmd")

    run(scenario)
    with pytest.raises(ValueError, match="delayed_ack"):
        AdbdServer(FakeModel(), features=("delayed_ack",))  # type: ignore[arg-type]


def test_old_protocol_peer_gets_checksums_and_must_send_them() -> None:
    async def scenario() -> None:
        async with served() as server:
            async with wire(server.port, version=A_VERSION_MIN, max_payload=4096) as client:
                # WireClient.recv asserts the checksum for a 0x01000000 peer.
                assert await client.run("shell:echo checked") == b"checked\n"
                bad = bytearray(encode(Packet(A_OPEN, 5, 0, b"shell:echo x\0"), with_checksum=True))
                bad[16] ^= 0xFF
                await client.send_raw(bytes(bad))
                assert await client.is_disconnected()

    run(scenario)


def test_modern_peer_checksum_is_ignored() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            packet = bytearray(encode(Packet(A_OPEN, 7, 0, b"shell:echo fine\0"), with_checksum=False))
            packet[16:20] = struct.pack("<I", 12345)
            await client.send_raw(bytes(packet))
            okay = await client.recv()
            assert okay.command == A_OKAY
            assert await client.read_stream(7, okay.arg0) == b"fine\n"

    run(scenario)


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(
            encode(Packet(A_OPEN, 1, 0, b"shell:echo\0"), with_checksum=True), id="open-before-cnxn"
        ),
        pytest.param(b"\x00" * 24, id="zero-header"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", id="http"),
        pytest.param(HEADER.pack(A_CNXN, 0x01000001, MAX_PAYLOAD, 0, 0, 0), id="bad-magic"),
        pytest.param(HEADER.pack(A_CNXN, 0x01000001, 8, 0, 0, A_CNXN ^ 0xFFFFFFFF), id="tiny-max-payload"),
    ],
)
def test_garbage_before_handshake_drops_the_connection(garbage: bytes) -> None:
    async def scenario() -> None:
        async with served() as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(garbage)
            async with asyncio.timeout(10):
                assert await reader.read() == b""
            writer.close()
            async with wire(server.port) as client:
                assert await client.run("shell:echo alive") == b"alive\n"

    run(scenario)


@pytest.mark.parametrize(
    "packet",
    [
        pytest.param(HEADER.pack(A_WRTE, 1, 1, 0, 0, 0), id="bad-magic"),
        pytest.param(HEADER.pack(0x12345678, 0, 0, 0, 0, 0x12345678 ^ 0xFFFFFFFF), id="unknown-command"),
        pytest.param(HEADER.pack(A_WRTE, 1, 1, MAX_PAYLOAD + 1, 0, A_WRTE ^ 0xFFFFFFFF), id="oversize"),
        pytest.param(
            encode(Packet(A_CNXN, 0x01000001, 4096, b"host::\0"), with_checksum=False), id="second-cnxn"
        ),
        pytest.param(encode(Packet(A_OPEN, 0, 0, b"shell:\0"), with_checksum=False), id="open-with-id-0"),
    ],
)
def test_hostile_packet_drops_only_that_connection(packet: bytes) -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as bystander:
            async with wire(server.port) as hostile:
                await hostile.send_raw(packet)
                assert await hostile.is_disconnected()
            output = await bystander.run("shell,v2,raw:echo still here")
            assert v2_packets(output) == [(1, b"still here\n"), (3, b"\x00")]

    run(scenario)


def test_lying_length_then_half_close_drops_connection() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            await client.send_raw(HEADER.pack(A_WRTE, 1, 1, 1000, 0, A_WRTE ^ 0xFFFFFFFF) + b"short")
            client.writer.write_eof()
            assert await client.is_disconnected()
            async with wire(server.port) as fresh:
                assert await fresh.run("exec:echo next") == b"next\n"

    run(scenario)


def test_unknown_service_is_refused_with_clse() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            for service in (b"framebuffer:\0", b"nonsense\0", b"tcp:99999\0", b"tcp:4444\0", b"\xff\xfe:\0"):
                local = client.new_id()
                await client.send(A_OPEN, local, 0, service)
                reply = await client.recv()
                assert (reply.command, reply.arg0, reply.arg1) == (A_CLSE, 0, local), service

    run(scenario)


def test_device_waits_for_okay_before_next_write() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port, max_payload=4096) as client:
            local, remote = await client.open("exec:yes-bytes 100000")
            first = await client.recv()
            assert first.command == A_WRTE and len(first.payload) == 4096
            with pytest.raises(TimeoutError):
                await client.recv(within=0.3)  # nothing more until we acknowledge
            await client.send(A_OKAY, local, remote)
            total = len(first.payload)
            while True:
                packet = await client.recv()
                if packet.command == A_CLSE:
                    break
                assert packet.command == A_WRTE and len(packet.payload) <= 4096
                total += len(packet.payload)
                await client.send(A_OKAY, local, remote)
            assert total == 100000

    run(scenario)


def test_shell_v2_closes_right_after_exit_packet() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            local, remote = await client.open("shell,v2,raw:echo out; nosuch")
            await client.send(A_WRTE, local, remote, b"\x04\x00\x00\x00\x00")  # close-stdin, like adb
            data = bytearray()
            saw_okay = False
            while True:
                packet = await client.recv()
                if packet.command == A_OKAY:
                    saw_okay = True
                    continue
                if packet.command == A_CLSE:
                    break
                data += packet.payload
                await client.send(A_OKAY, local, remote)
            assert saw_okay
            packets = v2_packets(bytes(data))
            assert packets[0] == (1, b"out\n")
            assert packets[1] == (2, b"/system/bin/sh: nosuch: inaccessible or not found\n")
            assert packets[-1] == (3, b"\x7f")

    run(scenario)


def test_client_close_sets_closed_for_long_running_command() -> None:
    async def scenario() -> None:
        model = FakeModel()
        async with served(model) as server, wire(server.port) as client:
            local, remote = await client.open("shell,v2,raw:wait-closed")
            await client.send(A_CLSE, local, remote)
            reply = await client.recv()
            assert (reply.command, reply.arg1) == (A_CLSE, local)
            async with asyncio.timeout(10):
                await model.closed_seen.wait()

    run(scenario)


def test_many_concurrent_streams_on_one_connection() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            ids: dict[int, int] = {}
            for n in range(120):
                local = client.new_id()
                ids[local] = n
                await client.send(A_OPEN, local, 0, f"exec:echo stream {n}\0".encode())
            remote: dict[int, int] = {}
            data: dict[int, bytes] = {}
            closed: set[int] = set()
            while len(closed) < len(ids):
                packet = await client.recv()
                if packet.command == A_OKAY:
                    remote[packet.arg1] = packet.arg0
                elif packet.command == A_WRTE:
                    data[packet.arg1] = data.get(packet.arg1, b"") + packet.payload
                    await client.send(A_OKAY, packet.arg1, packet.arg0)
                elif packet.command == A_CLSE:
                    closed.add(packet.arg1)
                    await client.send(A_CLSE, packet.arg1, packet.arg0)
            assert len(set(remote.values())) == len(ids)
            assert all(data[local] == f"stream {n}\n".encode() for local, n in ids.items())

    run(scenario)


def test_peer_ignoring_flow_control_is_dropped() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            local, remote = await client.open("shell,v2,raw:wait-closed")  # never reads stdin
            chunk = b"\x00" * (READAHEAD // 2 + 1)
            await client.send(A_WRTE, local, remote, chunk)
            assert (await client.recv()).command == A_OKAY  # small backlog: acknowledged at once
            await client.send(A_WRTE, local, remote, chunk)
            with pytest.raises(TimeoutError):
                await client.recv(within=0.3)  # over the read-ahead: the OKAY is held back
            await client.send(A_WRTE, local, remote, chunk)  # a third write without our OKAY
            assert await client.is_disconnected()

    run(scenario)


def test_stream_limit_refuses_extra_opens_and_keeps_serving() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            for _ in range(MAX_STREAMS):
                await client.open("shell,v2,raw:wait-closed")  # opened and abandoned
            extra = client.new_id()
            await client.send(A_OPEN, extra, 0, b"exec:echo more\0")
            refused = await client.recv()
            assert (refused.command, refused.arg1) == (A_CLSE, extra)
            async with wire(server.port) as other:
                assert await other.run("exec:echo other connection") == b"other connection\n"

    run(scenario)


def test_sync_rejects_unknown_request_and_long_path() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            local, remote = await client.open("sync:")
            await client.send(A_WRTE, local, remote, b"JUNK\x00\x00\x00\x00")
            reply = await client.read_stream(local, remote)
            assert reply.startswith(b"FAIL") and b"unknown command" in reply
            local, remote = await client.open("sync:")
            await client.send(A_WRTE, local, remote, b"STAT" + struct.pack("<I", 5000))
            reply = await client.read_stream(local, remote)
            assert reply == b"FAIL" + struct.pack("<I", 13) + b"path too long"

    run(scenario)


def test_tcp_service_bridges_to_a_device_port() -> None:
    async def scenario() -> None:
        model = FakeModel()

        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(65536):
                writer.write(data.upper())
                await writer.drain()
            writer.close()

        await model.net.listen(6790, echo)
        async with served(model) as server, wire(server.port) as client:
            local, remote = await client.open("tcp:6790")
            await client.send(A_WRTE, local, remote, b"ping")
            packets = [await client.recv(), await client.recv()]
            payloads = [p.payload for p in packets if p.command == A_WRTE]
            assert payloads == [b"PING"]
            await client.send(A_OKAY, local, remote)
            await client.send(A_CLSE, local, remote)
            assert (await client.recv()).command == A_CLSE

    run(scenario)


def test_abb_exec_passes_nul_separated_argv_and_stdin() -> None:
    async def scenario() -> None:
        model = FakeModel()
        async with served(model) as server, wire(server.port) as client:
            local, remote = await client.open("abb_exec:package\0install\0-S\0005")
            await client.send(A_WRTE, local, remote, b"12345")
            assert await client.read_stream(local, remote) == b"Success\n"
            assert model.binder_calls == [["package", "install", "-S", "5"]]
            assert model.installed == {"streamed0": b"12345"}

    run(scenario)


def test_abb_exec_absent_when_not_advertised() -> None:
    async def scenario() -> None:
        async with served(features=("shell_v2",)) as server, wire(server.port) as client:
            local = client.new_id()
            await client.send(A_OPEN, local, 0, b"abb_exec:package\0list\0packages\0")
            reply = await client.recv()
            assert (reply.command, reply.arg1) == (A_CLSE, local)

    run(scenario)


def test_silent_peer_is_dropped_after_handshake_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness.sim.adbd.connection.HANDSHAKE_TIMEOUT", 0.2)

    async def scenario() -> None:
        async with served() as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            async with asyncio.timeout(10):
                assert await reader.read() == b""
            writer.close()

    run(scenario)


def test_stalled_payload_is_dropped_after_payload_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness.sim.adbd.connection.PAYLOAD_TIMEOUT", 0.2)

    async def scenario() -> None:
        async with served() as server, wire(server.port) as client:
            await client.send_raw(HEADER.pack(A_WRTE, 1, 1, 1000, 0, A_WRTE ^ 0xFFFFFFFF) + b"only a little")
            assert await client.is_disconnected()

    run(scenario)


def test_okay_with_foreign_ids_releases_nothing() -> None:
    async def scenario() -> None:
        async with served() as server, wire(server.port, max_payload=4096) as client:
            local, remote = await client.open("exec:yes-bytes 100000")
            assert (await client.recv()).command == A_WRTE
            await client.send(A_OKAY, local + 1, remote)  # not the stream's peer id
            await client.send(A_OKAY, local, remote + 1000)  # no such device stream
            with pytest.raises(TimeoutError):
                await client.recv(within=0.3)
            await client.send(A_OKAY, local, remote)
            assert (await client.recv()).command == A_WRTE

    run(scenario)
