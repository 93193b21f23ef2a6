"""A GUI component's scene: the nodes of a ``.gui`` file, their properties and their layout.

Node handles are integers unique across the runtime (the Lua side interns a userdata per id).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from defoldsdk.gamesys import gui_ddf_pb2

from harness.sim.defold.layout import (
    AdjustReference,
    LayoutContext,
    NodeGeometry,
    Placed,
    Rect,
    game_to_screen,
    place,
)

TYPE_BOX, TYPE_TEXT = 0, 1
TYPE_NAMES = {0: "box", 1: "text", 2: "pie", 3: "template", 4: "spine", 5: "particlefx", 6: "custom"}
VECTOR_PROPS = ("position", "rotation", "scale", "size", "color", "outline", "shadow")
_ids = itertools.count(1)


@dataclass
class GuiNode:
    nid: int
    id: str
    type: int
    parent: int | None
    props: dict[str, list[float]]
    text: str = ""
    font: str = ""
    pivot: int = 0
    xanchor: int = 0
    yanchor: int = 0
    adjust_mode: int = 0
    enabled: bool = True
    visible: bool = True
    inherit_alpha: bool = False
    line_break: bool = False
    texture: str = ""
    layer: str = ""

    def geometry(self) -> NodeGeometry:
        p, s, sc = self.props["position"], self.props["size"], self.props["scale"]
        return NodeGeometry(
            (p[0], p[1]),
            (s[0], s[1]),
            (sc[0], sc[1]),
            self.pivot,
            self.xanchor,
            self.yanchor,
            self.adjust_mode,
        )


def _vec(msg: object, has: bool, default: tuple[float, float, float, float]) -> list[float]:
    if not has:
        return list(default)
    return [msg.x, msg.y, msg.z, msg.w]  # type: ignore[attr-defined]


def node_from_desc(desc: gui_ddf_pb2.NodeDesc, parent: int | None) -> GuiNode:
    """Apply the editor's defaults for fields a ``.gui`` file leaves out."""
    color = _vec(desc.color, desc.HasField("color"), (1.0, 1.0, 1.0, 1.0))
    if desc.HasField("alpha"):
        color[3] = desc.alpha
    props = {
        "position": _vec(desc.position, desc.HasField("position"), (0.0, 0.0, 0.0, 1.0)),
        "rotation": _vec(desc.rotation, desc.HasField("rotation"), (0.0, 0.0, 0.0, 1.0)),
        "scale": _vec(desc.scale, desc.HasField("scale"), (1.0, 1.0, 1.0, 1.0)),
        "size": _vec(desc.size, desc.HasField("size"), (200.0, 100.0, 0.0, 1.0)),
        "color": color,
        "outline": _vec(desc.outline, desc.HasField("outline"), (1.0, 1.0, 1.0, 1.0)),
        "shadow": _vec(desc.shadow, desc.HasField("shadow"), (1.0, 1.0, 1.0, 1.0)),
    }
    return GuiNode(
        nid=next(_ids),
        id=desc.id,
        type=int(desc.type),
        parent=parent,
        props=props,
        text=desc.text,
        font=desc.font,
        pivot=int(desc.pivot),
        xanchor=int(desc.xanchor),
        yanchor=int(desc.yanchor),
        adjust_mode=int(desc.adjust_mode),
        enabled=desc.enabled,
        visible=desc.visible,
        inherit_alpha=desc.inherit_alpha,
        line_break=desc.line_break,
        texture=desc.texture,
        layer=desc.layer,
    )


@dataclass
class GuiScene:
    """One GUI component: nodes in render order, plus its script's path."""

    path: str
    script: str
    project_size: tuple[int, int]
    reference: int = AdjustReference.PARENT
    nodes: dict[int, GuiNode] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    render_order: int = 0
    component_enabled: bool = True

    @classmethod
    def from_desc(cls, path: str, desc: gui_ddf_pb2.SceneDesc, project_size: tuple[int, int]) -> GuiScene:
        scene = cls(
            path=path,
            script=desc.script.lstrip("/"),
            project_size=project_size,
            reference=int(desc.adjust_reference),
        )
        by_id: dict[str, int] = {}
        for nd in desc.nodes:
            parent = by_id.get(nd.parent) if nd.parent else None
            node = node_from_desc(nd, parent)
            scene.add(node)
            by_id[node.id] = node.nid
        return scene

    # ---- structure -------------------------------------------------------------------------
    def add(self, node: GuiNode) -> None:
        self.nodes[node.nid] = node
        self.order.append(node.nid)

    def by_id(self, node_id: str) -> GuiNode | None:
        for nid in self.order:
            if self.nodes[nid].id == node_id:
                return self.nodes[nid]
        return None

    def children(self, nid: int | None) -> list[GuiNode]:
        return [self.nodes[c] for c in self.order if self.nodes[c].parent == nid]

    def roots(self) -> list[GuiNode]:
        return self.children(None)

    def descendants(self, nid: int) -> list[GuiNode]:
        out: list[GuiNode] = []
        for child in self.children(nid):
            out.append(child)
            out.extend(self.descendants(child.nid))
        return out

    def render_list(self) -> list[GuiNode]:
        """Depth-first, parents before children, siblings in file order (Defold's default)."""
        out: list[GuiNode] = []

        def walk(parent: int | None) -> None:
            for child in self.children(parent):
                out.append(child)
                walk(child.nid)

        walk(None)
        return out

    def remove(self, nid: int) -> list[int]:
        gone = [nid] + [d.nid for d in self.descendants(nid)]
        for g in gone:
            self.nodes.pop(g, None)
            self.order.remove(g)
        return gone

    # ---- state -----------------------------------------------------------------------------
    def effective_enabled(self, nid: int) -> bool:
        node: GuiNode | None = self.nodes[nid]
        while node is not None:
            if not node.enabled:
                return False
            node = self.nodes[node.parent] if node.parent is not None else None
        return True

    def effective_alpha(self, nid: int) -> float:
        node = self.nodes[nid]
        alpha = node.props["color"][3]
        if node.inherit_alpha and node.parent is not None:
            alpha *= self.effective_alpha(node.parent)
        return alpha

    # ---- layout ----------------------------------------------------------------------------
    def placement(self, nid: int, screen_size: tuple[int, int]) -> Placed:
        ctx = LayoutContext(self.project_size, screen_size, self.reference)
        node = self.nodes[nid]
        parent = self.placement(node.parent, screen_size) if node.parent is not None else None
        parent_size = None
        if node.parent is not None:
            ps = self.nodes[node.parent].props["size"]
            parent_size = (ps[0], ps[1])
        return place(ctx, node.geometry(), parent, parent_size)

    def screen_rect(self, nid: int, screen_size: tuple[int, int]) -> Rect:
        return self.placement(nid, screen_size).rect

    def pick(self, nid: int, x: float, y: float, screen_size: tuple[int, int]) -> bool:
        """``gui.pick_node``: ``x``/``y`` are ``action.x/y`` (project units)."""
        ctx = LayoutContext(self.project_size, screen_size, self.reference)
        sx, sy = game_to_screen(ctx, x, y)
        return self.screen_rect(nid, screen_size).contains(sx, sy)
