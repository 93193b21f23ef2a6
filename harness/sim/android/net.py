"""The device's TCP port space.

Each device port an app listens on is backed by a real asyncio server bound to 127.0.0.1 on an
ephemeral host port; the table maps device port → host port. Real sockets keep flow control
and half-close semantics for free, and a device port is only reachable once an app listens on it
(Appium checks that ``adb forward`` does not connect before the UiAutomator2 server is up).
"""

from __future__ import annotations

import asyncio

from harness.sim.device_api import StreamHandler


class LoopbackNetwork:
    """Implements :class:`harness.sim.device_api.DeviceNetwork`."""

    def __init__(self) -> None:
        self._servers: dict[int, asyncio.Server] = {}
        self._host_ports: dict[int, int] = {}

    async def listen(self, port: int, handler: StreamHandler) -> None:
        if port in self._servers:
            raise OSError(98, f"device port {port} already in use")
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        self._servers[port] = server
        self._host_ports[port] = server.sockets[0].getsockname()[1]

    async def open_connection(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host_port = self._host_ports.get(port)
        if host_port is None:
            raise ConnectionRefusedError(111, f"Connection refused (device port {port})")
        return await asyncio.open_connection("127.0.0.1", host_port)

    async def close_port(self, port: int) -> None:
        server = self._servers.pop(port, None)
        self._host_ports.pop(port, None)
        if server is not None:
            server.close()
            await server.wait_closed()

    def listening_ports(self) -> list[int]:
        return sorted(self._servers)

    async def close_all(self) -> None:
        for port in list(self._servers):
            await self.close_port(port)
