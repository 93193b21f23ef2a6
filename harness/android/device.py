"""`AndroidDevice`: one device as the harness drives it, the same on a phone and a virtual device.

Modelled on Mobly's ``AndroidDevice`` controller: a service object per serial that caches
what never changes during a run (model, SDK level, build properties) and wraps the few adb
operations tests and artifacts need. Everything goes through adbutils to the real adb
server, so nothing here knows whether the other end is a Pixel or ``harness/sim``.
"""

from __future__ import annotations

import hashlib
import secrets
import shlex
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import adbutils

from harness.android.adb import AdbError, AdbServer
from harness.android.adb_shell import shell_v1, shell_v2

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
UI_DUMP_PATH = "/sdcard/window_dump.xml"


@dataclass(frozen=True)
class ShellResult:
    """Output and exit status of one device command (shell protocol v2 keeps them apart)."""

    command: str
    returncode: int
    output: str

    def check(self) -> ShellResult:
        if self.returncode != 0:
            raise AdbError(f"`adb shell {self.command}` exited {self.returncode}: {self.output.strip()}")
        return self


def command_line(command: str | list[str]) -> str:
    """The device shell's command line: a string as it is, a list quoted word by word."""
    return command if isinstance(command, str) else shlex.join(command)


class AndroidDevice:
    """A device reachable through the adb server; cheap to create, properties cached."""

    # (serial, apk digest) already installed by this process; install() is once per run. One lock
    # per key: the same APK is not pushed twice at once, while different devices (and different
    # APKs) install in parallel (a single lock made four devices' UiAutomator2 servers queue).
    _installed: set[tuple[str, str]] = set()
    _install_locks: dict[tuple[str, str], threading.Lock] = {}
    _installed_guard = threading.Lock()

    def __init__(self, serial: str, adb: AdbServer | None = None, *, pool: str | None = None) -> None:
        self.serial = serial
        self.pool = pool
        self.adb = adb or AdbServer.from_environment()
        self.ad: adbutils.AdbDevice = self.adb.client().device(serial)

    def __repr__(self) -> str:
        return f"AndroidDevice({self.serial!r})"

    # ------------------------------------------------------------ identity (cached)

    @cached_property
    def properties(self) -> dict[str, str]:
        """Every ``getprop`` property, read once: build facts do not change while a test runs."""
        out: dict[str, str] = {}
        for line in self.shell("getprop").splitlines():
            if line.startswith("[") and "]: [" in line:
                key, _, value = line.partition("]: [")
                out[key[1:]] = value.rstrip().removesuffix("]")
        return out

    @property
    def model(self) -> str:
        return self.properties.get("ro.product.model", "")

    @property
    def sdk(self) -> int:
        raw = self.properties.get("ro.build.version.sdk", "")
        return int(raw) if raw.isdigit() else 0

    @property
    def release(self) -> str:
        return self.properties.get("ro.build.version.release", "")

    def info(self) -> dict[str, str]:
        """What reports show about the device (JUnit properties, HTML, `devices` CLI)."""
        return {
            "serial": self.serial,
            "model": self.model,
            "sdk": str(self.sdk),
            "release": self.release,
            "pool": self.pool or "",
        }

    # ------------------------------------------------------------ commands

    def state(self) -> str:
        """adb's view of the device: ``device``, ``offline``, ``unauthorized``… or ``absent``."""
        try:
            return self.ad.get_state()
        except adbutils.AdbError as exc:
            text = str(exc)
            for word in ("unauthorized", "offline", "recovery", "bootloader"):
                if word in text:
                    return word
            return "absent"

    def shell(self, command: str | list[str], timeout: float = 60.0) -> str:
        """Run a command, return its output (stdout and stderr); the exit status is ignored."""
        return shell_v1(self.ad, command_line(command), timeout).decode("utf-8", errors="replace").rstrip()

    @cached_property
    def features(self) -> frozenset[str]:
        """What the device's adbd offers (``shell_v2``, ``cmd``…), as ``adb features`` lists it."""
        return frozenset(self.ad.get_features().split(","))

    def run(self, command: str | list[str], timeout: float = 60.0) -> ShellResult:
        """Run a command and keep its exit status (``adb shell`` v2; v1 where the device lacks it)."""
        text = command_line(command)
        if "shell_v2" not in self.features:
            ret = self.ad.shell2(text, timeout=timeout, v2=False)
            return ShellResult(text, int(ret.returncode), str(ret.output))
        code, output, _ = shell_v2(self.ad, text, timeout)
        return ShellResult(text, code, output.decode("utf-8", errors="replace"))

    def getprop(self, name: str) -> str:
        """A live property (not the cache): e.g. ``sys.boot_completed`` while booting."""
        return self.shell(["getprop", name]).strip()

    def is_installed(self, package: str) -> bool:
        return package in self.ad.list_packages([package])

    def install(self, apk: str | Path, *, force: bool = False) -> bool:
        """Install an APK once per run and device; returns True when it was installed now."""
        path = Path(apk)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        key = (self.serial, digest)
        with self._installed_guard:
            lock = self._install_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._installed and not force:
                return False
            # A name of our own on the device: adbutils pushes every APK to the same
            # /data/local/tmp/unknown.apk (without apkutils) and deletes it after installing, so
            # two installs at once on one device (the game, the UiAutomator2 server) broke each other.
            remote = f"/data/local/tmp/rustore-harness-{digest[:12]}-{secrets.token_hex(4)}.apk"
            try:
                self.ad.sync.push(path, remote)
                self.ad.install_remote(remote, clean=True, flags=["-r", "-t"])
            except adbutils.AdbError as exc:
                raise AdbError(f"installing {path.name} on {self.serial} failed: {exc}") from exc
            with self._installed_guard:
                self._installed.add(key)
            return True

    def app_start(self, package: str, activity: str | None = None) -> None:
        if activity:
            self.run(["am", "start", "-W", "-n", f"{package}/{activity}"]).check()
        else:
            self.ad.app_start(package)

    def am_start_view(self, uri: str, package: str | None = None) -> ShellResult:
        """Fire a VIEW intent (a deeplink), as a bank app returning to the game does."""
        args = ["am", "start", "-W", "-a", "android.intent.action.VIEW", "-d", uri]
        if package:
            args.append(package)
        return self.run(args).check()

    def force_stop(self, package: str) -> None:
        self.run(["am", "force-stop", package]).check()

    def clear(self, package: str) -> None:
        """Wipe the app's data (``pm clear``): the next start is a first start."""
        result = self.run(["pm", "clear", package])
        if "Success" not in result.output:
            raise AdbError(f"`pm clear {package}` on {self.serial}: {result.output.strip()}")

    # ------------------------------------------------------------ evidence

    def screenshot(self) -> bytes:
        """The screen as PNG bytes (``screencap -p`` over shell v2: no pty, so binary-safe)."""
        _, _, data = shell_v2(self.ad, "screencap -p", 60.0)  # stdout alone: stderr may warn
        if not data.startswith(PNG_MAGIC):
            raise AdbError(f"screencap on {self.serial} returned no PNG: {data[:120]!r}")
        return data

    def ui_dump(self) -> str:
        """The view hierarchy as ``uiautomator dump`` XML (to the tty, or via a file on old builds)."""
        result = self.run("uiautomator dump /dev/tty", timeout=30.0)
        text = result.output
        start = text.find("<?xml")
        if result.returncode == 0 and start >= 0:
            end = text.rfind(">")
            return text[start : end + 1]
        result = self.run(f"uiautomator dump {UI_DUMP_PATH} && cat {UI_DUMP_PATH}", timeout=30.0)
        start = result.output.find("<?xml")
        if result.returncode != 0 or start < 0:
            raise AdbError(f"`uiautomator dump` on {self.serial} failed: {result.output.strip()[:300]}")
        return result.output[start:]
