"""Element references handed to the driver, and finding them again later.

Like the real server's element cache, an id stands for one on-screen view. Apps may
rebuild their view trees between calls (the window manager asks an activity for its
native window each time), so a reference remembers where its view was — window owner
and title, the index path from the window's root, class and resource-id — and is
resolved against the screen as it is *now*: the same object if it is still shown, else
the view at the same place with the same identity. When neither exists the element is
stale, which is what a driver sees on a phone after the screen changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from harness.sim.ui.locate import Found
from harness.sim.ui.views import View, Window

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"


@dataclass(frozen=True)
class ElementRef:
    element_id: str
    package: str
    title: str
    path: tuple[int, ...]
    class_name: str
    resource_id: str
    view: View


def _path_of(window: Window, target: View) -> tuple[int, ...] | None:
    def visit(view: View, path: tuple[int, ...]) -> tuple[int, ...] | None:
        if view is target:
            return path
        for i, child in enumerate(view.children):
            found = visit(child, (*path, i))
            if found is not None:
                return found
        return None

    return visit(window.root, ())


def _visible_at(window: Window, path: tuple[int, ...]) -> View | None:
    view = window.root
    if not view.visible:
        return None
    for i in path:
        if i >= len(view.children) or not view.children[i].visible:
            return None
        view = view.children[i]
    return view


class ElementCache:
    """Element ids of one session → their views (resolved against the current windows)."""

    def __init__(self) -> None:
        self._refs: dict[str, ElementRef] = {}

    def clear(self) -> None:
        self._refs.clear()

    def add(self, found: Found) -> str:
        """The id of a found view: the same id for the same view, even in a rebuilt tree."""
        path = _path_of(found.window, found.view) or ()
        view = found.view
        key = (found.window.package, found.window.title, path, view.class_name, view.resource_id)
        for element_id, ref in self._refs.items():
            if ref.view is view or (ref.package, ref.title, ref.path, ref.class_name, ref.resource_id) == key:
                self._refs[element_id] = replace(ref, path=path, view=view)
                return element_id
        element_id = str(uuid.uuid4())
        self._refs[element_id] = ElementRef(element_id, *key, view)
        return element_id

    def known(self, element_id: str) -> bool:
        return element_id in self._refs

    def resolve(self, element_id: str, windows: Sequence[Window]) -> Found | None:
        """The element's view on the current screen, or None if it is gone (stale)."""
        ref = self._refs.get(element_id)
        if ref is None:
            return None
        for window in windows:
            path = _path_of(window, ref.view)
            if path is not None and _visible_at(window, path) is ref.view:
                return Found(window, ref.view)
        for window in windows:
            if window.package != ref.package or window.title != ref.title:
                continue
            view = _visible_at(window, ref.path)
            if view is not None and (view.class_name, view.resource_id) == (ref.class_name, ref.resource_id):
                return Found(window, view)
        return None
