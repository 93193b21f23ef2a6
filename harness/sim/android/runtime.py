"""How an installed virtual app runs: the ``Activity`` API runtimes implement and their registry.

An APK names its runtime in ``<meta-data android:name="rustore.harness.runtime" android:value="…"/>``;
:func:`register_runtime` maps that name to a factory. The default ``generic`` runtime logs every
lifecycle call under the ``VirtualApp`` tag, which is enough for tests that only need to see an
app start, receive ``onNewIntent`` with a deeplink, pause and die.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PIL import Image

from harness.sim.android.intents import ComponentName, Intent
from harness.sim.ui.views import Window

if TYPE_CHECKING:
    from harness.sim.android.apk import ActivitySpec
    from harness.sim.android.packages import InstalledPackage
    from harness.sim.android.processes import Process

LIFECYCLE_TAG = "VirtualApp"

ACTION_DOWN = "down"
ACTION_MOVE = "move"
ACTION_UP = "up"


class Activity:
    """One activity instance. Subclasses override the ``on_*`` hooks; all run on the device loop."""

    #: A translucent activity (a bottom sheet) lets the activity below it show through.
    translucent = False

    def __init__(self, runtime: AppRuntime, info: ActivitySpec, token: str) -> None:
        self.runtime = runtime
        self.info = info
        self.token = token
        self.component = ComponentName(runtime.package.name, info.name)
        self.intent: Intent | None = None

    # lifecycle --------------------------------------------------------------------------------------
    def on_create(self, intent: Intent) -> None: ...

    def on_new_intent(self, intent: Intent) -> None: ...

    def on_start(self) -> None: ...

    def on_resume(self) -> None: ...

    def on_pause(self) -> None: ...

    def on_stop(self) -> None: ...

    def on_destroy(self) -> None: ...

    # input and screen ----------------------------------------------------------------------------
    def on_touch(self, x: int, y: int, action: str) -> None:
        """A pointer event in screen pixels (``down``/``move``/``up``)."""

    def on_key(self, keycode: int, action: str) -> bool:
        """A key event; return True when consumed (an unconsumed BACK finishes the activity)."""
        return False

    def on_text(self, text: str) -> None:
        """``input text`` typed into the focused field."""

    def render(self, size: tuple[int, int]) -> Image.Image | None:
        """The frame ``screencap`` shows while this activity is on top; None → a blank window."""
        return None

    async def wait_drawn(self) -> None:
        """Wait until the activity's first frame is on screen (``am start -W`` returns then).

        Native windows draw at once; a runtime with its own render thread overrides this.
        """

    def native_window(self) -> Window | None:
        """Native views UiAutomator can see (and taps go to); None for a GL surface like a game's."""
        return None

    # services for the app --------------------------------------------------------------------------
    @property
    def device(self) -> Any:
        return self.runtime.device

    def log(self, priority: int | str, message: str, tag: str | None = None) -> None:
        self.runtime.log(priority, message, tag)

    def finish(self) -> None:
        """Like ``Activity.finish()``: no onStart/onResume follow; destroyed once the current step ends."""
        self.device.activities.request_finish(self.token)

    def start_activity(self, intent: Intent) -> None:
        """Like ``startActivity``: asynchronous — it runs after the callback that asked for it returns.

        Call on the device's event loop (a runtime with its own thread must hop there first).
        """
        self.device.activities.request_start(
            intent, caller_uid=self.runtime.process.uid, caller_token=self.token
        )


class AppRuntime:
    """One app process. ``activity_class`` builds activities; override ``create_activity`` for more."""

    activity_class: type[Activity] = Activity

    def __init__(self, device: Any, package: InstalledPackage, process: Process) -> None:
        self.device = device
        self.package = package
        self.process = process
        #: Started services of this process: class name → foreground (they die with the process).
        self.services: dict[str, bool] = {}

    def start_service(self, class_name: str, *, foreground: bool = False) -> None:
        """``startService``/``startForeground``: listed by ``dumpsys activity services`` until death."""
        self.services[self.package.manifest.qualify(class_name)] = foreground

    def log(self, priority: int | str, message: str, tag: str | None = None) -> None:
        self.device.logcat.write(
            priority, tag or LIFECYCLE_TAG, message, pid=self.process.pid, uid=self.process.uid
        )

    def create_activity(self, info: ActivitySpec, token: str) -> Activity:
        return self.activity_class(self, info, token)

    def on_process_start(self) -> None: ...

    def on_process_death(self) -> None: ...

    def on_broadcast(self, intent: Intent) -> None:
        """``am broadcast``; the default runtime ignores broadcasts."""

    def launch_time_ms(self, launch_state: str) -> int:
        """The ``TotalTime`` am reports; a runtime that does real work may measure it instead."""
        return {"COLD": 412, "WARM": 168, "HOT": 57}.get(launch_state, 100)


class GenericActivity(Activity):
    """Logs each lifecycle call so tests can follow an app through logcat."""

    def _say(self, what: str, intent: Intent | None = None) -> None:
        detail = ""
        if intent is not None:
            detail = f" action={intent.action} data={intent.data}"
            if intent.extras:
                detail += " extras=" + ",".join(f"{k}={v}" for k, v in sorted(intent.extras.items()))
        self.log("I", f"{what} {self.component.flatten_short()}{detail}")

    def on_create(self, intent: Intent) -> None:
        self.intent = intent
        self._say("onCreate", intent)

    def on_new_intent(self, intent: Intent) -> None:
        self.intent = intent
        self._say("onNewIntent", intent)

    def on_start(self) -> None:
        self._say("onStart")

    def on_resume(self) -> None:
        self._say("onResume")

    def on_pause(self) -> None:
        self._say("onPause")

    def on_stop(self) -> None:
        self._say("onStop")

    def on_destroy(self) -> None:
        self._say("onDestroy")

    def on_touch(self, x: int, y: int, action: str) -> None:
        self.log("D", f"onTouch {action} {x},{y}")

    def on_key(self, keycode: int, action: str) -> bool:
        self.log("D", f"onKey {action} {keycode}")
        return False

    def on_text(self, text: str) -> None:
        self.log("D", f"onText {text}")

    def render(self, size: tuple[int, int]) -> Image.Image | None:
        img = Image.new("RGB", size, (250, 250, 250))
        return img


class GenericRuntime(AppRuntime):
    activity_class = GenericActivity


RuntimeFactory = Callable[[Any, "InstalledPackage", "Process"], AppRuntime]

_RUNTIMES: dict[str, RuntimeFactory] = {"generic": GenericRuntime}


def register_runtime(name: str, factory: RuntimeFactory) -> None:
    """Make ``<meta-data android:name="rustore.harness.runtime" android:value=name/>`` run ``factory``."""
    _RUNTIMES[name] = factory


def runtime_factory(name: str) -> RuntimeFactory | None:
    return _RUNTIMES.get(name)


_PACKAGE_RUNTIMES: dict[str, RuntimeFactory] = {}


def register_package_runtime(package: str, factory: RuntimeFactory) -> None:
    """Run ``factory`` for a real third-party APK that names no harness runtime (Appium Settings)."""
    _PACKAGE_RUNTIMES[package] = factory


def package_runtime(package: str) -> RuntimeFactory | None:
    return _PACKAGE_RUNTIMES.get(package)


def registered_runtimes() -> list[str]:
    return sorted(_RUNTIMES)
