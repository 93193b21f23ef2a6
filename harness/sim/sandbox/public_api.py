"""RuStore's public API as a game server sees it (CONTRACT §6): auth, purchase, subscription state.

Answers use RuStore's envelope ``{code, message, body, timestamp}`` with string codes. The purchase
body is snake_case and its field set is fixed: the game server codes against exactly these names.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from .auth import TOKEN_TTL_SECONDS, PublicAuth, PublicAuthError
from .schemas import ProductType, PurchaseState
from .store import MSK, SandboxCore, invoice_status, iso

TOKEN_RE = re.compile(r"^(\d+)\.(.+)$")


def envelope(
    wall_now: datetime, body: Any = None, *, code: str = "OK", message: str | None = None, status: int = 200
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={
            "code": code,
            "message": message,
            "body": body,
            "timestamp": wall_now.astimezone(MSK).isoformat(timespec="microseconds"),
        },
    )


def purchase_body(row: Any) -> dict[str, Any]:
    """The snake_case body of ``GET /public/purchase/{token}``."""
    error = json.loads(row["error_json"]) if row["error_json"] else None
    return {
        "invoice_id": row["invoice_id"],
        "invoice_date": iso(float(int(row["created_at"])), MSK),
        "invoice_status": invoice_status(row),
        "application_code": row["package_name"],
        "application_name": row["app_name"],
        "owner_code": row["owner_code"],
        "owner_name": row["owner_name"],
        "image": row["image_url"],
        "invoice": {
            "purchaser": {"user_id": row["user_id"]},
            "order": {
                "order_id": row["order_id"],
                "purchase_id": row["purchase_id"],
                "product_code": row["product_id"],
                "product_type": row["product_type"],
                "quantity": row["quantity"],
                "developer_payload": row["developer_payload"],
            },
        },
        "payment_info": {
            "amount": row["amount"],
            "currency": row["currency"],
            "payment_method": row["payment_method"],
        },
        "error": error,
    }


def build_router(sandbox: SandboxCore, auth: PublicAuth) -> APIRouter:
    router = APIRouter(prefix="/public", tags=["public API (RuStore)"])

    def fail(exc: PublicAuthError) -> JSONResponse:
        return envelope(sandbox.wall_clock(), code=exc.code, message=exc.message, status=exc.status)

    def parse_token(token: str) -> tuple[str, str] | JSONResponse:
        match = TOKEN_RE.match(token)
        if match is None:
            return envelope(
                sandbox.wall_clock(),
                code="BAD_REQUEST",
                status=400,
                message="purchaseToken must be <invoiceId>.<userId>",
            )
        return match.group(1), match.group(2)

    @router.post("/auth/", summary="Exchange a signed keyId + timestamp for a Public-Token (900 s)")
    async def authenticate(request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return fail(PublicAuthError(400, "Request body must be a JSON object", "BAD_REQUEST"))
        try:
            token = auth.issue_token(payload.get("keyId"), payload.get("timestamp"), payload.get("signature"))
        except PublicAuthError as exc:
            return fail(exc)
        return envelope(sandbox.wall_clock(), {"jwe": token, "ttl": TOKEN_TTL_SECONDS})

    @router.get("/purchase/{purchase_token}", summary="Purchase data by subscriptionToken (snake_case)")
    def get_purchase(purchase_token: str, public_token: str | None = Header(default=None)) -> JSONResponse:
        try:
            auth.check_token(public_token)
        except PublicAuthError as exc:
            return fail(exc)
        parsed = parse_token(purchase_token)
        if isinstance(parsed, JSONResponse):
            return parsed
        row = sandbox.purchase_by_token(*parsed)
        if row is None:
            return envelope(sandbox.wall_clock(), code="NOT_FOUND", message="Purchase not found", status=404)
        return envelope(sandbox.wall_clock(), purchase_body(row))

    @router.get("/purchase", summary="Purchase data by invoiceId (deprecated form, same body)")
    @router.get("/sandbox/purchase", summary="Purchase data by invoiceId (sandbox form, same body)")
    def get_purchase_by_invoice(
        invoice_id: str | None = Query(default=None, alias="invoiceId"),
        public_token: str | None = Header(default=None),
    ) -> JSONResponse:
        try:
            auth.check_token(public_token)
        except PublicAuthError as exc:
            return fail(exc)
        if not invoice_id or not invoice_id.isdigit():
            return envelope(
                sandbox.wall_clock(), code="BAD_REQUEST", status=400, message="invoiceId must be a number"
            )
        row = sandbox.purchase_by_token(invoice_id, None)
        if row is None:
            return envelope(sandbox.wall_clock(), code="NOT_FOUND", message="Purchase not found", status=404)
        return envelope(sandbox.wall_clock(), purchase_body(row))

    @router.get("/subscription/{subscription_token}/state", summary="Whether a subscription is active")
    def subscription_state(
        subscription_token: str, public_token: str | None = Header(default=None)
    ) -> JSONResponse:
        try:
            auth.check_token(public_token)
        except PublicAuthError as exc:
            return fail(exc)
        parsed = parse_token(subscription_token)
        if isinstance(parsed, JSONResponse):
            return parsed
        row = sandbox.purchase_by_token(*parsed)
        if row is None or row["product_type"] != ProductType.SUBSCRIPTION:
            return envelope(
                sandbox.wall_clock(), code="NOT_FOUND", message="Subscription not found", status=404
            )
        return envelope(sandbox.wall_clock(), {"is_active": row["state"] == PurchaseState.CONFIRMED})

    return router
