"""Byte streams between emulated commands: the client's ShellIO, pipes, files and captures."""

from __future__ import annotations

import asyncio
from typing import Protocol

from harness.sim.device_api import ShellIO


class OutStream(Protocol):
    async def write(self, data: bytes) -> None: ...


class InStream(Protocol):
    async def read(self) -> bytes | None: ...


class ClientOut:
    """stdout/stderr of the adb stream; a pty turns ``\\n`` into ``\\r\\n`` like the real tty does."""

    def __init__(self, io: ShellIO, stderr: bool, pty: bool) -> None:
        self.io = io
        self.stderr = stderr
        self.pty = pty

    async def write(self, data: bytes) -> None:
        if not data or self.io.closed.is_set():
            return
        if self.pty:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if self.stderr and not self.pty:
            await self.io.write_stderr(data)
        else:
            await self.io.write_stdout(data)


class ClientIn:
    def __init__(self, io: ShellIO) -> None:
        self.io = io

    async def read(self) -> bytes | None:
        return await self.io.read_stdin()


class NullOut:
    async def write(self, data: bytes) -> None:
        return None


class EmptyIn:
    async def read(self) -> bytes | None:
        return None


class BytesIn:
    def __init__(self, data: bytes) -> None:
        self.data: bytes | None = data

    async def read(self) -> bytes | None:
        data, self.data = self.data, None
        return data or None


class Capture:
    """Collects output (``$(…)`` and ``> file`` both use it)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, data: bytes) -> None:
        self.chunks.append(data)

    @property
    def value(self) -> bytes:
        return b"".join(self.chunks)


class Pipe:
    """A bounded byte queue between two pipeline stages.

    When the reader finishes early (``head -1``), ``reader_gone`` is set and further writes are
    dropped — the emulated SIGPIPE — so a following ``logcat`` upstream stops too.
    """

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=64)
        self.reader_gone = asyncio.Event()
        self._closing: asyncio.Future[None] | None = None

    async def write(self, data: bytes) -> None:
        if self.reader_gone.is_set() or not data:
            return
        put = asyncio.ensure_future(self.queue.put(data))
        gone = asyncio.ensure_future(self.reader_gone.wait())
        try:
            await asyncio.wait({put, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not put.done():
                put.cancel()

    def close_writer(self) -> None:
        try:
            self.queue.put_nowait(None)
        except asyncio.QueueFull:
            self._closing = asyncio.ensure_future(self.queue.put(None))

    async def read(self) -> bytes | None:
        if self.reader_gone.is_set():
            return None
        return await self.queue.get()
