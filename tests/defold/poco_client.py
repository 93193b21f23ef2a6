"""A minimal Poco "std" client: the wire format of pocoui's TcpClient + SimpleProtocolFilter.

pocoui itself cannot be imported here: every module of the package (``poco/__init__`` →
``pocofw`` → ``agent`` → ``poco.utils.airtest``) imports ``airtest``, whose install pulls
opencv-contrib-python and pins ``websocket-client==0.48.0`` (older than what Appium's Python
client needs). So this client speaks the same bytes: ``struct.pack('i', len)`` (4-byte
little-endian on every platform we run) + UTF-8 JSON-RPC 2.0 with ``params`` as a list.
"""

from __future__ import annotations

import json
import socket
import struct
import uuid
from typing import Any


class PocoRpcError(Exception):
    pass


class StdPocoClient:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def call(self, method: str, *params: Any) -> Any:
        rid = str(uuid.uuid4())
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": rid}).encode()
        self.sock.sendall(struct.pack("<i", len(body)) + body)
        while True:
            if len(self.buffer) >= 4:
                (size,) = struct.unpack("<i", self.buffer[:4])
                if len(self.buffer) >= 4 + size:
                    frame, self.buffer = self.buffer[4 : 4 + size], self.buffer[4 + size :]
                    reply = json.loads(frame)
                    assert reply["id"] == rid and reply["jsonrpc"] == "2.0"
                    if "error" in reply:
                        raise PocoRpcError(reply["error"]["message"])
                    return reply["result"]
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("bridge closed the connection")
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("children", []):
        out.extend(walk(child))
    return out


def bounds_px(payload: dict[str, Any], screen: tuple[int, int]) -> tuple[float, float, float, float]:
    """Poco's bounds: pos is the anchor point; (left, top, right, bottom) in pixels, y down."""
    (px, py), (w, h), (ax, ay) = payload["pos"], payload["size"], payload["anchorPoint"]
    left, top = (px - w * ax) * screen[0], (py - h * ay) * screen[1]
    return left, top, left + w * screen[0], top + h * screen[1]
