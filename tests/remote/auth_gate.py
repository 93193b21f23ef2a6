"""A farm's front door for tests: Basic authentication in front of a real Appium server.

Starlette behind uvicorn on a loopback port. Every HTTP request and every websocket upgrade
must carry ``Authorization: Basic user:key``; the rest is passed to Appium unchanged (HTTP
through httpx, websockets through the ``websockets`` client). It counts what it let through
and what it refused, so a test can tell the credentials travelled on every call.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from harness.ports import free_loopback_port

HOP_HEADERS = {"host", "authorization", "content-length", "connection", "transfer-encoding"}


class AuthGate:
    def __init__(self, upstream: str, user: str, key: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.expected = "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()
        self.counts: Counter[str] = Counter()
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(
            routes=[
                WebSocketRoute("/{path:path}", self._websocket),
                Route("/{path:path}", self._http, methods=["GET", "POST", "DELETE", "PUT"]),
            ]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws="websockets-sansio"
        )
        self._server = uvicorn.Server(config)

    async def _http(self, request: Request) -> Response:
        if request.headers.get("authorization") != self.expected:
            self.counts["http refused"] += 1
            return Response("credentials required", 401, {"WWW-Authenticate": 'Basic realm="farm"'})
        self.counts["http passed"] += 1
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with httpx.AsyncClient(timeout=600) as client:
            answer = await client.request(
                request.method,
                self.upstream + request.url.path,
                content=await request.body(),
                headers=headers,
            )
        kept = {
            k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS | {"content-encoding"}
        }
        return Response(answer.content, answer.status_code, kept)

    async def _websocket(self, socket: WebSocket) -> None:
        if socket.headers.get("authorization") != self.expected:
            self.counts["ws refused"] += 1
            await socket.close(code=1008)
            return
        self.counts["ws passed"] += 1
        await socket.accept()
        target = "ws" + self.upstream.removeprefix("http") + socket.url.path
        async with websockets.connect(target) as upstream:

            async def down() -> None:
                async for message in upstream:
                    await socket.send_text(message if isinstance(message, str) else message.decode())

            task = asyncio.create_task(down())
            try:
                while True:
                    await upstream.send(await socket.receive_text())
            except WebSocketDisconnect:
                pass
            finally:
                task.cancel()

    @contextmanager
    def running(self) -> Iterator[AuthGate]:
        """Listening before it returns: the socket is bound here and handed to uvicorn, so early
        connections wait in the kernel's backlog instead of being refused."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.should_exit = True
            thread.join(10)
            sock.close()
