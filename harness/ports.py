"""Free loopback ports: every server the harness starts (adb, Appium, drivers' forwards) binds one.

The port is handed to another process that binds it a moment later (Appium's node server, the
driver's ``adb forward``). A port from the kernel's ephemeral range (``bind(0)``) can be taken in
that moment as the local port of any outgoing connection, and there are many (adb commands, HTTP
calls of several workers): the later bind then fails with "Address already in use". So the port
is drawn below that range, where the kernel never hands out ports by itself.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000  # above the well-known and the commonly configured service ports
ATTEMPTS = 50
_draw = random.SystemRandom()  # not the shared generator: a test that seeds it must not align workers


def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (Linux's default when it cannot be read)."""
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_loopback_port() -> int:
    """A port nothing listens on right now on 127.0.0.1 (the caller binds it soon after), below
    the ephemeral range; from the ephemeral range only if none of the draws there is free."""
    top = _ephemeral_start()
    if top > LOWEST:
        for _ in range(ATTEMPTS):
            port = _draw.randrange(LOWEST, top)
            if _bindable(port):
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
