"""The LuaSocket subset a game's in-process TCP server needs, over real Python sockets.

Connected sockets are always real, non-blocking-capable Python sockets, so ``receive``/``send``
behave like LuaSocket's (``nil, "timeout"`` with a zero timeout, ``nil, "closed"`` at EOF).
Where a *listening* socket lives is a backend choice:

* :class:`HostListeners` binds 127.0.0.1 on the host (engine tests, desktop runs);
* :class:`DeviceListeners` listens on a virtual device's port through its ``DeviceNetwork``
  (``model.net.listen``), so device ports stay per device and ``adb forward`` reaches them. Each
  accepted device connection is spliced to one end of a ``socketpair``; the game gets the other.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import itertools
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from harness.sim.device_api import DeviceNetwork
from harness.sim.streams import copy_stream


class Listener(Protocol):
    def accept(self, timeout: float | None) -> socket.socket | None: ...

    def sockname(self) -> tuple[str, int]: ...

    def close(self) -> None: ...


class ListenerBackend(Protocol):
    def listen(self, host: str, port: int, backlog: int) -> Listener: ...


class _HostListener:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def accept(self, timeout: float | None) -> socket.socket | None:
        self._sock.settimeout(timeout)
        try:
            conn, _ = self._sock.accept()
        except (TimeoutError, BlockingIOError):
            return None
        return conn

    def sockname(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return host, port

    def close(self) -> None:
        self._sock.close()


class HostListeners:
    """Listeners on the host's loopback (the only interface a virtual game may bind)."""

    def listen(self, host: str, port: int, backlog: int) -> Listener:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(backlog)
        return _HostListener(sock)


class _DeviceListener:
    def __init__(self, backend: DeviceListeners, port: int) -> None:
        self._backend = backend
        self.port = port
        self._ready: collections.deque[socket.socket] = collections.deque()
        self._cond = threading.Condition()
        self.closed = False

    def push(self, sock: socket.socket) -> None:
        with self._cond:
            self._ready.append(sock)
            self._cond.notify_all()

    def accept(self, timeout: float | None) -> socket.socket | None:
        with self._cond:
            if not self._ready and timeout != 0:
                self._cond.wait_for(lambda: bool(self._ready) or self.closed, timeout)
            return self._ready.popleft() if self._ready else None

    def sockname(self) -> tuple[str, int]:
        return "0.0.0.0", self.port

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with self._cond:
            self._cond.notify_all()
            while self._ready:
                self._ready.popleft().close()
        self._backend.release(self.port)


class DeviceListeners:
    """Listeners on a virtual device's port space; called from the game thread, never the loop's."""

    def __init__(self, net: DeviceNetwork, loop: asyncio.AbstractEventLoop) -> None:
        self._net = net
        self._loop = loop
        self._aborted = threading.Event()
        self._wakers: set[threading.Event] = set()
        self._lock = threading.Lock()

    def abort(self) -> None:
        """The app is being stopped from the device loop: stop waiting for that loop (no deadlock)."""
        self._aborted.set()
        with self._lock:
            for waker in self._wakers:
                waker.set()

    def listen(self, host: str, port: int, backlog: int) -> Listener:
        listener = _DeviceListener(self, port)

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if listener.closed:
                writer.close()
                return
            game_end, engine_end = socket.socketpair()
            game_end.setblocking(True)
            listener.push(game_end)
            await _splice(reader, writer, engine_end)

        if self._aborted.is_set():
            raise OSError("the app is stopping")
        future = asyncio.run_coroutine_threadsafe(self._net.listen(port, handler), self._loop)
        waker = threading.Event()
        with self._lock:
            self._wakers.add(waker)
        future.add_done_callback(lambda _: waker.set())
        try:
            waker.wait(timeout=10)
        finally:
            with self._lock:
                self._wakers.discard(waker)
        if not future.done():
            future.cancel()
            raise OSError("the device did not open the port")
        future.result()
        return listener

    def release(self, port: int) -> None:
        if not self._loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._net.close_port(port), self._loop)


async def _splice(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sock: socket.socket) -> None:
    """Copy bytes both ways between a device stream and the engine end of a socketpair."""
    sock.setblocking(False)
    sreader, swriter = await asyncio.open_connection(sock=sock)

    await asyncio.gather(copy_stream(reader, swriter), copy_stream(sreader, writer))
    for w in (writer, swriter):
        w.close()


