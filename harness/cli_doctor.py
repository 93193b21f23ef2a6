"""`rustore-harness doctor`: everything a run needs, one line each, with the fix when it fails.

Checks in the order a person would fix them: adb, Appium, devices, RuStore, the game, the
sandbox. Exit status 1 if any line is FAIL, so CI can stop before a long run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click
import httpx

from harness.android.adb import AdbError, AdbServer
from harness.android.device import AndroidDevice
from harness.android.health import rustore_installed
from harness.android.server_url import split_credentials
from harness.cli_devices import inspect_pool, load_or_exit, pool_or_exit
from harness.config import DevicesConfig, RemotePool


@dataclass(frozen=True)
class Line:
    ok: bool
    what: str
    detail: str
    fix: str = ""

    def render(self) -> str:
        text = f"{'OK  ' if self.ok else 'FAIL'} {self.what:<24} {self.detail}"
        return text + (f"\n     fix: {self.fix}" if self.fix and not self.ok else "")


def check_adb() -> tuple[list[Line], AdbServer | None]:
    try:
        adb = AdbServer.from_environment()
        version = adb.run("version", timeout=20).splitlines()[0]
    except (AdbError, OSError, IndexError) as exc:
        return [Line(False, "adb binary", str(exc), "reinstall adbutils (`./scripts/bootstrap`)")], None
    lines = [Line(True, "adb binary", f"{adb.binary} ({version})")]
    try:
        states = adb.run("devices", timeout=30)
        count = len([x for x in states.splitlines()[1:] if x.strip()])
        lines.append(Line(True, "adb server", f"port {adb.port}, {count} device(s) attached"))
    except AdbError as exc:
        lines.append(
            Line(
                False,
                "adb server",
                f"port {adb.port}: {exc}",
                f"run `{adb.binary} -P {adb.port} start-server`",
            )
        )
        return lines, None
    return lines, adb


def check_appium(config: DevicesConfig, appium_url: str | None) -> list[Line]:
    from harness.android import appium as appium_mod
    from harness.sim.state import default_state_dir

    installation = appium_mod.AppiumInstallation.default()
    installed, pinned = installation.installed(), installation.pinned()
    missing = [f"{k}@{v}" for k, v in pinned.items() if installed.get(k) != v]
    lines = [
        Line(
            not missing,
            "Appium + driver",
            ", ".join(f"{k}@{v}" for k, v in installed.items()) or "not installed",
            "run `rustore-harness appium start` (installs the pinned versions from npm once)",
        )
    ]
    try:
        record = appium_mod.load_record(default_state_dir())
    except appium_mod.AppiumError:
        record = None
    url = appium_url or (record.url if record else f"http://{config.appium.address}:{config.appium.port}")
    try:
        answer = httpx.get(f"{url.rstrip('/')}/status", timeout=3.0)
        running = answer.status_code == 200
        detail = f"{url} answers" if running else f"{url} answered HTTP {answer.status_code}"
    except Exception as exc:  # any failure to get an answer is the finding (httpcore may leak its own)
        running, detail = False, f"{url}: {type(exc).__name__}"
    lines.append(
        Line(running, "Appium server", detail, "run `rustore-harness appium start` (or pass --appium-url)")
    )
    return lines


def check_remote_server(pool: RemotePool, url: str | None = None, what: str = "remote server") -> Line:
    """The farm's server (or ``url``: a Grid node's Appium) answers ``/status`` with the pool's
    credentials (never shown)."""
    url, user, password = split_credentials(url or pool.server_url())
    auth = httpx.BasicAuth(user, password or "") if user is not None else None
    fix = "check the pool's url and that its server runs"
    try:
        answer = httpx.get(f"{url.rstrip('/')}/status", auth=auth, timeout=10.0)
    except Exception as exc:  # any failure to get an answer is the finding
        return Line(False, what, f"{url}: {type(exc).__name__}", fix)
    if answer.status_code in (401, 403):
        given = "with the pool's credentials" if user is not None else "without credentials"
        fix = "export the credentials' ${ENV} variables with the farm's user and key"
        if user is None:
            fix = "add credentials: {username: ${USER_VAR}, password: ${KEY_VAR}} to the pool"
        return Line(False, what, f"{url} refused {given} (HTTP {answer.status_code})", fix)
    if answer.status_code != 200:
        return Line(False, what, f"{url} answered HTTP {answer.status_code}", fix)
    return Line(True, what, f"{url} answers" + (" (authenticated)" if user is not None else ""))


def check_grid_nodes(pool: RemotePool) -> list[Line]:
    """On a Selenium Grid pool, each device's ``node_url`` (where its logcat websocket opens) answers."""
    if pool.server != "selenium-grid":
        return []
    lines: list[Line] = []
    for device in pool.devices:
        node = pool.node_url_for(device.name)
        what = f"node of {device.name}"
        if node is None:
            lines.append(
                Line(
                    False,
                    what,
                    "no node_url: the Grid does not route Appium's logcat websocket, so no callbacks",
                    "set node_url: (the Appium server behind the device's Grid node) in devices.yaml",
                )
            )
        else:
            lines.append(check_remote_server(pool, node, what))
    return lines


