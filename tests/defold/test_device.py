"""The game installed and launched on a virtual device through the real adb server.

adb install of the APK built from sample_app/, am start, screencap, input tap, the bridge
through adb forward, logcat, am force-stop — all with plain adb commands (adbutils).
"""

from __future__ import annotations

import io

from PIL import Image

from harness.sim.defold.build import build_apk

from .device_fixtures import GAME, PACKAGE, SAMPLE_APP, LogWatcher
from .poco_client import StdPocoClient, bounds_px, walk


def test_game_installs_launches_draws_takes_taps_and_stops(game_device, plugin, tmp_path, private_adb):
    hosted, dev = game_device
    plugin.script["check_purchases_availability"] = [
        ("rustore_check_purchases_available_success", '{"isAvailable": true}')
    ]
    apk = build_apk(SAMPLE_APP, tmp_path / "sample.apk")
    out = private_adb.run("-s", hosted.serial, "install", str(apk))
    assert "Success" in out
    assert f"package:{PACKAGE}" in dev.shell("pm list packages")
    logs = LogWatcher(dev)
    try:
        started = dev.shell(f"am start -W -n {GAME}")
        assert "Status: ok" in started or "Starting" in started
        logs.wait_for(r"poco: listening on port 15004")

        # the bridge through adb forward
        local = dev.forward_port(15004)
        client = StdPocoClient("127.0.0.1", local)
        try:
            screen = tuple(client.call("GetScreenSize"))
            nodes = {n["name"]: n["payload"] for n in walk(client.call("Dump", True))}
        finally:
            client.close()
        width, height = map(int, dev.shell("wm size").split(":")[-1].strip().split("x"))
        assert screen == (width, height)

        # what screencap draws matches the bridge's bounds
        picture = Image.open(io.BytesIO(dev.shell("screencap -p", encoding=None))).convert("RGB")
        assert picture.size == screen
        blue = (41, 107, 219)  # btn_* colour (0.16, 0.42, 0.86)
        for name in ("btn_check", "btn_products", "btn_purchases"):
            left, top, right, bottom = bounds_px(nodes[name], screen)
            assert picture.getpixel((int(left) + 3, int(top) + 3)) == blue, name
            assert picture.getpixel((int(right) - 4, int(bottom) - 4)) == blue, name
            assert picture.getpixel((int(left) - 3, int((top + bottom) / 2))) != blue, name

        # input tap at the Availability button's centre reaches the GUI script
        left, top, right, bottom = bounds_px(nodes["btn_check"], screen)
        dev.shell(f"input tap {int((left + right) / 2)} {int((top + bottom) / 2)}")
        logs.wait_for(r"DEBUG:SCRIPT: ui: click btn_check")
        # … whose request reaches the plugin, and the plugin's callback is logged for the harness
        logs.wait_for(
            r"RuStoreHarness.*cb seq=1 part=1/1 .* ch=rustore_check_purchases_available_success "
            r"\|\{\"isAvailable\": true\}"
        )
        assert [c[0] for c in plugin.calls].count("check_purchases_availability") == 1

        # the bank app's return deeplink reaches RuStoreIntentFilterActivity, which hands it to the
        # plugin and brings the running game back (CONTRACT §7) without restarting the engine
        uri = "rustoresample://rustore.billing.sdk/return?invoiceId=42"
        dev.shell(f"am start -W -a android.intent.action.VIEW -d '{uri}'")
        assert plugin.intents == [uri]
        assert GAME.split("/")[1] in dev.shell("dumpsys activity activities | grep -i resumed")
        assert sum("poco: listening" in line for line in logs.seen) == 1

        # am force-stop: the engine runs final (the bridge closes its port) and the process is gone
        dev.shell(f"am force-stop {PACKAGE}")
        assert dev.shell(f"pidof {PACKAGE}").strip() == ""
        dev.shell("echo sync")  # one more loop round trip: the port close scheduled by final has run
        assert 15004 not in hosted.model.net.listening_ports()  # type: ignore[attr-defined]

        # monkey (what Appium's activateApp uses) starts it again from the launcher entry
        dev.shell(f"monkey -p {PACKAGE} -c android.intent.category.LAUNCHER 1")
        logs.wait_for(r"poco: listening on port 15004")
        assert sum("poco: listening" in line for line in logs.seen) == 2
        assert dev.shell(f"pidof {PACKAGE}").strip().isdigit()

        # HOME: the game is stopped, so the engine is iconified and runs no frames until it returns
        app = hosted.model.activities.processes[PACKAGE].runtime  # type: ignore[attr-defined]
        dev.shell("input keyevent KEYCODE_HOME")
        assert app.engine.iconified
        dev.shell(f"am start -W -n {GAME}")
        assert not app.engine.iconified

        # BACK on the launcher root of an API 34 device only moves the task back: the game keeps
        # running (its bridge still answers) rather than being destroyed
        dev.shell("input keyevent KEYCODE_BACK")
        dev.shell("echo sync")
        assert 15004 in hosted.model.net.listening_ports()  # type: ignore[attr-defined]
    finally:
        logs.close()


def test_force_stop_during_start_does_not_stall_the_device(game_device, plugin, tmp_path, private_adb):
    hosted, dev = game_device
    apk = build_apk(SAMPLE_APP, tmp_path / "sample.apk")
    assert "Success" in private_adb.run("-s", hosted.serial, "install", str(apk))
    for _ in range(3):
        dev.shell(f"am start -n {GAME}", timeout=10)
        dev.shell(f"am force-stop {PACKAGE}", timeout=10)
        assert dev.shell("echo alive", timeout=5).strip() == "alive"
    assert dev.shell(f"pidof {PACKAGE}", timeout=5).strip() == ""


def test_a_game_that_cannot_load_crashes_its_process_not_the_device(game_device, tmp_path, private_adb):
    hosted, dev = game_device
    broken = tmp_path / "broken"
    for path in SAMPLE_APP.rglob("*"):
        rel = path.relative_to(SAMPLE_APP)
        if path.is_file() and rel.parts[0] in ("game.project", "android", "main", "input", "bridge"):
            (broken / rel).parent.mkdir(parents=True, exist_ok=True)
            (broken / rel).write_bytes(path.read_bytes())
    (broken / "main" / "main.gui").unlink()  # the collection names a GUI file that is not there
    apk = build_apk(broken, tmp_path / "broken.apk")
    assert "Success" in private_adb.run("-s", hosted.serial, "install", str(apk))
    logs = LogWatcher(dev)
    try:
        dev.shell(f"am start -n {GAME}")
        logs.wait_for(r"ERROR:ENGINE: missing project file: /main/main.gui")
    finally:
        logs.close()
    crash = dev.shell("logcat -d -b crash")
    assert "FATAL EXCEPTION" in crash and PACKAGE in crash
    assert dev.shell("echo alive").strip() == "alive"
