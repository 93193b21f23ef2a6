"""The game server's HTTP surface (FastAPI): validate, consume, list entitlements."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from game_server.bodies import ConsumeBody, ValidateBody, read_body
from game_server.errors import ApiError, ErrorCode, error_body
from game_server.middleware import RequestContextMiddleware, request_id_of
from game_server.public_api import PublicApiClient
from game_server.service import ConsumeClaim, PurchaseService, ValidateClaim
from game_server.settings import GameServerSettings
from game_server.store import EntitlementStore

log = logging.getLogger("game_server.app")


def create_app(
    db_path: Path, settings: GameServerSettings, *, transport: httpx.BaseTransport | None = None
) -> FastAPI:
    """Build the server. ``transport`` lets an embedding process route RuStore calls in-process."""
    store = EntitlementStore(db_path)
    api = PublicApiClient(settings, transport=transport)
    service = PurchaseService(api, store, settings.package_name)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        api.close()

    app = FastAPI(
        title="Sample game server (RuStore purchase validation)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.store = store
    app.state.public_api = api
    app.add_middleware(RequestContextMiddleware)
    _install_error_handlers(app)

    @app.post("/v1/purchases/validate")
    async def validate(request: Request) -> JSONResponse:
        body = await read_body(request, ValidateBody)
        claim = ValidateClaim(body.purchaseId, body.productId, body.subscriptionToken, body.userId)
        entitlement, already = await run_in_threadpool(service.validate, claim)
        log.info(
            "request_id=%s validated token=%s product=%s already_granted=%s",
            request_id_of(request.scope),
            claim.subscription_token,
            entitlement.product_id,
            already,
        )
        return _ok(request, alreadyGranted=already, entitlement=entitlement.to_json())

    @app.post("/v1/purchases/consume")
    async def consume(request: Request) -> JSONResponse:
        body = await read_body(request, ConsumeBody)
        claim = ConsumeClaim(body.purchaseId, body.subscriptionToken)
        entitlement, already = await run_in_threadpool(service.consume, claim)
        log.info(
            "request_id=%s consumed token=%s already_consumed=%s",
            request_id_of(request.scope),
            claim.subscription_token,
            already,
        )
        return _ok(request, alreadyConsumed=already, entitlement=entitlement.to_json())

    @app.get("/v1/entitlements")
    async def entitlements(request: Request) -> JSONResponse:
        user_ids = request.query_params.getlist("userId")
        if len(user_ids) != 1 or not user_ids[0]:
            raise ApiError(
                ErrorCode.INVALID_PARAMETERS, "exactly one non-empty userId query parameter is required"
            )
        rows = await run_in_threadpool(service.entitlements, user_ids[0])
        return _ok(request, userId=user_ids[0], entitlements=[row.to_json() for row in rows])

    @app.get("/v1/health")
    async def health(request: Request) -> JSONResponse:
        return _ok(request, status="ok")

    return app


def _ok(request: Request, **fields: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "type": "OK", "requestId": request_id_of(request.scope), **fields})


def _error(request: Request, error: ApiError) -> JSONResponse:
    request_id = request_id_of(request.scope)
    log.warning("request_id=%s error %s", request_id, error)
    return JSONResponse(error.body(request_id), status_code=error.code.http_status, headers=error.headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Routing failures: a known path with a wrong method is the seed's 2112; anything else is ours.
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
            error = ApiError(
                ErrorCode.HTTP_REQUEST_METHOD_NOT_SUPPORT,
                f"method {request.method} is not supported here" + (f"; use {allow}" if allow else ""),
                headers={"Allow": allow} if allow else None,
            )
        elif exc.status_code == 404:
            error = ApiError(ErrorCode.NOT_FOUND, f"no such endpoint: {request.url.path}")
        else:
            request_id = request_id_of(request.scope)
            log.warning("request_id=%s HTTP %s", request_id, exc.status_code)
            body = error_body(ErrorCode.INTERNAL_ERROR, "request could not be processed", request_id)
            return JSONResponse(body, status_code=exc.status_code)
        return _error(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(request, ApiError(ErrorCode.INVALID_PARAMETERS, "invalid request parameters"))
