"""Moving values between Python and the Lua state.

The runtime keeps lupa in byte mode (``encoding=None``) so strings cross exactly as bytes:
payloads that are not valid UTF-8 (CESU-8 from JNI, say) must reach logcat unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from lupa.luajit21 import LuaRuntime

LUA_TABLE_TYPE = "table"


def to_bytes(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def to_text(value: bytes | str) -> str:
    """Lua bytes → str that encodes back to the same bytes (``surrogateescape``)."""
    if isinstance(value, str):
        return value
    return value.decode("utf-8", "surrogateescape")


def to_lua(lua: LuaRuntime, value: Any, null: Any = None) -> Any:
    """Python data (dict/list/str/number/bool/None) → Lua value; lists become 1-based tables."""
    if isinstance(value, str):
        return to_bytes(value)
    if isinstance(value, dict):
        table = lua.table()
        for k, v in value.items():
            converted = to_lua(lua, v, null)
            if converted is not None:
                table[to_bytes(k) if isinstance(k, str) else k] = converted
        return table
    if isinstance(value, list | tuple):
        table = lua.table()
        for i, v in enumerate(value, start=1):
            converted = to_lua(lua, v, null)
            if converted is not None:
                table[i] = converted
        return table
    if value is None:
        return null
    return value


def from_lua(value: Any) -> Any:
    """Lua value → Python: tables become dicts (keys as Lua gave them), strings become str."""
    if isinstance(value, bytes):
        return to_text(value)
    if _is_table(value):
        return {from_lua(k): from_lua(v) for k, v in value.items()}
    return value


def _is_table(value: Any) -> bool:
    from lupa.luajit21 import lua_type

    return lua_type(value) == LUA_TABLE_TYPE


def table_get(table: Any, key: str, default: Any = None) -> Any:
    value = table[to_bytes(key)]
    return default if value is None else value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Expected value but found invalid token '{name}'")


def json_decode(lua: LuaRuntime, text: bytes, null: Any) -> tuple[bool, Any, bytes | None]:
    """Defold's ``json.decode``: objects → tables, arrays → 1-based tables, null → nil (or ``null``)."""
    try:
        data = json.loads(to_text(text), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return False, None, to_bytes(f"{exc.msg} at character {exc.pos + 1}")
    except ValueError as exc:
        return False, None, to_bytes(str(exc))
    return True, to_lua(lua, _floats(data), null), None


def _floats(value: Any) -> Any:
    """Lua numbers are doubles: big integers lose precision exactly as they would in the engine."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value) if abs(value) > 2**53 else value
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value
