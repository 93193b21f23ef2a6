"""Small Defold projects written the way the editor writes them, for engine tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

GAME_PROJECT = """[project]
title = engine-test

[display]
width = {width}
height = {height}

[bootstrap]
main_collection = /main/main.collectionc
"""


def collection(objects: Iterable[tuple[str, str]], name: str = "main") -> str:
    """``objects``: (instance id, prototype path)."""
    parts = [f'name: "{name}"\nscale_along_z: 0\n']
    for oid, proto in objects:
        parts.append(f'instances {{\n  id: "{oid}"\n  prototype: "{proto}"\n}}\n')
    return "".join(parts)


def game_object(components: Iterable[tuple[str, str]]) -> str:
    return "".join(f'components {{\n  id: "{cid}"\n  component: "{path}"\n}}\n' for cid, path in components)


@dataclass
class Node:
    id: str
    x: float
    y: float
    w: float = 200.0
    h: float = 100.0
    type: str = "TYPE_BOX"
    adjust: str = "ADJUST_MODE_FIT"
    pivot: str = "PIVOT_CENTER"
    xanchor: str = "XANCHOR_NONE"
    yanchor: str = "YANCHOR_NONE"
    parent: str = ""
    color: tuple[float, float, float] = (1.0, 1.0, 1.0)
    alpha: float = 1.0
    text: str = ""
    enabled: bool = True

    def text_format(self) -> str:
        lines = [
            "nodes {",
            f"  position {{ x: {self.x} y: {self.y} z: 0.0 w: 1.0 }}",
            "  scale { x: 1.0 y: 1.0 z: 1.0 w: 1.0 }",
            f"  size {{ x: {self.w} y: {self.h} z: 0.0 w: 1.0 }}",
            f"  color {{ x: {self.color[0]} y: {self.color[1]} z: {self.color[2]} w: 1.0 }}",
            f"  type: {self.type}",
            f'  id: "{self.id}"',
            f"  xanchor: {self.xanchor}",
            f"  yanchor: {self.yanchor}",
            f"  pivot: {self.pivot}",
            f"  adjust_mode: {self.adjust}",
            f"  alpha: {self.alpha}",
            "  inherit_alpha: true",
            f"  enabled: {'true' if self.enabled else 'false'}",
        ]
        if self.text:
            lines.append(f'  text: "{self.text}"')
        if self.parent:
            lines.append(f'  parent: "{self.parent}"')
        lines.append("}")
        return "\n".join(lines) + "\n"


def gui(script: str, nodes: Iterable[Node]) -> str:
    head = (
        f'script: "{script}"\nmaterial: "/builtins/materials/gui.material"\n'
        "adjust_reference: ADJUST_REFERENCE_PARENT\n"
    )
    return head + "".join(n.text_format() for n in nodes)


@dataclass
class ProjectBuilder:
    width: int = 720
    height: int = 1280
    files: dict[str, str] = field(default_factory=dict)
    objects: list[tuple[str, str]] = field(default_factory=list)

    def script_object(self, oid: str, source: str) -> ProjectBuilder:
        """A game object ``oid`` with one script component ``script``."""
        self.files[f"main/{oid}.script"] = source
        self.files[f"main/{oid}.go"] = game_object([("script", f"/main/{oid}.script")])
        self.objects.append((oid, f"/main/{oid}.go"))
        return self

    def gui_object(self, oid: str, nodes: Iterable[Node], gui_script: str) -> ProjectBuilder:
        self.files[f"main/{oid}.gui_script"] = gui_script
        self.files[f"main/{oid}.gui"] = gui(f"/main/{oid}.gui_script", nodes)
        self.files[f"main/{oid}.go"] = game_object([("gui", f"/main/{oid}.gui")])
        self.objects.append((oid, f"/main/{oid}.go"))
        return self

    def module(self, path: str, source: str) -> ProjectBuilder:
        self.files[path] = source
        return self

    def build(self) -> dict[str, bytes]:
        out = {k: v.encode() for k, v in self.files.items()}
        out["game.project"] = GAME_PROJECT.format(width=self.width, height=self.height).encode()
        out["main/main.collection"] = collection(self.objects).encode()
        return out


class LogCapture:
    """What the runtime wrote to its log (logcat on a device)."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, str, str]] = []

    def __call__(self, priority: int, tag: str, message: str) -> None:
        self.entries.append((priority, tag, message))

    def script_lines(self) -> list[str]:
        prefix = "DEBUG:SCRIPT: "
        return [m[len(prefix) :] for _, t, m in self.entries if t == "defold" and m.startswith(prefix)]

    def errors(self) -> list[str]:
        return [m for p, _, m in self.entries if p == 6]
