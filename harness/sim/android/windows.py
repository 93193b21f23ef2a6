"""The window manager: which windows are on screen, which has focus, where a tap lands.

An activity's window is either native views (its ``native_window()``: the payment sheet,
a bank app) or a GL surface drawn by its runtime (a Defold game, whose GUI UiAutomator
cannot see). Dialogs and toasts are windows of their own above the activities. A
translucent activity (the bottom-sheet payment screen) lets the activity below it show
through, exactly as Android draws it, so the screen, ``uiautomator dump`` and the
UiAutomator2 page source are all derived from one stack here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from harness.sim.ui.hierarchy_xml import uia2_page_source, uiautomator_dump
from harness.sim.ui.render import compose
from harness.sim.ui.views import View, Window, WindowKind

if TYPE_CHECKING:
    from harness.sim.android.activities import ActivityRecord
    from harness.sim.android.device import AndroidDevice

TOAST_LONG_S = 3.5
TOAST_SHORT_S = 2.0


@dataclass
class ScreenLayer:
    """One activity on screen: its record and the window UiAutomator reports for it."""

    record: ActivityRecord
    window: Window
    native: bool  # True: native views receive taps; False: the runtime's surface does


def surface_window(package: str, title: str, size: tuple[int, int]) -> Window:
    """What UiAutomator sees of a GL app: a content frame holding one opaque surface view."""
    width, height = size
    root = View("android.widget.FrameLayout", (0, 0, width, height))
    content = View("android.widget.FrameLayout", (0, 0, width, height), resource_id="android:id/content")
    content.add(View("android.view.SurfaceView", (0, 0, width, height)))
    root.add(content)
    return Window(package, title, root)


class WindowManager:
    """Dialogs and toasts above the activity stack, and the derived screen, hierarchy and input routing."""

    def __init__(self, device: AndroidDevice) -> None:
        self.device = device
        self.overlays: list[Window] = []

    # --- overlays -------------------------------------------------------------------------------
    def show(self, window: Window) -> None:
        """Add a dialog or toast on top; a toast removes itself after its duration."""
        self.overlays.append(window)
        if window.kind is WindowKind.TOAST:
            duration = TOAST_LONG_S if window.title == "long" else TOAST_SHORT_S
            try:
                asyncio.get_running_loop().call_later(duration, self.dismiss, window)
            except RuntimeError:  # no loop (a unit test driving the model directly): stays until dismissed
                pass

    def dismiss(self, window: Window) -> None:
        if window in self.overlays:
            self.overlays.remove(window)

    def dismiss_package(self, package: str) -> None:
        """A process died: its dialogs and toasts go with it."""
        self.overlays = [w for w in self.overlays if w.package != package]

    def toast(self, package: str, text: str, *, long: bool = True) -> Window:
        width, height = self.device.display.size
        root = View(
            "android.widget.Toast", (width // 8, int(height * 0.82), width * 7 // 8, int(height * 0.88))
        )
        root.add(
            View(
                "android.widget.TextView",
                root.bounds,
                resource_id="android:id/message",
                text=text,
                background=(60, 60, 60),
                foreground=(255, 255, 255),
                text_size=32,
            )
        )
        window = Window(package, "long" if long else "short", root, kind=WindowKind.TOAST)
        self.show(window)
        return window

    @property
    def dialogs(self) -> list[Window]:
        return [w for w in self.overlays if w.kind is WindowKind.DIALOG]

    @property
    def toasts(self) -> list[Window]:
        return [w for w in self.overlays if w.kind is WindowKind.TOAST]

    # --- the activity stack on screen -----------------------------------------------------------
    def activity_window(self, record: ActivityRecord) -> ScreenLayer:
        instance = record.instance
        native = instance.native_window() if instance is not None else None
        if native is not None:
            return ScreenLayer(record, native, True)
        title = record.component.flatten_short()
        return ScreenLayer(
            record, surface_window(record.package.name, title, self.device.display.size), False
        )

    def layers(self) -> list[ScreenLayer]:
        """Activities visible now, bottom to top: the focused one and any it is translucent over."""
        focused = self.device.activities.focused
        if focused is None:
            return []
        records = focused.task.records
        index = records.index(focused)
        visible = [focused]
        while index > 0:
            instance = records[index].instance
            if instance is None or not instance.translucent:
                break
            index -= 1
            visible.insert(0, records[index])
        return [self.activity_window(r) for r in visible]

    def windows(self) -> list[Window]:
        """Every window on screen, back to front."""
        return [layer.window for layer in self.layers()] + self.dialogs + self.toasts

    def focused_window(self) -> Window | None:
        dialogs = self.dialogs
        if dialogs:
            return dialogs[-1]
        layers = self.layers()
        return layers[-1].window if layers else None

    # --- what tools read ------------------------------------------------------------------------
    def uiautomator_xml(self) -> str:
        return uiautomator_dump(self.windows())

    def page_source(self) -> str:
        width, height = self.device.display.size
        return uia2_page_source(self.windows(), width, height)

    def compose(self, base: Image.Image) -> Image.Image:
        """Draw native windows over the runtime's frame (``base``)."""
        layers = self.layers()
        native = [layer.window for layer in layers if layer.native]
        return compose(base, native + self.dialogs + self.toasts)

    # --- input ----------------------------------------------------------------------------------
    def route_touch(self, x: int, y: int, action: str) -> Any:
        """Where a pointer event goes: a modal dialog, a native window, or None (the runtime's surface)."""
        dialogs = self.dialogs
        if dialogs:
            if action == "up":
                dialogs[-1].tap(x, y)
            return dialogs[-1]
        layers = self.layers()
        if layers and layers[-1].native:
            if action == "up":
                layers[-1].window.tap(x, y)
            return layers[-1].window
        return None

    def back(self) -> bool:
        """BACK closes the top dialog first (its ``on_back`` decides how); True if a dialog took it."""
        dialogs = self.dialogs
        if not dialogs:
            return False
        top = dialogs[-1]
        if top.on_back is not None:
            top.on_back()
        else:
            self.dismiss(top)
        return True
