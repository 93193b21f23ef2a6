"""Lease one device per xdist worker; quarantine a device that fails its health check.

Each worker is its own process, so the coordination lives in a shared run directory:

- ``devices/<id>.lock``: an OS file lock (filelock, ``flock``) held for the whole lease.
  The kernel is the source of truth: a worker that crashes releases its device with its
  file descriptors, so no lease outlives its process.
- ``quarantine.json``: devices taken out of the run, with the reason, the worker and the
  time, written under ``state.lock``. A quarantined device is never leased again in the run.
- ``leases.json``: who holds what, for messages and reports only.

Waiting for a busy pool does not poll in this code: one helper thread per candidate blocks
in ``FileLock.acquire`` and the first to get its lock wakes the caller through an Event;
the others are cancelled (``cancel_check``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

HealthCheck = Callable[[str], "bool | str | None"]
"""Returns None/True when the device is usable, or False/a reason string when it is not."""


class Mode(StrEnum):
    SHARD = "shard"  # each test once, on whichever device the worker leased
    EACH = "each"  # every test on every device (parametrized by device)


class NoDeviceAvailable(RuntimeError):
    """No device could be leased; the message says which are busy and which are quarantined."""


@dataclass(frozen=True)
class QuarantineRecord:
    device_id: str
    reason: str
    worker_id: str
    at: float


def _safe_name(device_id: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]", "_", device_id)[:60]
    digest = hashlib.sha256(device_id.encode()).hexdigest()[:8]
    return f"{readable}-{digest}"


def _worker_index(worker_id: str) -> int:
    digits = re.findall(r"\d+", worker_id)
    return int(digits[-1]) if digits else int(hashlib.sha256(worker_id.encode()).hexdigest(), 16) % 997


def _rotation(devices: Sequence[str], worker_id: str) -> list[str]:
    """The order a worker tries devices in: from its own index on, to spread workers over them."""
    start = _worker_index(worker_id) % len(devices)
    return [*devices[start:], *devices[:start]]


def first_choices(devices: Sequence[str], worker_ids: Sequence[str]) -> list[str]:
    """The devices these workers lease when all are free and healthy (``--prewarm`` opens them)."""
    chosen: list[str] = []
    for worker in worker_ids:
        device = _rotation(devices, worker)[0] if devices else None
        if device is not None and device not in chosen:
            chosen.append(device)
    return chosen


class Lease:
    """A device held by one worker until `release()` (or the process ends)."""

    def __init__(self, pool: DevicePool, device_id: str, worker_id: str, lock: FileLock) -> None:
        self.pool, self.device_id, self.worker_id = pool, device_id, worker_id
        self._lock = lock
        self.acquired_at = time.time()

    @property
    def active(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        self.pool.release(self)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Lease({self.device_id!r}, worker={self.worker_id!r}, active={self.active})"


class DevicePool:
    """The devices of one pool, shared by all worker processes through `run_dir`."""

    def __init__(self, devices: Sequence[str], run_dir: str | Path) -> None:
        if len(set(devices)) != len(devices):
            raise ValueError(f"device ids must be unique, got {list(devices)}")
        self.devices = list(devices)
        self.run_dir = Path(run_dir)
        (self.run_dir / "devices").mkdir(parents=True, exist_ok=True)
        self._state_lock = self._file_lock(self.run_dir / "state.lock")

    # ---------------------------------------------------------------- files

    @staticmethod
    def _file_lock(path: Path) -> FileLock:
        # thread_local=False: a helper thread may acquire the lock the caller later releases.
        return FileLock(path, thread_local=False, preserve_lock_file=True)

    def _device_lock(self, device_id: str) -> FileLock:
        return self._file_lock(self.run_dir / "devices" / f"{_safe_name(device_id)}.lock")

    def _read(self, name: str) -> dict[str, Any]:
        path = self.run_dir / name
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        path = self.run_dir / name
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
        tmp.replace(path)

    # ---------------------------------------------------------------- queries

    def quarantined(self) -> dict[str, QuarantineRecord]:
        with self._state_lock:
            raw = self._read("quarantine.json")
        return {k: QuarantineRecord(k, v["reason"], v["worker"], v["at"]) for k, v in raw.items()}

    def holders(self) -> dict[str, str]:
        """device → worker, as recorded (informative: the file locks are the truth)."""
        with self._state_lock:
            return {k: v["worker"] for k, v in self._read("leases.json").items()}

    # ---------------------------------------------------------------- changes

    def quarantine(self, device_id: str, reason: str, worker_id: str) -> QuarantineRecord:
        """Take a device out of this run; the reason goes to quarantine.json for the report."""
        record = QuarantineRecord(device_id, reason, worker_id, time.time())
        with self._state_lock:
            data = self._read("quarantine.json")
            data.setdefault(device_id, {"reason": reason, "worker": worker_id, "at": record.at})
            self._write("quarantine.json", data)
        return record

    def _record_lease(self, device_id: str, worker_id: str, held: bool) -> None:
        with self._state_lock:
            data = self._read("leases.json")
            if held:
                data[device_id] = {"worker": worker_id, "pid": os.getpid(), "since": time.time()}
            else:
                data.pop(device_id, None)
            self._write("leases.json", data)

    def release(self, lease: Lease) -> None:
        if lease._lock.is_locked:
            self._record_lease(lease.device_id, lease.worker_id, held=False)
            lease._lock.release(force=True)

    # ---------------------------------------------------------------- leasing

    def lease(self, worker_id: str, health_check: HealthCheck | None = None, timeout: float = 0.0) -> Lease:
        """Shard mode: any healthy free device; waits up to `timeout` s when all are busy."""
        deadline = time.monotonic() + timeout
        while True:
            candidates = self._candidates(worker_id)
            got = self._try_each(candidates)
            if got is None:
                got = self._wait_any(candidates, deadline - time.monotonic())
            if got is None:
                raise NoDeviceAvailable(self._busy_message(timeout))
            lease = self._checked(got[0], got[1], worker_id, health_check)
            if lease is not None:
                return lease

    def lease_device(
        self, device_id: str, worker_id: str, health_check: HealthCheck | None = None, timeout: float = 0.0
    ) -> Lease:
        """Each mode: this very device; waits up to `timeout` s while another worker holds it."""
        if device_id not in self.devices:
            raise NoDeviceAvailable(f"device {device_id!r} is not in this pool ({', '.join(self.devices)})")
        if device_id in self.quarantined():
            raise NoDeviceAvailable(self._quarantine_line(device_id))
        got = self._try_each([device_id]) or self._wait_any([device_id], timeout)
        if got is None:
            raise NoDeviceAvailable(
                f"device {device_id!r} stayed busy for {timeout:g}s: {self._busy_message(timeout)}"
            )
        lease = self._checked(got[0], got[1], worker_id, health_check)
        if lease is None:
            raise NoDeviceAvailable(self._quarantine_line(device_id))
        return lease

    def _candidates(self, worker_id: str) -> list[str]:
        quarantined = self.quarantined()
        usable = [d for d in self.devices if d not in quarantined]
        if not usable:
            raise NoDeviceAvailable(
                "every device of the pool is quarantined for this run:\n  "
                + "\n  ".join(self._quarantine_line(d) for d in self.devices)
            )
        return _rotation(usable, worker_id)

    def _try_each(self, candidates: Sequence[str]) -> tuple[str, FileLock] | None:
        for device_id in candidates:
            lock = self._device_lock(device_id)
            try:
                lock.acquire(blocking=False)
            except Timeout:
                continue
            return device_id, lock
        return None

    def _wait_any(self, candidates: Sequence[str], timeout: float) -> tuple[str, FileLock] | None:
        """Block until any candidate's lock is free (or `timeout`); first one wins."""
        if timeout <= 0:
            return None
        won = threading.Event()
        guard = threading.Lock()
        result: list[tuple[str, FileLock]] = []

        def wait_for(device_id: str) -> None:
            lock = self._device_lock(device_id)
            try:
                lock.acquire(timeout=timeout, cancel_check=won.is_set)
            except Timeout:
                return
            with guard:
                if not result:
                    result.append((device_id, lock))
                    won.set()
                    return
            lock.release(force=True)  # someone else won: give it straight back

        threads = [threading.Thread(target=wait_for, args=(d,), daemon=True) for d in candidates]
        for thread in threads:
            thread.start()
        won.wait(timeout)
        won.set()  # cancel the losers
        for thread in threads:
            thread.join()
        return result[0] if result else None

    def _checked(
        self, device_id: str, lock: FileLock, worker_id: str, health_check: HealthCheck | None
    ) -> Lease | None:
        """Health-check a locked device; quarantine and unlock it when unhealthy."""
        if device_id in self.quarantined():  # quarantined by another worker meanwhile
            lock.release(force=True)
            return None
        reason: str | None = None
        if health_check is not None:
            try:
                verdict = health_check(device_id)
            except Exception as exc:  # a crashing check is an unhealthy device, not a crashed run
                verdict = f"health check raised {type(exc).__name__}: {exc}"
            if verdict is False:
                reason = "health check failed"
            elif isinstance(verdict, str):
                reason = verdict
        if reason is not None:
            self.quarantine(device_id, reason, worker_id)
            lock.release(force=True)
            return None
        self._record_lease(device_id, worker_id, held=True)
        return Lease(self, device_id, worker_id, lock)

    def _quarantine_line(self, device_id: str) -> str:
        record = self.quarantined().get(device_id)
        if record is None:
            return f"{device_id}: not quarantined"
        return f"{device_id}: quarantined by {record.worker_id}: {record.reason}"

    def _busy_message(self, timeout: float) -> str:
        holders = self.holders()
        quarantined = self.quarantined()
        parts = [
            f"{d} (held by {holders.get(d, 'another worker')})" for d in self.devices if d not in quarantined
        ] + [f"{d} (quarantined: {quarantined[d].reason})" for d in self.devices if d in quarantined]
        return f"no free device after {timeout:g}s; devices: " + ", ".join(parts)


def device_params(mode: Mode | str, devices: Sequence[str]) -> list[str | None]:
    """What to parametrize a test's device with: every device in `each` mode, one 'any' in `shard`."""
    return list(devices) if Mode(mode) is Mode.EACH else [None]


def xdist_group(device_id: str) -> str:
    """Group name for `pytest -n N --dist loadgroup`: all tests of one device go to one worker."""
    return f"device-{device_id}"
