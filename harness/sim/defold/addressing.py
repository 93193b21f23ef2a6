"""Defold URLs: ``socket:/path#fragment`` and how ``msg.post``/``msg.url`` resolve them.

* ``"#"`` (or ``""``) is the calling script itself; ``"#name"`` another component of the same
  game object; ``"."`` the calling game object.
* a path without a leading ``/`` is relative to the caller's collection namespace: from
  ``/level/hero`` the id ``"enemy"`` means ``/level/enemy``.
* ``"main:/go#script"`` names everything; an empty socket means the caller's collection.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Url:
    socket: str
    path: str
    fragment: str = ""

    def __str__(self) -> str:
        text = f"{self.socket}:{self.path}" if self.socket else self.path
        return f"{text}#{self.fragment}" if self.fragment else text

    def game_object(self) -> Url:
        return Url(self.socket, self.path)


class AddressError(ValueError):
    """An address that cannot be parsed or names no known collection."""


def namespace(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def resolve(text: str, current: Url, sockets: set[str]) -> Url:
    """Resolve a receiver string against the calling script's URL."""
    socket = current.socket
    rest = text
    if ":" in text:
        socket, rest = text.split(":", 1)
        if not socket:
            socket = current.socket
        if socket not in sockets:
            raise AddressError(f"The socket '{socket}' could not be found.")
    if rest in ("", "#"):
        return current
    if "#" in rest:
        path, fragment = rest.split("#", 1)
    else:
        path, fragment = rest, ""
    if path in ("", "."):
        path = current.path
    elif not path.startswith("/"):
        path = f"{namespace(current.path)}/{path}"
    return Url(socket, path, fragment)


def from_parts(kind: str, a: str, b: str, c: str, current: Url, sockets: set[str]) -> Url:
    """Receiver given as string (``s``), hash of a path (``h``) or url object parts (``u``)."""
    if kind == "s":
        return resolve(a, current, sockets)
    if kind == "h":
        path = a if a.startswith("/") else f"{namespace(current.path)}/{a}"
        return Url(current.socket, path)
    socket = a or current.socket
    if socket not in sockets:
        raise AddressError(f"The socket '{socket}' could not be found.")
    path = b or current.path
    return Url(socket, path, c)
