"""Public-API authentication as RuStore documents it (CONTRACT §6.2).

The control API issues an RSA key pair like RuStore Console does (the private key is shown once
and never stored). ``POST /public/auth/`` checks a SHA512withRSA signature over ``keyId +
timestamp`` and a timestamp within ±60 s of the REAL wall clock, then hands out an opaque token
that lives 900 s. The wall clock is injectable so tests expire tokens without sleeping.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .db import Database
from .schemas import KeyPair

TOKEN_TTL_SECONDS = 900
TIMESTAMP_WINDOW_SECONDS = 60


class PublicAuthError(Exception):
    """An answer of the public API other than OK: envelope code, message and HTTP status."""

    def __init__(self, status: int, message: str, code: str = "ERROR") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


class PublicAuth:
    def __init__(self, db: Database, wall_clock: Callable[[], datetime]) -> None:
        self.db = db
        self.wall_clock = wall_clock

    def create_key(self) -> KeyPair:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public_pem = (
            private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        key_id = str(uuid.uuid4())
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO api_keys (key_id, public_key_pem, created_at) VALUES (?, ?, ?)",
                (key_id, public_pem, self.wall_clock().timestamp()),
            )
        return KeyPair(keyId=key_id, privateKeyPem=private_pem, publicKeyPem=public_pem)

    def issue_token(self, key_id: object, timestamp: object, signature: object) -> str:
        if not all(isinstance(v, str) and v for v in (key_id, timestamp, signature)):
            raise PublicAuthError(400, "keyId, timestamp and signature are required", "BAD_REQUEST")
        assert isinstance(key_id, str) and isinstance(timestamp, str) and isinstance(signature, str)
        try:
            stamp = datetime.fromisoformat(timestamp)
        except ValueError:
            raise PublicAuthError(400, "Range timestamp not valid") from None
        if stamp.tzinfo is None:
            raise PublicAuthError(400, "Range timestamp not valid")
        if abs((self.wall_clock() - stamp).total_seconds()) > TIMESTAMP_WINDOW_SECONDS:
            raise PublicAuthError(400, "Range timestamp not valid")
        with self.db.transaction(immediate=False) as conn:
            row = conn.execute("SELECT public_key_pem FROM api_keys WHERE key_id=?", (key_id,)).fetchone()
        if row is None:
            raise PublicAuthError(401, "Key not found")
        public = serialization.load_pem_public_key(row["public_key_pem"].encode())
        assert isinstance(public, rsa.RSAPublicKey)
        try:
            raw = base64.b64decode(signature, validate=True)
            public.verify(raw, (key_id + timestamp).encode(), padding.PKCS1v15(), hashes.SHA512())
        except (InvalidSignature, binascii.Error, ValueError):
            raise PublicAuthError(401, "Signature is not valid") from None
        token = secrets.token_urlsafe(48)
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO tokens (token, key_id, issued_at) VALUES (?, ?, ?)",
                (token, key_id, self.wall_clock().timestamp()),
            )
        return token

    def check_token(self, token: str | None) -> None:
        if not token:
            raise PublicAuthError(401, "Public-Token header is missing")
        with self.db.transaction(immediate=False) as conn:
            row = conn.execute("SELECT issued_at FROM tokens WHERE token=?", (token,)).fetchone()
        if row is None:
            raise PublicAuthError(401, "Jwe token is invalid")
        if self.wall_clock().timestamp() - row["issued_at"] >= TOKEN_TTL_SECONDS:
            raise PublicAuthError(401, "Jwe token is expired")
