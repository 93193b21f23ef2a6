"""``AndroidDevice``: the Android model behind one virtual phone (implements ``DeviceModel``)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from typing import Any
from zoneinfo import ZoneInfo

from harness.sim.android.activities import ActivityManager, StartResult
from harness.sim.android.display import Display, home_screen
from harness.sim.android.input import InputDispatcher
from harness.sim.android.instrumentation import Instrumentation, InstrumentationHandler
from harness.sim.android.intents import FLAG_ACTIVITY_NEW_TASK, Intent
from harness.sim.android.logcat import Logcat
from harness.sim.android.net import LoopbackNetwork
from harness.sim.android.packages import InstalledPackage, PackageManager
from harness.sim.android.processes import ProcessTable
from harness.sim.android.profiles import DeviceProfile, get_profile
from harness.sim.android.settings import Settings
from harness.sim.android.shell import commands as _commands  # noqa: F401  (fills the command table)
from harness.sim.android.shell.interpreter import Shell, ShellExit
from harness.sim.android.shell.registry import COMMANDS
from harness.sim.android.shell.streams import ClientIn, ClientOut
from harness.sim.android.vfs import VirtualFs
from harness.sim.android.windows import WindowManager
from harness.sim.device_api import DeviceIdentity, ShellIO

# What the banner advertises: only what the device side of the protocol really implements.
DEFAULT_FEATURES = ("shell_v2", "cmd", "stat_v2", "ls_v2", "fixed_push_mkdir", "abb_exec")


class AndroidDevice:
    """One virtual Android phone: properties, packages, activities, logcat, files and a shell.

    ``options``: ``serial`` (``ro.serialno``), ``timezone`` (``persist.sys.timezone``),
    ``features`` (the CNXN banner's feature list), ``uptime`` (seconds since "boot").
    """

    def __init__(self, profile: str = "pixel-7-api-34", **options: Any) -> None:
        self.profile: DeviceProfile = get_profile(profile)
        # Random, not derived from the object: devices forked into processes of their own
        # (harness.sim.device_process) get their model at the same address, and a shared serial
        # would give them one RuStore sandbox user.
        serial = str(options.get("serial") or "RSV" + secrets.token_hex(5).upper()[:9])
        self.serial = serial
        self.props: dict[str, str] = self.profile.properties(serial)
        if options.get("timezone"):
            self.props["persist.sys.timezone"] = str(options["timezone"])
        self._features = tuple(options.get("features", DEFAULT_FEATURES))
        self._boot = time.monotonic() - float(options.get("uptime", 3600.0))
        self.fs = VirtualFs()
        self.net = LoopbackNetwork()
        self.logcat = Logcat(self.props["persist.sys.timezone"])
        self.process_table = ProcessTable()
        self.settings = Settings(hashlib.sha1(serial.encode()).hexdigest()[:16])
        self.display = Display(self.profile.width, self.profile.height, self.profile.density)
        self.packages = PackageManager(self.fs, self.profile.sdk)
        self.instrumentation = Instrumentation()
        self.activities = ActivityManager(self)
        self.input = InputDispatcher(self)
        self.windows = WindowManager(self)
        self._shell_pids = iter(range(self.process_table.zygote_pid + 20000, 10**7))
        self._current_shell_pid = next(self._shell_pids)
        self._background: set[asyncio.Future[Any]] = set()
        self._boot_log()

    # --- DeviceModel ---------------------------------------------------------------------------------
    @property
    def identity(self) -> DeviceIdentity:
        return DeviceIdentity(
            product_name=self.props["ro.product.name"],
            model=self.props["ro.product.model"],
            device=self.props["ro.product.device"],
            features=self._features,
        )

    async def shell(self, command: str | None, io: ShellIO, *, pty: bool = False) -> int:
        """Interpret a command line (``None``: interactive) against the model; never touches the host."""
        self._current_shell_pid = next(self._shell_pids)
        shell = Shell(self)
        out, err = ClientOut(io, False, pty), ClientOut(io, True, pty)
        stdin = ClientIn(io)
        if command is None:
            return await self._interactive(shell, io, out, err)
        try:
            return await shell.run_source(command, stdin, out, err, io.closed)
        except ShellExit as exc:
            return exc.code

    async def binder_command(self, argv: list[str], io: ShellIO) -> int:
        """``abb_exec:package\\0install\\0-S\\0N``: a ``cmd`` service call without a shell in between."""
        shell = Shell(self)
        try:
            return await shell.run_argv(
                ["cmd", *argv],
                ClientIn(io),
                ClientOut(io, False, False),
                ClientOut(io, True, False),
                io.closed,
            )
        except ShellExit as exc:
            return exc.code

    async def _interactive(self, shell: Shell, io: ShellIO, out: ClientOut, err: ClientOut) -> int:
        """``adb shell`` without a command: prompt, read lines, run each; a pty echoes what is typed."""
        line = bytearray()
        await out.write(self._prompt(shell))
        while not io.closed.is_set():
            data = await io.read_stdin()
            if data is None:
                break
            for byte in data:
                ch = bytes([byte])
                if ch in (b"\r", b"\n"):
                    if out.pty:
                        await out.write(b"\n")
                    try:
                        text = line.decode("utf-8", "surrogateescape")
                        line.clear()
                        await shell.run_source(text, ClientIn(io), out, err, io.closed)
                    except ShellExit as exc:
                        return exc.code
                    if io.closed.is_set():
                        return shell.status
                    await out.write(self._prompt(shell))
                elif ch in (b"\x7f", b"\x08") and out.pty:
                    if line:
                        line.pop()
                        await out.write(b"\b \b")
                elif ch == b"\x03" and out.pty:
                    line.clear()
                    await out.write(b"^C\n" + self._prompt(shell))
                elif ch == b"\x04" and out.pty and not line:
                    return shell.status
                else:
                    line += ch
                    if out.pty:
                        await out.write(ch)
        return shell.status

    def _prompt(self, shell: Shell) -> bytes:
        return f"{self.profile.device}:{shell.cwd} $ ".encode()

    # --- services for commands and runtimes ------------------------------------------------------------
    def keep_task(self, task: asyncio.Future[Any]) -> None:
        """Hold a reference to background work (instrumentation without -w) until it ends."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def broadcast(self, intent: Intent) -> None:
        """``am broadcast``: every running app runtime sees it (receivers are not declared per app)."""
        for app in list(self.activities.processes.values()):
            app.runtime.on_broadcast(intent)

    @property
    def system_server_pid(self) -> int:
        return self.process_table.pid_of("system_server") or 612

    def shell_pid(self) -> int:
        return self._current_shell_pid

    def uptime(self) -> float:
        return time.monotonic() - self._boot

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.props.get("persist.sys.timezone", "UTC"))
        except Exception:
            return ZoneInfo("UTC")

    def set_prop(self, key: str, value: str) -> None:
        self.props[key] = value
        if key == "persist.sys.timezone":
            self.logcat.timezone = value

    def install_apk(
        self,
        apk: bytes,
        *,
        allow_downgrade: bool = False,
        replace: bool = True,
        installer: str | None = None,
    ) -> InstalledPackage:
        """Install or update (fixtures call this; ``pm``/``cmd package`` too). An update kills the
        running app first, as the package manager does; raises ``InstallError`` on failure."""
        pkg = self.packages.install(
            apk, allow_downgrade=allow_downgrade, replace=replace, installer=installer
        )
        if pkg.name in self.activities.processes:
            self.activities.force_stop(pkg.name, self.system_server_pid)
        self.logcat.write(
            "I",
            "PackageManager",
            f"installPackageLI: {pkg.name} versionCode={pkg.manifest.version_code} (uid {pkg.uid})",
            pid=self.system_server_pid,
            uid=1000,
        )
        return pkg

    def open_uri(self, uri: str, from_package: str | None = None) -> StartResult:
        """Open a link the way a browser or bank app does (``ACTION_VIEW`` + ``BROWSABLE``, new task).

        ``from_package`` makes the start come from that app's uid (non-exported targets refuse it).
        """
        caller = self.packages.get(from_package) if from_package else None
        intent = Intent(
            "android.intent.action.VIEW",
            ["android.intent.category.BROWSABLE"],
            data=uri,
            flags=FLAG_ACTIVITY_NEW_TASK,
        )
        result: StartResult = self.activities.start(intent, caller_uid=caller.uid if caller else 2000)
        return result

    def register_instrumentation(self, component: str, handler: InstrumentationHandler) -> None:
        self.instrumentation.register(component, handler)

    def screenshot(self) -> Any:
        """The screen as a PIL image: the runtime's frame under the native windows above it."""
        from datetime import datetime

        from PIL import Image

        size = self.display.size
        layers = self.windows.layers()
        record = layers[0].record if layers else self.activities.focused
        frame = None
        if record is not None and record.instance is not None:
            try:
                frame = record.instance.render(size)
            except Exception as exc:  # a runtime that cannot draw still must not break screencap
                self.logcat.write("W", "SurfaceFlinger", f"render failed: {exc}", pid=self.system_server_pid)
        if frame is None:
            if layers and layers[0].native:
                frame = Image.new("RGB", size, (255, 255, 255))
            else:
                frame = home_screen(size, datetime.now(self.zone()).strftime("%H:%M"))
        if frame.size != size:
            frame = frame.resize(size)
        return self.windows.compose(frame.convert("RGB"))

    def _boot_log(self) -> None:
        w = self.logcat.write
        ss = self.system_server_pid
        w("I", "init", "Service 'bootanim' (pid 300) exited with status 0", pid=1, uid=0, buffer="main")
        w("I", "SystemServer", "Entered the Android system server!", pid=ss, uid=1000, buffer="system")
        w("I", "ActivityManager", "System now ready", pid=ss, uid=1000, buffer="system")
        w(
            "I",
            "boot_progress_enable_screen",
            f"{int(self.uptime() * 1000)}",
            pid=ss,
            uid=1000,
            buffer="events",
        )

    @staticmethod
    def commands() -> list[str]:
        return sorted(COMMANDS)
