"""Latency profiles: ``realistic`` adds a phone's delays on the device side, ``instant`` adds none.

The only timing assertions of the suite, with generous bounds: the minimum of a few calls (noise
only ever adds time) must carry the profile's delay, and ``instant`` must stay well below it.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.android.adb import AdbServer
from harness.config.models import VirtualPool
from harness.plugin.targets import virtual_device_props
from harness.sim.host import DeviceHost, HostedDevice
from harness.sim.latency import (
    PROFILES,
    PROP_LATENCY,
    SANDBOX_HEADER,
    delay_of,
    sandbox_delay,
    sandbox_headers,
)
from harness.sim.sandbox.client import SandboxClient
from harness.sim.uia2.app import Uia2Server

REALISTIC = PROFILES["realistic"]


def timings(call: Callable[[], Any], n: int = 5) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def test_profiles_are_device_properties_with_instant_by_default() -> None:
    assert delay_of({}, "adb") == 0 and delay_of({PROP_LATENCY: "instant"}, "appium") == 0
    assert delay_of({PROP_LATENCY: "realistic"}, "appium") == pytest.approx(0.100)
    assert delay_of({PROP_LATENCY: "realistic"}, "adb") == pytest.approx(0.020)
    assert delay_of({PROP_LATENCY: "realistic"}, "sandbox") == pytest.approx(0.150)
    assert delay_of({PROP_LATENCY: "snail"}, "sandbox") == 0  # unknown: instant (logged)
    assert sandbox_headers({}) == {}
    assert sandbox_headers({PROP_LATENCY: "realistic"}) == {SANDBOX_HEADER: "realistic"}
    assert sandbox_delay({"headers": [(SANDBOX_HEADER.encode(), b"realistic")]}) == pytest.approx(0.150)
    assert sandbox_delay({"headers": []}) == 0


def test_devices_yaml_latency_reaches_the_device_props() -> None:
    pool = VirtualPool.model_validate({"kind": "virtual", "count": 1, "latency": "realistic"})
    assert virtual_device_props(pool)[PROP_LATENCY] == "realistic"
    default = VirtualPool.model_validate({"kind": "virtual", "count": 1})
    assert PROP_LATENCY not in virtual_device_props(default)  # the device's default: instant
    assert delay_of(virtual_device_props(default), "adb") == 0


# ---------------------------------------------------------------- adbd: real adb, one virtual device


@pytest.fixture(scope="module")
def device(private_adb: AdbServer) -> Iterator[tuple[DeviceHost, HostedDevice]]:
    host = DeviceHost()
    hosted = host.add_device("pixel-7-api-34")
    private_adb.connect(hosted.serial)
    try:
        yield host, hosted
    finally:
        private_adb.disconnect(hosted.serial)
        host.remove_device(hosted)
        host.close()


def set_latency(host: DeviceHost, hosted: HostedDevice, name: str) -> None:
    model: Any = hosted.model

    async def apply() -> None:
        model.set_prop(PROP_LATENCY, name)

    host.call(apply())


def test_adbd_adds_about_20_ms_per_shell_call_only_when_realistic(private_adb: AdbServer, device) -> None:
    host, hosted = device
    dev = private_adb.client().device(hosted.serial)
    assert dev.shell("echo warm") == "warm"
    set_latency(host, hosted, "instant")
    instant = timings(lambda: dev.shell("echo hi"), 8)
    set_latency(host, hosted, "realistic")
    realistic = timings(lambda: dev.shell("echo hi"), 8)
    set_latency(host, hosted, "instant")
    assert min(realistic) >= REALISTIC.adb * 0.9, realistic
    assert statistics.median(realistic) - statistics.median(instant) >= REALISTIC.adb * 0.6, (
        instant,
        realistic,
    )
    assert statistics.median(realistic) < statistics.median(instant) + REALISTIC.adb + 0.5


# ---------------------------------------------------------------- the UiAutomator2 server's endpoint


class _Device:
    def __init__(self, latency: str) -> None:
        self.props = {PROP_LATENCY: latency}
        self.packages: dict[str, Any] = {}


def uia2_status_times(latency: str) -> list[float]:
    app = Uia2Server(_Device(latency), lambda: None).app()

    async def run() -> list[float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://uia2") as client:
            out = []
            for _ in range(4):
                started = time.perf_counter()
                response = await client.get("/status")
                out.append(time.perf_counter() - started)
                assert response.json()["value"]["ready"] is True
            return out

    return asyncio.run(run())


def test_the_uia2_server_adds_about_100_ms_per_command_only_when_realistic() -> None:
    instant, realistic = uia2_status_times("instant"), uia2_status_times("realistic")
    assert min(realistic) >= REALISTIC.appium * 0.9, realistic
    assert max(instant) < REALISTIC.appium / 2, instant
    assert statistics.median(realistic) < REALISTIC.appium + 0.5


# ---------------------------------------------------------------- the sandbox, as the device's SDK calls it


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from harness.sim.sandbox import create_app
    from harness.sim.sandbox.serve import ServedApp

    served = ServedApp(create_app(Path(tmp_path_factory.mktemp("sandbox")) / "sandbox.sqlite"))
    yield served.start()
    served.stop()


def test_the_sandbox_adds_about_150_ms_to_a_realistic_devices_calls_only(sandbox_url: str) -> None:
    with (
        SandboxClient(sandbox_url, headers=sandbox_headers({PROP_LATENCY: "realistic"})) as phone,
        SandboxClient(sandbox_url, headers=sandbox_headers({PROP_LATENCY: "instant"})) as fast,
    ):
        fast.audit(user_id="warm-up")
        instant = timings(lambda: fast.audit(user_id="u1"), 4)
        realistic = timings(lambda: phone.audit(user_id="u1"), 4)
    assert min(realistic) >= REALISTIC.sandbox * 0.9, realistic
    assert statistics.median(instant) < REALISTIC.sandbox / 2, instant
    assert statistics.median(realistic) < REALISTIC.sandbox + 0.5
