"""Device leasing across worker processes: exclusive, quarantine-aware, crash-safe."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harness.pool import DevicePool, Mode, NoDeviceAvailable, device_params, first_choices, xdist_group

DEVICES = ["phone-a", "phone-bad", "phone-b"]
ROUNDS = 12
CTX = multiprocessing.get_context("fork")


def health(device_id: str) -> str | None:
    return "adb state: offline" if device_id == "phone-bad" else None


def busy_work() -> None:
    data = b"x" * 100_000
    for _ in range(60):
        data = hashlib.sha256(data).digest() * 3000


def worker(run_dir: str, worker_id: str, occupancy: Any, peak: Any, uses: Any, start: Any) -> None:
    pool = DevicePool(DEVICES, run_dir)
    start.wait()
    for _ in range(ROUNDS):
        lease = pool.lease(worker_id, health, timeout=60)
        index = DEVICES.index(lease.device_id)
        with occupancy.get_lock():
            occupancy[index] += 1
            peak[index] = max(peak[index], occupancy[index])
            uses[index] += 1
        busy_work()  # hold the device a while, so the other workers contend for it
        with occupancy.get_lock():
            occupancy[index] -= 1
        lease.release()


def test_four_worker_processes_share_two_healthy_devices(tmp_path: Path) -> None:
    occupancy = CTX.Array("i", len(DEVICES))
    peak = CTX.Array("i", len(DEVICES))
    uses = CTX.Array("i", len(DEVICES))
    start = CTX.Barrier(4)
    procs = [
        CTX.Process(target=worker, args=(str(tmp_path), f"gw{n}", occupancy, peak, uses, start))
        for n in range(4)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    a, bad, b = (DEVICES.index(d) for d in DEVICES)
    assert uses[bad] == 0  # the quarantined device was never handed out
    assert uses[a] + uses[b] == 4 * ROUNDS
    assert uses[a] > 0 and uses[b] > 0
    assert peak[a] == 1 and peak[b] == 1  # never two workers on one device at once
    quarantine = json.loads((tmp_path / "quarantine.json").read_text())
    assert list(quarantine) == ["phone-bad"]
    assert quarantine["phone-bad"]["reason"] == "adb state: offline"
    assert quarantine["phone-bad"]["worker"].startswith("gw")
    assert json.loads((tmp_path / "leases.json").read_text()) == {}


def hold_and_die(run_dir: str, ready: Any) -> None:
    DevicePool(["solo"], run_dir).lease("gw9")
    ready.set()
    # exits without release(): the kernel frees the lock with the process


def test_a_crashed_worker_does_not_keep_its_device(tmp_path: Path) -> None:
    ready = CTX.Event()
    proc = CTX.Process(target=hold_and_die, args=(str(tmp_path), ready))
    proc.start()
    proc.join(30)
    assert ready.is_set() and proc.exitcode == 0
    lease = DevicePool(["solo"], tmp_path).lease("gw0")
    assert lease.device_id == "solo" and lease.active


def test_busy_pool_message_and_quarantine_of_every_device(tmp_path: Path) -> None:
    pool = DevicePool(["p1", "p2"], tmp_path)
    first, second = pool.lease("gw0"), pool.lease("gw1")
    assert {first.device_id, second.device_id} == {"p1", "p2"}
    with pytest.raises(NoDeviceAvailable) as info:
        pool.lease("gw2")
    assert str(info.value) == "no free device after 0s; devices: p1 (held by gw0), p2 (held by gw1)"
    first.release()
    second.release()
    with pytest.raises(NoDeviceAvailable) as info:
        pool.lease("gw0", health_check=lambda d: False if d == "p1" else "RuStore app not authorized")
    assert str(info.value) == (
        "every device of the pool is quarantined for this run:\n"
        "  p1: quarantined by gw0: health check failed\n"
        "  p2: quarantined by gw0: RuStore app not authorized"
    )


def test_health_check_that_raises_quarantines_with_the_error(tmp_path: Path) -> None:
    def explode(device_id: str) -> None:
        raise ConnectionError("adb: device 'p1' not found")

    pool = DevicePool(["p1", "p2"], tmp_path)
    calls: list[str] = []

    def check(device_id: str) -> str | None:
        calls.append(device_id)
        return explode(device_id) if device_id == "p1" else None

    lease = pool.lease("gw0", check)
    assert lease.device_id == "p2" and calls == ["p1", "p2"]
    assert (
        pool.quarantined()["p1"].reason == "health check raised ConnectionError: adb: device 'p1' not found"
    )


def test_waiting_lease_wakes_when_a_device_is_released(tmp_path: Path) -> None:
    pool = DevicePool(["p1"], tmp_path)
    held = pool.lease("gw0")
    released_at: list[float] = []

    def release_later() -> None:
        released_at.append(time.monotonic())
        held.release()

    timer = threading.Timer(0.3, release_later)
    timer.start()
    lease = DevicePool(["p1"], tmp_path).lease("gw1", timeout=10)
    woke_at = time.monotonic()
    timer.join()
    assert lease.device_id == "p1"
    assert woke_at - released_at[0] < 0.5  # woke on the release, far before the 10 s timeout


def test_each_mode_leases_a_specific_device(tmp_path: Path) -> None:
    pool = DevicePool(["p1", "p2"], tmp_path)
    with pool.lease_device("p2", "gw0") as lease:
        assert lease.device_id == "p2"
        with pytest.raises(NoDeviceAvailable, match=r"device .p2. stayed busy for 0\.1s"):
            DevicePool(["p1", "p2"], tmp_path).lease_device("p2", "gw1", timeout=0.1)
    assert not lease.active
    pool.quarantine("p1", "SDK level 23 < 24", "gw3")
    with pytest.raises(NoDeviceAvailable, match="p1: quarantined by gw3: SDK level 23 < 24"):
        pool.lease_device("p1", "gw0")
    assert device_params(Mode.EACH, ["p1", "p2"]) == ["p1", "p2"]
    assert device_params("shard", ["p1", "p2"]) == [None]
    assert xdist_group("p1") == "device-p1"


def test_first_choices_are_the_devices_free_workers_lease(tmp_path: Path) -> None:
    """--prewarm opens sessions on these: they must be the devices the workers then lease."""
    devices = ["a", "b", "c"]
    assert first_choices(devices, ["gw0", "gw1"]) == ["a", "b"]
    assert first_choices(devices, ["gw0", "gw1", "gw2", "gw3"]) == ["a", "b", "c"]  # gw3 shares a
    assert first_choices([], ["gw0"]) == []
    pool = DevicePool(devices, tmp_path)
    leased = [pool.lease(worker).device_id for worker in ("gw0", "gw1")]
    assert leased == first_choices(devices, ["gw0", "gw1"])
