"""Draw native windows onto the screen image, so `screencap` shows what UiAutomator reports.

Boxes, text and colours only: enough for a person to recognise the payment sheet or the
bank app in a screenshot, and for a test to check a view is where its bounds say.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from harness.sim.ui.views import View, Window, WindowKind

SCRIM = (0, 0, 0, 110)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _draw_view(draw: ImageDraw.ImageDraw, view: View) -> None:
    if not view.visible:
        return
    left, top, right, bottom = view.bounds
    if view.background is not None and right > left and bottom > top:
        draw.rectangle((left, top, right - 1, bottom - 1), fill=tuple(view.background))
    label = view.text or ("" if view.children else view.content_desc)
    if label:
        font = _font(view.text_size)
        box = draw.textbbox((0, 0), label, font=font)
        text_w, text_h = box[2] - box[0], box[3] - box[1]
        x = left + max(0, (right - left - text_w) // 2)
        y = top + max(0, (bottom - top - text_h) // 2) - box[1]
        colour = view.foreground if view.enabled else (150, 150, 150)
        draw.text((x, y), label, font=font, fill=tuple(colour))
    for child in view.children:
        _draw_view(draw, child)


def compose(base: Image.Image, windows: Sequence[Window]) -> Image.Image:
    """Draw ``windows`` (back to front) over ``base``; dialogs dim what is behind them."""
    screen = base.convert("RGBA")
    for window in windows:
        if window.kind is WindowKind.DIALOG:
            screen = Image.alpha_composite(screen, Image.new("RGBA", screen.size, SCRIM))
        layer = Image.new("RGBA", screen.size, (0, 0, 0, 0))
        _draw_view(ImageDraw.Draw(layer), window.root)
        screen = Image.alpha_composite(screen, layer)
    return screen.convert("RGB")
