"""The client side of public-API authentication: sign ``keyId + timestamp`` with SHA512withRSA.

Kept apart from the server so the game server and :mod:`harness.sim.sandbox.client` can sign
without importing the sandbox itself.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MSK = timezone(timedelta(hours=3))


def auth_timestamp(now: datetime | None = None) -> str:
    """An ISO-8601 timestamp with milliseconds and offset, like ``2024-06-18T11:49:08.290+03:00``."""
    moment = (now or datetime.now(MSK)).astimezone(MSK)
    return moment.isoformat(timespec="milliseconds")


def sign(private_key_pem: str, key_id: str, timestamp: str) -> str:
    """base64(SHA512withRSA(keyId + timestamp)) with a PKCS#8 private key."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("an RSA private key is required")
    signature = key.sign((key_id + timestamp).encode(), padding.PKCS1v15(), hashes.SHA512())
    return base64.b64encode(signature).decode()
