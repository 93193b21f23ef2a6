"""The virtual Defold engine: one Lua state running a project's scripts on a 60 fps virtual clock.

Frame order (one :meth:`DefoldRuntime.step`): input → timers → finished HTTP requests →
extension updates (e.g. RuStore callbacks) → ``update(self, dt)`` of every script, then every
GUI script → GUI animations → message dispatch. Messages posted at any point of a frame,
including while messages are being dispatched, are delivered in that frame's dispatch pass,
FIFO. A Lua error is logged like Defold's (``ERROR:SCRIPT: …`` plus a traceback) and the engine
keeps running.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lupa.luajit21 import LuaError, LuaRuntime

from harness.sim.defold import addressing
from harness.sim.defold.addressing import AddressError, Url
from harness.sim.defold.dmhash import hash_hex
from harness.sim.defold.extensions import ExtensionContext, ExtensionFactory, registered_extensions
from harness.sim.defold.gui import GuiScene
from harness.sim.defold.gui_api import GuiApi
from harness.sim.defold.http_client import HttpClient
from harness.sim.defold.luavalues import from_lua, json_decode, to_bytes, to_lua, to_text
from harness.sim.defold.project import (
    GameProject,
    ProjectError,
    ProjectFiles,
    parse_collection,
    parse_gui,
    parse_prototype,
)
from harness.sim.defold.sockets import HostListeners, ListenerBackend, SocketTable
from harness.sim.defold.timers import TimerWheel

FPS = 60
DT = 1.0 / FPS
LOG_TAG = "defold"
LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR = 3, 4, 5, 6
MAX_DISPATCH_PASSES = 10

LogSink = Callable[[int, str, str], None]


@dataclass
class ScriptInstance:
    """One script or GUI-script component; ``self_table`` is the ``self`` its functions get."""

    url: Url
    source: str
    env: Any
    self_table: Any
    scene: GuiScene | None = None
    alive: bool = True

    @property
    def is_gui(self) -> bool:
        return self.scene is not None


@dataclass
class GameObject:
    path: str
    components: dict[str, ScriptInstance] = field(default_factory=dict)


@dataclass
class PendingMessage:
    receiver: Url
    message_id: str
    message: Any
    sender: Url


@dataclass
class TouchEvent:
    x: float  # device pixels, origin top-left (Android's)
    y: float
    pressed: bool
    released: bool


def default_sys_info() -> dict[str, str]:
    return {
        "device_model": "Virtual Device",
        "manufacturer": "rustore-harness",
        "system_name": "Android",
        "system_version": "14",
        "api_version": "34",
        "language": "ru",
        "device_language": "ru-RU",
        "territory": "RU",
        "gmt_offset": "180",
        "device_ident": "",
        "user_agent": "",
    }


class DefoldRuntime:
    """Loads a project, runs its main collection and answers render/input calls.

    Thread-safety: all Lua runs under :attr:`lock`; :meth:`touch` may be called from any thread
    (events are queued and consumed one per frame).
    """

    def __init__(
        self,
        files: ProjectFiles | Mapping[str, bytes],
        *,
        screen_size: tuple[int, int] | None = None,
        log: LogSink | None = None,
        config: Mapping[str, str] | None = None,
        extensions: Mapping[str, ExtensionFactory] | None = None,
        listeners: ListenerBackend | None = None,
        sys_info: Mapping[str, str] | None = None,
        device: Any = None,
        open_url: Callable[[str], bool] | None = None,
        app: Any = None,
    ) -> None:
        self.files = files if isinstance(files, ProjectFiles) else ProjectFiles(files)
        self.project = GameProject.parse(self.files.text("game.project"))
        self.project_size = self.project.display_size
        self.screen_size = screen_size or self.project_size
        self.config = dict(self.project.values)
        self.config.update(config or {})
        self.sys_info = dict(sys_info or default_sys_info())
        self.device = device
        self.app = app
        self._log_sink = log or (lambda prio, tag, msg: None)
        self._open_url = open_url
        self.lock = threading.RLock()
        self.frame = 0
        self.time = 0.0
        self.current: ScriptInstance | None = None
        self.objects: dict[str, GameObject] = {}
        self.instances: list[ScriptInstance] = []
        self.socket_name = "main"
        self._queue: deque[PendingMessage] = deque()
        self._input_stack: list[str] = []
        self._touches: deque[TouchEvent] = deque()
        self._window_events: deque[int] = deque()
        self._window_listener: tuple[ScriptInstance | None, Any] | None = None
        #: The app is in the background (activity stopped): Defold skips frames unless
        #: ``engine.run_while_iconified`` is 1, so callbacks wait until the game is back.
        self.iconified = False
        self._update_hooks: list[Callable[[], None]] = []
        self._final_hooks: list[Callable[[], None]] = []
        self.timers = TimerWheel()
        self.http = HttpClient()
        self.sockets = SocketTable(listeners or HostListeners())
        self.started = False
        self.stopped = False
        self.lua = LuaRuntime(
            encoding=None,
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
            attribute_filter=_deny_attributes,
        )
        self.gui = GuiApi(self)
        self._py = self._python_table()
        self.engine = self._run_lua_file("prelude.lua", self._py)
        self._run_lua_file("json.lua", self._py, self.engine)
        self._run_lua_file("socket.lua", self._py)
        self.json_null = self.lua.eval("json.null")
        self._hash = self.lua.globals()[b"hash"]
        self._install_extensions(registered_extensions() | dict(extensions or {}))

    # ------------------------------------------------------------------------------------------
    # setup
    # ------------------------------------------------------------------------------------------
    def _run_lua_file(self, name: str, *args: Any) -> Any:
        source = resources.files("harness.sim.defold").joinpath("lua").joinpath(name).read_bytes()
        loader = self.lua.eval(b"function(src, name) return assert(loadstring(src, name)) end")
        return loader(source, b"=[engine " + name.encode() + b"]")(*args)

    def _install_extensions(self, factories: Mapping[str, ExtensionFactory]) -> None:
        g = self.lua.globals()
        # Native functions are Lua functions in Defold (type() == "function"), not userdata.
        as_lua_function = self.lua.eval(b"function(f) return function(...) return f(...) end end")
        for name, factory in factories.items():
            module = factory(ExtensionContext(self, name))
            table = self.lua.table()
            for fname, fn in module.functions.items():
                table[fname.encode()] = as_lua_function(fn)
            for cname, value in module.constants.items():
                table[cname.encode()] = to_lua(self.lua, value)
            g[name.encode()] = table

    def _python_table(self) -> Any:
        funcs: dict[str, Callable[..., Any]] = {
            "hash_hex": lambda s: hash_hex(s).encode(),
            "read_module": self._read_module,
            "log": lambda prio, text: self.log_raw(int(prio), LOG_TAG, text),
            "post": self._lua_post,
            "current_url": self._lua_current_url,
            "resolve_url": self._lua_resolve_url,
            "declare_property": lambda name, value: None,
            "window_size": lambda: self.screen_size,
            "window_set_listener": self._lua_window_set_listener,
            "timer_delay": self._lua_timer_delay,
            "timer_cancel": lambda handle: self.timers.cancel(int(handle)),
            "timer_trigger": lambda handle: self.timers.trigger(int(handle), self.time) is not None,
            "sys_info": lambda: to_lua(self.lua, self.sys_info),
            "get_config": self._lua_get_config,
            "open_url": lambda url: bool(self._open_url and self._open_url(to_text(url))),
            "http_request": self._lua_http_request,
            "json_decode": lambda text, null_ud: json_decode(
                self.lua, text, self.json_null if null_ud else None
            ),
            "sock_bind": self.sockets.bind,
            "sock_accept": self.sockets.accept,
            "sock_receive": self.sockets.receive,
            "sock_send": self.sockets.send,
            "sock_close": self.sockets.close,
            "sock_settimeout": self.sockets.settimeout,
            "sock_sockname": self.sockets.sockname,
            "sock_peername": self.sockets.peername,
            "sock_gettime": lambda: self.time,
        }
        funcs.update(self.gui.functions())
        table = self.lua.table()
        for name, fn in funcs.items():
            table[name.encode()] = fn
        return table

    # ------------------------------------------------------------------------------------------
    # logging
    # ------------------------------------------------------------------------------------------
    def log_raw(self, priority: int, tag: str | bytes, message: str | bytes) -> None:
        self._log_sink(priority, to_text(tag), to_text(message))

    def log_error(self, text: str) -> None:
        self.log_raw(LOG_ERROR, LOG_TAG, text)

    # ------------------------------------------------------------------------------------------
    # loading the main collection
    # ------------------------------------------------------------------------------------------
    def _read_module(self, path: bytes) -> bytes | None:
        try:
            return self.files[to_text(path)]
        except KeyError:
            return None

    def load(self) -> None:
        path = self.project.main_collection
        desc = parse_collection(self.files.text(path))
        self.socket_name = desc.name or "default"
        self._load_collection(desc, "")

    def _load_collection(self, desc: Any, prefix: str) -> None:
        for inst in desc.instances:
            go_path = f"{prefix}/{inst.id}"
            proto = parse_prototype(self.files.text(inst.prototype))
            self._create_object(go_path, proto)
        for emb in desc.embedded_instances:
            go_path = f"{prefix}/{emb.id}"
            self._create_object(go_path, parse_prototype(emb.data))
        for sub in desc.collection_instances:
            self._load_collection(parse_collection(self.files.text(sub.collection)), f"{prefix}/{sub.id}")

    def _create_object(self, path: str, proto: Any) -> None:
        obj = GameObject(path)
        self.objects[path] = obj
        for comp in proto.components:
            self._create_component(obj, comp.id, comp.component.lstrip("/"), None)
        for emb in proto.embedded_components:
            if emb.type == "gui":
                self._create_component(obj, emb.id, f"{path}#{emb.id}.gui", emb.data)

    def _create_component(self, obj: GameObject, fragment: str, resource: str, inline: str | None) -> None:
        url = Url(self.socket_name, obj.path, fragment)
        if resource.endswith(".script"):
            self._add_instance(obj, url, resource, None)
        elif resource.endswith(".gui"):
            desc = parse_gui(inline if inline is not None else self.files.text(resource))
            scene = GuiScene.from_desc(resource, desc, self.project_size)
            if scene.script:
                self._add_instance(obj, url, scene.script, scene)
        # other component types (sprites, sounds, factories …) have no behaviour here

    def _add_instance(self, obj: GameObject, url: Url, source: str, scene: GuiScene | None) -> None:
        code = self.files.get(source)
        if code is None:
            raise ProjectError(f"missing script: /{source}")
        env, err = self.engine.load_script(code, source.encode())
        instance = ScriptInstance(url, source, env, self.lua.table(), scene)
        if env is None:
            self.log_error(f"ERROR:SCRIPT: {to_text(err)}")
            instance.alive = False
        obj.components[url.fragment] = instance
        self.instances.append(instance)

    # ------------------------------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the main collection, run every ``init`` and the first dispatch pass."""
        with self.lock:
            if self.started:
                return
            self.load()
            self.started = True
            for inst in self._ordered():
                self._call_lifecycle(inst, "init")
            self._dispatch_messages()

    def step(self, frames: int = 1) -> None:
        for _ in range(frames):
            with self.lock:
                if not self.started or self.stopped:
                    return
                self._frame()

    def _frame(self) -> None:
        self.frame += 1
        self.time = self.frame * DT
        while self._window_events and self._window_listener is not None:
            owner, listener = self._window_listener
            self.call_lua(owner, listener, self._window_events.popleft(), self.lua.table(), pass_self=True)
        self._window_events.clear()
        if self._touches:
            self._dispatch_touch(self._touches.popleft())
        for timer, elapsed in self.timers.due(self.time):
            if timer.owner is None or timer.owner.alive:
                self.call_lua(timer.owner, timer.callback, timer.handle, elapsed, pass_self=True)
        for result in self.http.completed():
            self._deliver_http(result)
        for hook in list(self._update_hooks):
            try:
                hook()
            except Exception as exc:  # an extension bug must not stop the game loop
                self.log_error(f"ERROR:EXTENSION: {exc!r}")
        for inst in self._ordered():
            self._call_lifecycle(inst, "update", DT)
        self.gui.step_animations(DT)
        self._dispatch_messages()

    def stop(self) -> None:
        """``final`` for every script, then release timers, sockets and hooks."""
        with self.lock:
            if self.stopped:
                return
            if self.started:
                for inst in self._ordered():
                    self._call_lifecycle(inst, "final")
                    inst.alive = False
            for hook in self._final_hooks:
                try:
                    hook()
                except Exception as exc:
                    self.log_error(f"ERROR:EXTENSION: {exc!r}")
            self.stopped = True
            self.sockets.close_all()

    def _ordered(self) -> list[ScriptInstance]:
        """Scripts in collection order first, then GUI scripts (Defold updates by component type)."""
        return [i for i in self.instances if not i.is_gui] + [i for i in self.instances if i.is_gui]

    def _call_lifecycle(self, inst: ScriptInstance, name: str, *args: Any) -> Any:
        if not inst.alive or inst.env is None:
            return None
        fn = self.engine.lifecycle(inst.env, name.encode())
        if fn is None:
            return None
        return self._protected(inst, fn, (inst.self_table, *args))

    def call_lua(self, inst: ScriptInstance | None, fn: Any, *args: Any, pass_self: bool = True) -> bool:
        """Run a Lua callback in ``inst``'s context; returns whether it ran without error."""
        with self.lock:
            if inst is not None and not inst.alive:
                return False  # the script instance is gone (final ran): its callbacks are skipped
            call_args = (inst.self_table, *args) if pass_self and inst is not None else args
            if pass_self and inst is None:
                call_args = (self.lua.table(), *args)
            ok = self._protected(inst, fn, call_args, report=True)
            return bool(ok)

    def _protected(
        self, inst: ScriptInstance | None, fn: Any, args: tuple[Any, ...], report: bool = False
    ) -> Any:
        previous = self.current
        self.current = inst
        try:
            result = self.engine.pcall(fn, *args)
        except LuaError as exc:  # errors raised while formatting the error itself
            self.log_error(f"ERROR:SCRIPT: {exc}")
            return False if report else None
        finally:
            self.current = previous
        ok, value = (
            (result[0], result[1] if len(result) > 1 else None)
            if isinstance(result, tuple)
            else (result, None)
        )
        if not ok:
            self.log_error(f"ERROR:SCRIPT: {to_text(value) if isinstance(value, bytes) else value}")
            return False if report else None
        return True if report else value

    # ------------------------------------------------------------------------------------------
    # messages
    # ------------------------------------------------------------------------------------------
    def _current_url(self) -> Url:
        if self.current is None:
            return Url(self.socket_name, "", "")
        return self.current.url

    def _lua_current_url(self) -> tuple[bytes, bytes, bytes]:
        url = self._current_url()
        return url.socket.encode(), url.path.encode(), url.fragment.encode()

    def _lua_resolve_url(self, text: bytes) -> tuple[Any, ...]:
        try:
            url = addressing.resolve(to_text(text), self._current_url(), {self.socket_name})
        except AddressError as exc:
            return None, str(exc).encode()
        return url.socket.encode(), url.path.encode(), url.fragment.encode()

    def _lua_post(self, kind: bytes, a: bytes, b: bytes, c: bytes, message_id: bytes, message: Any) -> None:
        current = self._current_url()
        try:
            receiver = addressing.from_parts(
                to_text(kind), to_text(a), to_text(b), to_text(c), current, {self.socket_name}
            )
        except AddressError as exc:
            raise LuaError(
                f"Could not send message '{to_text(message_id)}' from '{current}': {exc}"
            ) from None
        self.post(receiver, to_text(message_id), message, current)

    def post(self, receiver: Url, message_id: str, message: Any = None, sender: Url | None = None) -> None:
        """Queue a message (Python callers: the automation of tests, extensions)."""
        if message is None:
            message = self.lua.table()
        elif isinstance(message, dict):
            message = to_lua(self.lua, message)
        self._queue.append(PendingMessage(receiver, message_id, message, sender or self._current_url()))

    def _dispatch_messages(self) -> None:
        for _ in range(MAX_DISPATCH_PASSES):
            if not self._queue:
                return
            batch, self._queue = self._queue, deque()
            for item in batch:
                self._deliver(item)
        if self._queue:
            self.log_raw(
                LOG_WARN,
                LOG_TAG,
                "WARNING:GAMEOBJECT: Message dispatch reached its pass limit; "
                "the rest is delivered next frame",
            )

    def _deliver(self, item: PendingMessage) -> None:
        obj = self.objects.get(item.receiver.path)
        if obj is None:
            self.log_error(
                f"ERROR:GAMEOBJECT: Instance '{item.receiver.path}' could not be found when "
                f"dispatching message '{item.message_id}' sent from {item.sender}"
            )
            return
        if item.message_id in ("acquire_input_focus", "release_input_focus"):
            if obj.path in self._input_stack:
                self._input_stack.remove(obj.path)
            if item.message_id == "acquire_input_focus":
                self._input_stack.append(obj.path)
            return
        if item.receiver.fragment:
            inst = obj.components.get(item.receiver.fragment)
            if inst is None:
                self.log_error(
                    f"ERROR:GAMEOBJECT: Component '{item.receiver.path}#{item.receiver.fragment}' "
                    f"could not be found when dispatching message '{item.message_id}' sent from "
                    f"{item.sender}"
                )
                return
            targets = [inst]
        else:
            targets = list(obj.components.values())
        for inst in targets:
            if inst.is_gui and item.message_id in ("enable", "disable"):
                assert inst.scene is not None
                inst.scene.component_enabled = item.message_id == "enable"
                continue
            sender = self.engine.make_url(
                item.sender.socket.encode(), item.sender.path.encode(), item.sender.fragment.encode()
            )
            self._call_lifecycle(
                inst, "on_message", self._hash(item.message_id.encode()), item.message, sender
            )

    # ------------------------------------------------------------------------------------------
    # input
    # ------------------------------------------------------------------------------------------
    def touch(self, x: float, y: float, *, pressed: bool, released: bool) -> None:
        self._touches.append(TouchEvent(x, y, pressed, released))

    def window_event(self, event: int) -> None:
        """Queue a window event (``window.WINDOW_EVENT_*``) for the listener, next frame."""
        self._window_events.append(event)

    def should_step(self) -> bool:
        """False while iconified (unless the project runs while iconified) and nothing is queued."""
        if not self.iconified or self.config.get("engine.run_while_iconified", "0") == "1":
            return True
        return bool(self._window_events)

    def _lua_window_set_listener(self, callback: Any) -> None:
        self._window_listener = None if callback is None else (self.current, callback)

    def tap(self, x: float, y: float) -> None:
        """A screen tap in device pixels (``input tap x y``): press on one frame, release on the next."""
        self.touch(x, y, pressed=True, released=False)
        self.touch(x, y, pressed=False, released=True)

    def action_for(self, ev: TouchEvent) -> dict[str, Any]:
        """Defold's mapping: ``action.x = (px + 0.5) · W/w``, ``action.y = H − (py + 0.5) · H/h``."""
        pw, ph = self.project_size
        sw, sh = self.screen_size
        x = (ev.x + 0.5) * pw / sw
        y = ph - (ev.y + 0.5) * ph / sh
        touch = {
            "id": 0,
            "pressed": ev.pressed,
            "released": ev.released,
            "tap_count": 1 if ev.pressed else 0,
            "x": x,
            "y": y,
            "dx": 0.0,
            "dy": 0.0,
            "screen_x": ev.x,
            "screen_y": sh - ev.y,
            "screen_dx": 0.0,
            "screen_dy": 0.0,
        }
        return {
            "x": x,
            "y": y,
            "dx": 0.0,
            "dy": 0.0,
            "screen_x": ev.x,
            "screen_y": sh - ev.y,
            "screen_dx": 0.0,
            "screen_dy": 0.0,
            "value": 1.0 if not ev.released else 0.0,
            "pressed": ev.pressed,
            "released": ev.released,
            "repeated": False,
            "touch": [touch],
        }

    def _dispatch_touch(self, ev: TouchEvent) -> None:
        action = to_lua(self.lua, self.action_for(ev))
        action_id = self._hash(b"touch")
        for path in reversed(list(self._input_stack)):
            obj = self.objects.get(path)
            if obj is None:
                continue
            for inst in obj.components.values():
                if inst.is_gui and inst.scene is not None and not inst.scene.component_enabled:
                    continue
                if self._call_lifecycle(inst, "on_input", action_id, action):
                    return

    # ------------------------------------------------------------------------------------------
    # timers, config, http
    # ------------------------------------------------------------------------------------------
    def _lua_timer_delay(self, delay: float, repeating: bool, callback: Any) -> int:
        return self.timers.add(self.current, float(delay), bool(repeating), callback, self.time)

    def _lua_get_config(self, key: bytes) -> bytes | None:
        value = self.config.get(to_text(key))
        return None if value is None else to_bytes(value)

    def _lua_http_request(
        self, url: bytes, method: bytes, callback: Any, headers: Any, body: Any, timeout: float
    ) -> int:
        hdrs = {to_text(k): to_text(v) for k, v in headers.items()} if headers is not None else {}
        data = body if isinstance(body, bytes) else to_bytes(str(body)) if body else b""
        return self.http.request(
            self.current, callback, to_text(url), to_text(method), hdrs, data, float(timeout)
        )

    def _deliver_http(self, result: Any) -> None:
        response: dict[str, Any] = {
            "status": result.status,
            "response": result.body,
            "headers": result.headers,
            "url": result.url,
        }
        if result.error:
            response["error"] = result.error
        if result.callback is not None and (result.owner is None or result.owner.alive):
            self.call_lua(
                result.owner, result.callback, result.request_id, to_lua(self.lua, response), pass_self=True
            )

    def wait_io_idle(self, timeout: float = 10.0) -> bool:
        return self.http.wait_idle(timeout)

    # ------------------------------------------------------------------------------------------
    # hooks for extensions
    # ------------------------------------------------------------------------------------------
    def add_update_hook(self, hook: Callable[[], None]) -> None:
        self._update_hooks.append(hook)

    def add_final_hook(self, hook: Callable[[], None]) -> None:
        self._final_hooks.append(hook)

    # ------------------------------------------------------------------------------------------
    # inspection
    # ------------------------------------------------------------------------------------------
    def scenes(self) -> list[GuiScene]:
        return [i.scene for i in self.instances if i.scene is not None]

    def instance(self, url: str) -> ScriptInstance:
        target = addressing.resolve(url, Url(self.socket_name, "/"), {self.socket_name})
        obj = self.objects[target.path]
        return obj.components[target.fragment]

    def eval_in(self, url: str, code: str) -> Any:
        """Run Lua in a script's context (tests): ``code`` is a function body receiving ``self``."""
        inst = self.instance(url)
        fn = self.lua.execute(b"return function(self) " + code.encode() + b" end")
        with self.lock:
            previous = self.current
            self.current = inst
            try:
                return from_lua(fn(inst.self_table))
            finally:
                self.current = previous


def _deny_attributes(obj: Any, name: Any, is_setting: bool) -> Any:
    """Lua code may call the engine's Python functions but never reach into Python objects."""
    raise AttributeError("access to Python attributes is not allowed")
