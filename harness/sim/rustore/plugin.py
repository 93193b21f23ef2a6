"""The ``rustorecore`` and ``rustorebilling`` native extensions of the virtual Defold engine (CONTRACT §1).

Argument checking happens in a small Lua layer so errors read exactly as the C++ plugin's
``luaL_check*`` produce them (``main/x.script:12: bad argument #1 to 'init' (string expected, got
nil)``), numbers are coerced to strings, optional arguments default as the C++ does, and
``get_products`` reads only the sequence part of its table. The Python side is the Java side:
:class:`CallbackHub` is the JNI queue (``emitSignal`` from any thread, drained FIFO once per frame
in the engine's extension update, each item to every callback of its channel in registration
order as ``callback(self, channel, value)``; an item nobody listens to is dropped), and
:class:`~harness.sim.rustore.sdk.BillingSdk` is the billing SDK.
"""

from __future__ import annotations

import threading
import weakref
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from typing import Any

from harness.sim.defold.extensions import ExtensionContext, ExtensionModule, register_extension
from harness.sim.defold.luavalues import to_text
from harness.sim.rustore.sdk import BillingSdk, java_exception

#: One hub per engine (rustorecore) and one SDK per game process (rustorebilling).
_HUBS: weakref.WeakKeyDictionary[Any, CallbackHub] = weakref.WeakKeyDictionary()
_SDKS: weakref.WeakKeyDictionary[Any, BillingSdk] = weakref.WeakKeyDictionary()
_CLIPBOARDS: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()
_OFF_DEVICE_CLIPBOARD: list[str] = [""]


def sdk_for_app(app: Any) -> BillingSdk | None:
    return _SDKS.get(app)


def modified_utf8(text: str) -> bytes:
    """Strings cross JNI as modified UTF-8: non-BMP characters as CESU-8 surrogate pairs, NUL as C0 80."""
    out = []
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            v = code - 0x10000
            out.append(chr(0xD800 + (v >> 10)) + chr(0xDC00 + (v & 0x3FF)))
        else:
            out.append(ch)
    return "".join(out).encode("utf-8", "surrogatepass").replace(b"\x00", b"\xc0\x80")


