"""Hand an open Appium session from the process that opened it to the process that drives it.

With ``--prewarm``, xdist's controller opens each device's session while the workers start
(``harness.plugin.prewarm``); the worker that leases the device takes that session over
instead of opening a second one. The processes meet in a folder, per device:

- ``<device>.lock``: an OS file lock (``flock``) the opener takes before any worker exists and
  holds until the session is open (or has failed), so a worker that asks early blocks in
  ``flock(2)`` and is woken by the kernel when the opener lets go: no polling.
- ``<device>.json``: the open session (id, capabilities, the driver's ``systemPort``).
  Claiming removes it under the lock, so exactly one process ends up owning the session; the
  sessions nobody claimed stay the opener's to close.
- ``<device>.back``: the claimer is done (its run is over) and hands the session back, still
  open: the opener closes it while the claimer's process shuts down, instead of the claimer
  waiting for Appium to tear it down first.

A device the opener never reserved has no lock file: claiming it returns at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

CLAIM_TIMEOUT_S = 300.0
"""How long a worker waits for the opener: Appium's start plus a first session on a slow phone."""


@dataclass(frozen=True)
class OpenSession:
    """An Appium session another process opened for `udid`."""

    udid: str
    session_id: str
    capabilities: dict[str, Any]
    system_port: int


def _file_name(udid: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]", "_", udid)[:60]
    return f"{readable}-{hashlib.sha256(udid.encode()).hexdigest()[:8]}"


def _lock_waiting(path: Path, timeout: float) -> int | None:
    """An exclusive flock on `path`, waited for in the kernel: a helper thread blocks in flock(2)
    and is woken when the holder lets go, while the caller waits on an Event. Returns the locked
    descriptor, or None after `timeout` (the helper then gives the lock back when it gets it)."""
    fd = os.open(path, os.O_RDWR)
    got = threading.Event()
    guard = threading.Lock()
    abandoned = False

    def wait_for_lock() -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if abandoned:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                return
            got.set()

    threading.Thread(target=wait_for_lock, name="handoff-claim", daemon=True).start()
    if got.wait(timeout):
        return fd
    with guard:
        if got.is_set():
            return fd
        abandoned = True
    return None


class Reservation:
    """The opener's hold on one device until it offers the session or gives up."""

    def __init__(self, handoff: SessionHandoff, key: str, lock: FileLock) -> None:
        self.handoff, self.key, self._lock = handoff, key, lock

    def offer(self, session: OpenSession) -> None:
        """Publish the open session and let a waiting claimer in."""
        try:
            self.handoff._write(self.key, session)
        finally:
            self.release()

    def release(self) -> None:
        """Give up without a session (or after offering): claimers open their own."""
        if self._lock.is_locked:
            self._lock.release(force=True)


class SessionHandoff:
    """Open sessions waiting in `folder`, each under a key (the device's id in the pool), for the
    worker that leases that device."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _lock(self, stem: str) -> FileLock:
        # thread_local=False: the opener reserves in one thread and offers from another.
        return FileLock(self.folder / f"{stem}.lock", thread_local=False, preserve_lock_file=True)

    def _write(self, key: str, session: OpenSession) -> None:
        path = self.folder / f"{_file_name(key)}.json"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(session)))
        tmp.replace(path)

    def reserve(self, key: str) -> Reservation:
        """The opener's first step, before any claimer can look: claimers of `key` now wait."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = self._lock(_file_name(key))
        lock.acquire(blocking=False)  # nobody else reserves: a Timeout here is a bug, and says so
        return Reservation(self, key, lock)

    def claim(self, key: str, timeout: float = CLAIM_TIMEOUT_S) -> OpenSession | None:
        """The session opened under `key`, now the caller's; None when none was (or will be) offered.

        Waits while the opener is still opening it.
        """
        stem = _file_name(key)
        path = self.folder / f"{stem}.lock"
        if not path.exists():
            return None
        fd = _lock_waiting(path, timeout)
        if fd is None:
            return None  # the opener is stuck: open a session of our own rather than wait forever
        try:
            return self._take(stem)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _take(self, stem: str) -> OpenSession | None:
        path = self.folder / f"{stem}.json"
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        path.unlink()
        return OpenSession(**data)

    def give_back(self, key: str, session: OpenSession) -> None:
        """The claimer is done with the session: it goes back to the opener, which closes it."""
        path = self.folder / f"{_file_name(key)}.back"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(session)))
        tmp.replace(path)

    def given_back(self) -> list[OpenSession]:
        """Sessions handed back so far, each to exactly one caller (it takes the file by renaming it)."""
        found = []
        for path in sorted(self.folder.glob("*.back")):
            taken = path.with_suffix(f".closing-{os.getpid()}-{threading.get_ident()}")
            try:
                path.rename(taken)
            except FileNotFoundError:
                continue  # another caller took it
            found.append(OpenSession(**json.loads(taken.read_text())))
            taken.unlink()
        return found

    def unclaimed(self) -> list[OpenSession]:
        """The offered sessions nobody took (removed from the folder: the caller closes them)."""
        found = []
        for path in sorted(self.folder.glob("*.json")):
            lock = self._lock(path.stem)
            with lock:
                session = self._take(path.stem)
            if session is not None:
                found.append(session)
        return found
