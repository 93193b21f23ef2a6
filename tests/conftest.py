"""Fixtures every test area shares: a private real adb server, so no test touches the user's, and
virtual devices attached to it (`attach`), all on one device host per session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

# httpx imports httpcore on first use and caches httpcore's exception classes then; pytester
# drops every module a test imported, so a later re-import would bring classes that cache no
# longer matches and raw httpcore errors would escape httpx. One httpcore for the whole session:
import httpcore  # noqa: F401
import pytest

from harness.android.adb import AdbServer, adb_binary
from harness.ports import free_loopback_port
from harness.sim.device_api import DeviceModel
from harness.sim.host import DeviceHost, HostedDevice


@pytest.fixture(scope="session")
def private_adb() -> Iterator[AdbServer]:
    """A real adb server on a free port for this test session (each xdist worker has its own).

    ``ANDROID_ADB_SERVER_PORT`` and ``ADBUTILS_ADB_PATH`` are set for the whole process, so
    adbutils, the harness and any ``adb`` child process reach this server, not port 5037.
    """
    server = AdbServer(port=free_loopback_port(), binary=adb_binary())
    saved = {k: os.environ.get(k) for k in ("ANDROID_ADB_SERVER_PORT", "ADBUTILS_ADB_PATH")}
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(server.port)
    os.environ["ADBUTILS_ADB_PATH"] = server.binary
    server.start()
    try:
        yield server
    finally:
        server.kill()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def device_host() -> Iterator[DeviceHost]:
    """One loop thread for this session's virtual devices (tests/device, tests/appium)."""
    host = DeviceHost()
    try:
        yield host
    finally:
        host.close()


@pytest.fixture
def attach(private_adb: AdbServer, device_host: DeviceHost) -> Iterator[Callable[..., HostedDevice]]:
    """Start a virtual device, ``adb connect`` it and wait for state ``device``; undone at teardown."""
    attached: list[HostedDevice] = []

    def _attach(
        profile: str = "pixel-7-api-34",
        *,
        model_factory: Callable[[str], DeviceModel] | None = None,
        features: tuple[str, ...] | None = None,
    ) -> HostedDevice:
        device = device_host.add_device(profile, model_factory=model_factory, features=features)
        attached.append(device)
        private_adb.connect(device.serial)
        state = private_adb.run("-s", device.serial, "get-state").strip()
        assert state == "device", f"{device.serial} is {state!r}"
        return device

    yield _attach
    for device in attached:
        private_adb.disconnect(device.serial)
        device_host.remove_device(device)
