"""Drawing the GUI to a picture: what ``screencap`` shows of a Defold game.

Boxes are filled rectangles in the node colour (alpha-blended, inherited alpha applied), text
nodes use Pillow's bundled default font scaled with the node, disabled nodes and their subtrees
are skipped. The picture is the device's screen (Defold's y axis points up; images' down).
"""

from __future__ import annotations

import functools
import io
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from harness.sim.defold.gui import TYPE_BOX, TYPE_TEXT, GuiScene
from harness.sim.defold.runtime import DefoldRuntime

#: Height in project units of Defold's builtin system font (used when a node names no font).
BASE_TEXT_SIZE = 28.0


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when the system has it (Cyrillic, ₽), else Pillow's bundled default font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", max(size, 6))
    except OSError:
        return ImageFont.load_default(size=max(size, 6))


def _rgba(color: list[float], alpha: float) -> tuple[int, int, int, int]:
    def clamp(v: float) -> int:
        return max(0, min(255, round(v * 255)))

    return clamp(color[0]), clamp(color[1]), clamp(color[2]), clamp(alpha)


def clear_color(runtime: DefoldRuntime) -> tuple[int, int, int, int]:
    def channel(name: str, default: float) -> int:
        try:
            return round(float(runtime.config.get(f"render.clear_color_{name}", default)) * 255)
        except ValueError:
            return round(default * 255)

    return channel("red", 0.0), channel("green", 0.0), channel("blue", 0.0), 255


def render_scene(img: Image.Image, scene: GuiScene, screen: tuple[int, int]) -> None:
    height = screen[1]
    for node in scene.render_list():
        if not scene.effective_enabled(node.nid) or not node.visible:
            continue
        alpha = scene.effective_alpha(node.nid)
        if alpha <= 0:
            continue
        placed = scene.placement(node.nid, screen)
        rect = placed.rect
        box = (rect.x0, height - rect.y1, rect.x1, height - rect.y0)
        fill = _rgba(node.props["color"], alpha)
        if node.type == TYPE_BOX and box[2] - box[0] >= 1 and box[3] - box[1] >= 1:
            _paint(img, box, functools.partial(_draw_box, box=box, fill=fill), fill[3])
        elif node.type == TYPE_TEXT and node.text:
            font = _font(int(BASE_TEXT_SIZE * abs(placed.world.sy)))
            cx, cy = rect.center
            anchor = "mm"
            if node.pivot in (6, 7, 8):  # SW, W, NW: left aligned
                cx, anchor = rect.x0, "lm"
            elif node.pivot in (2, 3, 4):  # NE, E, SE: right aligned
                cx, anchor = rect.x1, "rm"
            origin = (cx, height - cy)
            probe = ImageDraw.Draw(img).multiline_textbbox(origin, node.text, font=font, anchor=anchor)
            draw = functools.partial(
                _draw_text, origin=origin, text=node.text, font=font, fill=fill, anchor=anchor
            )
            _paint(img, probe, draw, fill[3])


def _draw_box(
    d: ImageDraw.ImageDraw, off: tuple[int, int], *, box: tuple[float, float, float, float], fill: Any
) -> None:
    d.rectangle(_shift(box, off), fill=fill)


def _draw_text(
    d: ImageDraw.ImageDraw,
    off: tuple[int, int],
    *,
    origin: tuple[float, float],
    text: str,
    font: Any,
    fill: Any,
    anchor: str,
) -> None:
    d.multiline_text(
        (origin[0] - off[0], origin[1] - off[1]), text, font=font, fill=fill, anchor=anchor, align="center"
    )


def _shift(box: tuple[float, float, float, float], off: tuple[int, int]) -> tuple[float, float, float, float]:
    return box[0] - off[0], box[1] - off[1], box[2] - off[0], box[3] - off[1]


def _paint(img: Image.Image, bbox: tuple[float, float, float, float], draw_fn: Any, alpha: int) -> None:
    """Opaque shapes go straight onto the picture; translucent ones through a small blended layer."""
    if alpha >= 255:
        draw_fn(ImageDraw.Draw(img), (0, 0))
        return
    x0, y0 = max(int(bbox[0]) - 1, 0), max(int(bbox[1]) - 1, 0)
    x1, y1 = min(int(bbox[2]) + 2, img.width), min(int(bbox[3]) + 2, img.height)
    if x1 <= x0 or y1 <= y0:
        return
    layer = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
    draw_fn(ImageDraw.Draw(layer), (x0, y0))
    img.alpha_composite(layer, (x0, y0))


def render(runtime: DefoldRuntime) -> Image.Image:
    with runtime.lock:
        img = Image.new("RGBA", runtime.screen_size, clear_color(runtime))
        scenes = sorted((s for s in runtime.scenes() if s.component_enabled), key=lambda s: s.render_order)
        for scene in scenes:
            render_scene(img, scene, runtime.screen_size)
    return img.convert("RGB")


def render_png(runtime: DefoldRuntime) -> bytes:
    out = io.BytesIO()
    render(runtime).save(out, format="PNG")
    return out.getvalue()