class SocketTable:
    """Handles for the Lua side: integers naming listeners and connected sockets."""

    def __init__(self, backend: ListenerBackend, clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self._ids = itertools.count(1)
        self._listeners: dict[int, Listener] = {}
        self._conns: dict[int, socket.socket] = {}
        self._timeouts: dict[int, float | None] = {}
        self._clock = clock

    # ---- server side ---------------------------------------------------------------------
    def bind(self, host: bytes, port: int, backlog: int) -> tuple[Any, ...]:
        try:
            listener = self.backend.listen(host.decode(), int(port), int(backlog or 32))
        except OSError as exc:
            return None, _err(exc)
        handle = next(self._ids)
        self._listeners[handle] = listener
        self._timeouts[handle] = None
        return (handle,)

    def accept(self, handle: int) -> tuple[Any, ...]:
        listener = self._listeners.get(handle)
        if listener is None:
            return None, b"closed"
        conn = listener.accept(self._timeouts.get(handle))
        if conn is None:
            return None, b"timeout"
        child = next(self._ids)
        self._conns[child] = conn
        self._timeouts[child] = None
        conn.setblocking(True)
        return (child,)

    # ---- connected sockets ---------------------------------------------------------------
    def settimeout(self, handle: int, value: float | None) -> int:
        timeout = None if value is None or value < 0 else float(value)
        self._timeouts[handle] = timeout
        return 1

    def _apply_timeout(self, conn: socket.socket, handle: int) -> None:
        timeout = self._timeouts.get(handle)
        conn.settimeout(timeout)

    def receive(self, handle: int, pattern: Any, prefix: bytes | None) -> tuple[Any, ...]:
        conn = self._conns.get(handle)
        if conn is None:
            return None, b"closed", prefix or b""
        self._apply_timeout(conn, handle)
        data = bytearray(prefix or b"")
        if isinstance(pattern, int | float):
            want = int(pattern)
            while len(data) < want:
                chunk, err = self._recv(conn, want - len(data))
                if err:
                    return None, err, bytes(data)
                data += chunk
            return (bytes(data),)
        mode = pattern or b"*l"
        if mode.startswith(b"*a"):
            while True:
                chunk, err = self._recv(conn, 65536)
                if err == b"closed":
                    return (bytes(data),)
                if err:
                    return None, err, bytes(data)
                data += chunk
        while True:  # "*l": a line without CR/LF
            chunk, err = self._recv(conn, 1)
            if err:
                return None, err, bytes(data).replace(b"\r", b"")
            if chunk == b"\n":
                return (bytes(data).replace(b"\r", b""),)
            data += chunk

    @staticmethod
    def _recv(conn: socket.socket, n: int) -> tuple[bytes, bytes | None]:
        try:
            chunk = conn.recv(n)
        except (TimeoutError, BlockingIOError):
            return b"", b"timeout"
        except OSError:
            return b"", b"closed"
        if not chunk:
            return b"", b"closed"
        return chunk, None

    def send(self, handle: int, data: bytes, i: int | None, j: int | None) -> tuple[Any, ...]:
        conn = self._conns.get(handle)
        if conn is None:
            return None, b"closed", 0
        start = max(int(i or 1), 1) - 1
        end = len(data) if j is None else min(int(j), len(data))
        self._apply_timeout(conn, handle)
        sent = start
        try:
            while sent < end:
                sent += conn.send(data[sent:end])
        except (TimeoutError, BlockingIOError):
            return None, b"timeout", sent
        except OSError:
            return None, b"closed", sent
        return (sent,)

    def close(self, handle: int) -> int:
        listener = self._listeners.pop(handle, None)
        if listener is not None:
            listener.close()
        conn = self._conns.pop(handle, None)
        if conn is not None:
            conn.close()
        self._timeouts.pop(handle, None)
        return 1

    def sockname(self, handle: int) -> tuple[Any, ...]:
        if handle in self._listeners:
            host, port = self._listeners[handle].sockname()
            return host.encode(), port
        conn = self._conns.get(handle)
        if conn is None:
            return None, b"closed"
        name = conn.getsockname()
        return (str(name[0]).encode(), name[1]) if isinstance(name, tuple) else (b"0.0.0.0", 0)

    def peername(self, handle: int) -> tuple[Any, ...]:
        conn = self._conns.get(handle)
        if conn is None:
            return None, b"closed"
        try:
            name = conn.getpeername()
        except OSError:
            return None, b"closed"
        return (str(name[0]).encode(), name[1]) if isinstance(name, tuple) else (b"127.0.0.1", 0)

    def gettime(self) -> float:
        return self._clock()

    def close_all(self) -> None:
        for handle in list(self._listeners) + list(self._conns):
            self.close(handle)


def _err(exc: OSError) -> bytes:
    if exc.errno == errno.EADDRINUSE:
        return b"address already in use"
    return str(exc).encode()
