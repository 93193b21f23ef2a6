"""The activity manager: intent resolution, tasks and back stack, launch modes, app processes.

Lifecycle callbacks are plain method calls on the runtime's :class:`Activity` objects, made in
the order Android makes them (the leaving activity pauses before the new one is created; it
stops after the new one resumed). A runtime exception is an app crash: ``FATAL EXCEPTION`` in
the crash buffer and the process is gone, as on a phone.
"""

from __future__ import annotations

import functools
import itertools
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from harness.sim.android.apk import (
    ACTION_MAIN,
    CATEGORY_DEFAULT,
    CATEGORY_HOME,
    CATEGORY_LAUNCHER,
    RUNTIME_META_KEY,
    ActivitySpec,
    IntentFilterSpec,
)
from harness.sim.android.intents import (
    FLAG_ACTIVITY_CLEAR_TASK,
    FLAG_ACTIVITY_CLEAR_TOP,
    FLAG_ACTIVITY_NEW_TASK,
    FLAG_ACTIVITY_RESET_TASK_IF_NEEDED,
    FLAG_ACTIVITY_SINGLE_TOP,
    ComponentName,
    Intent,
)
from harness.sim.android.packages import InstalledPackage
from harness.sim.android.processes import Process, uid_name
from harness.sim.android.runtime import (
    Activity,
    AppRuntime,
    GenericRuntime,
    package_runtime,
    runtime_factory,
)

if TYPE_CHECKING:
    from harness.sim.android.device import AndroidDevice

RESUMED, PAUSED, STOPPED, DESTROYED = "RESUMED", "PAUSED", "STOPPED", "DESTROYED"


@dataclass
class ActivityRecord:
    token: str
    package: InstalledPackage
    info: ActivitySpec
    intent: Intent
    task: Task
    launched_from_uid: int
    instance: Activity | None = None
    state: str = "INITIALIZING"
    finishing: bool = False  # the app called finish(); it is destroyed once the current step settles

    @property
    def component(self) -> ComponentName:
        return ComponentName(self.package.name, self.info.name)

    def describe(self) -> str:
        return f"ActivityRecord{{{self.token} u0 {self.component.flatten_short()} t{self.task.task_id}}}"


@dataclass
class Task:
    task_id: int
    affinity: str
    records: list[ActivityRecord] = field(default_factory=list)
    home: bool = False

    @property
    def top(self) -> ActivityRecord | None:
        return self.records[-1] if self.records else None

    @property
    def root(self) -> ActivityRecord | None:
        return self.records[0] if self.records else None


@dataclass
class AppProcess:
    process: Process
    package: InstalledPackage
    runtime: AppRuntime
    token: str


@dataclass
class StartResult:
    """What ``am start -W`` reports."""

    outcome: str  # SUCCESS | DELIVERED_TO_TOP | TASK_TO_FRONT | CLASS_NOT_FOUND | NOT_RESOLVED | PERMISSION
    intent: Intent
    component: ComponentName | None = None
    launch_state: str = "UNKNOWN"
    total_time: int = -1
    wait_time: int = 0
    detail: str = ""
    record: ActivityRecord | None = None

    @property
    def launched(self) -> bool:
        return self.outcome in ("SUCCESS", "DELIVERED_TO_TOP", "TASK_TO_FRONT")