def check_pool(config: DevicesConfig, pool_name: str, adb: AdbServer) -> list[Line]:
    pool = config.pool(pool_name)
    rows, services = inspect_pool(config, pool_name, adb)
    lines: list[Line] = []
    if isinstance(pool, RemotePool):
        lines.append(check_remote_server(pool))
        lines.extend(check_grid_nodes(pool))
    for row in rows:
        if row.state == "remote":
            lines.append(Line(True, f"device {row.id}", "remote: reached through Appium only"))
            continue
        fix = (
            "run `rustore-harness sim up` (or let pytest start the pool)"
            if pool.kind == "virtual"
            else "see `adb devices -l`; accept the USB debugging prompt; `adb connect HOST:PORT` for Wi-Fi"
        )
        lines.append(Line(row.healthy, f"device {row.id}", f"{row.serial or '-'}: {row.summary}", fix))
    reachable = [r for r in rows if r.serial and r.state == "device"]
    for row in reachable:
        assert row.serial is not None
        device = AndroidDevice(row.serial, adb)
        if pool.kind in ("adb", "emulator"):
            found = rustore_installed(device)
            lines.append(
                Line(
                    found.ok,
                    f"RuStore on {row.id}",
                    found.detail,
                    "install RuStore and sign in to an account",
                )
            )
        package = config.app.package
        if device.is_installed(package):
            lines.append(Line(True, f"game on {row.id}", f"{package} installed"))
        else:
            apk = config.apk_for(pool_name)
            ok = apk == "auto" or (isinstance(apk, Path) and apk.is_file())
            detail = f"{package} not installed yet; " + (
                ("the harness builds and installs it" if apk == "auto" else f"the harness installs {apk}")
                if ok
                else "no APK configured for this pool"
            )
            lines.append(Line(ok, f"game on {row.id}", detail, f"set app.apk.{pool_name} in devices.yaml"))
    if pool.kind == "virtual":
        url = services.get("sandbox_url")
        if not url:
            lines.append(
                Line(False, "sandbox", "not running", "run `rustore-harness sim up` (or let pytest start it)")
            )
        else:
            from harness.sim.sandbox.client import SandboxClient

            try:
                with SandboxClient(url) as client:
                    client.clock()
                lines.append(Line(True, "sandbox", f"{url} answers"))
            except Exception as exc:  # the doctor reports, it does not crash
                lines.append(
                    Line(
                        False,
                        "sandbox",
                        f"{url}: {exc}",
                        "restart the pool: `rustore-harness sim down && sim up`",
                    )
                )
    return lines


@click.command("doctor")
@click.option("--devices-file", default="devices.yaml", show_default=True)
@click.option("--pool", default=None, help="pool name (default: the file's default_pool)")
@click.option("--appium-url", default=None, help="check this Appium server instead of the configured one")
def doctor(devices_file: str, pool: str | None, appium_url: str | None) -> None:
    """Check adb, Appium, devices, RuStore, the game and the sandbox; exit 1 if anything fails."""
    config = load_or_exit(devices_file)
    name = pool_or_exit(config, pool)
    lines, adb = check_adb()
    lines += check_appium(config, appium_url)
    if adb is not None:
        lines += check_pool(config, name, adb)
    click.echo(f"rustore-harness doctor: pool {name} ({config.pool(name).kind}) from {config.source}")
    for line in lines:
        click.echo(line.render())
    failed = sum(not line.ok for line in lines)
    click.echo(f"{failed} problem(s)" if failed else "all good")
    if failed:
        sys.exit(1)
