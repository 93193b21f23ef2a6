"""Android emulators of a devices.yaml `emulator` pool: attach to a running AVD, or boot it.

Booting uses the SDK's own `emulator` binary (``$ANDROID_HOME/emulator/emulator`` or PATH),
headless by default, on an explicit console port so the serial is known
(``emulator-<port>``). Readiness is awaited on streams, not by polling: ``adb wait-for-device``
for the transport, then the events log's ``boot_progress_enable_screen`` entry
(``logcat -b events -m 1 -s TAG``, which blocks until it is written) before ``sys.boot_completed``
is read.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.android.adb import AdbError, AdbServer

FIRST_CONSOLE_PORT, LAST_CONSOLE_PORT = 5554, 5682


class EmulatorError(RuntimeError):
    """The AVD could not be booted; the message says why and what to do."""


def emulator_binary() -> Path | None:
    """The SDK's emulator: ``$ANDROID_HOME``/``$ANDROID_SDK_ROOT``/emulator/emulator, else PATH."""
    for var in ("ANDROID_HOME", "ANDROID_SDK_ROOT"):
        root = os.environ.get(var)
        if root and (candidate := Path(root) / "emulator" / "emulator").is_file():
            return candidate
    found = shutil.which("emulator")
    return Path(found) if found else None


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_console_port(adb: AdbServer) -> int:
    """An even console port whose adb port (port + 1) is free and that adb does not know."""
    taken = {int(s.split("-", 1)[1]) for s in adb.device_states() if s.startswith("emulator-")}
    for port in range(FIRST_CONSOLE_PORT, LAST_CONSOLE_PORT, 2):
        if port not in taken and _port_free(port) and _port_free(port + 1):
            return port
    raise EmulatorError(f"no free emulator console port in {FIRST_CONSOLE_PORT}..{LAST_CONSOLE_PORT}")


@dataclass
class BootedEmulator:
    serial: str
    process: subprocess.Popen[bytes]
    log_file: Path

    def stop(self, adb: AdbServer) -> None:
        """Power it off (``adb emu kill``), then make sure the process is gone."""
        adb.run("-s", self.serial, "emu", "kill", check=False)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def boot_avd(
    avd: str,
    adb: AdbServer,
    log_file: Path,
    *,
    headless: bool = True,
    args: tuple[str, ...] = (),
    port: int | None = None,
    timeout: float = 300.0,
) -> BootedEmulator:
    """Start ``emulator -avd AVD`` and return once Android reports ``sys.boot_completed=1``."""
    binary = emulator_binary()
    if binary is None:
        raise EmulatorError(
            f"cannot boot AVD {avd}: no Android emulator found (looked in $ANDROID_HOME/emulator and PATH); "
            "install the SDK's emulator package or start the AVD yourself"
        )
    console = port or free_console_port(adb)
    serial = f"emulator-{console}"
    cmd = [str(binary), "-avd", avd, "-port", str(console)]
    if headless:
        cmd += ["-no-window", "-no-audio", "-no-boot-anim"]
    cmd += list(args)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(adb.port))
    with log_file.open("ab") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
    booted = BootedEmulator(serial, proc, log_file)
    try:
        adb.run("-s", serial, "wait-for-device", timeout=timeout)
        boot_event = ("logcat", "-b", "events", "-m", "1", "-s", "boot_progress_enable_screen")
        adb.run("-s", serial, *boot_event, timeout=timeout)
        completed = adb.run("-s", serial, "shell", "getprop", "sys.boot_completed", timeout=60).strip()
    except AdbError as exc:
        booted.stop(adb)
        raise EmulatorError(f"AVD {avd} did not boot on {serial}: {exc} (emulator log: {log_file})") from exc
    if completed != "1":
        booted.stop(adb)
        raise EmulatorError(f"AVD {avd} on {serial} shows the screen but sys.boot_completed={completed!r}")
    return booted
