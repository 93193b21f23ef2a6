"""A minimal asyncio adb *host* used to poke the virtual adbd at the packet level.

Real clients never send malformed packets, so protocol-edge tests need their own
sender; it reuses the device's codec only for encoding well-formed packets.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from harness.sim.adbd.protocol import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    HEADER,
    MAX_PAYLOAD,
    Packet,
    checksum,
    encode,
)

READ_TIMEOUT = 10.0


class WireClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, version: int) -> None:
        self.reader = reader
        self.writer = writer
        self.version = version
        self.banner = b""
        self._next_id = 100

    @classmethod
    async def connect(
        cls, port: int, *, version: int = A_VERSION, max_payload: int = MAX_PAYLOAD
    ) -> WireClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer, version)
        await client.send(A_CNXN, version, max_payload, b"host::features=shell_v2\0")
        reply = await client.recv()
        assert reply.command == A_CNXN, reply
        client.banner = reply.payload
        return client

    async def send(self, command: int, arg0: int, arg1: int, payload: bytes = b"") -> None:
        self.writer.write(encode(Packet(command, arg0, arg1, payload), with_checksum=True))
        await self.writer.drain()

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def recv(self, within: float = READ_TIMEOUT) -> Packet:
        async with asyncio.timeout(within):
            raw = await self.reader.readexactly(HEADER.size)
            command, arg0, arg1, length, check, magic = HEADER.unpack(raw)
            assert magic == command ^ 0xFFFFFFFF
            payload = await self.reader.readexactly(length) if length else b""
        if self.version < A_VERSION_SKIP_CHECKSUM:
            assert check == checksum(payload), "device must checksum for a 0x01000000 peer"
        return Packet(command, arg0, arg1, payload)

    async def is_disconnected(self, within: float = READ_TIMEOUT) -> bool:
        """True once the device closed the socket (anything it still sends first is skipped)."""
        try:
            async with asyncio.timeout(within):
                while await self.reader.read(65536):
                    pass
        except (ConnectionError, TimeoutError):
            return False
        return True

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def open(self, service: str) -> tuple[int, int]:
        """OPEN a stream; returns (our id, device id). Fails if the device refuses."""
        local = self.new_id()
        await self.send(A_OPEN, local, 0, service.encode() + b"\0")
        reply = await self.recv()
        assert reply.command == A_OKAY and reply.arg1 == local, reply
        return local, reply.arg0

    async def read_stream(self, local: int, remote: int) -> bytes:
        """Acknowledge every WRTE and collect the data until the device closes the stream."""
        out = bytearray()
        while True:
            packet = await self.recv()
            assert packet.arg1 == local, packet
            if packet.command == A_WRTE:
                out += packet.payload
                await self.send(A_OKAY, local, remote)
            elif packet.command == A_CLSE:
                await self.send(A_CLSE, local, remote)
                return bytes(out)
            elif packet.command != A_OKAY:  # OKAY acknowledges what we wrote
                raise AssertionError(f"unexpected {packet}")

    async def run(self, service: str) -> bytes:
        local, remote = await self.open(service)
        return await self.read_stream(local, remote)

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except ConnectionError:
            pass


@asynccontextmanager
async def wire(port: int, **kwargs: int) -> AsyncIterator[WireClient]:
    client = await WireClient.connect(port, **kwargs)
    try:
        yield client
    finally:
        await client.close()


def v2_packets(data: bytes) -> list[tuple[int, bytes]]:
    """Split a shell-protocol-v2 byte stream into (id, payload) pairs."""
    packets = []
    while data:
        packet_id, length = struct.unpack("<BI", data[:5])
        packets.append((packet_id, data[5 : 5 + length]))
        data = data[5 + length :]
    return packets
