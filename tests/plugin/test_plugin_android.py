"""Device services on a virtual device behind the real adb server: AndroidDevice, LogcatStream, health."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from harness.android.adb import AdbError, AdbServer
from harness.android.device import AndroidDevice
from harness.android.health import health_reason, run_checks
from harness.android.logcat import MARK_TAG, LogcatStream
from harness.sim.android.apk import (
    ACTION_MAIN,
    ACTION_VIEW,
    CATEGORY_BROWSABLE,
    CATEGORY_DEFAULT,
    CATEGORY_LAUNCHER,
    RUNTIME_META_KEY,
    ActivitySpec,
    DataSpec,
    IntentFilterSpec,
    ManifestSpec,
    build_apk,
)
from harness.sim.state import SimState

PACKAGE = "com.example.plugintest"
MAIN = "com.example.plugintest.Main"


@pytest.fixture
def android(virtual_env: SimState, adb_env: AdbServer) -> AndroidDevice:
    return AndroidDevice(virtual_env.devices[0].serial, adb_env, pool="virtual")


def test_identity_is_read_once_and_reported(android: AndroidDevice) -> None:
    assert android.model == "Pixel 7" and android.sdk == 34 and android.release == "14"
    assert android.info() == {
        "serial": android.serial,
        "model": "Pixel 7",
        "sdk": "34",
        "release": "14",
        "pool": "virtual",
    }
    assert android.state() == "device"


def test_run_keeps_exit_status_and_check_raises(android: AndroidDevice) -> None:
    assert android.run("echo hi; exit 3").returncode == 3
    assert android.run("echo hi").output.strip() == "hi"
    with pytest.raises(AdbError, match=r"exited 7"):
        android.run("exit 7").check()


def test_screenshot_is_png(android: AndroidDevice) -> None:
    png = android.screenshot()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in png[-16:]


def test_install_once_start_view_stop_clear(android: AndroidDevice, tmp_path: Path) -> None:
    manifest = ManifestSpec(
        package=PACKAGE,
        version_code=1,
        version_name="1.0",
        label="Plugin Test",
        activities=[
            ActivitySpec(
                MAIN, exported=True, intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])]
            ),
            ActivitySpec(
                "com.example.plugintest.Return",
                exported=True,
                intent_filters=[
                    IntentFilterSpec(
                        [ACTION_VIEW], [CATEGORY_DEFAULT, CATEGORY_BROWSABLE], [DataSpec(scheme="ptest")]
                    )
                ],
            ),
        ],
        meta_data={RUNTIME_META_KEY: "generic"},
    )
    apk = tmp_path / "plugintest.apk"
    apk.write_bytes(build_apk(manifest))
    assert android.install(apk) is True
    assert android.install(apk) is False, "a second install in the same run is skipped"
    assert android.is_installed(PACKAGE) and not android.is_installed(PACKAGE + ".missing")
    android.app_start(PACKAGE, MAIN)
    assert PACKAGE in android.shell("dumpsys activity activities")
    result = android.am_start_view("ptest://return?x=1", PACKAGE)
    assert "Error" not in result.output
    android.force_stop(PACKAGE)
    android.clear(PACKAGE)
    with pytest.raises(AdbError):
        android.clear(PACKAGE + ".missing")


def test_ui_dump_is_the_view_hierarchy(android: AndroidDevice) -> None:
    xml = android.ui_dump()
    assert xml.startswith("<?xml") and "<hierarchy" in xml and xml.rstrip().endswith("</hierarchy>")


def test_logcat_stream_fans_out_marks_and_stops_cleanly(android: AndroidDevice) -> None:
    stream = LogcatStream(android.ad).start()
    received: list[str] = []
    got_two = threading.Event()

    def collect(line: str) -> None:
        if "PluginTest" in line:
            received.append(line)
            if len(received) == 2:
                got_two.set()

    def broken(line: str) -> None:
        raise ValueError("a consumer bug")

    stream.subscribe(broken)
    unsubscribe = stream.subscribe(collect)
    first = stream.mark()
    android.shell(["log", "-t", "PluginTest", "one"])
    stream.wait_for("PluginTest.*one", first, timeout=20)
    second = stream.mark()
    android.shell(["log", "-t", "PluginTest", "two"])
    assert got_two.wait(20), received
    stream.wait_for("two", second, timeout=20)
    excerpt = stream.excerpt(second).text()
    assert "two" in excerpt and "one" not in excerpt
    assert "one" in stream.excerpt(first).text()
    assert stream.subscriber_errors and "a consumer bug" in stream.subscriber_errors[0]
    unsubscribe()
    with pytest.raises(TimeoutError, match="never"):
        stream.wait_for("never", timeout=0.2)
    stream.stop()
    assert not stream.alive and stream.ended.is_set() and stream.error is None


def test_health_on_a_virtual_device_and_an_absent_one(android: AndroidDevice, adb_env: AdbServer) -> None:
    assert health_reason(android, real_device=False) is None
    assert [c.name for c in run_checks(android, real_device=False)] == ["adb state", "boot", "sdk"]
    checks = {c.name: c for c in run_checks(android, real_device=True)}
    assert checks["RuStore app"].ok, "sim up installs the RuStore app on every virtual device"
    assert health_reason(android, min_sdk=35, real_device=True) == "sdk: API 34 is below the minimum API 35"
    absent = AndroidDevice("127.0.0.1:9", adb_env)
    assert health_reason(absent) == (
        "adb state: adb state is 'absent': "
        "connect it (USB, or `adb connect HOST:PORT`) and check `adb devices -l`"
    )


def test_sync_mark_is_after_everything_logged_before_it(android: AndroidDevice) -> None:
    with LogcatStream(android.ad) as stream:
        for n in range(3):
            android.shell(["log", "-t", "PluginTest", f"before-{n}"])
            mark = stream.sync_mark(f"start {n}")  # no wait for before-N: sync_mark must cover it
            android.shell(["log", "-t", "PluginTest", f"after-{n}"])
            stream.wait_for(f"after-{n}", mark, timeout=20)
            excerpt = stream.excerpt(mark).lines
            assert excerpt[0].endswith(f"{MARK_TAG}: start {n} #{n + 1}-{id(stream):x}")
            assert not any(f"before-{n}" in line for line in excerpt)
            assert any(f"after-{n}" in line for line in excerpt)


def test_an_install_leaves_files_it_did_not_push_alone(android: AndroidDevice, tmp_path: Path) -> None:
    """Another installer's APK in flight (--prewarm's controller installs the UiAutomator2 server
    while a worker installs the game) must survive this install: each APK travels under a name of
    its own. adbutils alone pushed every APK to /data/local/tmp/unknown.apk and deleted it after."""
    in_flight = tmp_path / "in-flight.apk"
    in_flight.write_bytes(b"another installer's APK")
    for name in ("unknown.apk", "other.apk"):
        android.ad.sync.push(in_flight, f"/data/local/tmp/{name}")
    spec = ManifestSpec(package=f"{PACKAGE}.flight", version_code=1, version_name="1.0", label="f")
    apk = tmp_path / "flight.apk"
    apk.write_bytes(build_apk(spec))
    before = android.shell("ls /data/local/tmp").split()
    assert android.install(apk, force=True) is True
    assert android.is_installed(f"{PACKAGE}.flight")
    assert android.shell("ls /data/local/tmp").split() == before  # its own file came and went
    for name in ("unknown.apk", "other.apk"):
        assert android.ad.sync.read_bytes(f"/data/local/tmp/{name}") == b"another installer's APK"
