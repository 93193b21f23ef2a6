"""Drive the Android model directly through a fake ShellIO: no sockets, no adbd."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.sim.android import AndroidDevice


class FakeIO:
    """A ShellIO that records what a command writes and feeds it canned stdin."""

    def __init__(self, stdin: bytes = b"", chunk: int = 65536) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self._stdin = [stdin[i : i + chunk] for i in range(0, len(stdin), chunk)]
        self._closed = asyncio.Event()
        self.wrote = asyncio.Event()

    async def write_stdout(self, data: bytes) -> None:
        self.stdout += data
        self.wrote.set()

    async def write_stderr(self, data: bytes) -> None:
        self.stderr += data

    async def read_stdin(self) -> bytes | None:
        return self._stdin.pop(0) if self._stdin else None

    @property
    def closed(self) -> asyncio.Event:
        return self._closed

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


@dataclass
class Result:
    code: int
    out: str
    err: str
    raw: bytes = field(default=b"", repr=False)


class Runner:
    def __init__(self, device: AndroidDevice) -> None:
        self.device = device

    async def sh(self, command: str | None, stdin: bytes = b"", pty: bool = False) -> Result:
        io = FakeIO(stdin)
        code = await self.device.shell(command, io, pty=pty)
        return Result(code, io.out, io.err, bytes(io.stdout))

    async def abb(self, argv: list[str], stdin: bytes = b"") -> Result:
        io = FakeIO(stdin)
        code = await self.device.binder_command(argv, io)
        return Result(code, io.out, io.err, bytes(io.stdout))


@pytest.fixture
def device() -> AndroidDevice:
    return AndroidDevice("pixel-7-api-34", serial="RSVTEST001")


@pytest.fixture
def run(device: AndroidDevice) -> Callable[[Callable[[Runner], Coroutine[Any, Any, Any]]], Any]:
    """``run(lambda r: r.sh("echo hi"))`` → the awaited value, on a fresh event loop."""

    def go(fn: Callable[[Runner], Coroutine[Any, Any, Any]]) -> Any:
        return asyncio.run(fn(Runner(device)))

    return go
