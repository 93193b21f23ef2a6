"""Properties, settings, wm, input delivery, screencap, ps/pidof/kill and the device profiles."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from harness.sim.android import Activity, AndroidDevice, AppRuntime, register_runtime
from harness.sim.android.apk import RUNTIME_META_KEY, build_apk

from .apps import game_manifest


def test_getprop_single_and_listing(run):
    assert run(lambda r: r.sh("getprop ro.build.version.sdk")).out == "34\n"
    assert run(lambda r: r.sh("getprop ro.build.version.release")).out == "14\n"
    assert run(lambda r: r.sh("getprop sys.boot_completed")).out == "1\n"
    assert run(lambda r: r.sh("getprop no.such.prop")).out == "\n"
    listing = run(lambda r: r.sh("getprop")).out
    assert "[ro.product.model]: [Pixel 7]\n" in listing
    assert "[ro.serialno]: [RSVTEST001]\n" in listing
    assert "[persist.sys.timezone]: [Europe/Moscow]\n" in listing


def test_setprop(run):
    assert run(lambda r: r.sh("setprop debug.harness.flag on; getprop debug.harness.flag")).out == "on\n"
    r = run(lambda r: r.sh("setprop ro.build.version.sdk 99"))
    assert r.code == 1 and "Failed to set property 'ro.build.version.sdk'" in r.err


def test_profiles():
    pixel, old = AndroidDevice("pixel-7-api-34"), AndroidDevice("api-28")
    assert (pixel.props["ro.product.cpu.abi"], pixel.display.size, pixel.display.density) == (
        "x86_64",
        (1080, 2400),
        420,
    )
    assert (old.props["ro.build.version.sdk"], old.props["ro.build.version.release"]) == ("28", "9")
    assert old.display.size == (1080, 1920)
    assert old.identity.model == old.props["ro.product.model"]
    with pytest.raises(KeyError):
        AndroidDevice("no-such-phone")


def test_settings_round_trip_and_errors(run):
    r = run(
        lambda r: r.sh(
            "settings put global hidden_api_policy_pre_p_apps 1;"
            "settings put global hidden_api_policy_p_apps 1;"
            "settings put global hidden_api_policy 1"
        )
    )
    assert r.code == 0
    assert run(lambda r: r.sh("settings get global hidden_api_policy")).out == "1\n"
    assert run(lambda r: r.sh("settings get secure no_such_key")).out == "null\n"
    assert run(lambda r: r.sh("settings delete global hidden_api_policy")).out == "Deleted 1 rows\n"
    assert run(lambda r: r.sh("settings get global hidden_api_policy")).out == "null\n"
    assert "adb_enabled=1" in run(lambda r: r.sh("settings list global")).out
    assert run(lambda r: r.sh("settings get nonsense key")).code != 0
    assert run(lambda r: r.sh("settings frob global a")).code != 0
    assert (
        run(lambda r: r.abb(["settings", "get", "global", "enable_adb_incremental_install_default"])).out
        == "null\n"
    )


def test_wm_size_and_density_overrides(run, device):
    assert run(lambda r: r.sh("wm size")).out == "Physical size: 1080x2400\n"
    run(lambda r: r.sh("wm size 720x1600; wm density 320"))
    assert run(lambda r: r.sh("wm size")).out == "Physical size: 1080x2400\nOverride size: 720x1600\n"
    assert run(lambda r: r.sh("wm density")).out == "Physical density: 420\nOverride density: 320\n"
    run(lambda r: r.sh("wm size reset; wm density reset"))
    assert (
        run(lambda r: r.sh("wm size; wm density")).out == "Physical size: 1080x2400\nPhysical density: 420\n"
    )
    assert run(lambda r: r.sh("wm size banana")).code != 0


def test_screencap_png_has_screen_size(run, device):
    r = run(lambda r: r.sh("screencap -p"))
    img = Image.open(io.BytesIO(r.raw))
    assert img.format == "PNG" and img.size == (1080, 2400)
    run(lambda r: r.sh("wm size 540x1200"))
    img = Image.open(io.BytesIO(run(lambda r: r.sh("screencap -p")).raw))
    assert img.size == (540, 1200)


def test_screencap_raw_and_to_file(run, device):
    raw = run(lambda r: r.sh("screencap")).raw
    w, h, fmt, _space = struct.unpack("<IIII", raw[:16])
    assert (w, h, fmt) == (1080, 2400, 1) and len(raw) == 16 + w * h * 4
    run(lambda r: r.sh("screencap -p /sdcard/shot.png"))
    assert Image.open(io.BytesIO(device.fs.read("/sdcard/shot.png"))).size == (1080, 2400)


class Recorder(Activity):
    events: list[tuple] = []

    def on_touch(self, x, y, action):
        Recorder.events.append(("touch", x, y, action))

    def on_key(self, keycode, action):
        Recorder.events.append(("key", keycode, action))
        return keycode == 62  # consumes SPACE only

    def on_text(self, text):
        Recorder.events.append(("text", text))

    def render(self, size):
        return Image.new("RGB", size, (255, 0, 0))


class RecorderRuntime(AppRuntime):
    activity_class = Recorder


@pytest.fixture
def recorder(device):
    register_runtime("test-recorder", RecorderRuntime)
    spec = game_manifest()
    spec.meta_data[RUNTIME_META_KEY] = "test-recorder"
    device.install_apk(build_apk(spec))
    Recorder.events = []
    return device


def test_input_reaches_focused_runtime(run, recorder):
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    run(lambda r: r.sh("input tap 100 200; input text 'a%sb'; input keyevent KEYCODE_SPACE 62"))
    assert Recorder.events[:2] == [("touch", 100, 200, "down"), ("touch", 100, 200, "up")]
    assert ("text", "a b") in Recorder.events
    assert Recorder.events.count(("key", 62, "down")) == 2
    run(lambda r: r.sh("input swipe 0 0 100 100 20"))
    moves = [e for e in Recorder.events if e[0] == "touch" and e[3] == "move"]
    assert moves and moves[-1][1:3] == (100, 100)
    assert recorder.activities.focused.package.name == "com.example.game"
    run(lambda r: r.sh("input keyevent KEYCODE_BACK"))  # not consumed → leaves the app
    assert recorder.activities.focused.task.home


def test_screencap_uses_runtime_frame(run, recorder):
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    img = Image.open(io.BytesIO(run(lambda r: r.sh("screencap -p")).raw))
    assert img.getpixel((10, 10)) == (255, 0, 0)


def test_input_errors(run):
    assert run(lambda r: r.sh("input tap x")).code != 0
    assert "Unknown keycode" in run(lambda r: r.sh("input keyevent KEYCODE_NOPE")).err
    assert run(lambda r: r.sh("input")).code != 0


def test_ps_formats(run, device):
    header = run(lambda r: r.sh("ps -A")).out.splitlines()[0].split()
    assert header == ["USER", "PID", "PPID", "VSZ", "RSS", "WCHAN", "ADDR", "S", "NAME"]
    names = {ln.split()[-1] for ln in run(lambda r: r.sh("ps -A")).out.splitlines()[1:]}
    assert {"init", "zygote64", "system_server", "adbd", "surfaceflinger"} <= names
    own = run(lambda r: r.sh("ps")).out.splitlines()
    assert own[0].split() == header and [ln.split()[-1] for ln in own[1:]] == ["sh", "ps"]
    assert "-A" in run(lambda r: r.sh("ps --help")).out


def test_pidof_and_kill(run, device):
    pid = device.process_table.pid_of("system_server")
    assert run(lambda r: r.sh("pidof system_server")).out == f"{pid}\n"
    assert run(lambda r: r.sh("pidof nothing")).code == 1
    r = run(lambda r: r.sh(f"kill {pid}"))
    assert r.code == 1 and "Operation not permitted" in r.err
    assert "No such process" in run(lambda r: r.sh("kill 999999")).err


def test_misc_builtins(run):
    assert run(lambda r: r.sh("id")).out.startswith("uid=2000(shell) gid=2000(shell)")
    assert run(lambda r: r.sh("uptime")).out.strip().startswith(tuple("0123456789"))
    assert run(lambda r: r.sh("date +%Z")).out in ("MSK\n",)
    assert run(lambda r: r.sh("sleep 0.01; echo done")).out == "done\n"


def test_ps_o_fields_and_pgrep(run, device):
    out = run(lambda r: r.sh("ps -A -o PID,NAME")).out.splitlines()
    assert out[0].split() == ["PID", "NAME"]
    pid = device.process_table.pid_of("system_server")
    assert f"{pid:5d} system_server" in out
    assert run(lambda r: r.sh("ps -o pid,name -p 1")).out.splitlines()[1].split() == ["1", "init"]
    assert run(lambda r: r.sh("pgrep -x system_server")).out == f"{pid}\n"
    assert run(lambda r: r.sh("pgrep -l zygote")).out.splitlines()[0].endswith(" zygote64")
    assert run(lambda r: r.sh("pgrep -x nothing-here")).code == 1
