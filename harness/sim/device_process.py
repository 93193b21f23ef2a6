"""One process per virtual device after the first: each phone has its own CPU, so should these.

The pool's daemon hosts its first device (and the services) itself and forks one child per
further device, before any thread exists and after the heavy imports (the Lua runtime, the
Android model), which the children then share copy-on-write. In one process every device shared
one event loop and one GIL: a device waking on I/O waited behind another's Lua frame or UI dump.

Each child talks to the daemon through two pipes:

- setup (daemon → child): one JSON line, sent once the services listen: their URLs and the
  pool's device properties. The child then starts its device and waits on this pipe; its end
  of file (the daemon closed it, or died) stops the child.
- ready (child → daemon): one JSON line once the device listens (serial, port, profile, pid).
  Its end of file tells the daemon the child is gone, and the daemon stops the pool: a pool
  with a device missing is not the pool that was asked for.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

REAP_TIMEOUT_S = 10.0

Configure = Callable[[Any, dict[str, str], dict[str, str]], Coroutine[Any, Any, None]]


@dataclass
class DeviceProcess:
    """The daemon's handle on one child: its pid and the daemon's ends of the two pipes."""

    pid: int
    setup: int
    ready: int

    def send_setup(self, urls: dict[str, str], props: dict[str, str]) -> None:
        os.write(self.setup, (json.dumps({"urls": urls, "props": props}) + "\n").encode())

    def read_ready(self) -> dict[str, Any]:
        """The child's ready line (blocking); raises if the child ended without one."""
        line = read_line(self.ready)
        if not line:
            raise RuntimeError(f"virtual device process {self.pid} exited before its device listened")
        data: dict[str, Any] = json.loads(line)
        return data

    def close(self) -> None:
        """Close the daemon's ends: the child sees end of file, shuts its device down and exits."""
        for fd in (self.setup, self.ready):
            try:
                os.close(fd)
            except OSError:
                pass


def stop_all(children: list[DeviceProcess]) -> None:
    """Tell every child to stop at once, then reap them one by one."""
    for child in children:
        child.close()
    for child in children:
        reap(child.pid, REAP_TIMEOUT_S)


def ready_entry(device: Any, profile: str) -> dict[str, Any]:
    """How the daemon's ready line lists a hosted device (``harness.sim.state.SimDevice``)."""
    return {"serial": device.serial, "device_port": device.port, "profile": profile, "pid": os.getpid()}


def read_line(fd: int) -> str:
    """One line from a pipe, byte by byte: nothing after it is consumed (its EOF is watched later)."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data.decode()


def reap(pid: int, timeout: float) -> None:
    """Wait for a child to exit (woken by its pidfd, no polling); SIGKILL it after `timeout`."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        exited, _, _ = select.select([pidfd], [], [], timeout)
        if not exited:
            log.warning("virtual device process %d did not stop in %gs: killed", pid, timeout)
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    finally:
        os.close(pidfd)


def fork_devices(ports: list[int], profile: str, configure: Configure) -> list[DeviceProcess]:
    """Fork one child per port; call before any thread starts (fork copies only the caller)."""
    children: list[DeviceProcess] = []
    for port in ports:
        setup_read, setup_write = os.pipe()
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for other in children:  # a sibling holding these would keep the other children alive
                    other.close()
                os.close(setup_write)
                os.close(ready_read)
                code = _child_main(setup_read, ready_write, port, profile, configure)
            except SystemExit as stop:  # SIGTERM
                code = stop.code if isinstance(stop.code, int) else 0
            except BaseException:
                log.exception("virtual device process for port %d failed", port)
            finally:
                sys.stderr.flush()
                os._exit(code)
        os.close(setup_read)
        os.close(ready_write)
        children.append(DeviceProcess(pid, setup_write, ready_read))
    return children


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _child_main(setup_fd: int, ready_fd: int, port: int, profile: str, configure: Configure) -> int:
    from harness.sim.host import DeviceHost

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the daemon stops the pool; it stops its children
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # only the daemon reports to the launcher
    os.close(devnull)
    line = read_line(setup_fd)
    if not line:
        return 0  # the daemon stopped before the services were up
    setup = json.loads(line)
    host = DeviceHost()
    try:
        device = host.add_device(profile, port=port)
        host.call(configure(device, setup["urls"], setup["props"]))
        os.write(ready_fd, (json.dumps(ready_entry(device, profile)) + "\n").encode())
        while os.read(setup_fd, 4096):  # until the daemon closes its end or dies
            pass
    finally:
        host.close()
    return 0
