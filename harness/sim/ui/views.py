"""Native Android views of the virtual device: the part of the screen UiAutomator can see.

The payment sheet, bank apps, dialogs and toasts are native screens on a phone, so
Appium finds them by resource-id, text, content-desc or class. Here they are trees of
:class:`View` with the attributes UiAutomator reports, absolute pixel bounds, and an
optional click handler. A :class:`Window` is one such tree owned by a package (an
activity's content, a dialog, a toast); the window manager stacks them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

Bounds = tuple[int, int, int, int]  # left, top, right, bottom (right/bottom exclusive, like Rect)
ClickHandler = Callable[[], None]


@dataclass
class View:
    """One native view with the attributes UiAutomator's hierarchy reports."""

    class_name: str
    bounds: Bounds = (0, 0, 0, 0)
    resource_id: str = ""
    text: str = ""
    content_desc: str = ""
    clickable: bool = False
    enabled: bool = True
    focusable: bool = False
    focused: bool = False
    scrollable: bool = False
    long_clickable: bool = False
    checkable: bool = False
    checked: bool = False
    selected: bool = False
    password: bool = False
    visible: bool = True
    hint: str = ""
    on_click: ClickHandler | None = None
    # Rendering hints (not part of the hierarchy): fill colour and text colour as RGB(A).
    background: tuple[int, ...] | None = None
    foreground: tuple[int, ...] = (0, 0, 0)
    text_size: int = 36
    children: list[View] = field(default_factory=list)

    def add(self, *views: View) -> View:
        self.children.extend(views)
        return self

    def walk(self) -> Iterator[View]:
        """This view and its descendants, depth first, in drawing order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def contains(self, x: float, y: float) -> bool:
        left, top, right, bottom = self.bounds
        return left <= x < right and top <= y < bottom

    @property
    def center(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2

    def find(self, resource_id: str) -> View | None:
        return next((v for v in self.walk() if v.resource_id == resource_id), None)


class WindowKind(Enum):
    ACTIVITY = "activity"
    DIALOG = "dialog"
    TOAST = "toast"


@dataclass
class Window:
    """A native window: a view tree owned by a package, stacked by the window manager."""

    package: str
    title: str
    root: View
    kind: WindowKind = WindowKind.ACTIVITY
    on_back: ClickHandler | None = None

    @property
    def focusable(self) -> bool:
        """Toasts never take focus; activities and dialogs do."""
        return self.kind is not WindowKind.TOAST

    def view_at(self, x: float, y: float) -> View | None:
        """The front-most visible, enabled, clickable view under a point (what a tap would hit)."""
        hit: View | None = None
        for view in self._visible(self.root):
            if view.clickable and view.enabled and view.contains(x, y):
                hit = view
        return hit

    def _visible(self, view: View) -> Iterator[View]:
        if not view.visible:
            return
        yield view
        for child in view.children:
            yield from self._visible(child)

    def tap(self, x: float, y: float) -> bool:
        """Deliver a tap; True if a view handled it."""
        view = self.view_at(x, y)
        if view is None or view.on_click is None:
            return False
        view.on_click()
        return True


def column(area: Bounds, rows: list[tuple[View, int]], *, padding: int = 0, spacing: int = 0) -> list[View]:
    """Lay views out top to bottom inside ``area`` with the given heights (a tiny LinearLayout)."""
    left, top, right, _ = area
    y = top + padding
    placed = []
    for view, height in rows:
        view.bounds = (left + padding, y, right - padding, y + height)
        placed.append(view)
        y += height + spacing
    return placed
