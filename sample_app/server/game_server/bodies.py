"""Turning a raw HTTP request into a typed claim: Content-Type (2111), then JSON and fields (1100)."""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from starlette.requests import Request

from game_server.errors import ApiError, ErrorCode

MAX_BODY_BYTES = 64 * 1024

Id = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=256, strip_whitespace=False)]
Token = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=1024)]


class ValidateBody(BaseModel):
    """``POST /v1/purchases/validate``; unknown fields are ignored so the game may send more."""

    model_config = ConfigDict(extra="ignore", strict=True)
    purchaseId: Id
    productId: Id
    subscriptionToken: Token
    userId: Id | None = None


class ConsumeBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    purchaseId: Id
    subscriptionToken: Token


Body = TypeVar("Body", bound=BaseModel)


def require_json(request: Request) -> None:
    """2111 unless the media type is exactly application/json (parameters such as charset allowed)."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(
            ErrorCode.HTTP_CONTENT_TYPE_NOT_SUPPORT,
            f"Content-Type must be application/json, got {content_type or 'none'!r}",
        )


async def read_body(request: Request, model: type[Body]) -> Body:
    require_json(request)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(ErrorCode.INVALID_PARAMETERS, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(ErrorCode.INVALID_PARAMETERS, f"body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(ErrorCode.INVALID_PARAMETERS, "body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(ErrorCode.INVALID_PARAMETERS, describe(exc)) from exc


def describe(exc: ValidationError) -> str:
    """One line naming each bad field, without echoing pydantic's internals or the input."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in error["loc"]) or "body"
        problems.append(f"{field}: {error['msg']}")
    return "; ".join(problems)
