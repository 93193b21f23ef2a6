"""The exact shell outputs Appium's and adbutils' parsers need (TOOLCHAIN.md §3), in session order."""

from __future__ import annotations

import asyncio
import re

from harness.sim.android import InstrumentationRun

from .apps import game_apk, uia2_server_apk, uia2_test_apk
from .conftest import FakeIO

UIA2_TEST = "io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner"
UIA2 = "io.appium.uiautomator2.server"


def _appium_pids(ps_output: str, name: str) -> list[int]:
    """What appium-adb does: find PID and NAME columns by the header, then match names."""
    lines = ps_output.splitlines()
    header = next(i for i, ln in enumerate(lines) if "PID" in ln.split() and "NAME" in ln.split())
    cols = lines[header].split()
    pid_col, name_col = cols.index("PID"), cols.index("NAME")
    pids = []
    for ln in lines[header + 1 :]:
        fields = ln.split()
        if len(fields) == len(cols) and fields[name_col] == name:
            pids.append(int(fields[pid_col]))
    return pids


def test_getprop_api_level_is_an_integer_at_least_26(run):
    assert int(run(lambda r: r.sh("getprop ro.build.version.sdk")).out.strip()) >= 26


def test_ps_header_and_process_lookup(run, device):
    device.install_apk(game_apk())
    out = run(lambda r: r.sh("ps -A")).out
    assert _appium_pids(out, "com.example.game") == []
    assert len(_appium_pids(out, "system_server")) == 1
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    pid = device.activities.processes["com.example.game"].process.pid
    assert _appium_pids(run(lambda r: r.sh("ps -A")).out, "com.example.game") == [pid]
    assert "-A" in run(lambda r: r.sh("ps --help")).out


def test_query_app_state_outputs(run, device):
    device.install_apk(game_apk())
    listing = run(lambda r: r.sh("cmd package list packages --show-versioncode")).out
    assert re.search(r"^package:com\.example\.game versionCode:3$", listing, re.M)
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    procs = run(lambda r: r.sh("dumpsys activity processes")).out
    pids = {
        int(m.group(1)) for m in re.finditer(r"ProcessRecord\{[0-9a-f]+ (\d+):com\.example\.game/", procs)
    }
    assert pids == {device.activities.processes["com.example.game"].process.pid}
    window = run(lambda r: r.sh("dumpsys window displays")).out
    focus = re.search(r"^\s*mCurrentFocus.+\{.+\s([^\s/]+)/([^\s]+)\b", window, re.M)
    assert focus is not None and focus.group(1) == "com.example.game"
    app = re.search(r"^\s*mFocusedApp.+Record\{.*\s([^\s/}]+)/([^\s/},]+),?(\s[^\s/}]+)*\}", window, re.M)
    assert app is not None and app.groups()[:2] == ("com.example.game", "com.dynamo.android.DefoldActivity")


def test_activate_app_resolution(run, device):
    device.install_apk(game_apk())
    out = run(lambda r: r.sh("cmd package resolve-activity --brief com.example.game")).out
    pkg, act = out.strip().splitlines()[-1].split("/")
    r = run(
        lambda r: r.sh(
            f"am start-activity -a android.intent.action.MAIN -c android.intent.category.LAUNCHER "
            f"-f 0x10200000 -n {pkg}/{act}"
        )
    )
    assert r.code == 0
    for bad in (
        "Error: Activity class",
        "Error: Intent does not match",
        "unable to resolve Intent",
        "SecurityException",
    ):
        assert bad not in r.out + r.err


def test_adbutils_flows(run, device):
    device.fs.write("/data/local/tmp/unknown.apk", game_apk())
    assert "Success" in run(lambda r: r.sh("pm install -r -t /data/local/tmp/unknown.apk")).out
    assert run(lambda r: r.sh("rm /data/local/tmp/unknown.apk")).code == 0
    assert run(
        lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity; echo X4EXIT:$?")
    ).out.endswith("X4EXIT:0\n")
    r = run(lambda r: r.sh("monkey -p com.example.game -c android.intent.category.LAUNCHER 1"))
    assert r.code == 0
    assert run(lambda r: r.sh("am force-stop com.example.game")).out == ""
    assert run(lambda r: r.sh("logcat --clear")).code == 0


