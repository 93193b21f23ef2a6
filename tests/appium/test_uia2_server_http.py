"""The device's UiAutomator2-compatible server over plain HTTP through adb forward (no Appium):
how it starts and stops, and its W3C answers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import adbutils
import httpx
import pytest

from harness.android.adb import AdbServer
from harness.android.appium_session import SERVER_PACKAGE, server_apks
from harness.sim.host import HostedDevice
from harness.sim.uia2 import DEVICE_PORT, INSTRUMENTATION


class Instrumentation:
    """``adb shell am instrument -w …`` as the driver runs it, and a forward to port 6790."""

    def __init__(self, adb: AdbServer, serial: str) -> None:
        self.proc = subprocess.Popen(
            [adb.binary, "-P", str(adb.port), "-s", serial, "shell", f"am instrument -w {INSTRUMENTATION}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline()  # written once the server listens
        self.port = int(adb.run("-s", serial, "forward", "tcp:0", f"tcp:{DEVICE_PORT}").strip())
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)

    def finish(self) -> str:
        assert self.proc.stdout is not None
        rest = self.proc.stdout.read()
        self.proc.wait(timeout=10)
        return rest

    def close(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(
    private_adb: AdbServer, device: HostedDevice, adb_device: adbutils.AdbDevice
) -> Iterator[Instrumentation]:
    for apk in server_apks():
        adb_device.install(str(apk), nolaunch=True, silent=True)
    inst = Instrumentation(private_adb, device.serial)
    yield inst
    inst.close()


def session(server: Instrumentation) -> str:
    answer = server.http.post(
        "/session", json={"capabilities": {"firstMatch": [{"platformName": "Android"}]}}
    )
    assert answer.status_code == 200
    sid: str = answer.json()["sessionId"]
    return sid


def error_of(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()["value"]["error"]


def test_without_the_server_apks_the_instrumentation_fails_like_on_a_phone(
    private_adb: AdbServer, device: HostedDevice
) -> None:
    out = private_adb.run("-s", device.serial, "shell", f"am instrument -w {INSTRUMENTATION}", check=False)
    assert "INSTRUMENTATION_FAILED" in out or "Unable to find instrumentation info" in out


def test_status_sessions_and_delete_ends_the_instrumentation(
    server: Instrumentation, adb_device: adbutils.AdbDevice
) -> None:
    assert server.first_line.startswith("INSTRUMENTATION_STATUS")
    status = server.http.get("/status").json()["value"]
    assert status["ready"] is True and status["build"]["version"] == "10.6.6"
    assert server.http.get("/sessions").json()["value"] == []
    sid = session(server)
    assert [s["id"] for s in server.http.get("/sessions").json()["value"]] == [sid]
    assert any(line.endswith(SERVER_PACKAGE) for line in adb_device.shell("ps -A").splitlines())
    assert server.http.delete(f"/session/{sid}").status_code == 200
    assert "OK (1 test)" in server.finish()
    assert not any(line.endswith(SERVER_PACKAGE) for line in adb_device.shell("ps -A").splitlines())
    with pytest.raises(httpx.HTTPError):
        server.http.get("/status")


def test_the_server_process_is_gone_when_its_result_is_reported(
    server: Instrumentation, adb_device: adbutils.AdbDevice
) -> None:
    """The driver's deleteSession polls ``ps`` every 300 ms until the server process is gone; on a
    phone it is gone by the time ``am instrument -w`` prints the result, so the first poll passes."""
    sid = session(server)
    assert server.http.delete(f"/session/{sid}").status_code == 200
    assert server.proc.stdout is not None
    lines = []
    for line in server.proc.stdout:  # up to the result, without waiting for `am` to exit
        lines.append(line)
        if line.startswith("INSTRUMENTATION_CODE:"):
            break
    assert lines[-1].strip() == "INSTRUMENTATION_CODE: -1"
    assert not any(line.endswith(SERVER_PACKAGE) for line in adb_device.shell("ps -A").splitlines())


def test_force_stop_kills_the_server(server: Instrumentation, adb_device: adbutils.AdbDevice) -> None:
    session(server)
    adb_device.shell(f"am force-stop {SERVER_PACKAGE}")
    server.finish()
    with pytest.raises(httpx.HTTPError):
        server.http.get("/status")


def test_w3c_errors(server: Instrumentation) -> None:
    sid = session(server)
    http = server.http
    assert error_of(http.get("/session/not-a-session/source")) == (404, "invalid session id")
    assert error_of(http.get(f"/session/{sid}/no/such/route")) == (404, "unknown command")
    find = f"/session/{sid}/element"
    assert error_of(http.post(find, json={"strategy": "id", "selector": "x:id/none"})) == (
        404,
        "no such element",
    )
    assert error_of(http.post(find, json={"strategy": "xpath", "selector": "//*["})) == (
        400,
        "invalid selector",
    )
    assert error_of(http.post(find, json={"strategy": "css selector", "selector": "a"})) == (
        400,
        "invalid selector",
    )
    assert error_of(http.get(f"/session/{sid}/element/gone/text")) == (404, "stale element reference")
    assert error_of(http.get(f"/session/{sid}/alert/text")) == (404, "no such alert")
    assert error_of(http.post(f"/session/{sid}/actions", json={"actions": "tap"})) == (
        400,
        "invalid argument",
    )


def test_device_details_the_driver_reads(server: Instrumentation, adb_device: adbutils.AdbDevice) -> None:
    sid = session(server)
    get = lambda path: server.http.get(f"/session/{sid}{path}").json()["value"]  # noqa: E731
    density = int(adb_device.shell("wm density").split(":")[-1])
    assert get("/appium/device/pixel_ratio") == density / 160
    assert get("/appium/device/display_density") == density
    assert get("/appium/device/system_bars")["statusBar"] > 0
    assert get("/window/current/size") == {"width": 1080, "height": 2400}
    info = get("/appium/device/info")
    assert info["apiVersion"] == "34" and info["realDisplaySize"] == "1080x2400"
    assert info["model"] == adb_device.shell("getprop ro.product.model").strip()
    assert get("/appium/settings")["waitForIdleTimeout"] == 10000
