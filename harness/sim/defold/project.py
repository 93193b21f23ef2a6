"""Reading a Defold project: ``game.project`` (INI) and the protobuf-text resources.

The runtime never touches the host file system for game data: a project is a mapping of
project paths (``main/main.collection``) to bytes, so the same code reads a source checkout
(``sample_app/``) and the assets of an installed APK.
"""

from __future__ import annotations

import configparser
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from defoldsdk.gameobject import gameobject_ddf_pb2
from defoldsdk.gamesys import gui_ddf_pb2
from google.protobuf import text_format

_M = TypeVar("_M", gameobject_ddf_pb2.CollectionDesc, gameobject_ddf_pb2.PrototypeDesc, gui_ddf_pb2.SceneDesc)


class ProjectError(Exception):
    """The project is incomplete or a resource does not parse."""


class ProjectFiles(Mapping[str, bytes]):
    """Project-relative paths (no leading slash) → file content."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = {normalize(k): v for k, v in files.items()}

    @classmethod
    def from_directory(cls, root: str | Path) -> ProjectFiles:
        base = Path(root)
        files: dict[str, bytes] = {}
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base)
            if path.is_file() and not any(part.startswith(".") or part == "build" for part in rel.parts):
                files[rel.as_posix()] = path.read_bytes()
        return cls(files)

    def __getitem__(self, key: str) -> bytes:
        return self._files[normalize(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def text(self, key: str) -> str:
        try:
            return self[key].decode("utf-8")
        except KeyError:
            raise ProjectError(f"missing project file: /{normalize(key)}") from None


def normalize(path: str) -> str:
    """``/main/x.gui`` and ``main/x.gui`` name the same resource."""
    return path.lstrip("/")


@dataclass
class GameProject:
    """``game.project``: sections of keys, read the way Defold reads it (``section.key``)."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> GameProject:
        parser = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#", ";"))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(text)
        values = {f"{s}.{k}": v for s in parser.sections() for k, v in parser.items(s)}
        return cls(values)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def get_int(self, key: str, default: int) -> int:
        raw = self.values.get(key)
        try:
            return int(raw) if raw is not None else default
        except ValueError:
            return default

    @property
    def title(self) -> str:
        return self.values.get("project.title", "unnamed")

    @property
    def display_size(self) -> tuple[int, int]:
        return self.get_int("display.width", 960), self.get_int("display.height", 640)

    @property
    def main_collection(self) -> str:
        compiled = self.values.get("bootstrap.main_collection", "/main/main.collectionc")
        return compiled[:-1] if compiled.endswith("c") else compiled


@functools.lru_cache(maxsize=128)
def parse_collection(text: str) -> gameobject_ddf_pb2.CollectionDesc:
    return _parse(text, gameobject_ddf_pb2.CollectionDesc(), "collection")


@functools.lru_cache(maxsize=128)
def parse_prototype(text: str) -> gameobject_ddf_pb2.PrototypeDesc:
    return _parse(text, gameobject_ddf_pb2.PrototypeDesc(), "game object")


@functools.lru_cache(maxsize=128)
def parse_gui(text: str) -> gui_ddf_pb2.SceneDesc:
    """Parsed once per distinct text: every game start on every device reads the same scenes,
    and protobuf's text parser is the costliest part of a start. Callers only read the result."""
    return _parse(text, gui_ddf_pb2.SceneDesc(), "gui")


def _parse(text: str, message: _M, what: str) -> _M:
    try:
        text_format.Parse(text, message, allow_unknown_field=True)
    except text_format.ParseError as exc:
        raise ProjectError(f"bad {what} file: {exc}") from exc
    return message
