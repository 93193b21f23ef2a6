"""Secrets from `${ENV}` interpolation: usable by code, invisible to people.

A `Secret` keeps the value for the code that needs it (`reveal()`) and shows `***`
everywhere else: `str`, `repr`, f-strings, pydantic dumps, pickles for reports. Error
messages about an interpolated value quote the `${NAME}` text instead of the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

MASK = "***"
ENV_REF = re.compile(r"\$\{([^}]*)\}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Secret:
    """A string that never prints itself."""

    __slots__ = ("_value", "template")

    def __init__(self, value: str, template: str = MASK) -> None:
        self._value = value
        self.template = template  # the text as written in the file, e.g. "${FARM_KEY}"

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Secret, (self._value, self.template))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda _v: MASK),
        )

    @classmethod
    def _validate(cls, value: Any) -> Secret:
        if isinstance(value, Secret):
            return value
        if isinstance(value, str):
            return cls(value)
        raise ValueError("expected a string from the environment, written as ${NAME}")


def reveal(value: Any) -> Any:
    """The real value behind `Secret`s, recursively (for the code that sends credentials)."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [reveal(v) for v in value]
    return value


def mask(value: Any) -> Any:
    """A copy fit for reports: every `Secret` replaced by `***`."""
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, Mapping):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return value


class InterpolationError(ValueError):
    pass


def interpolate(text: str, env: Mapping[str, str]) -> str | Secret:
    """Replace `${NAME}` references; the result is a `Secret` when any were present."""
    names = ENV_REF.findall(text)
    if not names:
        if "${" in text:
            raise InterpolationError("unclosed ${ in the value; write ${NAME}")
        return text
    for name in names:
        if not ENV_NAME.fullmatch(name):
            raise InterpolationError(
                f"bad environment reference ${{{name}}}; expected ${{NAME}} (letters, digits, _)"
            )
        if name not in env:
            raise InterpolationError(f"environment variable {name} is not set (referenced as ${{{name}}})")
    value = ENV_REF.sub(lambda m: env[m.group(1)], text)
    return Secret(value, template=text)
