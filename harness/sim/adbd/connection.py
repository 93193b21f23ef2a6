"""One adb transport connection: CNXN handshake, then a multiplexer of streams.

The read loop is the only reader of the socket; every packet is validated before it
touches state, and any violation (bad magic, unknown command, oversize or short
payload, bad checksum under protocol 0x01000000, data before CNXN, ignored flow
control, too much unread input) raises :class:`ProtocolError`, which drops this
connection only. Each OPEN runs its service in its own task, so a slow or abandoned
stream never blocks the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging

from harness.sim.adbd.protocol import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_MIN,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    HEADER_SIZE,
    MAX_PAYLOAD,
    MIN_PEER_PAYLOAD,
    Packet,
    ProtocolError,
    checksum,
    command_name,
    decode_header,
    encode,
)
from harness.sim.adbd.services import Service, ServiceContext, open_service
from harness.sim.adbd.stream import AdbStream

log = logging.getLogger(__name__)

#: A peer must say CNXN this fast after connecting.
HANDSHAKE_TIMEOUT = 10.0
#: Once a header arrived, its payload must follow within this time (a lying length stalls otherwise).
PAYLOAD_TIMEOUT = 20.0
#: Streams one connection may hold open at once; further OPENs are refused with CLSE.
MAX_STREAMS = 256
#: Unread inbound bytes over all streams; only a peer ignoring flow control gets here.
MAX_INBOUND_BYTES = 64 * 1024 * 1024
#: Outbound bytes the socket may buffer before the read loop waits for the peer to read.
WRITE_HIGH_WATER = 4 * 1024 * 1024
#: How long a drained write may take before the peer counts as dead.
DRAIN_TIMEOUT = 60.0
#: A service still running this long after its stream closed is cancelled.
SERVICE_GRACE = 10.0


class AdbConnection:
    """The device end of one TCP connection from an adb host (server or direct client)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        context: ServiceContext,
        banner: bytes,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._context = context
        self._banner = banner
        self._streams: dict[int, AdbStream] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._version = A_VERSION_MIN
        self._peer_max_payload = MIN_PEER_PAYLOAD
        self._inbound = 0
        self._closing = False
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    # ----- StreamSink ---------------------------------------------------------------------

    @property
    def max_payload(self) -> int:
        return self._peer_max_payload

    def send_packet(self, command: int, arg0: int, arg1: int, payload: bytes = b"") -> None:
        if self._closing or self._writer.is_closing():
            return
        packet = Packet(command, arg0, arg1, payload)
        self._writer.write(encode(packet, with_checksum=self._version < A_VERSION_SKIP_CHECKSUM))

    def release_stream(self, stream: AdbStream) -> None:
        if self._streams.get(stream.local_id) is stream:
            del self._streams[stream.local_id]

    def account_inbound(self, delta: int) -> None:
        self._inbound += delta
        if self._inbound > MAX_INBOUND_BYTES:
            raise ProtocolError(f"peer buffered {self._inbound} unread bytes, ignoring flow control")

    # ----- lifecycle ----------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until the peer disconnects or misbehaves; never raises."""
        try:
            await self._handshake()
            while True:
                packet = await self._read_packet()
                self._dispatch(packet)
                await self._throttle_writes()
        except (asyncio.IncompleteReadError, ConnectionError):
            log.debug("adb peer %s disconnected", self.peer)
        except ProtocolError as exc:
            log.info("dropping adb peer %s: %s", self.peer, exc)
        except TimeoutError:
            log.info("dropping adb peer %s: timed out", self.peer)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("adb connection from %s failed", self.peer)
        finally:
            await self._teardown()

    async def _handshake(self) -> None:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            packet = await self._read_packet(expect_cnxn=True)
        if packet.command != A_CNXN:
            raise ProtocolError(f"{packet.name} before CNXN")
        if packet.arg0 < A_VERSION_MIN:
            raise ProtocolError(f"unsupported protocol version 0x{packet.arg0:08x}")
        if packet.arg1 < MIN_PEER_PAYLOAD:
            raise ProtocolError(f"peer max payload {packet.arg1} is too small")
        self._version = min(packet.arg0, A_VERSION)
        self._peer_max_payload = min(packet.arg1, MAX_PAYLOAD)
        self.send_packet(A_CNXN, self._version, MAX_PAYLOAD, self._banner)
        log.debug("adb peer %s connected: version 0x%08x", self.peer, self._version)

    async def _read_packet(self, *, expect_cnxn: bool = False) -> Packet:
        header = decode_header(await self._reader.readexactly(HEADER_SIZE), max_payload=MAX_PAYLOAD)
        payload = b""
        if header.length:
            async with asyncio.timeout(PAYLOAD_TIMEOUT):
                payload = await self._reader.readexactly(header.length)
        # Before the handshake the CNXN's own version says whether it carries a checksum.
        version = header.arg0 if expect_cnxn and header.command == A_CNXN else self._version
        if version < A_VERSION_SKIP_CHECKSUM and header.check != checksum(payload):
            raise ProtocolError(f"bad checksum on {command_name(header.command)}")
        return Packet(header.command, header.arg0, header.arg1, payload)

    async def _throttle_writes(self) -> None:
        transport = self._writer.transport
        if transport.get_write_buffer_size() > WRITE_HIGH_WATER:
            async with asyncio.timeout(DRAIN_TIMEOUT):
                await self._writer.drain()

    async def _teardown(self) -> None:
        self._closing = True
        for stream in list(self._streams.values()):
            stream.on_connection_lost()
        self._streams.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()

    async def close(self) -> None:
        """Drop the connection (server shutdown)."""
        self._writer.close()

    # ----- dispatch -----------------------------------------------------------------------

    def _dispatch(self, packet: Packet) -> None:
        command = packet.command
        if command == A_WRTE:
            stream = self._stream_for(packet)
            if stream is not None:
                stream.on_write(packet.payload)
        elif command == A_OKAY:
            stream = self._stream_for(packet)
            if stream is not None:
                stream.on_okay()
        elif command == A_OPEN:
            self._open(packet)
        elif command == A_CLSE:
            stream = self._streams.get(packet.arg1)
            if stream is not None and packet.arg0 in (0, stream.remote_id):
                stream.on_peer_close()
        elif command == A_CNXN:
            raise ProtocolError("second CNXN on a live connection")
        elif command == A_AUTH:
            raise ProtocolError("AUTH although no authentication was requested")
        else:
            raise ProtocolError(f"unsupported command {packet.name}")

    def _stream_for(self, packet: Packet) -> AdbStream | None:
        """The stream a WRTE/OKAY addresses; stale ids (crossed with our CLSE) are ignored."""
        stream = self._streams.get(packet.arg1)
        if stream is None or stream.remote_id != packet.arg0:
            return None
        return stream

    def _open(self, packet: Packet) -> None:
        remote_id = packet.arg0
        if remote_id == 0 or packet.arg1 != 0:
            raise ProtocolError(f"malformed OPEN ({remote_id}, {packet.arg1})")
        # Like adbd: strip the trailing NULs only; abb_exec argv is NUL-separated inside.
        raw = packet.payload.rstrip(b"\0")
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = ""
        if not name or len(self._streams) >= MAX_STREAMS:
            self.send_packet(A_CLSE, 0, remote_id)
            return
        local_id = self._next_id()
        stream = AdbStream(self, local_id, remote_id, name)
        self._streams[local_id] = stream
        task = asyncio.create_task(self._serve(stream), name=f"adbd:{name[:40]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _next_id(self) -> int:
        while True:
            local_id = next(self._ids) & 0xFFFFFFFF
            if local_id and local_id not in self._streams:
                return local_id
            if local_id == 0:
                self._ids = itertools.count(1)

    async def _serve(self, stream: AdbStream) -> None:
        try:
            service: Service | None = await open_service(self._context, stream.service)
        except Exception:
            log.exception("opening service %r failed", stream.service)
            service = None
        if service is None:
            self.release_stream(stream)
            self.send_packet(A_CLSE, 0, stream.remote_id)
            return
        if not stream.is_open:
            stream.abort()
            return
        self.send_packet(A_OKAY, stream.local_id, stream.remote_id)
        loop = asyncio.get_running_loop()
        running = True
        try:
            async with asyncio.timeout(None) as deadline:

                def on_gone() -> None:
                    if running:
                        deadline.reschedule(loop.time() + SERVICE_GRACE)

                stream.add_close_callback(on_gone)
                await service(stream)
                running = False
            await stream.close()
        except TimeoutError:
            if deadline.expired():
                log.warning("service %r ignored its closed stream; cancelled", stream.service)
            else:
                log.exception("service %r failed", stream.service)
        except Exception:
            log.exception("service %r failed", stream.service)
        finally:
            running = False
            stream.abort()
