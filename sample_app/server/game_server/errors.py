"""The server's error vocabulary: the IAP guide's server codes plus three of our own.

Every failure a client can see is an :class:`ApiError`, turned into one uniform JSON body. Business
failures of a well-formed request (5000, 5003) travel with HTTP 200 so the game can tell "the server
said no" (IAP 107/110/112) from "the server is broken or the request is wrong" (IAP 106, non-200).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any


class ErrorCode(Enum):
    """Code, type name and HTTP status of every error body this server produces."""

    INVALID_PARAMETERS = (1100, 400)
    HTTP_CONTENT_TYPE_NOT_SUPPORT = (2111, 415)
    HTTP_REQUEST_METHOD_NOT_SUPPORT = (2112, 405)
    CONSUME_FAILED = (5000, 200)
    INVALID_AUTHENTICATED = (5003, 200)
    # Not in the seed: this server's own, all non-200 so the game maps them to IAP 106.
    INTERNAL_ERROR = (9000, 500)
    RUSTORE_UNAVAILABLE = (9001, 502)
    NOT_FOUND = (9004, 404)

    @property
    def number(self) -> int:
        return self.value[0]

    @property
    def http_status(self) -> int:
        return self.value[1]


class Reason(StrEnum):
    """Why a 5000 CONSUME_FAILED happened; the game maps TOKEN_MISMATCH to IAP 110."""

    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_UNKNOWN = "TOKEN_UNKNOWN"
    TOKEN_MISMATCH = "TOKEN_MISMATCH"
    NOT_PAID = "NOT_PAID"
    SUBSCRIPTION_INACTIVE = "SUBSCRIPTION_INACTIVE"
    NOT_VALIDATED = "NOT_VALIDATED"
    NOT_CONSUMABLE = "NOT_CONSUMABLE"


@dataclass
class ApiError(Exception):
    """A failure answered to the client as a uniform error body."""

    code: ErrorCode
    message: str
    reason: Reason | None = None
    headers: dict[str, str] | None = None

    def __str__(self) -> str:
        return f"{self.code.number} {self.code.name}: {self.message}"

    def body(self, request_id: str) -> dict[str, Any]:
        return error_body(self.code, self.message, request_id, self.reason)


def error_body(
    code: ErrorCode, message: str, request_id: str, reason: Reason | None = None
) -> dict[str, Any]:
    """The one error shape: ``{code, type, message, requestId}`` plus ``reason`` for 5000."""
    body: dict[str, Any] = {
        "code": code.number,
        "type": code.name,
        "message": message,
        "requestId": request_id,
    }
    if reason is not None:
        body["reason"] = reason.value
    return body
