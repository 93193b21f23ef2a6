"""Background processes the harness starts (virtual pool, Appium) and how it waits on them.

Each waits on something the kernel signals — a pipe becoming readable, a pidfd of an
exiting process — never on a sleep loop.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
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


def spawn_daemon(
    cmd: Sequence[str], *, stderr: IO[bytes] | int, timeout: float, env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a background process in its own session and wait for its one-line readiness report.

    Returns the process and the line ("" if it never reported; the process is then killed).
    """
    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=dict(env) if env is not None else None,
        start_new_session=True,
        close_fds=True,
    )
    assert proc.stdout is not None
    line = read_ready_line(proc.stdout, timeout)
    proc.stdout.close()
    if not line and proc.poll() is None:
        proc.kill()
        proc.wait()
    return proc, line


def terminate(pid: int, marker: bytes, timeout: float) -> None:
    """SIGTERM a process we started (checked by ``marker``), SIGKILL it if it outstays ``timeout``."""
    if not process_alive(pid, marker):
        return
    os.kill(pid, signal.SIGTERM)
    if not wait_gone(pid, timeout):
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid, 5.0)
