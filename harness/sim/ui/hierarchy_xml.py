"""The two XML shapes tools read a native hierarchy in.

``uiautomator dump`` (the device command) writes ``<node …>`` elements; the UiAutomator2
server's page source names each element after its class and adds ``displayed``, with a
``<hierarchy class="hierarchy" width height>`` root. Appium users write XPath against the
second shape, people using plain adb read the first, so both are produced from the same
view trees and escaped by the standard library's XML writer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from harness.sim.ui.views import View, Window

UIAUTOMATOR_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _bounds(view: View) -> str:
    left, top, right, bottom = view.bounds
    return f"[{left},{top}][{right},{bottom}]"


def _common(view: View, package: str) -> dict[str, str]:
    return {
        "text": view.text,
        "resource-id": view.resource_id,
        "class": view.class_name,
        "package": package,
        "content-desc": view.content_desc,
        "checkable": _flag(view.checkable),
        "checked": _flag(view.checked),
        "clickable": _flag(view.clickable),
        "enabled": _flag(view.enabled),
        "focusable": _flag(view.focusable),
        "focused": _flag(view.focused),
        "scrollable": _flag(view.scrollable),
        "long-clickable": _flag(view.long_clickable),
        "password": _flag(view.password),
        "selected": _flag(view.selected),
        "bounds": _bounds(view),
    }


def _uiautomator_node(parent: ET.Element, view: View, index: int, package: str) -> None:
    if not view.visible:
        return
    node = ET.SubElement(parent, "node", {"index": str(index), **_common(view, package)})
    visible_children = [c for c in view.children if c.visible]
    for i, child in enumerate(visible_children):
        _uiautomator_node(node, child, i, package)


def uiautomator_dump(windows: Sequence[Window], rotation: int = 0) -> str:
    """What ``uiautomator dump`` writes: one ``<node>`` tree per window, front-most last."""
    root = ET.Element("hierarchy", {"rotation": str(rotation)})
    for i, window in enumerate(windows):
        _uiautomator_node(root, window.root, i, window.package)
    return UIAUTOMATOR_DECLARATION + ET.tostring(root, encoding="unicode")


def _uia2_node(parent: ET.Element, view: View, index: int, package: str) -> None:
    attrs = {"index": str(index), **_common(view, package), "displayed": _flag(view.visible)}
    if view.hint:
        attrs["hint"] = view.hint
    node = ET.SubElement(parent, view.class_name, attrs)
    for i, child in enumerate(c for c in view.children if c.visible):
        _uia2_node(node, child, i, package)


def uia2_page_source(windows: Sequence[Window], width: int, height: int, rotation: int = 0) -> str:
    """The UiAutomator2 server's page source: elements named after their class."""
    root = ET.Element(
        "hierarchy",
        {
            "index": "0",
            "class": "hierarchy",
            "rotation": str(rotation),
            "width": str(width),
            "height": str(height),
        },
    )
    for i, window in enumerate(windows):
        if window.root.visible:
            _uia2_node(root, window.root, i, window.package)
    return UIAUTOMATOR_DECLARATION + "\n" + ET.tostring(root, encoding="unicode")
