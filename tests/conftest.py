"""Fixtures every test area shares: a private real adb server, so no test touches the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.android.adb import AdbServer, adb_binary
from harness.ports import free_loopback_port


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
