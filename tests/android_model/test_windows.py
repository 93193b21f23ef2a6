"""Window manager: native activities, translucent sheets, dialogs and toasts on screen and in dumps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.sim.android.activities import ActivityRecord
from harness.sim.android.apk import RUNTIME_META_KEY, ActivitySpec, ManifestSpec, build_apk
from harness.sim.android.device import AndroidDevice
from harness.sim.android.intents import ComponentName, Intent
from harness.sim.android.runtime import Activity, AppRuntime, register_runtime
from harness.sim.ui.views import View, Window, WindowKind, column

from .apps import GAME, GAME_ACTIVITY, game_apk

SHEET_PKG = "com.example.sheet"
RED = (200, 30, 30)


class SheetActivity(Activity):
    """A bottom sheet over the game, like the payment screen."""

    translucent = True

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.taps: list[str] = []

    def native_window(self) -> Window:
        width, height = self.device.display.size
        root = View("android.widget.FrameLayout", (0, height // 2, width, height), background=(250, 250, 250))
        pay = View(
            "android.widget.Button",
            text="Pay",
            resource_id=f"{SHEET_PKG}:id/pay",
            clickable=True,
            background=RED,
            on_click=lambda: self.taps.append("pay"),
        )
        column(root.bounds, [(pay, 200)], padding=40)
        root.add(pay)
        return Window(SHEET_PKG, "Sheet", root)


class SheetRuntime(AppRuntime):
    activity_class = SheetActivity


register_runtime("test-sheet", SheetRuntime)


def sheet_apk() -> bytes:
    return build_apk(
        ManifestSpec(
            package=SHEET_PKG,
            activities=[ActivitySpec(f"{SHEET_PKG}.Sheet", exported=True)],
            meta_data={RUNTIME_META_KEY: "test-sheet"},
        )
    )


def open_sheet_over_game(run, device: AndroidDevice) -> ActivityRecord:  # type: ignore[no-untyped-def]
    device.install_apk(game_apk())
    device.install_apk(sheet_apk())
    run(lambda r: r.sh(f"am start -W -n {GAME}/{GAME_ACTIVITY}"))
    # The game starts the sheet itself (no NEW_TASK), so it lands in the game's task like the SDK's screen.
    game = device.activities.focused
    assert game is not None and game.instance is not None
    sheet_component = ComponentName(SHEET_PKG, f"{SHEET_PKG}.Sheet")
    device.activities.app_callback(
        game, lambda: game.instance.start_activity(Intent(component=sheet_component))
    )
    sheet = device.activities.focused
    assert sheet is not None and sheet.package.name == SHEET_PKG
    return sheet


def test_translucent_sheet_shows_the_activity_below(run, device: AndroidDevice) -> None:
    open_sheet_over_game(run, device)
    game_task = device.activities.focused
    assert game_task is not None and [r.package.name for r in game_task.task.records] == [GAME, SHEET_PKG]
    sheet = device.activities.focused
    assert sheet is not None
    layers = device.windows.layers()
    assert [(layer.record.package.name, layer.native) for layer in layers] == [
        (GAME, False),
        (SHEET_PKG, True),
    ]
    assert layers[0].record.state == "PAUSED"  # visible under the sheet: paused, not stopped
    dump = run(lambda r: r.sh("uiautomator dump /dev/tty"))
    assert dump.code == 0 and "UI hierchary dumped to: /dev/tty" in dump.err
    doc = ET.fromstring(dump.out.split("?>", 1)[1])
    ids = [n.get("resource-id") for n in doc.iter("node")]
    assert f"{SHEET_PKG}:id/pay" in ids


def test_tap_on_native_view_runs_its_handler(run, device: AndroidDevice) -> None:
    sheet = open_sheet_over_game(run, device)
    instance = sheet.instance
    assert isinstance(instance, SheetActivity)
    window = instance.native_window()
    x, y = window.root.children[0].center
    assert run(lambda r: r.sh(f"input tap {x} {y}")).code == 0
    assert instance.taps == ["pay"]


def test_screencap_draws_native_views_over_the_runtime_frame(run, device: AndroidDevice) -> None:
    sheet = open_sheet_over_game(run, device)
    instance = sheet.instance
    assert isinstance(instance, SheetActivity)
    left, top, _, _ = instance.native_window().root.children[0].bounds
    image = device.screenshot()
    assert image.getpixel((left + 5, top + 5)) == RED


def test_dialog_is_modal_and_back_closes_it(run, device: AndroidDevice) -> None:
    open_sheet_over_game(run, device)
    clicked: list[str] = []
    ok = View(
        "android.widget.Button",
        (100, 1000, 980, 1150),
        text="OK",
        resource_id="android:id/button1",
        clickable=True,
        on_click=lambda: clicked.append("ok"),
    )
    dialog = Window(
        SHEET_PKG,
        "Error",
        View("android.widget.FrameLayout", (60, 800, 1020, 1300)).add(ok),
        kind=WindowKind.DIALOG,
    )
    device.windows.show(dialog)
    assert device.windows.focused_window() is dialog
    run(lambda r: r.sh("input tap 540 2300"))  # outside the dialog: swallowed, the sheet sees nothing
    sheet = device.activities.focused
    assert sheet is not None and isinstance(sheet.instance, SheetActivity) and sheet.instance.taps == []
    run(lambda r: r.sh("input tap 540 1075"))
    assert clicked == ["ok"]
    run(lambda r: r.sh("input keyevent KEYCODE_BACK"))
    assert device.windows.dialogs == []
    assert device.activities.focused is sheet  # BACK went to the dialog, not to the activity


def test_toast_is_in_the_dump_and_dies_with_its_process(run, device: AndroidDevice) -> None:
    device.install_apk(game_apk())
    run(lambda r: r.sh(f"am start -W -n {GAME}/{GAME_ACTIVITY}"))
    device.windows.toast(GAME, "Purchase complete")
    assert "Purchase complete" in device.windows.uiautomator_xml()
    assert "android.widget.Toast" in device.windows.page_source()
    run(lambda r: r.sh(f"am force-stop {GAME}"))
    assert device.windows.toasts == []


def test_gl_activity_shows_a_surface_view(run, device: AndroidDevice) -> None:
    device.install_apk(game_apk())
    run(lambda r: r.sh(f"am start -W -n {GAME}/{GAME_ACTIVITY}"))
    source = device.windows.page_source()
    assert "android.view.SurfaceView" in source and f'package="{GAME}"' in source
