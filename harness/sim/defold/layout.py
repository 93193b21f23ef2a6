"""Defold's GUI layout rules: adjust modes, anchors, pivots, reference scale.

These follow the engine's documented behaviour for a screen whose size differs from the
project's display size (``display.width``/``display.height``):

* reference scale of a root node: ``(screen_w / project_w, screen_h / project_h)``; with the
  scene's ``ADJUST_REFERENCE_PARENT`` a child's reference scale is its parent's adjust scale.
* adjust scale: FIT → both axes ``min(rx, ry)``, ZOOM → ``max(rx, ry)``, STRETCH → ``(rx, ry)``.
* a root node's position is scaled by the adjust scale and centred: the part of the screen the
  adjusted project does not cover is split equally on both sides. An axis anchored to an edge
  (LEFT/RIGHT, TOP/BOTTOM) drops that centring offset and scales its position by the reference
  scale instead, so the node keeps its proportional distance to that edge.
* the pivot shifts the node's rectangle: CENTER spans ``[-w/2, w/2]``, W/SW/NW start at 0, etc.

Rotation is not modelled (the sample game does not rotate GUI nodes). Coordinates are Defold's:
origin at the bottom-left of the screen, y up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class AdjustMode(IntEnum):
    FIT = 0
    ZOOM = 1
    STRETCH = 2


class AdjustReference(IntEnum):
    LEGACY = 0
    PARENT = 1
    DISABLED = 2


class XAnchor(IntEnum):
    NONE = 0
    LEFT = 1
    RIGHT = 2


class YAnchor(IntEnum):
    NONE = 0
    TOP = 1
    BOTTOM = 2


class Pivot(IntEnum):
    CENTER = 0
    N = 1
    NE = 2
    E = 3
    SE = 4
    S = 5
    SW = 6
    W = 7
    NW = 8


@dataclass(frozen=True)
class Affine:
    """``p ↦ (sx·x + tx, sy·y + ty)`` — all a rotation-free GUI transform needs."""

    sx: float = 1.0
    sy: float = 1.0
    tx: float = 0.0
    ty: float = 0.0

    def __matmul__(self, other: Affine) -> Affine:
        return Affine(
            self.sx * other.sx, self.sy * other.sy, self.sx * other.tx + self.tx, self.sy * other.ty + self.ty
        )

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.sx * x + self.tx, self.sy * y + self.ty


@dataclass(frozen=True)
class Rect:
    """Screen-space rectangle, Defold orientation (``y0`` is the bottom edge)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def center(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def pivot_delta(pivot: int, width: float, height: float) -> tuple[float, float]:
    """Offset from the node's position to the lower-left corner of its rectangle."""
    p = Pivot(pivot)
    if p in (Pivot.CENTER, Pivot.S, Pivot.N):
        dx = -width * 0.5
    elif p in (Pivot.NE, Pivot.E, Pivot.SE):
        dx = -width
    else:
        dx = 0.0
    if p in (Pivot.CENTER, Pivot.E, Pivot.W):
        dy = -height * 0.5
    elif p in (Pivot.N, Pivot.NE, Pivot.NW):
        dy = -height
    else:
        dy = 0.0
    return dx, dy


def adjust_scale(mode: int, ref: tuple[float, float]) -> tuple[float, float]:
    rx, ry = ref
    if mode == AdjustMode.FIT:
        return min(rx, ry), min(rx, ry)
    if mode == AdjustMode.ZOOM:
        return max(rx, ry), max(rx, ry)
    return rx, ry


@dataclass(frozen=True)
class NodeGeometry:
    """The layout inputs of one node (scene units, as stored in the ``.gui`` file)."""

    position: tuple[float, float]
    size: tuple[float, float]
    scale: tuple[float, float]
    pivot: int
    xanchor: int
    yanchor: int
    adjust_mode: int


@dataclass(frozen=True)
class LayoutContext:
    project_size: tuple[int, int]
    screen_size: tuple[int, int]
    reference: int = AdjustReference.PARENT

    @property
    def screen_scale(self) -> tuple[float, float]:
        return self.screen_size[0] / self.project_size[0], self.screen_size[1] / self.project_size[1]


@dataclass(frozen=True)
class Placed:
    """A node's computed transforms: ``world`` maps node-local units to screen pixels."""

    world: Affine
    adjust: tuple[float, float]
    rect: Rect


def place(
    ctx: LayoutContext, geo: NodeGeometry, parent: Placed | None, parent_size: tuple[float, float] | None
) -> Placed:
    """Compute where a node lands on the screen, given its parent's placement."""
    px, py = geo.position
    if ctx.reference == AdjustReference.DISABLED:
        ref = (1.0, 1.0)
        adj = (1.0, 1.0)
        pos = (px, py)
    elif ctx.reference == AdjustReference.LEGACY and parent is not None:
        ref = ctx.screen_scale
        adj = (1.0, 1.0)
        pos = (px, py)
    else:
        is_root = parent is None or ctx.reference == AdjustReference.LEGACY
        ref = ctx.screen_scale if parent is None else parent.adjust
        adj = adjust_scale(geo.adjust_mode, ref)
        if is_root:
            pw, ph = ctx.project_size
            sw, sh = ctx.screen_size
            offset = [(sw - pw * adj[0]) * 0.5, (sh - ph * adj[1]) * 0.5]
        else:
            offset = [0.0, 0.0]
        sx, sy = px * adj[0], py * adj[1]
        if geo.xanchor in (XAnchor.LEFT, XAnchor.RIGHT):
            offset[0] = 0.0
            sx = px * ref[0]
        if geo.yanchor in (YAnchor.TOP, YAnchor.BOTTOM):
            offset[1] = 0.0
            sy = py * ref[1]
        pos = (sx + offset[0], sy + offset[1])
    local = Affine(adj[0] * geo.scale[0], adj[1] * geo.scale[1], pos[0], pos[1])
    if parent is not None and ctx.reference == AdjustReference.PARENT:
        local = Affine(1.0 / ref[0], 1.0 / ref[1]) @ local
    world = parent.world @ local if parent is not None else local
    dx, dy = pivot_delta(geo.pivot, geo.size[0], geo.size[1])
    ax, ay = world.apply(dx, dy)
    bx, by = world.apply(dx + geo.size[0], dy + geo.size[1])
    rect = Rect(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
    return Placed(world, adj, rect)


def game_to_screen(ctx: LayoutContext, x: float, y: float) -> tuple[float, float]:
    """``action.x/y`` (project units) → screen pixels, as ``gui.pick_node`` does."""
    sx, sy = ctx.screen_scale
    return x * sx, y * sy


def screen_to_game(ctx: LayoutContext, x: float, y: float) -> tuple[float, float]:
    """Screen pixels (Defold orientation) → ``action.x/y``: the engine scales by project/window size."""
    sx, sy = ctx.screen_scale
    return x / sx, y / sy
