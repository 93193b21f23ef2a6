"""The screen: physical size and density, ``wm`` overrides, and the default home-screen frame."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw


@dataclass
class Display:
    physical_width: int
    physical_height: int
    physical_density: int
    override_size: tuple[int, int] | None = None
    override_density: int | None = None
    rotation: int = 0

    @property
    def size(self) -> tuple[int, int]:
        return self.override_size or (self.physical_width, self.physical_height)

    @property
    def density(self) -> int:
        return self.override_density or self.physical_density


def home_screen(size: tuple[int, int], clock: str) -> Image.Image:
    """A plain launcher look: wallpaper gradient, status bar, dock — enough to tell 'no app is up'."""
    width, height = size
    img = Image.new("RGB", size, (32, 56, 88))
    draw = ImageDraw.Draw(img)
    for y in range(0, height, 8):
        shade = int(40 + 60 * y / max(height, 1))
        draw.rectangle((0, y, width, y + 8), fill=(24, shade, 110))
    bar = max(height // 30, 24)
    draw.rectangle((0, 0, width, bar), fill=(0, 0, 0))
    draw.text((16, bar // 4), clock, fill=(255, 255, 255))
    dock_top = height - height // 8
    draw.rounded_rectangle(
        (width // 16, dock_top, width - width // 16, height - height // 40),
        radius=24,
        fill=(255, 255, 255, 64),
        outline=(200, 200, 220),
    )
    icon = width // 8
    for i in range(4):
        cx = width // 8 + i * (width - width // 4) // 3
        draw.ellipse(
            (cx - icon // 2, dock_top + 16, cx + icon // 2, dock_top + 16 + icon), fill=(220, 220, 230)
        )
    return img


def png_bytes(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
