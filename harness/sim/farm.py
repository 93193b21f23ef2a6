"""The farm launcher: starts, finds and stops the virtual pool as a background process.

`rustore-harness sim up` lands here. The pool runs in its own daemon process (devices,
sandbox, game server) so it outlives the command that started it, like an emulator
does. The launcher waits for the daemon's readiness line on a pipe (no polling),
attaches each device to the real adb server, then records the pool in the state
file. Every entry point first heals what a crashed daemon left behind, so a stale
`127.0.0.1:PORT offline` never survives the next `sim up` or `sim down`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from harness.android.adb import AdbError, AdbServer
from harness.process import process_alive, spawn_daemon, tail, terminate
from harness.sim.state import SimDevice, SimState, clear_state, load_state, save_state

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0
DAEMON_MARKER = b"harness.sim.daemon"

Progress = Callable[[str], None]


def build_virtual_app(project_dir: Path, out: Path) -> Path:
    """Package a Defold project as an APK the virtual devices run (the format lives with the sim).

    The one door through which the CLI and the pytest plugin build the game for a virtual pool,
    so neither reaches into the sim's internals.
    """
    from harness.sim.defold.build import build_apk

    return build_apk(project_dir, out)


class SimError(RuntimeError):
    """The virtual pool could not be started or stopped; the message says why and what to do."""


def _silent(_: str) -> None:
    return None


def daemon_alive(pid: int) -> bool:
    """True if ``pid`` is a running virtual-pool daemon (not a recycled pid of something else)."""
    return process_alive(pid, DAEMON_MARKER)


@dataclass
class Farm:
    """The virtual pool recorded under one state directory, attached to one adb server."""

    state_dir: Path
    adb: AdbServer

    @property
    def _lock(self) -> FileLock:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.state_dir / "sim.lock"), timeout=READY_TIMEOUT_S)

    def status(self) -> SimState | None:
        """The running pool, or None. A pool whose daemon died is cleaned up and reported as None."""
        with self._lock:
            return self._live_state_or_heal()

    def up(
        self,
        devices: int,
        profile: str,
        *,
        progress: Progress = _silent,
        extra_args: tuple[str, ...] = (),
        device_props: dict[str, str] | None = None,
    ) -> tuple[SimState, bool]:
        """Start the pool unless one runs. Returns (state, started_now).

        ``device_props`` are set on every device (plugin profile and mode, store state …);
        a pool that already runs keeps the settings it was started with.
        """
        if devices < 1:
            raise SimError("--devices must be at least 1")
        with self._lock:
            running = self._live_state_or_heal()
            if running is not None:
                return running, False
            progress(f"starting {devices} virtual device(s) ({profile})")
            self.adb.start()
            props = tuple(f"--prop={key}={value}" for key, value in sorted((device_props or {}).items()))
            state = self._spawn_daemon(devices, profile, (*extra_args, *props), progress)
            try:
                for dev in state.devices:
                    progress(f"attaching {dev.serial} to the adb server on port {self.adb.port}")
                    self.adb.connect(dev.serial)
            except AdbError as exc:
                self._stop_daemon(state)
                raise SimError(f"could not attach the virtual devices to adb: {exc}") from exc
            save_state(self.state_dir, state)
            return state, True

    def down(self, *, progress: Progress = _silent) -> SimState | None:
        """Detach and stop the pool; returns what was stopped (None if nothing ran)."""
        with self._lock:
            state = load_state(self.state_dir)
            if state is None:
                return None
            for dev in state.devices:
                progress(f"detaching {dev.serial}")
                AdbServer(port=state.adb_port, binary=self.adb.binary).disconnect(dev.serial)
            self._stop_daemon(state)
            clear_state(self.state_dir)
            return state

    # -- internals -------------------------------------------------------------------------

    def _live_state_or_heal(self) -> SimState | None:
        state = load_state(self.state_dir)
        if state is None:
            return None
        if daemon_alive(state.pid):
            return state
        stale = AdbServer(port=state.adb_port, binary=self.adb.binary)
        for dev in state.devices:
            stale.disconnect(dev.serial)
        clear_state(self.state_dir)
        return None

    def _spawn_daemon(
        self, devices: int, profile: str, extra_args: tuple[str, ...], progress: Progress
    ) -> SimState:
        log_path = self.state_dir / "sim.log"
        cmd = [
            sys.executable,
            "-m",
            "harness.sim.daemon",
            "--devices",
            str(devices),
            "--profile",
            profile,
            "--state-dir",
            str(self.state_dir),
            *extra_args,
        ]
        with log_path.open("ab") as log:
            proc, line = spawn_daemon(cmd, stderr=log, timeout=READY_TIMEOUT_S)
        if not line:
            raise SimError(
                f"the virtual pool did not start within {READY_TIMEOUT_S:g} s; "
                f"last lines of {log_path}:\n{tail(log_path)}"
            )
        ready = json.loads(line)
        progress(f"virtual pool daemon ready (pid {proc.pid})")
        return SimState(
            pid=proc.pid,
            adb_port=self.adb.port,
            devices=[SimDevice(**d) for d in ready["devices"]],
            services=dict(ready.get("services", {})),
            log_file=str(log_path),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def _stop_daemon(self, state: SimState) -> None:
        terminate(state.pid, DAEMON_MARKER, STOP_TIMEOUT_S)
