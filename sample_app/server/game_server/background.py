"""Run an ASGI app with uvicorn in a thread on a loopback socket bound before the thread starts.

Binding first means the URL is known at once and no readiness wait is needed: connections made
before uvicorn's loop accepts simply queue in the socket's listen backlog. Tests, the benchmark and
``python -m game_server`` all use this one way of serving.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


def bind_loopback(port: int = 0) -> socket.socket:
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP,
    # and without it each keep-alive answer can sit ~40 ms waiting for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


class BackgroundServer:
    """``with BackgroundServer(app) as server: httpx.get(server.url + "/v1/health")``."""

    def __init__(self, app: Any, port: int = 0, log_level: str = "warning") -> None:
        self._socket = bind_loopback(port)
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.port}", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
