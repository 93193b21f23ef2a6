"""The ``mobile: *Gesture`` endpoints (``/appium/gestures/…``) as pointer sequences.

Click, long click, double click, drag and swipe are expressed as W3C pointer actions and run by
:class:`~harness.sim.uia2.actions.ActionPerformer`, so they reach a game's surface exactly like
``actions`` do. Points follow the server's rules: an ``origin`` element alone means its centre,
with an ``offset`` the offset from its top-left corner; an ``offset`` alone is a screen point.
``speed`` is in pixels per second, like UiAutomator's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.sim.ui.views import Bounds
from harness.sim.uia2.elements import ELEMENT_KEY
from harness.sim.uia2.errors import invalid_argument

Point = tuple[float, float]
ElementBounds = Callable[[str], Bounds]

LONG_CLICK_MS = 500
DOUBLE_CLICK_GAP_MS = 50
DRAG_SPEED = 2500
SWIPE_SPEED = 5000
EDGE_MARGIN = 0.1  # a swipe starts this far inside its area, like UiAutomator's gesture margins


def origin_id(body: dict[str, Any]) -> str | None:
    origin = body.get("origin")
    if isinstance(origin, dict):
        value = origin.get(ELEMENT_KEY) or origin.get("ELEMENT")
        return str(value) if value else None
    return None


def _xy(value: Any, what: str) -> Point | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), int | float) for k in ("x", "y")):
        raise invalid_argument(f"'{what}' must be an object with numeric x and y")
    return float(value["x"]), float(value["y"])


def point(body: dict[str, Any], key: str, bounds_of: ElementBounds) -> Point:
    """The gesture's point: element centre, element top-left + offset, or a screen point."""
    element = origin_id(body)
    offset = _xy(body.get(key), key)
    if element is not None:
        left, top, right, bottom = bounds_of(element)
        if offset is None:
            return (left + right) / 2, (top + bottom) / 2
        return left + offset[0], top + offset[1]
    if offset is None:
        raise invalid_argument(f"either an element or '{key}' coordinates must be given")
    return offset


def area(body: dict[str, Any], bounds_of: ElementBounds) -> Bounds:
    element = origin_id(body)
    if element is not None:
        return bounds_of(element)
    rect = body.get("area")
    if not isinstance(rect, dict) or not all(
        isinstance(rect.get(k), int | float) for k in ("left", "top", "width", "height")
    ):
        raise invalid_argument("either an element or an area (left, top, width, height) must be given")
    left, top = int(rect["left"]), int(rect["top"])
    return left, top, left + int(rect["width"]), top + int(rect["height"])


def _pointer(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "pointer", "id": "finger", "parameters": {"pointerType": "touch"}, "actions": steps}]


def tap(at: Point, hold_ms: float = 0, times: int = 1) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"type": "pointerMove", "duration": 0, "x": at[0], "y": at[1]}]
    for i in range(times):
        if i:
            steps.append({"type": "pause", "duration": DOUBLE_CLICK_GAP_MS})
        steps += [{"type": "pointerDown"}, {"type": "pause", "duration": hold_ms}, {"type": "pointerUp"}]
    return _pointer(steps)


def stroke(start: Point, end: Point, speed: float) -> list[dict[str, Any]]:
    if speed <= 0:
        raise invalid_argument("'speed' must be positive")
    distance = ((end[0] - start[0]) ** 2 + (end[1] - start[1]) ** 2) ** 0.5
    return _pointer(
        [
            {"type": "pointerMove", "duration": 0, "x": start[0], "y": start[1]},
            {"type": "pointerDown"},
            {"type": "pointerMove", "duration": distance / speed * 1000, "x": end[0], "y": end[1]},
            {"type": "pointerUp"},
        ]
    )


def swipe_points(bounds: Bounds, direction: Any, percent: Any) -> tuple[Point, Point]:
    """Start and end of a finger moving ``direction`` across ``percent`` of the area."""
    if not isinstance(percent, int | float) or not 0 < percent <= 1:
        raise invalid_argument("'percent' must be a number in (0, 1]")
    left, top, right, bottom = bounds
    width, height = right - left, bottom - top
    cx, cy = (left + right) / 2, (top + bottom) / 2
    span_x, span_y = width * (1 - 2 * EDGE_MARGIN) * percent, height * (1 - 2 * EDGE_MARGIN) * percent
    starts: dict[str, tuple[Point, Point]] = {
        "up": ((cx, bottom - height * EDGE_MARGIN), (cx, bottom - height * EDGE_MARGIN - span_y)),
        "down": ((cx, top + height * EDGE_MARGIN), (cx, top + height * EDGE_MARGIN + span_y)),
        "left": ((right - width * EDGE_MARGIN, cy), (right - width * EDGE_MARGIN - span_x, cy)),
        "right": ((left + width * EDGE_MARGIN, cy), (left + width * EDGE_MARGIN + span_x, cy)),
    }
    if not isinstance(direction, str) or direction.lower() not in starts:
        raise invalid_argument("'direction' must be one of up, down, left, right")
    return starts[direction.lower()]
