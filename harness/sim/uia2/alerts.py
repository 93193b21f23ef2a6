"""The alert commands over the top dialog, with the UiAutomator2 server's rules.

A regular Android dialog carries ``android:id/button1..3`` buttons: *accept* presses the
lowest-numbered one, *dismiss* the next one (or the only one), and ``buttonLabel`` picks
a button by its text. The alert text is every non-blank text of the dialog's id'd views
except its buttons, joined by newlines. Buttons are pressed with a real tap at their
centre, so the dialog's own click handling runs exactly as for a finger.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from harness.sim.ui.views import View, Window
from harness.sim.uia2.errors import WebDriverError, no_such_alert

BUTTON_ID = re.compile(r"^android:id/button(\d+)$")
ANY_ID = re.compile(r".+:id/.+")


def _top(dialogs: Sequence[Window]) -> Window:
    if not dialogs:
        raise no_such_alert()
    return dialogs[-1]


def _visible(view: View) -> list[View]:
    if not view.visible:
        return []
    out = [view]
    for child in view.children:
        out.extend(_visible(child))
    return out


def text(dialogs: Sequence[Window]) -> str:
    views = _visible(_top(dialogs).root)
    parts = [
        v.text
        for v in views
        if ANY_ID.match(v.resource_id) and not BUTTON_ID.match(v.resource_id) and v.text.strip()
    ]
    return "\n".join(parts)


def press(device: Any, dialogs: Sequence[Window], *, accept: bool, label: Any = None) -> str:
    """Tap the button that accepts (or dismisses) the top dialog; returns its label."""
    views = _visible(_top(dialogs).root)
    buttons: dict[int, View] = {}
    for view in views:
        match = BUTTON_ID.match(view.resource_id)
        if match:
            buttons[int(match.group(1))] = view
    chosen: View | None = None
    if label is not None:
        chosen = next((b for b in buttons.values() if b.text == label), None)
    elif buttons:
        first = min(buttons)
        chosen = buttons[first] if accept or len(buttons) == 1 else buttons.get(first + 1)
    if chosen is None:
        raise WebDriverError("invalid element state", "The expected button cannot be detected on the alert")
    x, y = chosen.center
    device.input.tap(x, y)
    return chosen.text