def test_appium_session_sequence_with_instrumentation(device):
    """createSession → deleteSession, with a handler standing in for the UiAutomator2 server."""
    device.install_apk(uia2_server_apk())
    device.install_apk(uia2_test_apk())
    device.install_apk(game_apk())

    async def server(run: InstrumentationRun) -> int:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readline()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            writer.close()

        await run.device.net.listen(6790, handle)
        await run.write("INSTRUMENTATION_STATUS: started\n")
        try:
            await run.stopped.wait()
        finally:
            await run.device.net.close_port(6790)
        return 0

    device.register_instrumentation(UIA2_TEST, server)

    async def session() -> dict[str, object]:
        async def sh(cmd: str) -> FakeIO:
            io = FakeIO()
            await device.shell(cmd, io)
            return io

        seen: dict[str, object] = {}
        seen["sdk"] = (await sh("getprop ro.build.version.sdk")).out
        seen["hidden"] = await device.shell(
            "settings put global hidden_api_policy_pre_p_apps 1;"
            "settings put global hidden_api_policy_p_apps 1;settings put global hidden_api_policy 1",
            FakeIO(),
        )
        log_io = FakeIO()
        logcat = asyncio.ensure_future(
            device.shell("export ANDROID_LOG_TAGS=''; exec logcat '-v' 'threadtime'", log_io)
        )
        await sh(f"am force-stop {UIA2}")
        await sh(f"am force-stop {UIA2}.test")
        inst_io = FakeIO()
        inst = asyncio.ensure_future(
            device.shell(f"am instrument -w -e disableAnalytics true {UIA2_TEST}", inst_io)
        )
        while "started" not in inst_io.out:
            inst_io.wrote.clear()
            await asyncio.wait_for(inst_io.wrote.wait(), 5)
        reader, writer = await device.net.open_connection(6790)
        writer.write(b"GET /status HTTP/1.1\r\n\r\n")
        seen["status"] = await reader.read()
        writer.close()
        seen["uia2_running"] = _appium_pids((await sh("ps -A")).out, UIA2)
        seen["start"] = (
            await sh(
                "am start-activity -W -n com.example.game/com.dynamo.android.DefoldActivity -S "
                "-a android.intent.action.MAIN -c android.intent.category.LAUNCHER -f 0x10200000"
            )
        ).out
        # deleteSession: the driver kills `am instrument`, then waits for the server process to vanish
        inst_io.closed.set()
        seen["inst_code"] = await asyncio.wait_for(inst, 5)
        seen["uia2_after"] = _appium_pids((await sh("ps -A")).out, UIA2)
        seen["services"] = await device.shell(
            "dumpsys activity services io.appium.settings/.recorder.RecorderService", FakeIO()
        )
        seen["delete"] = await device.shell(
            "settings delete global hidden_api_policy_pre_p_apps;"
            "settings delete global hidden_api_policy_p_apps;settings delete global hidden_api_policy",
            FakeIO(),
        )
        log_io.closed.set()
        await asyncio.wait_for(logcat, 5)
        seen["logcat_lines"] = log_io.out.splitlines()
        return seen

    seen = asyncio.run(session())
    assert seen["sdk"] == "34\n" and seen["hidden"] == 0 and seen["delete"] == 0
    assert seen["status"].endswith(b"ok")
    assert len(seen["uia2_running"]) == 1 and seen["uia2_after"] == []
    assert "LaunchState: COLD" in seen["start"] and seen["inst_code"] == 0
    assert seen["services"] == 0
    lines = seen["logcat_lines"]
    assert any("ActivityTaskManager: START u0 {act=android.intent.action.MAIN" in ln for ln in lines)


def test_instrument_without_handler_and_unknown(run, device):
    device.install_apk(uia2_server_apk())
    device.install_apk(uia2_test_apk())
    r = run(lambda r: r.sh(f"am instrument -w {UIA2_TEST}"))
    assert "OK (0 tests)" in r.out and r.code == 0
    assert _appium_pids(run(lambda r: r.sh("ps -A")).out, UIA2) == []
    r = run(lambda r: r.sh("am instrument -w com.nope/.Runner"))
    assert r.code == 1 and "INSTRUMENTATION_FAILED: com.nope/com.nope.Runner" in r.err


def test_force_stop_ends_instrumentation(device):
    device.install_apk(uia2_server_apk())
    device.install_apk(uia2_test_apk())

    async def scenario() -> tuple[int, str]:
        started = asyncio.Event()

        async def waits(run: InstrumentationRun) -> int:
            started.set()
            await run.stopped.wait()
            return 0

        device.register_instrumentation(UIA2_TEST, waits)
        io = FakeIO()
        task = asyncio.ensure_future(device.shell(f"am instrument -w {UIA2_TEST}", io))
        await asyncio.wait_for(started.wait(), 5)
        assert UIA2 in device.activities.processes
        await device.shell(f"am force-stop {UIA2}", FakeIO())
        code = await asyncio.wait_for(task, 5)
        return code, io.out

    code, out = asyncio.run(scenario())
    assert code == 0
    assert "INSTRUMENTATION_RESULT: shortMsg=Process crashed." in out
    assert UIA2 not in device.activities.processes
