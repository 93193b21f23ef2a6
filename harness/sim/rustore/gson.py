"""Gson 2.10.1 default serialization, as the official plugin's payloads are written (CONTRACT §2.0).

The RuStore plugin serializes SDK model objects with a default ``Gson()``: compact output,
null fields omitted, HTML-safe string escaping (``<``, ``>``, ``&``, ``=``, ``'`` as
``\\u003c`` …), non-ASCII written raw, and fields in reflection order, which on ART is
alphabetical (§10.11). Python's ``json`` differs in all of these, so byte-exact payloads
need this small writer. Model objects are plain dicts here; ``None`` values are dropped
exactly where Gson drops nulls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f"}
_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "=": "\\u003d", "'": "\\u0027"}


def _escape_char(ch: str) -> str:
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    if ch in _HTML_SAFE:
        return _HTML_SAFE[ch]
    code = ord(ch)
    if code < 0x20 or ch in ("\u2028", "\u2029"):
        return f"\\u{code:04x}"
    return ch


def string(value: str) -> str:
    """A JSON string literal with Gson's default (HTML-safe) escaping."""
    return '"' + "".join(_escape_char(ch) for ch in value) + '"'


def to_json(value: object) -> str:
    """Serialize like ``new Gson().toJson(value)``: objects alphabetical, nulls omitted, compact."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Mapping):
        fields = [(str(k), v) for k, v in value.items() if v is not None]
        fields.sort(key=lambda kv: kv[0])
        return "{" + ",".join(f"{string(k)}:{to_json(v)}" for k, v in fields) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    raise TypeError(f"cannot serialize {type(value).__name__} like Gson")


def date(moment: datetime, *, narrow_space_before_meridiem: bool) -> str:
    """``java.util.Date`` through Gson's default adapter: US locale, ``MMM d, yyyy h:mm:ss a``.

    Android 14+ (CLDR 42) puts U+202F before AM/PM; older releases a plain space (§10.10).
    ``moment`` must already be in the device's time zone.
    """
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    gap = "\u202f" if narrow_space_before_meridiem else " "
    return f"{moment:%b} {moment.day}, {moment.year} {hour}:{moment:%M:%S}{gap}{meridiem}"