def filter_matches(flt: IntentFilterSpec, intent: Intent, require_default: bool) -> bool:
    """``IntentFilter.match`` for activities: action, categories (+DEFAULT), scheme/host/path."""
    if intent.action is not None and intent.action not in flt.actions:
        return False
    if intent.action is None and not flt.actions:
        return False
    needed = list(intent.categories)
    if require_default and CATEGORY_DEFAULT not in needed:
        needed.append(CATEGORY_DEFAULT)
    if any(c not in flt.categories for c in needed):
        return False
    schemes = [d.scheme for d in flt.data if d.scheme]
    types = [d.mime_type for d in flt.data if d.mime_type]
    if intent.data is None:
        return not schemes and (not types or intent.mime_type is not None)
    if not schemes:
        return False
    scheme = (intent.scheme or "").lower()
    if scheme not in [s.lower() for s in schemes]:
        return False
    hosts = [d for d in flt.data if d.host]
    if hosts:
        host = (intent.host or "").lower()
        if not any(
            d.host == "*" or d.host.lower() == host or (d.host.startswith("*.") and host.endswith(d.host[1:]))
            for d in hosts
            if d.host
        ):
            return False
        path_specs = [d for d in flt.data if d.path or d.path_prefix or d.path_pattern]
        if path_specs:
            from urllib.parse import urlsplit

            path = urlsplit(intent.data).path
            if not any(
                (d.path is not None and d.path == path)
                or (d.path_prefix is not None and path.startswith(d.path_prefix))
                or (d.path_pattern is not None and _simple_glob(d.path_pattern, path))
                for d in path_specs
            ):
                return False
    if types and intent.mime_type is None and scheme not in ("content", "file"):
        return False
    return True


