"""One adb stream (OPEN … CLSE) as a flow-controlled byte pipe for a service.

Outbound: at most one WRTE is unacknowledged at a time (we do not advertise
``delayed_ack``). Writes are coalesced while a WRTE is in flight, so a command that
prints many small lines still travels in large packets, and ``write`` only blocks once
more than one packet's worth is queued — that is how the client paces the command.

Inbound: a WRTE is acknowledged at once while little is buffered, otherwise only when
the service has consumed it. A peer that sends another WRTE before our OKAY breaks the
protocol. So a stream never holds more than ``READAHEAD`` plus one payload.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Protocol

from harness.sim.adbd.protocol import A_CLSE, A_OKAY, A_WRTE, ProtocolError

#: Bytes a stream may hold unread and still acknowledge the next WRTE straight away.
READAHEAD = 256 * 1024


class StreamSink(Protocol):
    """What a stream needs from its connection."""

    @property
    def max_payload(self) -> int:
        """Largest WRTE payload the peer accepts."""
        ...

    def send_packet(self, command: int, arg0: int, arg1: int, payload: bytes = b"") -> None: ...

    def release_stream(self, stream: AdbStream) -> None:
        """Forget the stream: it is closed on our side."""
        ...

    def account_inbound(self, delta: int) -> None:
        """Track buffered inbound bytes for the per-connection memory bound."""
        ...


class AdbStream:
    """A service's view of one stream: ``read``/``read_exactly``/``write``/``close``."""

    def __init__(self, sink: StreamSink, local_id: int, remote_id: int, service: str) -> None:
        self._sink = sink
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        #: Set once the stream is gone: the peer closed it, we closed it, or the connection dropped.
        self.closed = asyncio.Event()
        self._clse_sent = False
        self._out = bytearray()
        self._in_flight = False
        self._writable = asyncio.Event()
        self._writable.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._in: deque[bytes] = deque()
        self._in_offset = 0
        self._in_bytes = 0
        self._ack_owed = False
        self._readable = asyncio.Event()
        self._close_callbacks: list[Callable[[], None]] = []

    # ----- service side -------------------------------------------------------------------

    @property
    def max_payload(self) -> int:
        """Largest WRTE payload the peer accepts; services size their own framing by it."""
        return self._sink.max_payload

    @property
    def is_open(self) -> bool:
        return not self._clse_sent and not self.closed.is_set()

    async def read(self, limit: int | None = None) -> bytes | None:
        """Next chunk the peer wrote (at most ``limit`` bytes); ``None`` once closed and all is read."""
        while not self._in:
            if not self.is_open:
                return None
            self._readable.clear()
            await self._readable.wait()
        head = self._in[0]
        end = len(head) if limit is None else min(len(head), self._in_offset + limit)
        chunk = head[self._in_offset : end] if (self._in_offset or end != len(head)) else head
        if end == len(head):
            self._in.popleft()
            self._in_offset = 0
        else:
            self._in_offset = end
        self._consumed(len(chunk))
        return chunk

    async def read_exactly(self, size: int) -> bytes:
        """Exactly ``size`` bytes, or :class:`asyncio.IncompleteReadError` if the stream ends first."""
        parts: list[bytes] = []
        need = size
        while need:
            chunk = await self.read(need)
            if chunk is None:
                got = b"".join(parts)
                raise asyncio.IncompleteReadError(got, size)
            parts.append(chunk)
            need -= len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def write(self, data: bytes) -> None:
        """Queue ``data`` for the peer; waits while more than one packet is already queued.

        Data written after the peer went away is dropped: the command's output has no reader.
        """
        if not data or not self.is_open:
            return
        self._out += data
        self._pump()
        while len(self._out) > self._sink.max_payload and self.is_open:
            self._writable.clear()
            await self._writable.wait()

    async def close(self) -> None:
        """Send everything still queued (each WRTE acknowledged), then CLSE. Idempotent."""
        while (self._out or self._in_flight) and self.is_open:
            self._idle.clear()
            await self._idle.wait()
        self.abort()

    def abort(self) -> None:
        """Close without flushing (the service ended or failed) and drop unread input."""
        self._send_clse()
        self._drop_inbound()
        self._mark_gone()

    def add_close_callback(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once when the stream is gone (immediately if it already is)."""
        if self.closed.is_set():
            callback()
        else:
            self._close_callbacks.append(callback)

    # ----- connection side ----------------------------------------------------------------

    def on_okay(self) -> None:
        if not self._in_flight:
            return  # nothing to acknowledge: a blind OKAY must not release more output
        self._in_flight = False
        self._pump()

    def on_write(self, data: bytes) -> None:
        if not self.is_open:
            return  # crossed our CLSE on the wire
        if self._ack_owed:
            raise ProtocolError(f"WRTE on stream {self.local_id} before our OKAY")
        if data:
            self._in.append(data)
            self._in_bytes += len(data)
            self._sink.account_inbound(len(data))
            self._readable.set()
        if self._in_bytes <= READAHEAD:
            self._sink.send_packet(A_OKAY, self.local_id, self.remote_id)
        else:
            self._ack_owed = True

    def on_peer_close(self) -> None:
        """The peer sent CLSE: answer with CLSE like adbd does; input already received stays readable."""
        self._send_clse()
        self._mark_gone()

    def on_connection_lost(self) -> None:
        self._clse_sent = True
        self._drop_inbound()
        self._mark_gone()

    # ----- internals ----------------------------------------------------------------------

    def _pump(self) -> None:
        if self._in_flight or not self.is_open:
            return
        if self._out:
            size = self._sink.max_payload
            if len(self._out) <= size:
                chunk = bytes(self._out)
                self._out.clear()
            else:
                chunk = bytes(self._out[:size])
                del self._out[:size]
            self._in_flight = True
            self._sink.send_packet(A_WRTE, self.local_id, self.remote_id, chunk)
        if len(self._out) <= self._sink.max_payload:
            self._writable.set()
        if not self._out and not self._in_flight:
            self._idle.set()

    def _consumed(self, size: int) -> None:
        self._in_bytes -= size
        self._sink.account_inbound(-size)
        if self._ack_owed and self._in_bytes <= READAHEAD and self.is_open:
            self._ack_owed = False
            self._sink.send_packet(A_OKAY, self.local_id, self.remote_id)

    def _send_clse(self) -> None:
        if self._clse_sent:
            return
        self._clse_sent = True
        self._out.clear()
        self._sink.send_packet(A_CLSE, self.local_id, self.remote_id)
        self._sink.release_stream(self)

    def _drop_inbound(self) -> None:
        if self._in_bytes:
            self._sink.account_inbound(-self._in_bytes)
        self._in.clear()
        self._in_offset = 0
        self._in_bytes = 0

    def _mark_gone(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            callbacks, self._close_callbacks = self._close_callbacks, []
            for callback in callbacks:
                callback()
        self._readable.set()
        self._writable.set()
        self._idle.set()
