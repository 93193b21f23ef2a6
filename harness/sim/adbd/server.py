"""The listening side: one TCP port per virtual device, bound to loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from harness.sim.adbd.banner import device_banner, select_features
from harness.sim.adbd.connection import AdbConnection
from harness.sim.adbd.services import ServiceContext
from harness.sim.device_api import DeviceModel

log = logging.getLogger(__name__)


class AdbdServer:
    """The device side of adb for one :class:`DeviceModel`; ``adb connect 127.0.0.1:<port>`` attaches it.

    ``features`` overrides what the banner advertises (a subset of what is implemented);
    by default the model's profile decides.
    """

    def __init__(
        self,
        model: DeviceModel,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        features: Iterable[str] | None = None,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the virtual adbd binds loopback only, not {host!r}")
        self.model = model
        self.host = host
        self._requested_port = port
        self.features = select_features(model.identity, features)
        self._server: asyncio.Server | None = None
        self._connections: set[AdbConnection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("AdbdServer.start() has not run")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self._requested_port)

    async def close(self) -> None:
        """Stop listening and drop every connection (the adb server sees the device go offline)."""
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            await connection.close()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                import socket

                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        banner = device_banner(self.model.identity, self.features)
        connection = AdbConnection(reader, writer, ServiceContext(self.model, self.features), banner)
        self._connections.add(connection)
        try:
            await connection.run()
        finally:
            self._connections.discard(connection)
            if task is not None:
                self._tasks.discard(task)