def _simple_glob(pattern: str, text: str) -> bool:
    """PatternMatcher.PATTERN_SIMPLE_GLOB: ``.`` any char, ``*`` repeats the previous one, ``.*`` anything."""
    import re

    regex = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += "." if c == "." else ("*" if c == "*" else re.escape(c))
        i += 1
    return re.fullmatch(regex, text) is not None


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _operation(
    fn: Callable[Concatenate[ActivityManager, _P], _R],
) -> Callable[Concatenate[ActivityManager, _P], _R]:
    """A system-server step. Requests apps make meanwhile (start, finish) run once it settles,
    the way ``startActivity``/``finish`` from an app are asynchronous on Android."""

    @functools.wraps(fn)
    def step(self: ActivityManager, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        self._depth += 1
        try:
            return fn(self, *args, **kwargs)
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._settle()

    return step


class ActivityManager:
    def __init__(self, device: AndroidDevice) -> None:
        self.device = device
        self.tasks: list[Task] = []  # back to front
        self.processes: dict[str, AppProcess] = {}  # by package
        self._task_ids = itertools.count(5)
        self._tokens = itertools.count(0x1A2B3C4)
        self.on_focus_change: list[Callable[[ActivityRecord | None], None]] = []
        self._depth = 0
        self._pending: deque[Callable[[], Any]] = deque()
        self._to_destroy: list[ActivityRecord] = []
        self._boot_home()

    # --- helpers -------------------------------------------------------------------------------------
    @property
    def atm_tag(self) -> str:
        return "ActivityTaskManager" if self.device.profile.sdk >= 29 else "ActivityManager"

    def _token(self) -> str:
        return f"{next(self._tokens) * 2654435761 % 0xFFFFFFF:x}"

    def _log(self, priority: str, tag: str, message: str) -> None:
        self.device.logcat.write(
            priority,
            tag,
            message,
            pid=self.device.system_server_pid,
            uid=1000,
            buffer="main" if tag != "am_proc_start" else "events",
        )

    def _boot_home(self) -> None:
        home_pkg = self.device.packages.get("com.google.android.apps.nexuslauncher")
        assert home_pkg is not None
        info = home_pkg.manifest.activities[0]
        task = Task(next(self._task_ids), home_pkg.name, home=True)
        intent = Intent(
            ACTION_MAIN,
            [CATEGORY_HOME],
            flags=FLAG_ACTIVITY_NEW_TASK,
            component=ComponentName(home_pkg.name, info.name),
        )
        proc = self.device.process_table.by_name(home_pkg.name)[0]
        runtime = HomeRuntime(self.device, home_pkg, proc)
        self.processes[home_pkg.name] = AppProcess(proc, home_pkg, runtime, self._token())
        record = ActivityRecord(self._token(), home_pkg, info, intent, task, 1000, state=RESUMED)
        record.instance = runtime.create_activity(info, record.token)
        task.records.append(record)
        self.tasks.append(task)

    @property
    def focused(self) -> ActivityRecord | None:
        for task in reversed(self.tasks):
            if task.top is not None:
                return task.top
        return None

    def records(self) -> list[ActivityRecord]:
        return [r for t in reversed(self.tasks) for r in reversed(t.records)]

    def find(self, token: str) -> ActivityRecord | None:
        return next((r for r in self.records() if r.token == token), None)

    # --- resolution ------------------------------------------------------------------------------
    def query(
        self, intent: Intent, require_default: bool
    ) -> list[tuple[InstalledPackage, ActivitySpec, int]]:
        found = []
        for pkg in self.device.packages.packages.values():
            if intent.package and pkg.name != intent.package:
                continue
            for act in pkg.manifest.activities:
                for flt in act.intent_filters:
                    if filter_matches(flt, intent, require_default):
                        found.append((pkg, act, flt.priority))
                        break
        found.sort(key=lambda t: -t[2])
        return found

    def resolve(
        self, intent: Intent, require_default: bool | None = None
    ) -> tuple[InstalledPackage, ActivitySpec] | None:
        """The activity an intent would start (explicit component, else the best matching filter)."""
        if intent.component is not None:
            pkg = self.device.packages.get(intent.component.package)
            act = pkg.manifest.activity(intent.component.cls) if pkg else None
            if pkg is None or act is None:
                return None
            return pkg, act
        if require_default is None:
            require_default = not ({CATEGORY_LAUNCHER, CATEGORY_HOME} & set(intent.categories))
        matches = self.query(intent, require_default)
        return (matches[0][0], matches[0][1]) if matches else None

    # --- processes -------------------------------------------------------------------------------
    def process_for(
        self, pkg: InstalledPackage, reason: str, component: ComponentName | None
    ) -> tuple[AppProcess, bool]:
        existing = self.processes.get(pkg.name)
        if existing is not None:
            return existing, False
        proc = self.device.process_table.spawn(pkg.name, pkg.uid, package=pkg.name, start_time=time.time())
        factory = runtime_factory(pkg.runtime)
        if RUNTIME_META_KEY not in pkg.manifest.meta_data:
            factory = package_runtime(pkg.name) or factory
        if factory is None:
            self._log(
                "W",
                "ActivityManager",
                f"Unknown harness runtime '{pkg.runtime}' for {pkg.name}; using generic",
            )
            factory = GenericRuntime
        runtime = factory(self.device, pkg, proc)
        app = AppProcess(proc, pkg, runtime, self._token())
        self.processes[pkg.name] = app
        pkg.stopped = False
        target = f" {{{component.flatten_short()}}}" if component else ""
        self._log(
            "I",
            "ActivityManager",
            f"Start proc {proc.pid}:{pkg.name}/{uid_name(pkg.uid).replace('_', '')} for {reason}{target}",
        )
        self._guard(app, runtime.on_process_start)
        return app, True

    def _guard(self, app: AppProcess | None, call: Callable[[], Any]) -> bool:
        """Run a runtime callback; an exception is a crash of that app's process."""
        try:
            call()
            return True
        except Exception as exc:  # the app's own code failed: Android kills the process
            if app is None:
                raise
            self.crash(app.package.name, exc)
            return False

    def crash(self, package: str, exc: BaseException) -> None:
        app = self.processes.get(package)
        if app is None:
            return
        pid = app.process.pid
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        msg = f"FATAL EXCEPTION: main\nProcess: {package}, PID: {pid}\njava.lang.RuntimeException: {text}"
        self.device.logcat.write("E", "AndroidRuntime", msg, pid=pid, uid=app.process.uid, buffer="crash")
        self.device.logcat.write(
            "I", "Process", f"Sending signal. PID: {pid} SIG: 9", pid=pid, uid=app.process.uid
        )
        self._kill_process(package, destroy=False)

    def _kill_process(self, package: str, destroy: bool) -> None:
        app = self.processes.pop(package, None)
        if app is None:
            return
        self.device.windows.dismiss_package(package)
        before = self.focused
        for task in list(self.tasks):
            doomed = [r for r in task.records if r.package.name == package]
            for r in doomed:
                if destroy and r.instance is not None:
                    self._guard(None, r.instance.on_destroy)
                r.state = DESTROYED
                task.records.remove(r)
            if not task.records and not task.home:
                self.tasks.remove(task)
        try:
            app.runtime.on_process_death()
        except Exception:  # a dying process's last words do not matter
            pass
        self.device.process_table.kill(app.process.pid)
        self.device.instrumentation.package_died(package)
        self._after_focus_loss(before)

    def _after_focus_loss(self, before: ActivityRecord | None) -> None:
        now = self.focused
        if now is not None and now is not before and now.state != RESUMED:
            self._bring_up(now)
        self._notify_focus()

    def _notify_focus(self) -> None:
        for cb in list(self.on_focus_change):
            cb(self.focused)

    # --- lifecycle steps -------------------------------------------------------------------------
    def _app(self, record: ActivityRecord) -> AppProcess | None:
        return self.processes.get(record.package.name)

    def _pause(self, record: ActivityRecord | None) -> None:
        if record is None or record.state != RESUMED:
            return
        record.state = PAUSED
        if record.instance is not None:
            self._guard(self._app(record), record.instance.on_pause)

    def _stop(self, record: ActivityRecord | None) -> None:
        if record is None or record.state not in (PAUSED, RESUMED):
            return
        if record.state == RESUMED:
            self._pause(record)
        record.state = STOPPED
        if record.instance is not None:
            self._guard(self._app(record), record.instance.on_stop)

    def _retire(self, record: ActivityRecord) -> None:
        """Take a record out of its task now; it stops and is destroyed when the step settles."""
        self._pause(record)
        if record in record.task.records:
            record.task.records.remove(record)
        if not record.task.records and not record.task.home and record.task in self.tasks:
            self.tasks.remove(record.task)
        self._to_destroy.append(record)

    def _settle(self) -> None:
        """Run the app requests queued during a step, then stop covered and destroy retired activities."""
        self._depth += 1
        try:
            while True:
                while self._pending:
                    self._pending.popleft()()
                self._stop_hidden()
                if not self._to_destroy:
                    break
                record = self._to_destroy.pop(0)
                self._stop(record)
                if record.state != DESTROYED:
                    record.state = DESTROYED
                    if record.instance is not None:
                        self._guard(self._app(record), record.instance.on_destroy)
        finally:
            self._depth -= 1

    # --- requests from apps (asynchronous, like Binder calls from an app) -------------------------
    def request_start(self, intent: Intent, caller_uid: int, caller_token: str | None = None) -> None:
        """``Activity.startActivity``: runs now, or after the current step if one is in progress."""
        if self._depth:
            self._pending.append(lambda: self.start(intent, caller_uid=caller_uid, caller_token=caller_token))
        else:
            self.start(intent, caller_uid=caller_uid, caller_token=caller_token)

    def request_finish(self, token: str) -> None:
        """``Activity.finish``: marked at once (no onStart/onResume follow), destroyed after the step."""
        record = self.find(token)
        if record is None:
            return
        record.finishing = True
        if self._depth:
            self._pending.append(lambda: self.finish(token))
        else:
            self.finish(token)

    @_operation
    def app_callback(self, record: ActivityRecord, call: Callable[[], Any]) -> bool:
        """Deliver an input/other callback to an app as one step (its requests run afterwards)."""
        return self._guard(self._app(record), call)

    @staticmethod
    def _alive(record: ActivityRecord) -> bool:
        """Still in its task: a callback may have finished it (a trampoline activity does)."""
        return record.state != DESTROYED and record in record.task.records

    def _hidden(self, record: ActivityRecord) -> bool:
        """Covered by the now-focused activity, so it should stop (not if a callback brought it back,
        nor while it shows through a translucent activity above it)."""
        if record.state == DESTROYED or record is self.focused:
            return False
        return all(layer.record is not record for layer in self.device.windows.layers())

    def _bring_up(self, record: ActivityRecord) -> None:
        """Start/resume a record that already has an instance (or recreate one if its process died)."""
        if not self._alive(record) or record.finishing:
            return
        if record.instance is None:
            app, _ = self.process_for(record.package, "activity", record.component)
            record.instance = app.runtime.create_activity(record.info, record.token)
            inst = record.instance
            if not self._guard(app, lambda: inst.on_create(record.intent)) or not self._alive(record):
                return
        owner = self._app(record)
        started = record.instance
        if record.state in (STOPPED, "INITIALIZING") and not self._guard(owner, started.on_start):
            return
        if not self._alive(record):
            return
        record.state = RESUMED
        self._guard(owner, started.on_resume)

    # --- start ------------------------------------------------------------------------------------
    @_operation
    def start(
        self,
        intent: Intent,
        *,
        caller_uid: int = 2000,
        caller_package: str | None = None,
        caller_token: str | None = None,
    ) -> StartResult:
        """``startActivity`` as the system does it for ``am start`` (the caller adds NEW_TASK).

        ``caller_token`` names the activity that called ``startActivity``: without NEW_TASK (and
        for a standard/singleTop target) the new activity joins the caller's task, whatever its
        affinity — which is how an SDK screen or a bank link opened by a game stays in its task.
        """
        t0 = time.monotonic()
        resolved = self.resolve(intent)
        if resolved is None:
            if intent.component is not None:
                return StartResult("CLASS_NOT_FOUND", intent, intent.component)
            return StartResult("NOT_RESOLVED", intent)
        pkg, info = resolved
        if info.target_activity:
            target = pkg.manifest.activity(info.target_activity)
            if target is not None:
                info = target
        component = ComponentName(pkg.name, info.name)
        if not info.is_exported and caller_uid not in (0, 1000, pkg.uid):
            owner = pkg.uid
            return StartResult(
                "PERMISSION",
                intent,
                component,
                detail=f"Permission Denial: starting {intent} from null (pid={self.device.shell_pid()}, "
                f"uid={caller_uid}) not exported from uid {owner}",
            )
        launched = intent.copy()
        launched.component = launched.component or component
        self._log(
            "I",
            self.atm_tag,
            f"START u0 {{{launched.short_string(extras=False)}{' (has extras)' if launched.extras else ''}}} "
            f"from uid {caller_uid}",
        )
        previous = self.focused
        app, cold = self.process_for(pkg, "next-top-activity", component)
        affinity = info.task_affinity or pkg.name
        single_task = info.launch_mode in ("singleTask", "singleInstance", "singleInstancePerTask")
        existing_task = next(
            (t for t in self.tasks if t.affinity == affinity and not t.home and t.records), None
        )

        # singleTask (or CLEAR_TOP): route to the existing instance with onNewIntent
        if existing_task is not None and (single_task or launched.flags & FLAG_ACTIVITY_CLEAR_TOP):
            match = next((r for r in existing_task.records if r.info.name == info.name), None)
            if match is not None and (
                single_task or launched.flags & FLAG_ACTIVITY_SINGLE_TOP or info.launch_mode == "singleTop"
            ):
                return self._deliver(match, launched, previous, t0)
        # launching the task's root intent again brings the task to the front
        if (
            existing_task is not None
            and existing_task.root is not None
            and existing_task.root.info.name == info.name
            and not launched.flags & (FLAG_ACTIVITY_CLEAR_TASK | FLAG_ACTIVITY_CLEAR_TOP)
            and launched.flags & FLAG_ACTIVITY_NEW_TASK
            and (launched.flags & FLAG_ACTIVITY_RESET_TASK_IF_NEEDED or launched.action == ACTION_MAIN)
        ):
            top = existing_task.top
            assert top is not None
            if top is previous and top.state == RESUMED:
                return self._finish_result("TASK_TO_FRONT", launched, top, "UNKNOWN", -1, t0)
            self._pause(previous)
            self._move_to_front(existing_task)
            self._bring_up(top)
            if previous is not None and previous is not top and self._hidden(previous):
                self._stop(previous)
            self._notify_focus()
            state = "HOT"
            total = app.runtime.launch_time_ms(state)
            return self._finish_result("TASK_TO_FRONT", launched, top, state, total, t0)
        # singleTop: the same activity on top of its task gets the intent
        if (
            existing_task is not None
            and existing_task.top is not None
            and existing_task.top.info.name == info.name
            and (info.launch_mode == "singleTop" or launched.flags & FLAG_ACTIVITY_SINGLE_TOP)
        ):
            return self._deliver(existing_task.top, launched, previous, t0)

        task = existing_task
        caller = self.find(caller_token) if caller_token else None
        if caller is not None and not single_task and not launched.flags & FLAG_ACTIVITY_NEW_TASK:
            task = caller.task
        if task is not None and launched.flags & FLAG_ACTIVITY_CLEAR_TASK:
            for r in list(reversed(task.records)):
                self._retire(r)
        if task is None or not task.records:
            if task is not None and task in self.tasks:
                self.tasks.remove(task)
            task = Task(next(self._task_ids), affinity)
            self.tasks.append(task)
        record = ActivityRecord(self._token(), pkg, info, launched, task, caller_uid)
        self._pause(previous)
        task.records.append(record)
        self._move_to_front(task)
        record.instance = app.runtime.create_activity(info, record.token)
        inst = record.instance
        ok = self._guard(app, lambda: inst.on_create(launched))
        if ok and self._alive(record) and not record.finishing:
            self._bring_up(record)
            if previous is not None and previous is not record and self._hidden(previous):
                self._stop(previous)
        state = "COLD" if cold else "WARM"
        total = app.runtime.launch_time_ms(state)
        if ok and record.state == RESUMED:
            self._log("I", self.atm_tag, f"Displayed {component.flatten_short()}: +{total}ms")
        self._notify_focus()
        return self._finish_result("SUCCESS", launched, record, state, total, t0)

    def _deliver(
        self, record: ActivityRecord, intent: Intent, previous: ActivityRecord | None, t0: float
    ) -> StartResult:
        task = record.task
        for above in list(reversed(task.records)):
            if above is record:
                break
            self._retire(above)
        was_top = record is previous and record.state == RESUMED
        app = self._app(record)
        if was_top:
            self._pause(record)
        elif previous is not None and previous is not record:
            self._pause(previous)
        self._move_to_front(task)
        record.intent = intent
        if record.instance is not None:
            inst = record.instance
            self._guard(app, lambda: inst.on_new_intent(intent))
        self._bring_up(record)
        if previous is not None and previous is not record and self._hidden(previous):
            self._stop(previous)
        self._notify_focus()
        if was_top:
            return self._finish_result("DELIVERED_TO_TOP", intent, record, "UNKNOWN", -1, t0)
        total = app.runtime.launch_time_ms("HOT") if app else -1
        return self._finish_result("DELIVERED_TO_TOP", intent, record, "HOT", total, t0)

    def _finish_result(
        self, outcome: str, intent: Intent, record: ActivityRecord, state: str, total: int, t0: float
    ) -> StartResult:
        wait = max(total, 0) + int((time.monotonic() - t0) * 1000) + 2
        return StartResult(outcome, intent, record.component, state, total, wait, record=record)

    def _move_to_front(self, task: Task) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        self.tasks.append(task)

    # --- finishing, back, home --------------------------------------------------------------------
    @_operation
    def finish(self, token: str) -> None:
        """Finish one activity: it pauses, the next one resumes, then it stops and is destroyed."""
        record = self.find(token)
        if record is None:
            return
        before = self.focused
        task = record.task
        self._pause(record)
        task.records.remove(record)
        if not task.records and not task.home and task in self.tasks:
            self.tasks.remove(task)
        self._after_focus_loss(before)
        self._stop(record)
        record.state = DESTROYED
        if record.instance is not None:
            self._guard(self._app(record), record.instance.on_destroy)
        if before is record:
            self._stop_hidden()

    def _stop_hidden(self) -> None:
        """Stop what is covered; what shows through a translucent activity on top only pauses."""
        focused = self.focused
        visible = {id(layer.record) for layer in self.device.windows.layers()}
        for r in self.records():
            if r is focused or r.state not in (RESUMED, PAUSED):
                continue
            if id(r) not in visible:
                self._stop(r)
            elif r.state == RESUMED:
                self._pause(r)

    @_operation
    def back(self) -> None:
        """KEYCODE_BACK not consumed by the app: finish the top activity (root launcher tasks move back)."""
        record = self.focused
        if record is None or record.task.home:
            return
        task = record.task
        is_launcher_root = record is task.root and any(
            ACTION_MAIN in f.actions and CATEGORY_LAUNCHER in f.categories for f in record.info.intent_filters
        )
        if is_launcher_root and self.device.profile.sdk >= 31:
            self.move_task_to_back(task)
        else:
            self.finish(record.token)

    @_operation
    def move_task_to_back(self, task: Task) -> None:
        before = self.focused
        self._pause(before)
        self.tasks.remove(task)
        home = next(t for t in self.tasks if t.home)
        self.tasks.insert(self.tasks.index(home), task)
        self._after_focus_loss(before)
        if before is not None:
            self._stop(before)

    @_operation
    def go_home(self) -> None:
        home = next(t for t in self.tasks if t.home)
        before = self.focused
        if before is not None and before.task is home:
            return
        self._pause(before)
        self._move_to_front(home)
        if home.top is not None:
            self._bring_up(home.top)
        if before is not None:
            self._stop(before)
        self._notify_focus()

    # --- stopping apps -----------------------------------------------------------------------------
    @_operation
    def force_stop(self, package: str, caller_pid: int) -> None:
        pkg = self.device.packages.get(package)
        if pkg is None or any(t.home and t.affinity == package for t in self.tasks):
            return  # unknown package, or the launcher (the system would restart it at once)
        self._log(
            "I", "ActivityManager", f"Force stopping {package} appid={pkg.uid} user=0: from pid {caller_pid}"
        )
        app = self.processes.get(package)
        if app is not None:
            self._log(
                "I",
                "ActivityManager",
                f"Killing {app.process.pid}:{package}/{uid_name(pkg.uid).replace('_', '')} (adj 0): "
                f"stop {package} due to from pid {caller_pid}",
            )
        self.device.instrumentation.package_stopped(package)
        self._kill_process(package, destroy=False)
        for task in list(self.tasks):
            if not task.home and all(r.package.name == package for r in task.records):
                self.tasks.remove(task)
        pkg.stopped = True

    @_operation
    def kill_background(self, package: str) -> None:
        focused = self.focused
        if focused is not None and focused.package.name == package:
            return
        if package in self.processes:
            self._kill_process(package, destroy=False)


class HomeActivity(Activity):
    """The launcher: renders the home screen and ignores input."""

    def render(self, size: tuple[int, int]) -> Any:
        from datetime import datetime

        from harness.sim.android.display import home_screen

        return home_screen(size, datetime.now(self.device.zone()).strftime("%H:%M"))


class HomeRuntime(AppRuntime):
    activity_class = HomeActivity


__all__ = ["ActivityManager", "ActivityRecord", "StartResult", "Task", "filter_matches"]
