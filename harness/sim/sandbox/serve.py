"""Run the sandbox on a loopback socket in a background thread (tests, ``sim up``, ``__main__``).

The listening socket is bound before uvicorn starts, so the URL is known at once and a client
that connects early just waits in the accept backlog: nobody has to poll for readiness.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


def bind_loopback(port: int = 0) -> socket.socket:
    # proto must say TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # IPPROTO_TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(512)
    sock.set_inheritable(False)
    return sock


class ServedApp:
    """``with ServedApp(app) as url: ...`` serves an ASGI app on 127.0.0.1 until the block ends."""

    def __init__(self, app: Any, port: int = 0, log_level: str = "warning") -> None:
        self._sock = bind_loopback(port)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        config = uvicorn.Config(app, log_level=log_level, lifespan="on", timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"sandbox-{self.port}", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
