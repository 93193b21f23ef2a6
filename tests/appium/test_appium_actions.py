"""W3C actions become device input: a swipe arrives as DOWN, a stream of MOVEs and UP on the
app's surface (the path a Defold game's touch input takes)."""

from __future__ import annotations

import re
from pathlib import Path

import adbutils

from harness.android.appium_session import AppiumSessions
from harness.android.logcat import LogcatStream
from harness.sim.android.apk import (
    ACTION_MAIN,
    CATEGORY_LAUNCHER,
    ActivitySpec,
    IntentFilterSpec,
    ManifestSpec,
    build_apk,
)
from harness.sim.host import HostedDevice

SURFACE_APP = "com.example.surface"
TOUCH = re.compile(r"onTouch (down|move|up) 500,(\d+)")
TOUCH_AT = re.compile(r"onTouch (down|up) 250,700")
DRAG = re.compile(r"onTouch (?:down|move|up) (\d+),500")


def install_surface_app(dev: adbutils.AdbDevice, tmp_path: Path) -> None:
    """An app whose whole window is a surface (the generic runtime logs every touch)."""
    apk = tmp_path / "surface.apk"
    activity = ActivitySpec(
        f"{SURFACE_APP}.Main",
        exported=True,
        intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])],
    )
    apk.write_bytes(build_apk(ManifestSpec(SURFACE_APP, activities=[activity])))
    dev.install(str(apk), nolaunch=True, silent=True)
    assert "Status: ok" in dev.shell(f"am start -W -n {SURFACE_APP}/.Main")


def test_swipe_is_down_moves_up_on_the_surface(
    sessions: AppiumSessions,
    device: HostedDevice,
    adb_device: adbutils.AdbDevice,
    logcat: LogcatStream,
    tmp_path: Path,
) -> None:
    install_surface_app(adb_device, tmp_path)
    driver = sessions.get(device.serial)
    since = logcat.mark()
    driver.swipe(300, 1800, 300, 600, 400)
    logcat.wait_for(r"onTouch up 300,600", since)
    touches = [
        (m.group(1), int(m.group(2)))
        for line in logcat.excerpt(since).lines
        if (m := re.search(r"onTouch (down|move|up) 300,(\d+)", line))
    ]
    assert touches[0] == ("down", 1800) and touches[-1] == ("up", 600)
    moves = [y for kind, y in touches if kind == "move"]
    assert len(moves) >= 10 and moves == sorted(moves, reverse=True) and moves[-1] == 600


def test_mobile_gestures_become_device_input(
    sessions: AppiumSessions,
    device: HostedDevice,
    adb_device: adbutils.AdbDevice,
    logcat: LogcatStream,
    tmp_path: Path,
) -> None:
    install_surface_app(adb_device, tmp_path)
    driver = sessions.get(device.serial)

    since = logcat.mark()
    driver.execute_script(
        "mobile: swipeGesture",
        {"left": 100, "top": 400, "width": 800, "height": 1000, "direction": "up", "percent": 0.5},
    )
    logcat.wait_for(r"onTouch up 500,\d+", since)
    ys = [int(m.group(2)) for line in logcat.excerpt(since).lines if (m := TOUCH.search(line))]
    assert ys[0] == 1300 and ys[-1] == 900  # from 10 % inside the bottom edge, half the inner height up

    since = logcat.mark()
    driver.execute_script("mobile: doubleClickGesture", {"x": 250, "y": 700})
    logcat.sync_mark()  # everything the gesture logged has been read (the call returns after it)
    kinds = [m.group(1) for line in logcat.excerpt(since).lines if (m := TOUCH_AT.search(line))]
    assert kinds == ["down", "up", "down", "up"]

    since = logcat.mark()
    driver.execute_script("mobile: dragGesture", {"startX": 200, "startY": 500, "endX": 700, "endY": 500})
    logcat.wait_for(r"onTouch up 700,500", since)
    xs = [int(m.group(1)) for line in logcat.excerpt(since).lines if (m := DRAG.search(line))]
    assert xs[0] == 200 and xs[-1] == 700 and xs == sorted(xs)
