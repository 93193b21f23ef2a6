"""W3C actions (``POST /session/:id/actions``) performed as device input.

Each input source's actions are lined up in ticks, as WebDriver §17 says: a tick lasts as
long as its longest pause or move, sources act side by side within a tick. Pointer
events go through the device's input dispatcher, so a tap lands wherever a finger would:
a dialog, a native window, or the game's GL surface (a Defold button). Moves with a
duration are interpolated so a swipe arrives as a stream of MOVE events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.sim.android.input import KEYCODES
from harness.sim.uia2.elements import ELEMENT_KEY
from harness.sim.uia2.errors import invalid_argument

#: The WebDriver "normalised key values" a keyboard source may send, as Android key codes.
SPECIAL_KEYS: dict[str, int] = {
    "\ue003": KEYCODES["DEL"],  # Backspace
    "\ue004": KEYCODES["TAB"],
    "\ue006": KEYCODES["ENTER"],  # Return
    "\ue007": KEYCODES["ENTER"],
    "\ue00c": KEYCODES["ESCAPE"],
    "\ue00d": KEYCODES["SPACE"],
    "\ue011": KEYCODES["MOVE_HOME"],
    "\ue010": KEYCODES["MOVE_END"],
    "\ue012": KEYCODES["DPAD_LEFT"],
    "\ue013": KEYCODES["DPAD_UP"],
    "\ue014": KEYCODES["DPAD_RIGHT"],
    "\ue015": KEYCODES["DPAD_DOWN"],
    "\ue017": KEYCODES["FORWARD_DEL"],
}
MOVE_STEP_MS = 16  # one MOVE event per frame of a 60 Hz panel

ElementCentre = Callable[[str], tuple[int, int]]


@dataclass
class _Pointer:
    x: float = 0.0
    y: float = 0.0
    pressed: bool = False


def _number(action: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = action.get(key, default)
    if value is None:
        return default
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise invalid_argument(f"'{key}' must be a number, got {value!r}")
    return float(value)


def _element_id(origin: Any) -> str | None:
    if isinstance(origin, dict):
        value = origin.get(ELEMENT_KEY) or origin.get("ELEMENT")
        return str(value) if value else None
    return None


class ActionPerformer:
    """Runs one ``actions`` payload against a device's input dispatcher."""

    def __init__(self, device: Any, element_centre: ElementCentre) -> None:
        self.device = device
        self.element_centre = element_centre
        self.pointers: dict[str, _Pointer] = {}

    async def perform(self, sources: Any) -> None:
        if not isinstance(sources, list):
            raise invalid_argument("'actions' must be a list of input sources")
        lanes: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for source in sources:
            if not isinstance(source, dict) or not isinstance(source.get("actions"), list):
                raise invalid_argument(f"malformed input source {source!r}")
            lanes.append((source, source["actions"]))
        ticks = max((len(actions) for _, actions in lanes), default=0)
        for tick in range(ticks):
            steps = [self._dispatch(src, acts[tick]) for src, acts in lanes if tick < len(acts)]
            await asyncio.gather(*steps)

    async def _dispatch(self, source: dict[str, Any], action: dict[str, Any]) -> None:
        kind = source.get("type")
        verb = action.get("type")
        if verb == "pause":
            duration = _number(action, "duration")
            if duration > 0:
                await asyncio.sleep(duration / 1000)
            return
        if kind == "pointer":
            await self._pointer(str(source.get("id", "finger")), verb, action)
        elif kind == "key":
            self._key(verb, action)
        elif kind != "none":
            raise invalid_argument(f"unknown input source type {kind!r}")

    async def _pointer(self, source_id: str, verb: Any, action: dict[str, Any]) -> None:
        pointer = self.pointers.setdefault(source_id, _Pointer())
        touch = self.device.input.touch
        if verb == "pointerDown":
            pointer.pressed = True
            touch(round(pointer.x), round(pointer.y), "down")
        elif verb == "pointerUp":
            pointer.pressed = False
            touch(round(pointer.x), round(pointer.y), "up")
        elif verb == "pointerMove":
            await self._move(pointer, action)
        elif verb != "pointerCancel":
            raise invalid_argument(f"unknown pointer action {verb!r}")

    async def _move(self, pointer: _Pointer, action: dict[str, Any]) -> None:
        x, y = _number(action, "x"), _number(action, "y")
        origin = action.get("origin", "viewport")
        element = _element_id(origin)
        if element is not None:
            cx, cy = self.element_centre(element)
            x, y = cx + x, cy + y
        elif origin == "pointer":
            x, y = pointer.x + x, pointer.y + y
        elif origin != "viewport":
            raise invalid_argument(f"unknown origin {origin!r}")
        duration = _number(action, "duration")
        steps = max(1, int(duration // MOVE_STEP_MS)) if pointer.pressed else 1
        start_x, start_y = pointer.x, pointer.y
        for step in range(1, steps + 1):
            if duration > 0:
                await asyncio.sleep(duration / 1000 / steps)
            pointer.x = start_x + (x - start_x) * step / steps
            pointer.y = start_y + (y - start_y) * step / steps
            if pointer.pressed:
                self.device.input.touch(round(pointer.x), round(pointer.y), "move")

    def _key(self, verb: Any, action: dict[str, Any]) -> None:
        if verb == "keyUp":
            return
        if verb != "keyDown":
            raise invalid_argument(f"unknown key action {verb!r}")
        value = str(action.get("value", ""))
        if value in SPECIAL_KEYS:
            self.device.input.key(SPECIAL_KEYS[value])
        elif value and not ("\ue000" <= value[0] <= "\uf8ff"):
            self.device.input.text(value)
