"""DeviceHost: devices on a background loop, visible to the real adb server, removable, thread-safe calls."""

from __future__ import annotations

import asyncio
import threading

import pytest
from adbd_fakes import FakeModel, fake_factory

from harness.android.adb import AdbServer
from harness.sim.host import DeviceHost

pytestmark = pytest.mark.timeout(60)


def test_add_remove_and_adb_sees_the_device_go(adb_server: AdbServer) -> None:
    with DeviceHost() as host:
        device = host.add_device("fake", model_factory=fake_factory())
        assert device.serial == f"127.0.0.1:{device.port}"
        assert host.devices == [device]
        adb_server.connect(device.serial)
        try:
            assert adb_server.device_states()[device.serial] == "device"
            host.remove_device(device)
            assert host.devices == []
            adb_server.run("-s", device.serial, "wait-for-disconnect", timeout=20)
            assert adb_server.device_states().get(device.serial, "gone") in ("offline", "gone")
        finally:
            adb_server.disconnect(device.serial)


def test_call_runs_on_the_host_loop_from_any_thread() -> None:
    with DeviceHost() as host:
        device = host.add_device("fake", model_factory=fake_factory())
        model = device.model
        assert isinstance(model, FakeModel)

        async def where() -> str:
            return threading.current_thread().name

        results: list[str] = []
        workers = [threading.Thread(target=lambda: results.append(host.call(where()))) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert results == ["sim-device-host"] * 4


def test_close_is_idempotent_and_refuses_new_work() -> None:
    host = DeviceHost()
    host.add_device("fake", model_factory=fake_factory())
    host.close()
    host.close()
    with pytest.raises(RuntimeError, match="closed"):
        host.call(asyncio.sleep(0))


def test_features_override_reaches_the_banner(adb_server: AdbServer) -> None:
    with DeviceHost() as host:
        device = host.add_device("fake", model_factory=fake_factory(), features=("shell_v2", "stat_v2"))
        adb_server.connect(device.serial)
        try:
            assert set(adb_server.run("-s", device.serial, "features").split()) == {"shell_v2", "stat_v2"}
        finally:
            adb_server.disconnect(device.serial)
