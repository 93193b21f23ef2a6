"""Key codes and the delivery of input events to the focused app's runtime."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from harness.sim.android.runtime import ACTION_DOWN, ACTION_MOVE, ACTION_UP

if TYPE_CHECKING:
    from harness.sim.android.device import AndroidDevice

KEYCODES: dict[str, int] = {
    "UNKNOWN": 0,
    "SOFT_LEFT": 1,
    "SOFT_RIGHT": 2,
    "HOME": 3,
    "BACK": 4,
    "CALL": 5,
    "ENDCALL": 6,
    "STAR": 17,
    "POUND": 18,
    "DPAD_UP": 19,
    "DPAD_DOWN": 20,
    "DPAD_LEFT": 21,
    "DPAD_RIGHT": 22,
    "DPAD_CENTER": 23,
    "VOLUME_UP": 24,
    "VOLUME_DOWN": 25,
    "POWER": 26,
    "CAMERA": 27,
    "CLEAR": 28,
    "COMMA": 55,
    "PERIOD": 56,
    "TAB": 61,
    "SPACE": 62,
    "ENTER": 66,
    "DEL": 67,
    "GRAVE": 68,
    "MINUS": 69,
    "EQUALS": 70,
    "AT": 77,
    "MENU": 82,
    "NOTIFICATION": 83,
    "SEARCH": 84,
    "MEDIA_PLAY_PAUSE": 85,
    "PAGE_UP": 92,
    "PAGE_DOWN": 93,
    "ESCAPE": 111,
    "FORWARD_DEL": 112,
    "MOVE_HOME": 122,
    "MOVE_END": 123,
    "SLEEP": 223,
    "WAKEUP": 224,
    "APP_SWITCH": 187,
}
KEYCODES.update({str(d): 7 + d for d in range(10)})
KEYCODES.update({c: 29 + i for i, c in enumerate(string.ascii_uppercase)})
KEYCODE_HOME, KEYCODE_BACK = 3, 4


def parse_keycode(text: str) -> int | None:
    """``KEYCODE_BACK``, ``BACK`` or ``4`` → 4."""
    if text.isdigit():
        return int(text)
    name = text.upper()
    name = name[len("KEYCODE_") :] if name.startswith("KEYCODE_") else name
    return KEYCODES.get(name)


class InputDispatcher:
    """Routes events to the focused activity; unconsumed BACK/HOME act on the activity manager."""

    def __init__(self, device: AndroidDevice) -> None:
        self.device = device

    def _target(self) -> tuple[Any, Any]:
        record = self.device.activities.focused
        if record is None or record.instance is None:
            return None, None
        return record, record.instance

    def touch(self, x: int, y: int, action: str) -> None:
        if self.device.windows.route_touch(int(x), int(y), action) is not None:
            return  # a dialog or a native window took it
        record, inst = self._target()
        if inst is None:
            return
        self.device.activities.app_callback(record, lambda: inst.on_touch(int(x), int(y), action))

    def tap(self, x: int, y: int) -> None:
        self.touch(x, y, ACTION_DOWN)
        self.touch(x, y, ACTION_UP)

    def move(self, x: int, y: int) -> None:
        self.touch(x, y, ACTION_MOVE)

    def key(self, keycode: int) -> None:
        if keycode == KEYCODE_BACK and self.device.windows.back():
            return
        record, inst = self._target()
        consumed = False
        if inst is not None and not record.task.home:
            results: list[bool] = []
            am = self.device.activities
            am.app_callback(record, lambda: results.append(bool(inst.on_key(keycode, ACTION_DOWN))))
            am.app_callback(record, lambda: results.append(bool(inst.on_key(keycode, ACTION_UP))))
            consumed = any(results)
        if consumed:
            return
        if keycode == KEYCODE_BACK:
            self.device.activities.back()
        elif keycode == KEYCODE_HOME:
            self.device.activities.go_home()

    def text(self, text: str) -> None:
        record, inst = self._target()
        if inst is None:
            return
        self.device.activities.app_callback(record, lambda: inst.on_text(text))
