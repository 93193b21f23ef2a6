"""What one pytest run shares across its fixtures and xdist workers.

The controller process (plain pytest, or xdist's master) creates the run directory and hands
it to workers (``workerinput``); leases, quarantine and the virtual-pool ownership record
live there, so every worker sees the same run. The controller alone stops a virtual pool the
run started, in ``pytest_unconfigure``, after every worker has finished with it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from harness.android.adb import AdbError, AdbServer
from harness.android.session_handoff import SessionHandoff
from harness.config import ConfigError, DevicesConfig, DeviceSpec, load_config
from harness.plugin.options import HarnessOptions, read_options

RUN_DIR_KEY = "harness_run_dir"
OWNER_FILE = "virtual-pool.json"
BOOTED_FILE = "booted-emulators.json"


def worker_id(config: pytest.Config) -> str:
    """xdist's worker id (gw0…), or "main"; read from this run's config, never from the environment,
    which a pytest started inside an xdist worker inherits."""
    workerinput = getattr(config, "workerinput", None)
    return str(workerinput.get("workerid", "main")) if workerinput else "main"


@dataclass
class HarnessSession:
    options: HarnessOptions
    run_dir: Path
    is_controller: bool
    _config: DevicesConfig | None = None
    _config_error: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, config: pytest.Config) -> HarnessSession:
        options = read_options(config)
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None and RUN_DIR_KEY in workerinput:
            return cls(options, Path(workerinput[RUN_DIR_KEY]), is_controller=False)
        run_dir = Path(tempfile.mkdtemp(prefix="rustore-harness-run-"))
        return cls(options, run_dir, is_controller=workerinput is None)

    # ------------------------------------------------------------ devices file

    def devices_config(self) -> DevicesConfig:
        """The devices file, loaded once; a bad file is one clear message, never a traceback."""
        if self._config is None and self._config_error is None:
            try:
                self._config = load_config(self.options.devices_file)
                self._config.pool(self.options.pool)  # an unknown --pool fails here, once
            except ConfigError as exc:
                self._config_error = str(exc)
        if self._config_error is not None:
            raise pytest.UsageError(self._config_error)
        assert self._config is not None
        return self._config

    @property
    def pool_name(self) -> str:
        return self.options.pool or self.devices_config().default_pool

    @property
    def pool_kind(self) -> str:
        return str(self.devices_config().pool(self.options.pool).kind)

    def device_specs(self) -> list[DeviceSpec]:
        """The pool's devices after the `--device` filter (ids, labels or serials)."""
        specs = self.devices_config().devices(self.pool_name)
        wanted = set(self.options.device_filter)
        if not wanted:
            return specs
        chosen = [s for s in specs if s.id in wanted or (s.label and s.label in wanted)]
        if len(chosen) < len(wanted) and self.pool_kind == "virtual":
            from harness.plugin.targets import virtual_serials

            serials = virtual_serials(self.adb())
            chosen += [
                s for s, serial in zip(specs, serials, strict=False) if serial in wanted and s not in chosen
            ]
        if not chosen:
            known = ", ".join(s.label or s.id for s in specs)
            raise pytest.UsageError(
                f"--device {', '.join(sorted(wanted))}: no such device in pool {self.pool_name!r} ({known})"
            )
        return chosen

    def adb(self) -> AdbServer:
        return AdbServer.from_environment()

    # ------------------------------------------------------------ virtual pool ownership

    def lock(self, name: str) -> FileLock:
        return FileLock(str(self.run_dir / f"{name}.lock"))

    def record_started_pool(self, state_dir: Path, by: str) -> None:
        (self.run_dir / OWNER_FILE).write_text(json.dumps({"state_dir": str(state_dir), "started_by": by}))

    def record_booted_emulator(self, serial: str) -> None:
        """An emulator this run booted; the controller powers it off at the end."""
        with self.lock("booted-emulators"):
            path = self.run_dir / BOOTED_FILE
            booted = json.loads(path.read_text()) if path.is_file() else []
            path.write_text(json.dumps([*booted, serial]))

    def booted_emulators(self) -> list[str]:
        path = self.run_dir / BOOTED_FILE
        return list(json.loads(path.read_text())) if path.is_file() else []

    def started_pool(self) -> dict[str, str] | None:
        try:
            data = json.loads((self.run_dir / OWNER_FILE).read_text())
        except FileNotFoundError:
            return None
        return data if isinstance(data, dict) else None

    def session_handoff(self) -> SessionHandoff:
        """Where Appium sessions the controller opened (``--prewarm``) wait for their workers."""
        return SessionHandoff(self.run_dir / "sessions")

    @property
    def appium_dir(self) -> Path:
        """Where the run's shared local Appium server is recorded (``appium.json``)."""
        return self.run_dir / "appium"

    def finish(self) -> None:
        """Controller only: stop the run's Appium server, a virtual pool and emulators this run
        started; remove the run directory."""
        if not self.is_controller:
            return
        from harness.android.appium import AppiumError, load_record, stop_server

        try:
            record = load_record(self.appium_dir)
        except AppiumError:
            record = None
        if record is not None:
            stop_server(record)
        for serial in self.booted_emulators():
            try:
                self.adb().run("-s", serial, "emu", "kill", check=False)
                self.adb().run("-s", serial, "wait-for-disconnect", timeout=60, check=False)
            except AdbError as exc:  # a stuck emulator must not hide the run's own result
                warnings.warn(f"could not power off {serial}: {exc}", stacklevel=1)
        owner = self.started_pool()
        if owner is not None:
            from harness.sim.farm import Farm

            Farm(state_dir=Path(owner["state_dir"]), adb=self.adb()).down()
        shutil.rmtree(self.run_dir, ignore_errors=True)


SESSION_KEY = pytest.StashKey[HarnessSession]()


def harness_session(config: pytest.Config) -> HarnessSession:
    return config.stash[SESSION_KEY]
