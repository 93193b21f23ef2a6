"""The game's automation bridge: Poco's "std" protocol (4-byte little-endian length + JSON-RPC 2.0).

The Defold game serves it on a device port (15004, bound on every interface) in debug builds;
the harness reaches it through ``adb forward``, the same way on a phone and on a virtual device.
It tells where the game draws each GUI node, so a W3C tap can land on a GL-drawn button.

A remote pool (an Appium server or a farm) gives no adb, and Appium has no port forwarding, so
there the bridge is reachable only at an address the user knows: the device's own IP on a
network the harness can reach, or a tunnel the farm offers (``PocoBridge.at(host, port)``).
``remote_bridge_message`` says so when none was given; nothing else stands in for the bridge.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import adbutils

BRIDGE_PORT = 15004


class BridgeError(RuntimeError):
    """The bridge answered with an error or closed the connection."""


@dataclass(frozen=True)
class BridgeNode:
    """One GUI node as the bridge dumps it, with its bounds in screen pixels (y down)."""

    name: str
    text: str
    visible: bool
    enabled: bool
    bounds: tuple[float, float, float, float]

    @property
    def center(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return round((left + right) / 2), round((top + bottom) / 2)


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("children", []):
        out.extend(_walk(child))
    return out


def _bounds(payload: dict[str, Any], screen: tuple[int, int]) -> tuple[float, float, float, float]:
    """Poco's pos is the anchor point in screen fractions; size is in fractions too."""
    (px, py), (w, h), (ax, ay) = payload["pos"], payload["size"], payload["anchorPoint"]
    left, top = (px - w * ax) * screen[0], (py - h * ay) * screen[1]
    return left, top, left + w * screen[0], top + h * screen[1]


def remote_bridge_message(device: str, pool: str) -> str:
    """Why a remote pool's device has no bridge, and the way out (for the fixture's failure)."""
    return (
        f"device {device} of remote pool {pool!r}: the game's bridge (device TCP port {BRIDGE_PORT}) "
        "is reached through `adb forward`, and a remote pool has no adb; Appium has no port "
        "forwarding either. Give the harness an address where the bridge answers (the device's IP "
        "on your network, or the farm's tunnel to the port): override the `game_bridge` fixture "
        "in your conftest.py to return `PocoBridge.at(host, port)` (docs/plugin.md, remote pools)."
    )


class PocoBridge:
    """A client of the game's bridge on one device (``adb forward`` made once, connection reused).

    ``PocoBridge(adb_device)`` forwards a local port to the device's; ``PocoBridge.at(host, port)``
    connects to an address where the bridge already answers (no adb).
    """

    def __init__(
        self,
        device: adbutils.AdbDevice | None,
        port: int = BRIDGE_PORT,
        timeout: float = 10.0,
        *,
        address: tuple[str, int] | None = None,
    ) -> None:
        if (device is None) == (address is None):
            raise TypeError("PocoBridge needs either an adb device or an address, not both")
        self.device = device
        self.port = port
        self.timeout = timeout
        self.address = address
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._local: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def at(cls, host: str, port: int = BRIDGE_PORT, timeout: float = 10.0) -> PocoBridge:
        """The bridge at ``host:port`` as is (a device on the network, a farm's tunnel)."""
        return cls(None, port, timeout, address=(host, port))

    def _target(self) -> tuple[str, int]:
        if self.address is not None:
            return self.address
        if self._local is None:
            assert self.device is not None
            self._local = self.device.forward_port(self.port)
        return "127.0.0.1", self._local

    def _connect(self) -> socket.socket:
        if self._sock is None:
            self._sock = socket.create_connection(self._target(), timeout=self.timeout)
            self._buffer = b""
        return self._sock

    def call(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; a broken connection (the game restarted) is reopened once."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._call(method, params)
                except (ConnectionError, OSError):
                    self._close_socket()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def _call(self, method: str, params: tuple[Any, ...]) -> Any:
        sock = self._connect()
        rid = str(uuid.uuid4())
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": rid}).encode()
        sock.sendall(struct.pack("<i", len(body)) + body)
        while True:
            if len(self._buffer) >= 4:
                (size,) = struct.unpack("<i", self._buffer[:4])
                if len(self._buffer) >= 4 + size:
                    frame, self._buffer = self._buffer[4 : 4 + size], self._buffer[4 + size :]
                    reply = json.loads(frame)
                    if reply.get("id") != rid:
                        continue
                    if "error" in reply:
                        raise BridgeError(f"{method}: {reply['error'].get('message')}")
                    return reply["result"]
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the game's bridge closed the connection")
            self._buffer += chunk

    def screen_size(self) -> tuple[int, int]:
        width, height = self.call("GetScreenSize")
        return int(width), int(height)

    def nodes(self, only_visible: bool = True) -> dict[str, BridgeNode]:
        """Every GUI node by name, with pixel bounds (one Dump call)."""
        screen = self.screen_size()
        found: dict[str, BridgeNode] = {}
        for raw in _walk(self.call("Dump", only_visible)):
            payload = raw.get("payload", {})
            if "pos" not in payload:
                continue
            found[raw["name"]] = BridgeNode(
                raw["name"],
                str(payload.get("text") or ""),
                bool(payload.get("visible", True)),
                bool(payload.get("enabled", True)),
                _bounds(payload, screen),
            )
        return found

    def _close_socket(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        with self._lock:
            self._close_socket()
            if self._local is not None and self.device is not None:
                try:
                    self.device.forward_remove(f"tcp:{self._local}")
                except (adbutils.AdbError, OSError):
                    pass
                self._local = None
