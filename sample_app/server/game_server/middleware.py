"""Request ids, one log line per request, and the last line of defence against leaking internals.

A pure ASGI middleware (not ``BaseHTTPMiddleware``) so an exception escaping a route is caught here,
answered with a generic 500 body, and never reaches a client as a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from game_server.errors import ErrorCode, error_body
from game_server.request_context import current_request_id

log = logging.getLogger("game_server.http")

REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "-"))


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        # Keep a caller's id (the game may log its own) only when it is short and harmless.
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        current_request_id.set(request_id)
        started = time.perf_counter()
        status = 0
        logged = False

        def log_done() -> None:
            nonlocal logged
            if not logged:
                logged = True
                elapsed_ms = (time.perf_counter() - started) * 1000
                log.info(
                    "request_id=%s %s %s -> %s in %.1f ms",
                    request_id,
                    scope["method"],
                    scope["path"],
                    status,
                    elapsed_ms,
                )

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                log_done()  # before the last byte leaves, so the log line precedes the client's view
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "request_id=%s unhandled error in %s %s", request_id, scope["method"], scope["path"]
            )
            if status == 0:
                status = ErrorCode.INTERNAL_ERROR.http_status
                log_done()
                await _send_generic_error(send, request_id)
        finally:
            log_done()


async def _send_generic_error(send: Send, request_id: str) -> None:
    body = json.dumps(
        error_body(
            ErrorCode.INTERNAL_ERROR, "internal error; quote the requestId to the operator", request_id
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": ErrorCode.INTERNAL_ERROR.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
