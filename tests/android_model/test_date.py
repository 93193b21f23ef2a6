"""``date``: the device zone for wall-clock fields, UTC seconds for ``%s`` (logcat streams rely on it)."""

from __future__ import annotations

import time

from harness.sim.android.device import AndroidDevice

from .conftest import Runner


def test_epoch_seconds_ignore_the_device_time_zone(run) -> None:
    before = int(time.time())
    result = run(lambda r: r.sh("date +%s"))
    assert result.code == 0
    assert before <= int(result.out.strip()) <= int(time.time())


def test_utc_flag_and_literal_percent(run) -> None:
    assert run(lambda r: r.sh("date -u +%Z")).out.strip() == "UTC"
    assert run(lambda r: r.sh("date +%%s")).out.strip() == "%s"


def test_local_fields_follow_the_device_zone() -> None:
    import asyncio

    device = AndroidDevice("pixel-7-api-34", timezone="Asia/Tokyo")
    out = asyncio.run(Runner(device).sh("date +%Z")).out.strip()
    assert out == "JST"
