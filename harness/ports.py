"""Free loopback ports: every server the harness starts (adb, Appium, drivers' forwards) binds one."""

from __future__ import annotations

import socket


def free_loopback_port() -> int:
    """A port nothing listens on right now on 127.0.0.1 (the caller binds it soon after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
