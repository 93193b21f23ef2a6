"""What one emulated command sees while it runs: argv, streams, environment and the device."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.sim.android.shell.streams import InStream, OutStream

if TYPE_CHECKING:
    from harness.sim.android.shell.interpreter import Shell


class UsageError(Exception):
    """Raised by a command for bad arguments; the dispatcher prints it and returns the code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Ctx:
    shell: Shell
    argv: list[str]
    stdin: InStream
    stdout: OutStream
    stderr: OutStream
    closed: asyncio.Event

    @property
    def device(self) -> Any:
        return self.shell.device

    @property
    def env(self) -> dict[str, str]:
        return self.shell.env

    async def out(self, text: str | bytes) -> None:
        await self.stdout.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)

    async def err(self, text: str | bytes) -> None:
        await self.stderr.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)

    async def read_all(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            data = await self.stdin.read()
            if data is None:
                return b"".join(chunks)
            chunks.append(data)

    async def read_exactly(self, n: int) -> bytes:
        """Read ``n`` bytes of stdin (``pm install -S N``); fewer if the client closes early."""
        chunks: list[bytes] = []
        got = 0
        pending = getattr(self.shell, "stdin_leftover", b"")
        if pending:
            take = pending[:n]
            self.shell.stdin_leftover = pending[n:]
            chunks.append(take)
            got += len(take)
        while got < n:
            data = await self.stdin.read()
            if data is None:
                break
            if got + len(data) > n:
                self.shell.stdin_leftover = data[n - got :]
                data = data[: n - got]
            chunks.append(data)
            got += len(data)
        return b"".join(chunks)


CommandFn = Callable[[Ctx], Awaitable[int]]
