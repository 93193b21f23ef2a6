"""The real adb server, as every part of the harness reaches it.

One place decides which adb binary runs and which server port it talks to, so the
CLI, the farm launcher and the tests never disagree (a mismatch would make two
adb servers fight over the same devices). The binary is the one adbutils would
pick (``ADBUTILS_ADB_PATH``, then ``adb`` on PATH, then the binary in adbutils'
wheel); the port is ``ANDROID_ADB_SERVER_PORT`` (5037 by default), exactly what
the adb CLI itself honours.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

import adbutils

DEFAULT_ADB_PORT = 5037


class AdbError(RuntimeError):
    """An adb command failed; the message carries the command and what adb printed."""


def adb_binary() -> str:
    """Path of the real adb binary the harness uses."""
    return str(adbutils.adb_path())


def server_port() -> int:
    """The adb server port named by ``ANDROID_ADB_SERVER_PORT`` (5037 when unset)."""
    raw = os.environ.get("ANDROID_ADB_SERVER_PORT", "").strip()
    if not raw:
        return DEFAULT_ADB_PORT
    try:
        port = int(raw)
    except ValueError as exc:
        raise AdbError(f"ANDROID_ADB_SERVER_PORT={raw!r} is not a port number") from exc
    if not 0 < port < 65536:
        raise AdbError(f"ANDROID_ADB_SERVER_PORT={raw!r} is out of range 1..65535")
    return port


@dataclass(frozen=True)
class AdbServer:
    """A handle on one adb server (it may not be running yet)."""

    port: int
    binary: str

    @classmethod
    def from_environment(cls) -> AdbServer:
        return cls(port=server_port(), binary=adb_binary())

    def run(self, *args: str, timeout: float = 30.0, check: bool = True) -> str:
        """Run ``adb -P PORT ARGS…`` and return its stdout."""
        cmd = [self.binary, "-P", str(self.port), *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AdbError(f"`adb {' '.join(args)}` did not finish within {timeout:g} s") from exc
        if check and done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()
            raise AdbError(f"`adb {' '.join(args)}` failed (exit {done.returncode}): {detail}")
        return done.stdout

    def start(self) -> None:
        """Start the server if none answers on the port (``adb start-server`` is a no-op otherwise)."""
        self.run("start-server", timeout=60.0)

    def kill(self) -> None:
        self.run("kill-server", check=False)

    def connect(self, serial: str, timeout: float = 30.0) -> None:
        """Attach a network device and wait until adb reports it in state ``device``."""
        out = self.run("connect", serial, timeout=timeout)
        if "connected to" not in out:
            raise AdbError(f"`adb connect {serial}` did not connect: {out.strip()}")
        self.run("-s", serial, "wait-for-device", timeout=timeout)

    def disconnect(self, serial: str) -> None:
        """Detach a network device; a device adb never knew is not an error."""
        self.run("disconnect", serial, check=False)

    def device_states(self) -> dict[str, str]:
        """``serial → state`` as ``adb devices`` lists them."""
        states: dict[str, str] = {}
        for line in self.run("devices").splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 2:
                states[parts[0]] = parts[1]
        return states

    def client(self) -> adbutils.AdbClient:
        """An adbutils client bound to this server (it asks the server's version once)."""
        from harness.android.adb_shell import AdbClient

        return AdbClient(host="127.0.0.1", port=self.port)
