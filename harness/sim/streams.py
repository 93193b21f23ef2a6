"""Byte pumps between asyncio streams, for the device's port forwards and in-app sockets."""

from __future__ import annotations

import asyncio
import contextlib


async def copy_stream(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    """Copy until ``src`` ends, then half-close ``dst`` so the other side sees the end too."""
    try:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if dst.can_write_eof():
                dst.write_eof()
