"""The seam between the adb wire protocol (``harness.sim.adbd``) and the Android model
(``harness.sim.android``).

The protocol side knows packets, streams and flow control; the model side knows
packages, activities, logcat and the shell language. Neither imports the other's
internals: adbd only talks to a :class:`DeviceModel`, and the model only talks to a
:class:`ShellIO`. That keeps the hostile-input handling of the wire in one place and
lets the model be tested without sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class ShellIO(Protocol):
    """One running command's standard streams, as the protocol layer exposes them.

    ``write_stdout``/``write_stderr`` await the peer's flow control, so a command that
    writes a lot (``logcat``, ``cat`` of a big file) is paced by the client.
    ``read_stdin`` returns ``None`` at end of input (shell v2 close-stdin packet, or the
    stream closed). ``closed`` is set once the client has gone away: long-running
    commands (``logcat`` follow mode, ``am instrument -w``) wait on it and return.
    """

    async def write_stdout(self, data: bytes) -> None: ...

    async def write_stderr(self, data: bytes) -> None: ...

    async def read_stdin(self) -> bytes | None: ...

    @property
    def closed(self) -> asyncio.Event: ...


@dataclass(frozen=True)
class FileStat:
    """What ``sync:`` STAT/STA2/LIST need about one path."""

    mode: int  # st_mode, type bits included (0o100644 file, 0o040755 dir)
    size: int
    mtime: int  # seconds since the epoch
    exists: bool = True


class VirtualFileSystem(Protocol):
    """The device's files, shared by ``sync:`` and the shell (``ls``, ``cat``, ``pm install``)."""

    def stat(self, path: str) -> FileStat | None: ...

    def listdir(self, path: str) -> list[tuple[str, FileStat]] | None: ...

    def read(self, path: str) -> bytes | None: ...

    def write(self, path: str, data: bytes, mode: int = 0o100644, mtime: int | None = None) -> None:
        """Create or replace a file; missing parent directories are created like ``fixed_push_mkdir``."""
        ...


StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class DeviceNetwork(Protocol):
    """The device's own TCP port space (what ``tcp:PORT`` and ``adb forward`` reach)."""

    async def open_connection(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to a server listening on a device port; ``ConnectionRefusedError`` if none."""
        ...

    async def listen(self, port: int, handler: StreamHandler) -> None:
        """Start serving ``handler`` on a device port (apps and instrumentation call this)."""
        ...

    async def close_port(self, port: int) -> None: ...


@dataclass(frozen=True)
class DeviceIdentity:
    """What the CNXN banner advertises; the profile decides the values."""

    product_name: str
    model: str
    device: str
    features: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class DeviceModel(Protocol):
    """Everything adbd asks of the Android model behind it."""

    @property
    def identity(self) -> DeviceIdentity: ...

    @property
    def fs(self) -> VirtualFileSystem: ...

    @property
    def net(self) -> DeviceNetwork: ...

    async def shell(self, command: str | None, io: ShellIO, *, pty: bool = False) -> int:
        """Run one shell command line (``None``: interactive shell reading stdin) and return its exit code.

        Never executes anything on the host: the command line is parsed and interpreted
        against the model.
        """
        ...

    async def binder_command(self, argv: list[str], io: ShellIO) -> int:
        """``abb_exec:`` — a ``cmd``-style service call (``package install -S N`` …) without a shell."""
        ...
