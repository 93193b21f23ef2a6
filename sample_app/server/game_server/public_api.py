"""Client of RuStore's public API (CONTRACT §6): signed auth, a cached JWE, purchase lookups.

The server is synchronous (handlers run in a thread pool), so this client is a thread-safe
``httpx.Client`` plus a lock around the token cache: concurrent requests share one JWE and only one
of them re-authenticates when it runs out.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from game_server.purchase import PublicPurchase, PurchaseFormatError, parse_purchase
from game_server.request_context import current_request_id
from game_server.settings import GameServerSettings

log = logging.getLogger("game_server.public_api")


class PublicApiError(Exception):
    """Base of everything this client raises."""


class CredentialsRejected(PublicApiError):
    """RuStore refused our keyId/signature or our token (→ 5003 INVALID_AUTHENTICATED)."""


class PublicApiUnavailable(PublicApiError):
    """RuStore could not be reached or answered something unusable (→ 9001, HTTP 502)."""


class PurchaseNotFound(PublicApiError):
    """404 NOT_FOUND for the token."""


class PurchaseTokenRejected(PublicApiError):
    """400 BAD_REQUEST for the token."""


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parse the console's PKCS#8 PEM once, failing at startup rather than at the first purchase."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the RuStore private key must be an RSA key")
    return key


def sign_auth(key: rsa.RSAPrivateKey, key_id: str, timestamp: str) -> str:
    """base64(SHA512withRSA(keyId + timestamp)), PKCS#1 v1.5 padding as RuStore documents."""
    signature = key.sign((key_id + timestamp).encode(), padding.PKCS1v15(), hashes.SHA512())
    return base64.b64encode(signature).decode("ascii")


def auth_timestamp() -> str:
    """Local time with its offset and milliseconds, e.g. ``2026-11-22T11:49:08.290+03:00``."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class _Token:
    jwe: str
    refresh_at: float  # time.monotonic() after which we re-authenticate


class PublicApiClient:
    """Authenticates once, reuses the JWE, re-authenticates on expiry or on a 401."""

    def __init__(self, settings: GameServerSettings, transport: httpx.BaseTransport | None = None) -> None:
        self._settings = settings
        self._key = load_private_key(settings.private_key_pem)
        self._http = httpx.Client(
            base_url=settings.rustore_base_url.rstrip("/"),
            timeout=settings.request_timeout_s,
            transport=transport,
            headers={"Accept": "application/json"},
        )
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self.auth_count = 0  # how many times we signed in; lets tests prove the JWE is reused

    def close(self) -> None:
        self._http.close()

    # -- authentication -------------------------------------------------------------------------

    def _authenticate(self) -> _Token:
        timestamp = auth_timestamp()
        payload = {
            "keyId": self._settings.key_id,
            "timestamp": timestamp,
            "signature": sign_auth(self._key, self._settings.key_id, timestamp),
        }
        response = self._send("POST", "/public/auth/", json=payload)
        envelope = _envelope(response)
        if response.status_code >= 500:
            raise PublicApiUnavailable(f"auth answered HTTP {response.status_code}")
        if response.status_code != 200 or envelope.get("code") != "OK":
            raise CredentialsRejected(
                f"RuStore refused the credentials (HTTP {response.status_code}: {envelope.get('message')})"
            )
        body = envelope.get("body")
        if not isinstance(body, dict) or not isinstance(body.get("jwe"), str):
            raise PublicApiUnavailable("auth answer has no body.jwe")
        ttl = body.get("ttl", 900)
        ttl_s = float(ttl) if isinstance(ttl, int | float) else 900.0
        self.auth_count += 1
        log.info(
            "request_id=%s signed in to the RuStore public API (ttl %s s)", current_request_id.get(), ttl_s
        )
        refresh_in = max(ttl_s - self._settings.token_refresh_margin_s, ttl_s / 2)
        return _Token(jwe=body["jwe"], refresh_at=time.monotonic() + refresh_in)

    def _current_token(self, stale: str | None = None) -> str:
        """The cached JWE, renewed when due or when the caller saw ``stale`` rejected."""
        with self._lock:
            token = self._token
            if token is None or token.jwe == stale or time.monotonic() >= token.refresh_at:
                token = self._token = self._authenticate()
            return token.jwe

    # -- requests -------------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PublicApiUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc

    def _get(self, path: str) -> tuple[httpx.Response, dict[str, Any]]:
        """GET with the JWE; one re-auth and retry when RuStore says the token is expired/invalid."""
        jwe = self._current_token()
        response = self._send("GET", path, headers={"Public-Token": jwe})
        if response.status_code == 401:
            log.info(
                "request_id=%s public API answered 401 (%s); signing in again",
                current_request_id.get(),
                _envelope(response).get("message"),
            )
            jwe = self._current_token(stale=jwe)
            response = self._send("GET", path, headers={"Public-Token": jwe})
        envelope = _envelope(response)
        status = response.status_code
        if status in (401, 403):
            raise CredentialsRejected(f"RuStore refused our token (HTTP {status}: {envelope.get('message')})")
        if status == 404:
            raise PurchaseNotFound(str(envelope.get("message") or "not found"))
        if status == 400:
            raise PurchaseTokenRejected(str(envelope.get("message") or "bad request"))
        if status != 200 or envelope.get("code") != "OK":
            raise PublicApiUnavailable(f"GET {path} answered HTTP {status} code {envelope.get('code')!r}")
        return response, envelope

    def get_purchase(self, subscription_token: str) -> PublicPurchase:
        _, envelope = self._get(f"/public/purchase/{quote(subscription_token, safe='')}")
        try:
            return parse_purchase(envelope.get("body"))
        except PurchaseFormatError as exc:
            raise PublicApiUnavailable(f"purchase body unusable: {exc}") from exc

    def is_subscription_active(self, subscription_token: str) -> bool:
        _, envelope = self._get(f"/public/subscription/{quote(subscription_token, safe='')}/state")
        body = envelope.get("body")
        if not isinstance(body, dict) or not isinstance(body.get("is_active"), bool):
            raise PublicApiUnavailable("subscription state body has no boolean is_active")
        return bool(body["is_active"])


def _envelope(response: httpx.Response) -> dict[str, Any]:
    """The ``{code, message, body, timestamp}`` envelope, or ``{}`` when the answer is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
