"""``sync:`` — the file sync protocol behind ``adb push``/``pull``/``ls`` and ``adb install``'s push.

Requests are ``id (4 bytes) + length (u32 LE)`` followed by a path; replies mirror adbd's
(``file_sync_service.cpp``): STAT/STA2/LST2 records, DENT/DNT2 listings ended by DONE,
DATA chunks of at most 64 KiB, OKAY or FAIL with a message after a SEND. Any failure
sends FAIL and ends the session, as adbd does.
"""

from __future__ import annotations

import asyncio
import errno
import os
import posixpath
import stat as statmod
import struct
import time

from harness.sim.adbd.services.base import Service, ServiceContext
from harness.sim.adbd.stream import AdbStream
from harness.sim.device_api import FileStat, VirtualFileSystem

SYNC_DATA_MAX = 64 * 1024
MAX_PATH = 1024
#: A single push larger than this is refused (the device's storage lives in memory).
MAX_PUSH_BYTES = 1024 * 1024 * 1024
#: RECV sends this much per stream write (several DATA messages), so big pulls fill big WRTEs.
_RECV_BATCH = 16

_REQUEST = struct.Struct("<4sI")
_STAT_V1 = struct.Struct("<4sIII")
_STAT_V2 = struct.Struct("<4sIQQIIIIQqqq")
_DENT_V1 = struct.Struct("<4sIIII")
_DENT_V2 = struct.Struct("<4sIQQIIIIQqqqI")

_SHELL_UID = 2000
_SHELL_GID = 2000


class SyncFailure(Exception):
    """Ends the session with a FAIL message."""


def fail_message(message: str) -> bytes:
    data = message.encode("utf-8", "replace")
    return _REQUEST.pack(b"FAIL", len(data)) + data


def _errno_message(prefix: str, code: int) -> str:
    return f"{prefix}: {os.strerror(code)}"


def _fake_inode(path: str) -> int:
    return (hash(path) & 0x7FFFFFFF) or 1


