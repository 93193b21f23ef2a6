"""The Python half of the ``gui`` Lua module: node properties, structure, picking, animation.

The Lua half (``lua/prelude.lua``) turns node userdata, hashes and vectors into integers,
strings and numbers before calling here, so these functions deal only in plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lupa.luajit21 import LuaError

from harness.sim.defold.gui import TYPE_BOX, TYPE_TEXT, VECTOR_PROPS, GuiNode, GuiScene
from harness.sim.defold.luavalues import to_bytes, to_text

if TYPE_CHECKING:
    from harness.sim.defold.runtime import DefoldRuntime, ScriptInstance

ENUM_FIELDS = ("pivot", "xanchor", "yanchor", "adjust_mode", "type")


@dataclass
class Animation:
    scene: GuiScene
    nid: int
    prop: str
    component: int | None
    start: list[float]
    target: list[float]
    duration: float
    delay: float
    owner: ScriptInstance | None
    complete: Any
    elapsed: float = 0.0


class GuiApi:
    def __init__(self, runtime: DefoldRuntime) -> None:
        self.rt = runtime
        self.animations: list[Animation] = []

    # ---- lookup ------------------------------------------------------------------------------
    def _scene(self) -> GuiScene:
        inst = self.rt.current
        if inst is None or inst.scene is None:
            raise LuaError("gui functions can only be called from a gui script")
        return inst.scene

    def _node(self, nid: int) -> GuiNode:
        for scene in self.rt.scenes():
            node = scene.nodes.get(int(nid))
            if node is not None:
                return node
        raise LuaError("Deleted node")

    def _owner_scene(self, nid: int) -> GuiScene:
        for scene in self.rt.scenes():
            if int(nid) in scene.nodes:
                return scene
        raise LuaError("Deleted node")

    def functions(self) -> dict[str, Any]:
        return {name[4:]: getattr(self, name) for name in dir(self) if name.startswith("lua_")}

    # ---- nodes -------------------------------------------------------------------------------
    def lua_gui_node_alive(self, nid: int) -> bool:
        return any(int(nid) in s.nodes for s in self.rt.scenes())

    def lua_gui_get_node(self, name: bytes) -> int | None:
        node = self._scene().by_id(to_text(name))
        return node.nid if node else None

    def lua_gui_get_id(self, nid: int) -> bytes:
        return to_bytes(self._node(nid).id)

    def lua_gui_set_id(self, nid: int, name: bytes) -> None:
        self._node(nid).id = to_text(name)

    def lua_gui_get_vec(self, nid: int, prop: bytes) -> tuple[float, float, float, float]:
        v = self._node(nid).props[to_text(prop)]
        return v[0], v[1], v[2], v[3]

    def lua_gui_set_vec(self, nid: int, prop: bytes, x: float, y: float, z: float, w: float) -> None:
        name = to_text(prop)
        if name not in VECTOR_PROPS:
            raise LuaError(f"unknown property {name}")
        self._node(nid).props[name] = [float(x), float(y), float(z), float(w if w is not None else 0.0)]

    def lua_gui_get_text(self, nid: int) -> bytes:
        return to_bytes(self._node(nid).text)

    def lua_gui_set_text(self, nid: int, text: bytes) -> None:
        self._node(nid).text = to_text(text)

    def lua_gui_is_enabled(self, nid: int, recursive: bool) -> bool:
        if recursive:
            return self._owner_scene(nid).effective_enabled(int(nid))
        return self._node(nid).enabled

    def lua_gui_set_enabled(self, nid: int, enabled: bool) -> None:
        self._node(nid).enabled = bool(enabled)

    def lua_gui_get_flag(self, nid: int, name: bytes) -> bool:
        return bool(getattr(self._node(nid), to_text(name)))

    def lua_gui_set_flag(self, nid: int, name: bytes, value: bool) -> None:
        setattr(self._node(nid), to_text(name), bool(value))

    def lua_gui_get_enum(self, nid: int, name: bytes) -> int:
        field = to_text(name)
        if field not in ENUM_FIELDS:
            raise LuaError(f"unknown field {field}")
        return int(getattr(self._node(nid), field))

    def lua_gui_set_enum(self, nid: int, name: bytes, value: int) -> None:
        field = to_text(name)
        if field not in ENUM_FIELDS or field == "type":
            raise LuaError(f"cannot set {field}")
        setattr(self._node(nid), field, int(value))

    def lua_gui_get_parent(self, nid: int) -> int | None:
        return self._node(nid).parent

    def lua_gui_set_parent(self, nid: int, parent: int | None, keep_scene_transform: bool) -> None:
        node = self._node(nid)
        node.parent = int(parent) if parent is not None else None

    def lua_gui_pick_node(self, nid: int, x: float, y: float) -> bool:
        return self._owner_scene(nid).pick(int(nid), float(x), float(y), self.rt.screen_size)

    def lua_gui_screen_position(self, nid: int) -> tuple[float, float, float]:
        placed = self._owner_scene(nid).placement(int(nid), self.rt.screen_size)
        return placed.world.tx, placed.world.ty, 0.0

    def lua_gui_set_render_order(self, order: int) -> None:
        self._scene().render_order = int(order)

    def lua_gui_scene_size(self) -> tuple[int, int]:
        return self._scene().project_size

    def lua_gui_new_node(
        self, kind: bytes, px: float, py: float, pz: float, sx: float, sy: float, sz: float, text: bytes
    ) -> int:
        scene = self._scene()
        node = GuiNode(
            nid=_next_nid(),
            id="",
            type=TYPE_TEXT if kind == b"text" else TYPE_BOX,
            parent=None,
            props={
                "position": [px, py, pz, 1.0],
                "rotation": [0.0, 0.0, 0.0, 1.0],
                "scale": [1.0, 1.0, 1.0, 1.0],
                "size": [sx or 0.0, sy or 0.0, sz or 0.0, 1.0],
                "color": [1.0, 1.0, 1.0, 1.0],
                "outline": [1.0, 1.0, 1.0, 1.0],
                "shadow": [1.0, 1.0, 1.0, 1.0],
            },
            text=to_text(text),
            inherit_alpha=True,
        )
        scene.add(node)
        return node.nid

    def _clone_one(self, scene: GuiScene, node: GuiNode, parent: int | None) -> GuiNode:
        copy = GuiNode(
            **{
                **node.__dict__,
                "nid": _next_nid(),
                "parent": parent,
                "props": {k: list(v) for k, v in node.props.items()},
            }
        )
        copy.id = ""
        scene.add(copy)
        return copy

    def lua_gui_clone(self, nid: int, _unused: Any) -> int:
        scene = self._owner_scene(nid)
        return self._clone_one(scene, scene.nodes[int(nid)], scene.nodes[int(nid)].parent).nid

    def lua_gui_clone_tree(self, nid: int) -> Any:
        scene = self._owner_scene(nid)
        mapping: dict[bytes, int] = {}

        def clone(node: GuiNode, parent: int | None) -> None:
            copy = self._clone_one(scene, node, parent)
            mapping[to_bytes(node.id)] = copy.nid
            for child in scene.children(node.nid):
                clone(child, copy.nid)

        root = scene.nodes[int(nid)]
        clone(root, root.parent)
        return self._table(mapping)

    def lua_gui_delete_node(self, nid: int) -> Any:
        scene = self._owner_scene(nid)
        gone = scene.remove(int(nid))
        self.animations = [a for a in self.animations if a.nid not in gone]
        return self._table({i + 1: g for i, g in enumerate(gone)})

    def lua_gui_get_tree(self, nid: int) -> Any:
        scene = self._owner_scene(nid)
        root = scene.nodes[int(nid)]
        nodes = [root, *scene.descendants(root.nid)]
        return self._table({to_bytes(n.id): n.nid for n in nodes if n.id})

    def lua_gui_get_children(self, nid: int) -> Any:
        scene = self._owner_scene(nid)
        return self._table({i + 1: n.nid for i, n in enumerate(scene.children(int(nid)))})

    def lua_gui_root_nodes(self) -> Any:
        return self._table({i + 1: n.nid for i, n in enumerate(self._scene().roots())})

    def _table(self, data: dict[Any, Any]) -> Any:
        table = self.rt.lua.table()
        for k, v in data.items():
            table[k] = v
        return table

    # ---- animation ---------------------------------------------------------------------------
    def lua_gui_animate(
        self,
        nid: int,
        prop: bytes,
        x: float,
        y: float | None,
        z: float | None,
        w: float | None,
        duration: float,
        delay: float,
        complete: Any,
    ) -> None:
        scene = self._owner_scene(nid)
        name = to_text(prop)
        base, _, comp = name.partition(".")
        if base not in VECTOR_PROPS:
            raise LuaError(f"property '{name}' not found")
        index = "xyzw".index(comp) if comp else None
        current = scene.nodes[int(nid)].props[base]
        if index is not None or y is None:
            target = list(current)
            for i in [index] if index is not None else range(4):
                target[i] = float(x)
        else:
            target = [float(x), float(y), float(z or 0.0), float(w if w is not None else current[3])]
        self.animations = [a for a in self.animations if not (a.nid == int(nid) and a.prop == base)]
        self.animations.append(
            Animation(
                scene,
                int(nid),
                base,
                index,
                list(current),
                target,
                float(duration),
                float(delay),
                self.rt.current,
                complete,
            )
        )

    def lua_gui_cancel_animation(self, nid: int, prop: bytes) -> None:
        base = to_text(prop).partition(".")[0]
        self.animations = [a for a in self.animations if not (a.nid == int(nid) and a.prop == base)]

    def step_animations(self, dt: float) -> None:
        """Linear interpolation on the virtual clock (easing curves are not modelled)."""
        finished: list[Animation] = []
        for anim in list(self.animations):
            node = anim.scene.nodes.get(anim.nid)
            if node is None:
                self.animations.remove(anim)
                continue
            anim.elapsed += dt
            progress = anim.elapsed - anim.delay
            done = anim.duration <= 0 or progress >= anim.duration - 1e-9  # frames sum to the duration
            t = 1.0 if done else max(progress, 0.0) / anim.duration
            node.props[anim.prop] = [s + (e - s) * t for s, e in zip(anim.start, anim.target, strict=True)]
            if t >= 1.0:
                self.animations.remove(anim)
                finished.append(anim)
        for anim in finished:
            if anim.complete is not None:
                self.rt.call_lua(
                    anim.owner, anim.complete, self.rt.engine.node_handle(anim.nid), pass_self=True
                )


def _next_nid() -> int:
    from harness.sim.defold import gui

    return next(gui._ids)
