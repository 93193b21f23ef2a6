"""Background processes the harness starts (virtual pool, Appium) and how it waits on them.

Each waits on something the kernel signals — a pipe becoming readable, a pidfd of an
exiting process — never on a sleep loop.
"""

from __future__ import annotations

import os
import selectors
import time
from pathlib import Path
from typing import IO


def read_ready_line(stream: IO[bytes], timeout: float) -> str:
    """The first line a child writes on its readiness pipe, or "" if it closed it or time ran out."""
    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buf = b""
    try:
        while not buf.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                return ""
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return ""
            buf += chunk
    finally:
        sel.close()
    return buf.decode("utf-8", errors="replace").strip()


def process_alive(pid: int, marker: bytes) -> bool:
    """True if ``pid`` runs and its command line contains ``marker`` (so a recycled pid is not mistaken)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        if marker not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait for a process to exit using a pidfd (an event from the kernel, not a poll loop)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        exited = bool(sel.select(timeout))
        sel.close()
    finally:
        os.close(fd)
    if exited:
        try:  # reap it if it is our own child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
    return exited


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, for error messages that say what went wrong."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
