"""The ``defold`` runtime of the virtual Android device: an installed Defold APK that really runs.

An APK whose manifest carries ``<meta-data android:name="rustore.harness.runtime"
android:value="defold"/>`` and its Defold project under ``assets/defold/`` starts a
:class:`DefoldRuntime` when ``com.dynamo.android.DefoldActivity`` is created. The engine runs on
its own game thread (Lua never runs on the device's event loop) at 60 frames per second of
wall time, each frame a fixed 1/60 s step of the virtual clock. While the activity is stopped
(another app such as the bank app is on top) the engine is *iconified* and, like Defold with
``engine.run_while_iconified = 0``, runs no frames: plugin callbacks wait in their queue until
the game is back. Window events (focus lost/gained, iconified/deiconified) reach
``window.set_listener``. ``screencap`` draws its GUI,
``input tap`` becomes Defold touch actions, ``print``/errors go to logcat (tag ``defold``) and
``am force-stop`` runs ``final`` and ends the thread.

Configuration the device can inject: a system property ``rustore.harness.config.<section>.<key>``
overrides ``<section>.<key>`` of ``game.project`` (``sys.get_config``), e.g.
``setprop rustore.harness.config.rustore_harness.game_server_url http://127.0.0.1:8080``.
"""

from __future__ import annotations

import asyncio
import io
import threading
import zipfile
from collections.abc import Callable
from typing import Any

from PIL import Image

from harness.sim.android.intents import ComponentName, Intent
from harness.sim.android.runtime import ACTION_DOWN, ACTION_UP, Activity, AppRuntime, register_runtime
from harness.sim.defold.project import ProjectFiles
from harness.sim.defold.render import render
from harness.sim.defold.runtime import DefoldRuntime
from harness.sim.defold.sockets import DeviceListeners, HostListeners, ListenerBackend

RUNTIME_NAME = "defold"
ASSET_ROOT = "assets/defold/"
GAME_ACTIVITY = "com.dynamo.android.DefoldActivity"
DEEPLINK_ACTIVITY = "ru.rustore.defold.billing.RuStoreIntentFilterActivity"
CONFIG_PROP_PREFIX = "rustore.harness.config."
WINDOW_EVENT_FOCUS_LOST, WINDOW_EVENT_FOCUS_GAINED, WINDOW_EVENT_ICONIFIED, WINDOW_EVENT_DEICONIFIED = (
    0,
    1,
    3,
    4,
)

IntentHook = Callable[[Intent], None]
ActivityFactory = Callable[["DefoldAppRuntime", Any, str], Activity]

#: Activities of the game's merged manifest implemented by native SDK code rather than the
#: engine (the RuStore payment sheet an extension's AAR declares): name → factory.
_ACTIVITY_FACTORIES: dict[str, ActivityFactory] = {}


def register_activity(name: str, factory: ActivityFactory) -> None:
    """Let an extension implement an activity its manifest adds to the game (e.g. a payment sheet)."""
    _ACTIVITY_FACTORIES[name] = factory


def project_from_apk(apk: bytes) -> ProjectFiles:
    """The Defold project packed under ``assets/defold/`` of an APK."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(apk)) as zf:
        for name in zf.namelist():
            if name.startswith(ASSET_ROOT) and not name.endswith("/"):
                files[name[len(ASSET_ROOT) :]] = zf.read(name)
    return ProjectFiles(files)


FIRST_FRAME_LIMIT_S = 30.0


class GameLoop:
    """Steps the engine 60 times per second on a dedicated thread until stopped.

    An engine failure (a project that does not load, a bug in the engine itself) is the app
    crashing: ``on_crash`` gets the exception; Lua errors never get here (they are logged).
    """

    def __init__(self, engine: DefoldRuntime, name: str, on_crash: Callable[[BaseException], None]) -> None:
        self.engine = engine
        self._stop = threading.Event()
        self._on_crash = on_crash
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.drawn = threading.Event()  # set once the first frame has been stepped (and can be drawn)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self.engine.start()
            while not self._stop.wait(1 / 60):
                if self.engine.should_step():
                    self.engine.step(1)
                    self.drawn.set()
        except Exception as exc:
            self.engine.log_error(f"ERROR:ENGINE: {exc}")
            self._on_crash(exc)

    def stop(self) -> None:
        self._stop.set()
        abort = getattr(self.engine.sockets.backend, "abort", None)
        if callable(abort):  # a frame waiting on the device loop must not hold up the loop's own stop
            abort()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        self.engine.stop()


class DefoldGameActivity(Activity):
    """``com.dynamo.android.DefoldActivity``: the engine's window."""

    runtime: DefoldAppRuntime

    def on_create(self, intent: Intent) -> None:
        self.intent = intent
        self.runtime.boot()

    def on_new_intent(self, intent: Intent) -> None:
        self.intent = intent

    # Defold's window events follow the activity: focus with resume/pause, iconified with stop/start.
    def on_resume(self) -> None:
        self._window(WINDOW_EVENT_FOCUS_GAINED)

    def on_pause(self) -> None:
        self._window(WINDOW_EVENT_FOCUS_LOST)

    def on_start(self) -> None:
        if self.runtime.engine is not None and self.runtime.engine.iconified:
            self.runtime.engine.iconified = False
            self._window(WINDOW_EVENT_DEICONIFIED)

    def on_stop(self) -> None:
        if self.runtime.engine is not None:
            self._window(WINDOW_EVENT_ICONIFIED)
            self.runtime.engine.iconified = True

    def _window(self, event: int) -> None:
        if self.runtime.engine is not None:
            self.runtime.engine.window_event(event)

    def on_destroy(self) -> None:
        # Defold's engine lives and dies with its activity (BACK out of the game ends it).
        self.runtime.halt()

    def on_touch(self, x: int, y: int, action: str) -> None:
        engine = self.runtime.engine
        if engine is None:
            return
        if action == ACTION_DOWN:
            engine.touch(x, y, pressed=True, released=False)
        elif action == ACTION_UP:
            engine.touch(x, y, pressed=False, released=True)

    def on_key(self, keycode: int, action: str) -> bool:
        return False

    async def wait_drawn(self) -> None:
        loop = self.runtime.loop_thread
        if loop is not None:  # bounded: a game that never draws must not pin a worker thread forever
            await asyncio.to_thread(loop.drawn.wait, FIRST_FRAME_LIMIT_S)

    def render(self, size: tuple[int, int]) -> Image.Image | None:
        engine = self.runtime.engine
        if engine is None or not engine.started:
            return Image.new("RGB", size, (0, 0, 0))
        return render(engine)


