"""``tcp:PORT`` — bridge an adb stream to a server listening on a device port (what ``adb forward`` uses).

The OPEN is only acknowledged once the device-side connection exists, so a forward to a
port nobody listens on fails the way it does on a phone (the stream is refused).
``reverse:`` needs the device to dial the host, which the virtual device does not do;
it answers with an adb FAIL status instead of pretending.
"""

from __future__ import annotations

import asyncio
import contextlib

from harness.sim.adbd.services.base import Service, ServiceContext
from harness.sim.adbd.stream import AdbStream

_READ_SIZE = 256 * 1024


def _parse_port(spec: str) -> int | None:
    text = spec.split(":", 1)[0]
    if not text.isdigit():
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


async def open_tcp(context: ServiceContext, spec: str) -> Service | None:
    port = _parse_port(spec)
    if port is None:
        return None
    try:
        reader, writer = await context.model.net.open_connection(port)
    except OSError:
        return None

    async def run(stream: AdbStream) -> None:
        await bridge(stream, reader, writer)

    return run


async def bridge(stream: AdbStream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy both ways until either side ends; then close both."""

    async def to_device() -> None:
        while (chunk := await stream.read()) is not None:
            writer.write(chunk)
            await writer.drain()

    async def to_host() -> None:
        while chunk := await reader.read(min(_READ_SIZE, stream.max_payload)):
            await stream.write(chunk)

    tasks = [asyncio.create_task(to_device()), asyncio.create_task(to_host())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def open_reverse_unsupported() -> Service:
    async def run(stream: AdbStream) -> None:
        message = b"reverse forwarding is not supported by this device"
        await stream.write(b"FAIL" + f"{len(message):04x}".encode() + message)

    return run
