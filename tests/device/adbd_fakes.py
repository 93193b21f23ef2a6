"""A deliberately tiny :class:`DeviceModel` for protocol tests of the virtual adbd.

It knows a handful of shell commands so tests can check exit codes, stdin/stdout/stderr
plumbing, the ``closed`` event and flow control without depending on the full Android
model. Device behaviour (packages, activities, logcat) is tested against the real
``harness.sim.android.AndroidDevice``.
"""

from __future__ import annotations

import asyncio
import posixpath
import shlex
import stat as statmod
import time
from collections.abc import Callable

from harness.sim.adbd import IMPLEMENTED_FEATURES
from harness.sim.device_api import DeviceIdentity, DeviceModel, FileStat, ShellIO, StreamHandler
from harness.sim.host import HostedDevice

#: The ``attach`` fixture's signature: ``attach(profile, *, model_factory=None, features=None)``.
AttachFn = Callable[..., HostedDevice]


class DictFileSystem:
    """Files in a dict; directories implied by paths plus an explicit set."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, int, int]] = {}
        self.dirs: set[str] = {"/", "/data", "/data/local", "/data/local/tmp", "/sdcard"}

    def stat(self, path: str) -> FileStat | None:
        path = posixpath.normpath(path)
        if path in self.files:
            data, mode, mtime = self.files[path]
            return FileStat(mode, len(data), mtime)
        if path in self.dirs:
            return FileStat(0o040771, 4096, 0)
        return None

    def listdir(self, path: str) -> list[tuple[str, FileStat]] | None:
        path = posixpath.normpath(path)
        if path not in self.dirs:
            return None
        everything = (*self.files, *self.dirs)
        names = {posixpath.basename(p) for p in everything if p != path and posixpath.dirname(p) == path}
        result = []
        for name in sorted(names):
            st = self.stat(posixpath.join(path, name))
            if st is not None:
                result.append((name, st))
        return result

    def read(self, path: str) -> bytes | None:
        entry = self.files.get(posixpath.normpath(path))
        return entry[0] if entry else None

    def write(self, path: str, data: bytes, mode: int = 0o100644, mtime: int | None = None) -> None:
        path = posixpath.normpath(path)
        if path in self.dirs:
            raise IsADirectoryError(21, "Is a directory")
        parent = posixpath.dirname(path)
        while parent not in self.dirs:
            if parent in self.files:
                raise NotADirectoryError(20, "Not a directory")
            self.dirs.add(parent)
            parent = posixpath.dirname(parent)
        kind = mode if statmod.S_IFMT(mode) else mode | statmod.S_IFREG
        self.files[path] = (data, kind, mtime or int(time.time()))


class LoopbackPorts:
    """Device ports backed by real loopback servers."""

    def __init__(self) -> None:
        self.servers: dict[int, asyncio.Server] = {}

    async def listen(self, port: int, handler: StreamHandler) -> None:
        self.servers[port] = await asyncio.start_server(handler, "127.0.0.1", 0)

    async def open_connection(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        server = self.servers.get(port)
        if server is None:
            raise ConnectionRefusedError(111, "Connection refused")
        return await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])

    async def close_port(self, port: int) -> None:
        server = self.servers.pop(port, None)
        if server is not None:
            server.close()


class FakeModel:
    """Shell: echo, true, false, exit N, cat [FILE], wc -c, yes-bytes N, wait-closed, install -S N."""

    def __init__(self, features: tuple[str, ...] = IMPLEMENTED_FEATURES) -> None:
        self._identity = DeviceIdentity("fake_product", "Fake_Model", "fakedev", features)
        self._fs = DictFileSystem()
        self._net = LoopbackPorts()
        self.commands: list[str | None] = []
        self.binder_calls: list[list[str]] = []
        self.installed: dict[str, bytes] = {}
        self.closed_seen = asyncio.Event()

    @property
    def identity(self) -> DeviceIdentity:
        return self._identity

    @property
    def fs(self) -> DictFileSystem:
        return self._fs

    @property
    def net(self) -> LoopbackPorts:
        return self._net

    async def shell(self, command: str | None, io: ShellIO, *, pty: bool = False) -> int:
        self.commands.append(command)
        if command is None:
            return await self._cat_stdin(io)
        code = 0
        for part in command.split(";"):
            argv = shlex.split(part)
            if argv:
                code = await self._run(argv, io)
        return code

    async def binder_command(self, argv: list[str], io: ShellIO) -> int:
        self.binder_calls.append(argv)
        return await self._run(["cmd", *argv], io)

    async def _run(self, argv: list[str], io: ShellIO) -> int:
        name, args = argv[0], argv[1:]
        if name == "echo":
            await io.write_stdout((" ".join(args) + "\n").encode())
            return 0
        if name == "true":
            return 0
        if name == "false":
            return 1
        if name == "exit":
            return int(args[0]) if args else 0
        if name == "cat":
            if not args:
                return await self._cat_stdin(io)
            data = self._fs.read(args[0])
            if data is None:
                await io.write_stderr(f"cat: {args[0]}: No such file or directory\n".encode())
                return 1
            await io.write_stdout(data)
            return 0
        if name == "wc" and args == ["-c"]:
            total = 0
            while (chunk := await io.read_stdin()) is not None:
                total += len(chunk)
            await io.write_stdout(f"{total}\n".encode())
            return 0
        if name == "yes-bytes":
            await io.write_stdout(b"y" * int(args[0]))
            return 0
        if name == "wait-closed":
            await io.closed.wait()
            self.closed_seen.set()
            return 0
        if name == "cmd" and args[:1] == ["package"] and "install" in args and "-S" in args:
            size = int(args[args.index("-S") + 1])
            data = bytearray()
            while len(data) < size and (chunk := await io.read_stdin()) is not None:
                data += chunk
            self.installed[f"streamed{len(self.installed)}"] = bytes(data)
            await io.write_stdout(b"Success\n")
            return 0
        await io.write_stderr(f"/system/bin/sh: {name}: inaccessible or not found\n".encode())
        return 127

    async def _cat_stdin(self, io: ShellIO) -> int:
        while (chunk := await io.read_stdin()) is not None:
            await io.write_stdout(chunk)
        return 0


def fake_factory(features: tuple[str, ...] | None = None) -> Callable[[str], DeviceModel]:
    """A ``model_factory`` for :meth:`DeviceHost.add_device` that builds a :class:`FakeModel`."""

    def make(_profile: str) -> DeviceModel:
        return FakeModel() if features is None else FakeModel(features)

    return make
