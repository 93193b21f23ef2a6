""":class:`~harness.sim.device_api.ShellIO` over an adb stream, raw or with shell protocol v2.

Shell protocol v2 frames every chunk as ``id (1 byte) + length (u32 LE) + data``:
0 stdin, 1 stdout, 2 stderr, 3 exit (one byte), 4 close-stdin, 5 window-size.
Raw mode (``shell:`` v1, ``exec:``, ``abb_exec:``) is the bare byte stream: stdout and
stderr share it, like adbd dup'ing both onto the socket, and stdin ends with the stream.
"""

from __future__ import annotations

import asyncio
import struct

from harness.sim.adbd.stream import AdbStream

ID_STDIN = 0
ID_STDOUT = 1
ID_STDERR = 2
ID_EXIT = 3
ID_CLOSE_STDIN = 4
ID_WINDOW_SIZE = 5

_PACKET_HEADER = struct.Struct("<BI")
#: Largest stdin piece handed to the model at once (a v2 packet may claim up to 4 GiB).
_STDIN_PIECE = 256 * 1024


def shell_packet(packet_id: int, data: bytes) -> bytes:
    return _PACKET_HEADER.pack(packet_id, len(data)) + data


class RawShellIO:
    """One byte stream both ways; ``read_stdin`` ends when the peer closes the stream."""

    def __init__(self, stream: AdbStream, *, keep_stderr: bool = True) -> None:
        self._stream = stream
        self._keep_stderr = keep_stderr

    async def write_stdout(self, data: bytes) -> None:
        await self._stream.write(data)

    async def write_stderr(self, data: bytes) -> None:
        if self._keep_stderr:
            await self._stream.write(data)

    async def read_stdin(self) -> bytes | None:
        return await self._stream.read(_STDIN_PIECE)

    @property
    def closed(self) -> asyncio.Event:
        return self._stream.closed


class ShellV2IO:
    """Shell protocol v2: separate stdout/stderr, an exit packet, explicit close-stdin."""

    def __init__(self, stream: AdbStream) -> None:
        self._stream = stream
        self._stdin_left = 0
        self._stdin_done = False
        #: Last window size the client reported (rows, cols, x pixels, y pixels) — kept for the model.
        self.window_size: bytes | None = None

    async def write_stdout(self, data: bytes) -> None:
        await self._write(ID_STDOUT, data)

    async def write_stderr(self, data: bytes) -> None:
        await self._write(ID_STDERR, data)

    async def write_exit(self, code: int) -> None:
        await self._stream.write(shell_packet(ID_EXIT, bytes([code & 0xFF])))

    async def read_stdin(self) -> bytes | None:
        try:
            while not self._stdin_done:
                if self._stdin_left:
                    chunk = await self._stream.read(min(self._stdin_left, _STDIN_PIECE))
                    if chunk is None:
                        break
                    self._stdin_left -= len(chunk)
                    return chunk
                header = await self._stream.read_exactly(_PACKET_HEADER.size)
                packet_id, length = _PACKET_HEADER.unpack(header)
                if packet_id == ID_STDIN:
                    self._stdin_left = length
                elif packet_id == ID_CLOSE_STDIN:
                    await self._skip(length)
                    break
                elif packet_id == ID_WINDOW_SIZE and length <= 64:
                    self.window_size = await self._stream.read_exactly(length)
                else:
                    await self._skip(length)
        except asyncio.IncompleteReadError:
            pass
        self._stdin_done = True
        return None

    @property
    def closed(self) -> asyncio.Event:
        return self._stream.closed

    async def _write(self, packet_id: int, data: bytes) -> None:
        step = max(self._stream.max_payload - _PACKET_HEADER.size, 1024)
        for start in range(0, len(data), step):
            await self._stream.write(shell_packet(packet_id, data[start : start + step]))

    async def _skip(self, length: int) -> None:
        while length:
            chunk = await self._stream.read(min(length, _STDIN_PIECE))
            if chunk is None:
                raise asyncio.IncompleteReadError(b"", length)
            length -= len(chunk)