def stat_v2_record(reply_id: bytes, path: str, st: FileStat | None) -> bytes:
    if st is None or not st.exists:
        return _STAT_V2.pack(reply_id, errno.ENOENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    nlink = 2 if statmod.S_ISDIR(st.mode) else 1
    return _STAT_V2.pack(
        reply_id, 0, 0xFD00, _fake_inode(path), st.mode, nlink, _SHELL_UID, _SHELL_GID,
        st.size, st.mtime, st.mtime, st.mtime,
    )  # fmt: skip


def stat_v1_record(st: FileStat | None) -> bytes:
    if st is None or not st.exists:
        return _STAT_V1.pack(b"STAT", 0, 0, 0)
    return _STAT_V1.pack(b"STAT", st.mode & 0xFFFFFFFF, st.size & 0xFFFFFFFF, st.mtime & 0xFFFFFFFF)


def _stat(fs: VirtualFileSystem, path: str) -> FileStat | None:
    st = fs.stat(path)
    return st if st is not None and st.exists else None


def _entries(fs: VirtualFileSystem, path: str) -> list[tuple[str, FileStat]]:
    """Directory entries with ``.`` and ``..`` first, as readdir gives them to adbd."""
    own = _stat(fs, path)
    if own is None or not statmod.S_ISDIR(own.mode):
        return []
    listing = fs.listdir(path)
    if listing is None:
        return []
    parent = _stat(fs, posixpath.dirname(path.rstrip("/")) or "/") or own
    return [(".", own), ("..", parent), *listing]


class SyncSession:
    def __init__(self, fs: VirtualFileSystem, stream: AdbStream) -> None:
        self._fs = fs
        self._stream = stream

    async def run(self) -> None:
        try:
            while True:
                try:
                    header = await self._stream.read_exactly(_REQUEST.size)
                except asyncio.IncompleteReadError:
                    return
                request_id, length = _REQUEST.unpack(header)
                if request_id == b"QUIT":
                    return
                if request_id not in _HANDLERS:
                    raise SyncFailure(f"unknown command {int.from_bytes(request_id, 'little'):08x}")
                if length > MAX_PATH:
                    raise SyncFailure("path too long")
                path = (await self._stream.read_exactly(length)).decode("utf-8", "surrogateescape")
                await _HANDLERS[request_id](self, path)
        except SyncFailure as failure:
            await self._stream.write(fail_message(str(failure)))
        except asyncio.IncompleteReadError:
            return

    async def _reply(self, data: bytes) -> None:
        await self._stream.write(data)

    async def do_stat_v1(self, path: str) -> None:
        await self._reply(stat_v1_record(_stat(self._fs, path)))

    async def do_stat_v2(self, path: str) -> None:
        await self._reply(stat_v2_record(b"STA2", path, _stat(self._fs, path)))

    async def do_lstat_v2(self, path: str) -> None:
        # lstat is not part of VirtualFileSystem; a model that knows symlinks may offer it.
        lstat = getattr(self._fs, "lstat", None)
        st = lstat(path) if callable(lstat) else self._fs.stat(path)
        st = st if st is not None and st.exists else None
        await self._reply(stat_v2_record(b"LST2", path, st))

    async def do_list_v1(self, path: str) -> None:
        out = bytearray()
        for name, st in _entries(self._fs, path):
            raw = name.encode("utf-8", "surrogateescape")
            size, mtime = st.size & 0xFFFFFFFF, st.mtime & 0xFFFFFFFF
            out += _DENT_V1.pack(b"DENT", st.mode, size, mtime, len(raw)) + raw
        out += _DENT_V1.pack(b"DONE", 0, 0, 0, 0)
        await self._reply(bytes(out))

    async def do_list_v2(self, path: str) -> None:
        out = bytearray()
        for name, st in _entries(self._fs, path):
            raw = name.encode("utf-8", "surrogateescape")
            full = posixpath.join(path, name)
            record = stat_v2_record(b"DNT2", full, st)
            out += record + struct.pack("<I", len(raw)) + raw
        out += _DENT_V2.pack(b"DONE", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        await self._reply(bytes(out))

    async def do_send(self, spec: str) -> None:
        path, comma, mode_text = spec.rpartition(",")
        if not comma:
            raise SyncFailure("missing , in ID_SEND")
        try:
            mode = int(mode_text)
        except ValueError:
            raise SyncFailure(f"bad mode in ID_SEND: {mode_text!r}") from None
        problem = self._send_problem(path)
        chunks: list[bytes] = []
        total = 0
        while True:
            data_id, size = _REQUEST.unpack(await self._stream.read_exactly(_REQUEST.size))
            if data_id == b"DONE":
                mtime = size
                break
            if data_id != b"DATA":
                raise SyncFailure(f"invalid data message: expected ID_DONE, got {data_id!r}")
            if size > SYNC_DATA_MAX:
                raise SyncFailure("oversize data message")
            chunk = await self._stream.read_exactly(size)
            total += size
            if problem is None and total > MAX_PUSH_BYTES:
                problem = _errno_message("couldn't write file", errno.ENOSPC)
                chunks.clear()
            if problem is None:
                chunks.append(chunk)
        if problem is not None:
            raise SyncFailure(problem)
        file_mode = statmod.S_IFREG | statmod.S_IMODE(mode)
        try:
            self._fs.write(path, b"".join(chunks), mode=file_mode, mtime=mtime or int(time.time()))
        except OSError as exc:
            reason = exc.strerror or str(exc) or os.strerror(errno.EIO)
            raise SyncFailure(f"couldn't create file: {reason}") from None
        await self._reply(_REQUEST.pack(b"OKAY", 0))

    def _send_problem(self, path: str) -> str | None:
        if not path.startswith("/"):
            return _errno_message("couldn't create file", errno.ENOENT)
        st = _stat(self._fs, path)
        if st is not None and statmod.S_ISDIR(st.mode):
            return _errno_message("couldn't create file", errno.EISDIR)
        return None

    async def do_recv(self, path: str) -> None:
        st = _stat(self._fs, path)
        if st is not None and statmod.S_ISDIR(st.mode):
            raise SyncFailure(_errno_message("read failed", errno.EISDIR))
        data = self._fs.read(path) if st is not None else None
        if data is None:
            raise SyncFailure(_errno_message("open failed", errno.ENOENT))
        view = memoryview(data)
        batch = bytearray()
        for count, start in enumerate(range(0, len(view), SYNC_DATA_MAX), start=1):
            piece = view[start : start + SYNC_DATA_MAX]
            batch += _REQUEST.pack(b"DATA", len(piece))
            batch += piece
            if count % _RECV_BATCH == 0:
                await self._reply(bytes(batch))
                batch.clear()
        batch += _REQUEST.pack(b"DONE", 0)
        await self._reply(bytes(batch))


_HANDLERS = {
    b"STAT": SyncSession.do_stat_v1,
    b"STA2": SyncSession.do_stat_v2,
    b"LST2": SyncSession.do_lstat_v2,
    b"LIST": SyncSession.do_list_v1,
    b"LIS2": SyncSession.do_list_v2,
    b"SEND": SyncSession.do_send,
    b"RECV": SyncSession.do_recv,
}


def open_sync(context: ServiceContext) -> Service:
    async def run(stream: AdbStream) -> None:
        await SyncSession(context.model.fs, stream).run()

    return run
