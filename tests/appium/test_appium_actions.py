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


def test_swipe_is_down_moves_up_on_the_surface(
    sessions: AppiumSessions,
    device: HostedDevice,
    adb_device: adbutils.AdbDevice,
    logcat: LogcatStream,
    tmp_path: Path,
) -> None:
    apk = tmp_path / "surface.apk"
    activity = ActivitySpec(
        f"{SURFACE_APP}.Main",
        exported=True,
        intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])],
    )
    apk.write_bytes(build_apk(ManifestSpec(SURFACE_APP, activities=[activity])))  # the generic runtime
    adb_device.install(str(apk), nolaunch=True, silent=True)
    adb_device.shell(f"am start -W -n {SURFACE_APP}/.Main")
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
