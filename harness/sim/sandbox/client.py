"""A small typed client of the sandbox's billing, control and public APIs (httpx).

The harness and tests import this module (it is one of the two allowed entry points into
``harness.sim``), so it depends only on httpx, pydantic and the shared wire models, never on the
server. Billing/control errors raise :class:`SandboxAPIError`; public-API calls return RuStore's
envelope as it came, because what a game server sees there is what tests assert.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from .schemas import (
    App,
    AuditListing,
    AvailabilityResult,
    ClockState,
    CreatePurchaseResult,
    KeyPair,
    Outcome,
    PaymentMethod,
    PayResult,
    Product,
    Purchase,
    RenewalOutcome,
    Settings,
    User,
)
from .signing import auth_timestamp, sign

M = TypeVar("M", bound=BaseModel)


class SandboxAPIError(Exception):
    """A refusal from the sandbox: ``errorCode`` (CONTRACT §5.1) and/or an exception ``simpleName``."""

    def __init__(self, status: int, error_code: int | None, message: str, simple_name: str | None) -> None:
        super().__init__(f"HTTP {status}: {error_code or simple_name}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.simple_name = simple_name


@dataclass(frozen=True)
class PublicResponse:
    """One public-API answer: HTTP status plus the ``{code, message, body, timestamp}`` envelope."""

    status: int
    envelope: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.envelope.get("code"))

    @property
    def body(self) -> Any:
        return self.envelope.get("body")

    @property
    def message(self) -> str | None:
        return self.envelope.get("message")


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: building one costs milliseconds of CPU, and the SDK
    makes a client per app start on every virtual device."""
    return ssl.create_default_context()


