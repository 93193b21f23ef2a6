"""`rustore-harness devices`: the pool pytest would use, its devices and their health.

It answers "which phones will my run use, and why would one be skipped" with the same config
loader and health checks the plugin uses, before anyone waits for a test run.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from harness.android.adb import AdbError, AdbServer
from harness.android.device import AndroidDevice
from harness.android.health import CheckResult, run_checks
from harness.config import ConfigError, DevicesConfig, VirtualPool, load_config


@dataclass
class DeviceRow:
    id: str
    label: str | None
    serial: str | None
    state: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.state == "device" and all(c.ok for c in self.checks)

    @property
    def summary(self) -> str:
        failed = [f"{c.name}: {c.detail}" for c in self.checks if not c.ok]
        if failed:
            return "; ".join(failed)
        if self.state != "device":
            return self.state
        return ", ".join(c.detail for c in self.checks)


def load_or_exit(devices_file: str) -> DevicesConfig:
    """The devices file, or its one clear message on stderr and exit status 2 (never a traceback)."""
    try:
        return load_config(Path(devices_file))
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def pool_or_exit(config: DevicesConfig, pool: str | None) -> str:
    try:
        config.pool(pool)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    return pool or config.default_pool


def _virtual_serials(adb: AdbServer) -> tuple[list[str], dict[str, str]] | None:
    from harness.sim.farm import Farm
    from harness.sim.state import default_state_dir

    state = Farm(state_dir=default_state_dir(), adb=adb).status()
    if state is None:
        return None
    return [d.serial for d in state.devices], dict(state.services)


def inspect_pool(
    config: DevicesConfig, pool_name: str, adb: AdbServer
) -> tuple[list[DeviceRow], dict[str, str]]:
    """Every device of the pool with its adb state and health; plus a virtual pool's service URLs."""
    from harness.plugin.targets import emulator_serial

    pool = config.pool(pool_name)
    specs = config.devices(pool_name)
    services: dict[str, str] = {}
    serials: list[str | None]
    if isinstance(pool, VirtualPool):
        running = _virtual_serials(adb)
        found, services = running if running else ([], {})
        serials = [found[i] if i < len(found) else None for i in range(len(specs))]
    elif pool.kind == "adb":
        serials = [s.id for s in specs]
    elif pool.kind == "emulator":
        serials = [emulator_serial(s.id, adb) for s in specs]
    else:
        serials = [None for _ in specs]
    rows: list[DeviceRow] = []
    for spec, serial in zip(specs, serials, strict=True):
        if pool.kind == "remote":
            rows.append(DeviceRow(spec.id, spec.label, None, "remote", []))
            continue
        if serial is None:
            why = "virtual pool not running" if pool.kind == "virtual" else "not running"
            rows.append(DeviceRow(spec.id, spec.label, None, why, []))
            continue
        checks = run_checks(AndroidDevice(serial, adb), real_device=pool.kind != "virtual")
        rows.append(
            DeviceRow(spec.id, spec.label, serial, checks[0].detail if not checks[0].ok else "device", checks)
        )
    return rows, services


@click.command("devices")
@click.option("--devices-file", default="devices.yaml", show_default=True, help="the devices file")
@click.option("--pool", default=None, help="pool name (default: the file's default_pool)")
@click.option("--json", "as_json", is_flag=True, help="one JSON document")
def devices(devices_file: str, pool: str | None, as_json: bool) -> None:
    """List the pool's devices and their health (exit 1 if one is unfit, 2 if the file is bad)."""
    config = load_or_exit(devices_file)
    name = pool_or_exit(config, pool)
    kind = config.pool(name).kind
    try:
        adb = AdbServer.from_environment()
        adb.device_states()  # fails early, with adb's words, when no server can start
        rows, services = inspect_pool(config, name, adb)
    except AdbError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        doc = {"pool": name, "kind": kind, "devices": [asdict(r) | {"healthy": r.healthy} for r in rows]}
        click.echo(json.dumps(doc | ({"services": services} if services else {}), indent=2))
    else:
        click.echo(f"pool {name} ({kind}, {len(rows)} device(s)) from {config.source}")
        for row in rows:
            verdict = "OK  " if row.healthy or row.state == "remote" else "FAIL"
            label = f"{row.id}" + (f" ({row.label})" if row.label else "")
            click.echo(f"  {verdict} {label:<28} {row.serial or '-':<22} {row.summary}")
        for key, url in services.items():
            click.echo(f"  {key:<33} {url}")
        if kind == "virtual" and not services and not any(r.serial for r in rows):
            click.echo("  (start it with `rustore-harness sim up`, or let pytest start it for the run)")
    if any(not r.healthy and r.state != "remote" for r in rows):
        sys.exit(1)
