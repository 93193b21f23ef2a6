"""Fixtures for the virtual adbd: a private real adb server and virtual devices attached to it.

The adb server is the session-wide ``private_adb`` from ``tests/conftest.py`` (a real adb
on a free port; ``ANDROID_ADB_SERVER_PORT`` and ``ADBUTILS_ADB_PATH`` point the whole
test process at it, and it is killed with ``adb -P PORT kill-server`` at the end).
Devices run on one :class:`~harness.sim.host.DeviceHost` loop thread and are attached
with ``adb connect`` like network phones.
"""

from __future__ import annotations

import adbutils
import pytest
from adbd_fakes import AttachFn, fake_factory

from harness.android.adb import AdbServer
from harness.sim.host import HostedDevice


@pytest.fixture(scope="session")
def adb_server(private_adb: AdbServer) -> AdbServer:
    """The private real adb server (started by the root conftest), checked to answer."""
    assert private_adb.run("version").startswith("Android Debug Bridge")
    return private_adb


@pytest.fixture
def fake_device(attach: AttachFn) -> HostedDevice:
    """A device backed by the protocol-test fake model."""
    return attach("fake", model_factory=fake_factory())


@pytest.fixture
def fake_pair(attach: AttachFn) -> tuple[HostedDevice, HostedDevice]:
    return attach("fake", model_factory=fake_factory()), attach("fake", model_factory=fake_factory())


@pytest.fixture
def virtual_device(attach: AttachFn) -> HostedDevice:
    """A Pixel 7 / API 34 virtual device backed by the real Android model."""
    return attach("pixel-7-api-34")


@pytest.fixture
def virtual_pair(attach: AttachFn) -> tuple[HostedDevice, HostedDevice]:
    """Two independent virtual devices (real Android model), both attached to the private adb server."""
    return attach("pixel-7-api-34"), attach("pixel-7-api-34")


@pytest.fixture
def adb_client(adb_server: AdbServer) -> adbutils.AdbClient:
    return adb_server.client()
