"""Device commands over adbutils' connections, without its per-connection pauses.

adbutils' ``AdbConnection.close()`` sleeps 10 ms after shutting the socket down, and every
``open_transport()`` first asks the server's version on a connection of its own (closed the
same way): 20 ms of sleep on each command. The harness sends a dozen commands per test (stop,
clear, start, marks), so that was a large share of a test on a fast device. Here a command's
connection is closed once its output (v1: the server's close; v2: the exit frame) is in, when
nothing is left to flush, and ``AdbClient`` remembers the server's version.
"""

from __future__ import annotations

import functools
import socket
from typing import Any

import adbutils

SHELL_V2_STDOUT, SHELL_V2_STDERR, SHELL_V2_EXIT = 1, 2, 3


class AdbClient(adbutils.AdbClient):
    """adbutils' client, asking the server's version once (it cannot change while it runs)."""

    @functools.cache  # noqa: B019 - one entry per client; clients live as long as the run
    def server_version(self) -> int:
        return int(super().server_version())


def _close(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass


def shell_v1(device: adbutils.AdbDevice, command: str, timeout: float) -> bytes:
    """``shell:`` — stdout and stderr together, until the device closes the stream."""
    conn: Any = device.open_transport(timeout=timeout)
    sock = conn.conn
    try:
        conn.send_command(f"shell:{command}")
        conn.check_okay()
        return bytes(conn.read_until_close(encoding=None))
    finally:
        _close(sock)


def shell_v2(device: adbutils.AdbDevice, command: str, timeout: float) -> tuple[int, bytes, bytes]:
    """``shell,v2:`` — (exit status, stdout + stderr in arrival order, stdout alone)."""
    conn: Any = device.open_transport(timeout=timeout)
    sock = conn.conn
    output, stdout = bytearray(), bytearray()
    code = 255
    try:
        conn.send_command(f"shell,v2:{command}")
        conn.check_okay()
        while True:
            header = conn.read_exact(5)
            length = int.from_bytes(header[1:5], "little")
            data = conn.read_exact(length) if length else b""
            if header[0] == SHELL_V2_EXIT:
                code = data[0] if data else 255
                break
            if header[0] in (SHELL_V2_STDOUT, SHELL_V2_STDERR):
                output += data
                if header[0] == SHELL_V2_STDOUT:
                    stdout += data
    finally:
        _close(sock)
    return code, bytes(output), bytes(stdout)