class SandboxClient:
    """``SandboxClient("http://127.0.0.1:PORT")``; ``app_id`` defaults to the sample game's app."""

    def __init__(
        self,
        base_url: str,
        *,
        app_id: str = "2063590001",
        timeout: float = 30.0,
        transport: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, transport=transport, headers=headers, verify=_tls()
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ---------------------------------------------------------------- plumbing

    def _call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=json, params=params)
        if response.status_code >= 400:
            try:
                data = response.json()
            except ValueError:
                data = {}
            raise SandboxAPIError(
                response.status_code,
                data.get("errorCode"),
                str(data.get("message", response.text)),
                data.get("simpleName"),
            )
        return response.json()

    def _model(self, model: type[M], method: str, path: str, **kw: Any) -> M:
        return model.model_validate(self._call(method, path, **kw))

    def _who(self, user_id: str, app_id: str | None) -> dict[str, str]:
        return {"appId": app_id or self.app_id, "userId": user_id}

    # ---------------------------------------------------------------- billing (what the virtual SDK calls)

    def availability(self, user_id: str, *, app_id: str | None = None) -> AvailabilityResult:
        return self._model(
            AvailabilityResult, "POST", "/billing/v1/availability", json=self._who(user_id, app_id)
        )

    def products(
        self, user_id: str, product_ids: list[str], *, language: str | None = None, app_id: str | None = None
    ) -> list[Product]:
        body = {**self._who(user_id, app_id), "productIds": product_ids, "language": language}
        data = self._call("POST", "/billing/v1/products", json=body)
        return TypeAdapter(list[Product]).validate_python(data["products"])

    def create_purchase(
        self,
        user_id: str,
        product_id: str,
        *,
        order_id: str | None = None,
        quantity: int | None = None,
        developer_payload: str | None = None,
        language: str | None = None,
        app_id: str | None = None,
    ) -> CreatePurchaseResult:
        body = {
            **self._who(user_id, app_id),
            "productId": product_id,
            "orderId": order_id,
            "quantity": quantity,
            "developerPayload": developer_payload,
            "language": language,
        }
        return self._model(CreatePurchaseResult, "POST", "/billing/v1/purchases", json=body)

    def pay(
        self,
        user_id: str,
        purchase_id: str,
        method: PaymentMethod | str = PaymentMethod.CARD,
        *,
        outcome: Outcome | str | None = None,
        settlement_delay_seconds: float | None = None,
        app_id: str | None = None,
    ) -> PayResult:
        body = {
            **self._who(user_id, app_id),
            "method": str(method),
            "outcome": str(outcome) if outcome is not None else None,
            "settlementDelaySeconds": settlement_delay_seconds,
        }
        return self._model(PayResult, "POST", f"/billing/v1/purchases/{purchase_id}/pay", json=body)

    def confirm(self, user_id: str, purchase_id: str, *, app_id: str | None = None) -> Purchase:
        return self._model(
            Purchase, "POST", f"/billing/v1/purchases/{purchase_id}/confirm", json=self._who(user_id, app_id)
        )

    def delete(self, user_id: str, purchase_id: str, *, app_id: str | None = None) -> Purchase:
        return self._model(
            Purchase, "POST", f"/billing/v1/purchases/{purchase_id}/delete", json=self._who(user_id, app_id)
        )

    def purchases(self, user_id: str, *, app_id: str | None = None) -> list[Purchase]:
        data = self._call("GET", "/billing/v1/purchases", params=self._who(user_id, app_id))
        return TypeAdapter(list[Purchase]).validate_python(data["purchases"])

    def purchase_info(self, user_id: str, purchase_id: str, *, app_id: str | None = None) -> Purchase:
        return self._model(
            Purchase, "GET", f"/billing/v1/purchases/{purchase_id}", params=self._who(user_id, app_id)
        )

    def buy(
        self, user_id: str, product_id: str, method: PaymentMethod | str = PaymentMethod.CARD, **kw: Any
    ) -> PayResult:
        """Create and pay in one go (approve unless the control API queued another outcome)."""
        created = self.create_purchase(user_id, product_id, **kw)
        return self.pay(user_id, created.purchaseId, method, app_id=kw.get("app_id"))

    # ---------------------------------------------------------------- control

    def reset(self, user_id: str | None = None) -> None:
        self._call("POST", "/control/v1/reset", json={"userId": user_id})

    def create_key(self) -> KeyPair:
        return self._model(KeyPair, "POST", "/control/v1/keys")

    def issue_key(self) -> dict[str, str]:
        """The key pair as a plain dict (``keyId``, ``privateKeyPem``, ``publicKeyPem``)."""
        return self.create_key().model_dump()

    def clock(self, *, app_id: str | None = None) -> ClockState:
        params = {"appId": app_id} if app_id else None
        return self._model(ClockState, "GET", "/control/v1/clock", params=params)

    def advance(
        self, *, seconds: float = 0, minutes: float = 0, hours: float = 0, app_id: str | None = None
    ) -> ClockState:
        """Jump the virtual clock; with ``app_id`` only that app's clock (other apps are untouched)."""
        body: dict[str, Any] = {"seconds": seconds, "minutes": minutes, "hours": hours}
        if app_id:
            body["appId"] = app_id
        return self._model(ClockState, "POST", "/control/v1/clock/advance", json=body)

    def set_rate(self, rate: float) -> ClockState:
        return self._model(ClockState, "POST", "/control/v1/clock/rate", json={"rate": rate})

    def settings(self) -> Settings:
        return self._model(Settings, "GET", "/control/v1/settings")

    def update_settings(self, **changes: Any) -> Settings:
        return self._model(Settings, "PATCH", "/control/v1/settings", json=changes)

    def next_outcome(
        self,
        outcome: Outcome | str,
        *,
        method: PaymentMethod | str | None = None,
        settlement_delay_seconds: float = 0,
        sticky: bool = False,
        user_id: str | None = None,
    ) -> int:
        body = {
            "outcome": str(outcome),
            "method": str(method) if method is not None else None,
            "settlementDelaySeconds": settlement_delay_seconds,
            "sticky": sticky,
            "userId": user_id,
        }
        return int(self._call("POST", "/control/v1/payment-outcomes", json=body)["id"])

    def clear_outcomes(self) -> None:
        self._call("DELETE", "/control/v1/payment-outcomes")

    def force_error(
        self,
        operation: str,
        *,
        error_code: int | None = None,
        simple_name: str | None = None,
        message: str | None = None,
        sticky: bool = False,
        user_id: str | None = None,
    ) -> int:
        body = {
            "operation": operation,
            "errorCode": error_code,
            "simpleName": simple_name,
            "message": message,
            "sticky": sticky,
            "userId": user_id,
        }
        return int(self._call("POST", "/control/v1/forced-errors", json=body)["id"])

    def clear_forced_errors(self) -> None:
        self._call("DELETE", "/control/v1/forced-errors")

    def renewal_outcome(
        self, outcome: RenewalOutcome | str, *, purchase_id: str | None = None, sticky: bool = False
    ) -> int:
        params = {"purchaseId": purchase_id} if purchase_id else None
        body = {"outcome": str(outcome), "sticky": sticky}
        return int(self._call("POST", "/control/v1/renewal-outcomes", json=body, params=params)["id"])

    def refund(self, purchase_id: str) -> Purchase:
        return self._model(Purchase, "POST", f"/control/v1/purchases/{purchase_id}/refund")

    def subscription(self, purchase_id: str, action: str) -> Purchase:
        """``action``: pause, resume, terminate, close or cancel."""
        return self._model(Purchase, "POST", f"/control/v1/subscriptions/{purchase_id}/{action}")

    def set_user(
        self,
        user_id: str,
        *,
        banned: bool | None = None,
        tester: bool | None = None,
        authorized: bool | None = None,
    ) -> User:
        flags = {"banned": banned, "tester": tester, "authorized": authorized}
        return self._model(User, "PATCH", f"/control/v1/users/{user_id}", json=flags)

    def apps(self) -> list[App]:
        return TypeAdapter(list[App]).validate_python(self._call("GET", "/control/v1/apps"))

    def put_app(self, app: App) -> App:
        return self._model(App, "PUT", f"/control/v1/apps/{app.appId}", json=app.model_dump())

    def set_app(
        self,
        app_id: str | None = None,
        *,
        active: bool | None = None,
        purchases_enabled: bool | None = None,
        banned: bool | None = None,
    ) -> App:
        flags = {"active": active, "purchasesEnabled": purchases_enabled, "banned": banned}
        return self._model(App, "PATCH", f"/control/v1/apps/{app_id or self.app_id}", json=flags)

    def put_product(self, **product: Any) -> Product:
        return self._model(Product, "PUT", "/control/v1/products", json=product)

    def set_product(self, product_id: str, *, app_id: str | None = None, **flags: Any) -> Product:
        params = {"appId": app_id or self.app_id}
        return self._model(Product, "PATCH", f"/control/v1/products/{product_id}", json=flags, params=params)

    def audit(self, *, user_id: str | None = None, purchase_id: str | None = None) -> AuditListing:
        params = {k: v for k, v in (("userId", user_id), ("purchaseId", purchase_id)) if v is not None}
        return self._model(AuditListing, "GET", "/control/v1/audit", params=params)

    # ---------------------------------------------------------------- public API (as a game server)

    def public_auth_raw(self, key_id: str, timestamp: str, signature: str) -> PublicResponse:
        response = self._http.post(
            "/public/auth/", json={"keyId": key_id, "timestamp": timestamp, "signature": signature}
        )
        return PublicResponse(response.status_code, response.json())

    def public_token(self, key: KeyPair, *, now: datetime | None = None) -> str:
        """Sign and authenticate; returns the Public-Token (raises on a non-OK answer)."""
        timestamp = auth_timestamp(now)
        answer = self.public_auth_raw(key.keyId, timestamp, sign(key.privateKeyPem, key.keyId, timestamp))
        if answer.code != "OK":
            raise SandboxAPIError(answer.status, None, str(answer.message), None)
        return str(answer.body["jwe"])

    def public_purchase(self, token: str, purchase_token: str) -> PublicResponse:
        response = self._http.get(f"/public/purchase/{purchase_token}", headers={"Public-Token": token})
        return PublicResponse(response.status_code, response.json())

    def public_subscription_state(self, token: str, subscription_token: str) -> PublicResponse:
        response = self._http.get(
            f"/public/subscription/{subscription_token}/state", headers={"Public-Token": token}
        )
        return PublicResponse(response.status_code, response.json())