class CallbackHub:
    """The plugin's callback registry and its mutex-protected FIFO (§1.3)."""

    def __init__(self, ctx: ExtensionContext) -> None:
        self.ctx = ctx
        self.subscribers: list[tuple[bytes, Any, Any]] = []
        self._queue: deque[tuple[str, str]] = deque()
        self._lock = threading.Lock()

    def connect(self, channel: bytes, fn: Any) -> None:
        self.subscribers.append((channel, self.ctx.current_instance(), fn))

    def emit(self, channel: str, value: str) -> None:
        """``RuStoreCore.emitSignal``: callable from any thread."""
        with self._lock:
            self._queue.append((channel, value))

    def drain(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, deque()
        for channel, value in batch:
            key = channel.encode()
            payload = modified_utf8(value)
            for subscribed, instance, fn in list(self.subscribers):
                if subscribed == key:
                    self.ctx.call(instance, fn, key, payload)


# ---- the Lua layer: luaL_check* semantics ---------------------------------------------------------
LUA_CHECKS = rb"""
local py, names = ...
local function got(n, ...)
  if select('#', ...) < n then return 'no value' end
  return type((select(n, ...)))
end
local function argerror(fname, n, expected, ...)
  error(string.format("bad argument #%d to '%s' (%s expected, got %s)", n, fname, expected, got(n, ...)), 4)
end
local function str(fname, n, ...)
  local v = (select(n, ...))
  local t = type(v)
  if t == 'string' then return v end
  if t == 'number' and select('#', ...) >= n then return tostring(v) end
  argerror(fname, n, 'string', ...)
end
local function int(fname, n, ...)
  local v = (select(n, ...))
  local num = tonumber(v)
  if (type(v) == 'number' or type(v) == 'string') and num then
    if num >= 0 then return math.floor(num) end
    return -math.floor(-num)
  end
  argerror(fname, n, 'number', ...)
end
local function fn(fname, n, ...)
  local v = (select(n, ...))
  if type(v) ~= 'function' then argerror(fname, n, 'function', ...) end
  return v
end
local M = {}
if names == 'rustorecore' then
  M.connect = function(...) local c = str('connect', 1, ...); return py.connect(c, fn('connect', 2, ...)) end
  for _, level in ipairs({'verbose', 'debug', 'info', 'warning', 'error'}) do
    local fname = 'log_' .. level
    M[fname] = function(...) return py.log(level, str(fname, 1, ...), str(fname, 2, ...)) end
  end
  M.show_toast = function(...) return py.show_toast(str('show_toast', 1, ...)) end
  M.copy_to_clipboard = function(...) return py.copy_to_clipboard(str('copy_to_clipboard', 1, ...)) end
  M.get_from_clipboard = function() return py.get_from_clipboard() end
  M.get_string_resources = function(...)
    return py.get_string_resources(str('get_string_resources', 1, ...))
  end
  M.get_string_shared_preferences = function(...)
    local f = 'get_string_shared_preferences'
    return py.get_string_pref(str(f, 1, ...), str(f, 2, ...), str(f, 3, ...))
  end
  M.set_string_shared_preferences = function(...)
    local f = 'set_string_shared_preferences'
    return py.set_string_pref(str(f, 1, ...), str(f, 2, ...), str(f, 3, ...))
  end
  M.get_int_shared_preferences = function(...)
    local f = 'get_int_shared_preferences'
    return py.get_int_pref(str(f, 1, ...), str(f, 2, ...), int(f, 3, ...))
  end
  M.set_int_shared_preferences = function(...)
    local f = 'set_int_shared_preferences'
    return py.set_int_pref(str(f, 1, ...), str(f, 2, ...), int(f, 3, ...))
  end
else
  M.init = function(...)
    local id, scheme = str('init', 1, ...), str('init', 2, ...)
    local debug_logs = false
    if select('#', ...) >= 3 then debug_logs = (select(3, ...)) and true or false end
    return py.init(id, scheme, debug_logs)
  end
  M.check_purchases_availability = function() return py.check_purchases_availability() end
  M.get_products = function(t)
    local ids = {}
    if type(t) == 'table' then
      for i = 1, #t do
        local v = t[i]
        if type(v) == 'string' then ids[#ids + 1] = v
        elseif type(v) == 'number' then ids[#ids + 1] = tostring(v) end
      end
    end
    return py.get_products(unpack(ids))
  end
  M.purchase_product = function(...)
    local id = str('purchase_product', 1, ...)
    local params = ''
    if select('#', ...) >= 2 and (select(2, ...)) ~= nil then params = str('purchase_product', 2, ...) end
    return py.purchase_product(id, params)
  end
  M.get_purchases = function() return py.get_purchases() end
  M.confirm_purchase = function(...) return py.confirm_purchase(str('confirm_purchase', 1, ...)) end
  M.delete_purchase = function(...) return py.delete_purchase(str('delete_purchase', 1, ...)) end
  M.get_purchase_info = function(...) return py.get_purchase_info(str('get_purchase_info', 1, ...)) end
  M.set_theme = function(...) return py.set_theme(int('set_theme', 1, ...)) end
  M.set_error_handling = function(...) return py.set_error_handling(((select(1, ...)) and true) or false) end
end
return M
"""


def _lua_module(
    ctx: ExtensionContext, name: str, functions: dict[str, Callable[..., Any]]
) -> ExtensionModule:
    """Wrap Python functions in the checking Lua layer and hand its functions to the engine."""
    py = ctx.lua.table()
    for fname, fn in functions.items():
        py[fname.encode()] = fn
    loader = ctx.lua.eval(b"function(src, name) return assert(loadstring(src, name)) end")
    table = loader(LUA_CHECKS, b"=[C]")(py, name.encode())
    return ExtensionModule({to_text(k): v for k, v in table.items()})


# ---- shared preferences on the device's files ------------------------------------------------------
class SharedPreferences:
    """``getSharedPreferences(storage)`` of one app: ``shared_prefs/<storage>.xml`` in its data dir."""

    def __init__(self, ctx: ExtensionContext) -> None:
        self.ctx = ctx
        self._cache: dict[str, dict[str, tuple[str, str]]] = {}
        self._memory_only = ctx.device is None or ctx.app is None

    def _path(self, storage: str) -> str:
        return f"{self.ctx.app.package.data_dir}/shared_prefs/{storage}.xml"

    def _load(self, storage: str) -> dict[str, tuple[str, str]]:
        if storage in self._cache:
            return self._cache[storage]
        values: dict[str, tuple[str, str]] = {}
        if not self._memory_only:
            data = self.ctx.device.fs.read(self._path(storage))
            if data:
                for node in ET.fromstring(data):
                    key = node.get("name", "")
                    values[key] = (
                        node.tag,
                        node.get("value", "") if node.tag == "int" else (node.text or ""),
                    )
        self._cache[storage] = values
        return values

    def get(self, storage: str, key: str, kind: str, default: Any) -> Any:
        found = self._load(storage).get(key)
        if found is None:
            return default
        if found[0] != kind:  # Android throws ClassCastException: the plugin's JNI call crashes the game
            raise java_exception(
                "java.lang.ClassCastException",
                f"java.lang.{'Integer' if found[0] == 'int' else 'String'} cannot be cast to "
                f"java.lang.{'Integer' if kind == 'int' else 'String'}",
                ["android.app.SharedPreferencesImpl.getInt(SharedPreferencesImpl.java:302)"],
            )
        return int(found[1]) if kind == "int" else found[1]

    def put(self, storage: str, key: str, kind: str, value: Any) -> None:
        values = self._load(storage)
        values[key] = (kind, str(value))
        if self._memory_only:
            return
        snapshot = dict(values)
        path = self._path(storage)
        fs = self.ctx.device.fs

        def apply() -> None:  # apply(): the disk write happens later, off the caller's thread
            root = ET.Element("map")
            for name, (tag, text) in sorted(snapshot.items()):
                node = ET.SubElement(root, tag, {"name": name})
                if tag == "int":
                    node.set("value", text)
                else:
                    node.text = text
            ET.indent(root, space="    ")
            body = ET.tostring(root, encoding="unicode")
            fs.makedirs(path.rsplit("/", 1)[0])
            fs.write(
                path, ("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n" + body + "\n").encode()
            )

        self.ctx.run_on_device(apply)


# ---- rustorecore -------------------------------------------------------------------------------------
def core_extension(ctx: ExtensionContext) -> ExtensionModule:
    hub = CallbackHub(ctx)
    _HUBS[ctx.runtime] = hub
    ctx.on_update(hub.drain)
    prefs = SharedPreferences(ctx)
    priorities = {b"verbose": 2, b"debug": 3, b"info": 4, b"warning": 5, b"error": 6}
    clipboard = _CLIPBOARDS.setdefault(ctx.device, [""]) if ctx.device is not None else _OFF_DEVICE_CLIPBOARD

    def crash_on_device(exc: BaseException) -> None:
        app = ctx.app
        if app is not None:
            package = app.package.name
            ctx.run_on_device(lambda: ctx.device.activities.crash(package, exc))

    def show_toast(msg: bytes) -> None:
        app = ctx.app
        if app is not None:
            text = to_text(msg)
            package = app.package.name
            ctx.run_on_device(lambda: ctx.device.windows.toast(package, text, long=True))

    def get_string_resources(name: bytes) -> bytes:
        resources = {"app_name": ctx.runtime.project.title}
        key = to_text(name)
        if key in resources:
            return resources[key].encode()
        crash_on_device(
            java_exception(
                "android.content.res.Resources$NotFoundException",
                "String resource ID #0x0",
                [
                    "android.content.res.Resources.getText(Resources.java:444)",
                    "ru.rustore.defold.core.RuStoreCore.getStringResources(RuStoreCore.kt:88)",
                ],
            )
        )
        return b""

    def pref_get(kind: str) -> Callable[[bytes, bytes, Any], Any]:
        def get(storage: bytes, key: bytes, default: Any) -> Any:
            try:
                value = prefs.get(to_text(storage), to_text(key), kind, default)
            except Exception as exc:
                crash_on_device(exc)
                return default
            return value.encode() if isinstance(value, str) else value

        return get

    def pref_set(kind: str) -> Callable[[bytes, bytes, Any], None]:
        def put(storage: bytes, key: bytes, value: Any) -> None:
            prefs.put(
                to_text(storage), to_text(key), kind, to_text(value) if kind == "string" else int(value)
            )

        return put

    def copy(text: bytes) -> None:
        clipboard[0] = to_text(text)

    functions: dict[str, Callable[..., Any]] = {
        "connect": hub.connect,
        "log": lambda level, tag, msg: ctx.log(priorities[level], tag, msg),
        "show_toast": show_toast,
        "copy_to_clipboard": copy,
        "get_from_clipboard": lambda: clipboard[0].encode(),
        "get_string_resources": get_string_resources,
        "get_string_pref": pref_get("string"),
        "set_string_pref": pref_set("string"),
        "get_int_pref": pref_get("int"),
        "set_int_pref": pref_set("int"),
    }
    return _lua_module(ctx, "rustorecore", functions)


# ---- rustorebilling ----------------------------------------------------------------------------------
def billing_extension(ctx: ExtensionContext) -> ExtensionModule:
    app = ctx.app

    def emit(channel: str, value: str) -> None:
        hub = _HUBS.get(ctx.runtime)
        if hub is not None:
            hub.emit(channel, value)

    sdk: BillingSdk | None = None
    if app is not None:
        sdk = BillingSdk(app, emit)
        previous = _SDKS.get(app)
        if previous is not None:
            previous.close()
        _SDKS[app] = sdk
        current = sdk
        # a restarted engine in the same process registers again: only the live SDK takes intents
        ctx.on_new_intent(lambda intent: current.on_new_intent(intent) if _SDKS.get(app) is current else None)
        ctx.on_final(sdk.close)

    def call(method: str) -> Callable[..., None]:
        def run(*args: Any) -> None:
            if sdk is None:
                return
            getattr(sdk, method)(*[to_text(a) if isinstance(a, bytes) else a for a in args])

        return run

    functions: dict[str, Callable[..., Any]] = {
        name: call(name)
        for name in (
            "init",
            "check_purchases_availability",
            "purchase_product",
            "get_purchases",
            "confirm_purchase",
            "delete_purchase",
            "get_purchase_info",
            "set_theme",
            "set_error_handling",
        )
    }
    functions["get_products"] = lambda *ids: sdk.get_products([to_text(i) for i in ids]) if sdk else None
    return _lua_module(ctx, "rustorebilling", functions)


def register() -> None:
    register_extension("rustorecore", core_extension)
    register_extension("rustorebilling", billing_extension)