class DeeplinkActivity(Activity):
    """``RuStoreIntentFilterActivity``: hands the intent to the plugin, then brings the game back.

    Like the plugin's activity it forwards the intent (hooks registered by the billing
    extension) and relaunches the game activity with the intent's extras only (CONTRACT §7).
    """

    runtime: DefoldAppRuntime

    def on_create(self, intent: Intent) -> None:
        self._handle(intent)

    def on_new_intent(self, intent: Intent) -> None:
        self._handle(intent)

    def _handle(self, intent: Intent) -> None:
        self.intent = intent
        for hook in list(self.runtime.intent_hooks):
            hook(intent)
        game = Intent(component=ComponentName(self.runtime.package.name, GAME_ACTIVITY))
        game.extras = dict(intent.extras or {})
        self.start_activity(game)
        self.finish()


class DefoldAppRuntime(AppRuntime):
    """One Defold game process."""

    def __init__(self, device: Any, package: Any, process: Any) -> None:
        super().__init__(device, package, process)
        self.engine: DefoldRuntime | None = None
        self.loop_thread: GameLoop | None = None
        self.intent_hooks: list[IntentHook] = []
        self.device_loop: asyncio.AbstractEventLoop | None = None

    def create_activity(self, info: Any, token: str) -> Activity:
        if info.name == DEEPLINK_ACTIVITY:
            return DeeplinkActivity(self, info, token)
        factory = _ACTIVITY_FACTORIES.get(info.name)
        if factory is not None:
            return factory(self, info, token)
        return DefoldGameActivity(self, info, token)

    def _listeners(self) -> ListenerBackend:
        try:
            self.device_loop = asyncio.get_running_loop()
        except RuntimeError:
            return HostListeners()
        return DeviceListeners(self.device.net, self.device_loop)

    def _config(self) -> dict[str, str]:
        props = getattr(self.device, "props", {})
        # An empty property is an unset one (as getprop says), so `setprop KEY ""` restores game.project.
        prefix = CONFIG_PROP_PREFIX
        return {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix) and v}

    def _write_log(self, priority: int, tag: str, message: str) -> None:
        self.device.logcat.write(priority, tag, message, pid=self.process.pid, uid=self.process.uid)

    def boot(self) -> None:
        """Create the engine on first activity start (Defold initialises in the activity)."""
        if self.engine is not None:
            return
        files = project_from_apk(self.package.apk)
        self.engine = DefoldRuntime(
            files,
            screen_size=self.device.display.size,
            log=self._write_log,
            config=self._config(),
            listeners=self._listeners(),
            device=self.device,
            app=self,
        )
        self.loop_thread = GameLoop(self.engine, f"defold-{self.package.name}", self._crash)
        self.loop_thread.start()

    def _crash(self, exc: BaseException) -> None:
        name = self.package.name
        self.on_device_loop(lambda: self.device.activities.crash(name, exc))

    def halt(self) -> None:
        """Run ``final`` and end the game thread; the next activity start boots a fresh engine."""
        if self.loop_thread is not None:
            self.loop_thread.stop()
        self.loop_thread = None
        self.engine = None

    def on_process_death(self) -> None:
        self.halt()

    def on_device_loop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the device's event loop (extensions calling the Android model from Lua)."""
        if self.device_loop is None:
            fn()
        else:
            self.device_loop.call_soon_threadsafe(fn)


def register() -> None:
    register_runtime(RUNTIME_NAME, DefoldAppRuntime)


register()
