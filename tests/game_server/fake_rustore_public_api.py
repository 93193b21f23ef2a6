"""A small stand-in for RuStore's public API (CONTRACT §6), served over real HTTP in tests.

It checks real SHA512withRSA signatures and issues expiring JWE-like tokens, so the game server's
auth code is exercised for real; purchases are put in by the tests. The integration tests run the
same scenarios against the real sandbox (``harness.sim.sandbox``).
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

TOKEN_TTL_S = 900


def envelope(code: str, body: Any = None, message: str | None = None, status: int = 200) -> JSONResponse:
    stamp = datetime.now().astimezone().isoformat()
    return JSONResponse(
        {"code": code, "message": message, "body": body, "timestamp": stamp}, status_code=status
    )


@dataclass
class FakePurchase:
    invoice_id: str
    user_id: str
    purchase_id: str
    product_code: str
    product_type: str
    invoice_status: str
    application_code: str
    quantity: int = 1
    amount: int = 10000
    active: bool = True  # subscriptions only

    @property
    def token(self) -> str:
        return f"{self.invoice_id}.{self.user_id}"

    def body(self) -> dict[str, Any]:
        return {
            "invoice_id": int(self.invoice_id) if self.invoice_id.isdigit() else self.invoice_id,
            "invoice_date": "2026-11-22T05:00:00+03",
            "invoice_status": self.invoice_status,
            "application_code": self.application_code,
            "application_name": "Sample",
            "invoice": {
                "purchaser": {"user_id": self.user_id},
                "order": {
                    "order_id": f"order-{self.invoice_id}",
                    "purchase_id": self.purchase_id,
                    "product_code": self.product_code,
                    "product_type": self.product_type,
                    "quantity": self.quantity,
                    "developer_payload": None,
                },
            },
            "payment_info": {"amount": self.amount, "currency": "RUB", "payment_method": "CARD"},
        }


@dataclass
class FakePublicApi:
    """State of the fake: registered keys, issued tokens, purchases, counters."""

    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)  # jwe -> expiry (monotonic)
    purchases: dict[str, FakePurchase] = field(default_factory=dict)
    auth_calls: int = 0
    purchase_calls: int = 0
    purchase_answer: tuple[int, Any] | None = None  # (status, raw JSON) served instead of the truth
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register_key(self, key_id: str, private_key: rsa.RSAPrivateKey) -> None:
        self.keys[key_id] = private_key.public_key()

    def reset(self) -> None:
        with self.lock:
            self.keys.clear()
            self.tokens.clear()
            self.purchases.clear()
            self.auth_calls = self.purchase_calls = 0
            self.purchase_answer = None

    def add(self, purchase: FakePurchase) -> FakePurchase:
        self.purchases[purchase.token] = purchase
        return purchase

    def expire_tokens(self) -> None:
        with self.lock:
            for jwe in self.tokens:
                self.tokens[jwe] = 0.0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/public/auth/")
        async def auth(request: Request) -> JSONResponse:
            data = await request.json()
            with self.lock:
                self.auth_calls += 1
            key = self.keys.get(data.get("keyId", ""))
            if key is None:
                return envelope("ERROR", message="Key not found", status=401)
            stamp = datetime.fromisoformat(data["timestamp"])
            if abs((datetime.now().astimezone() - stamp).total_seconds()) > 60:
                return envelope("ERROR", message="Range timestamp not valid", status=400)
            try:
                key.verify(
                    base64.b64decode(data["signature"]),
                    (data["keyId"] + data["timestamp"]).encode(),
                    padding.PKCS1v15(),
                    hashes.SHA512(),
                )
            except (InvalidSignature, ValueError):
                return envelope("ERROR", message="Signature is invalid", status=401)
            jwe = secrets.token_urlsafe(24)
            with self.lock:
                self.tokens[jwe] = time.monotonic() + TOKEN_TTL_S
            return envelope("OK", {"jwe": jwe, "ttl": TOKEN_TTL_S})

        def token_problem(jwe: str | None) -> JSONResponse | None:
            with self.lock:
                expiry = self.tokens.get(jwe or "")
            if expiry is None or expiry < time.monotonic():
                return envelope("ERROR", message="Jwe token is expired", status=401)
            return None

        @app.get("/public/purchase/{token}")
        def purchase(token: str, public_token: str | None = Header(None)) -> JSONResponse:
            with self.lock:
                self.purchase_calls += 1
            problem = token_problem(public_token)
            if problem is not None:
                return problem
            if self.purchase_answer is not None:
                return JSONResponse(self.purchase_answer[1], status_code=self.purchase_answer[0])
            if token.count(".") != 1:
                return envelope("BAD_REQUEST", message="invalid purchase token", status=400)
            found = self.purchases.get(token)
            if found is None:
                return envelope("NOT_FOUND", message="purchase not found", status=404)
            return envelope("OK", found.body())

        @app.get("/public/subscription/{token}/state")
        def state(token: str, public_token: str | None = Header(None)) -> JSONResponse:
            problem = token_problem(public_token)
            if problem is not None:
                return problem
            found = self.purchases.get(token)
            if found is None or found.product_type != "SUBSCRIPTION":
                return envelope("NOT_FOUND", message="subscription not found", status=404)
            return envelope("OK", {"is_active": found.active})

        return app


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pkcs8_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
