"""`rustore-harness`: the one command-line entry point of the harness."""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness import __version__
from harness.android.adb import AdbError, AdbServer
from harness.cli_devices import devices
from harness.cli_doctor import doctor
from harness.cli_run import run
from harness.sim.farm import Farm, SimError
from harness.sim.state import SimState, default_state_dir

DEFAULT_PROFILE = "pixel-7-api-34"


def _progress(message: str) -> None:
    click.echo(f"• {message}", err=True)


def _farm(state_dir: str | None) -> Farm:
    try:
        adb = AdbServer.from_environment()
    except AdbError as exc:
        raise click.ClickException(str(exc)) from exc
    return Farm(state_dir=Path(state_dir) if state_dir else default_state_dir(), adb=adb)


def _status_document(state: SimState | None, farm: Farm) -> dict[str, object]:
    if state is None:
        return {"running": False, "devices": [], "state_dir": str(farm.state_dir)}
    try:
        adb_states = AdbServer(port=state.adb_port, binary=farm.adb.binary).device_states()
    except AdbError:
        adb_states = {}
    doc: dict[str, object] = {
        "running": True,
        "pid": state.pid,
        "adb_server_port": state.adb_port,
        "state_dir": str(farm.state_dir),
        "log_file": state.log_file,
        "started_at": state.started_at,
        "devices": [
            {
                "serial": d.serial,
                "device_port": d.device_port,
                "profile": d.profile,
                "pid": d.pid,
                "adb_state": adb_states.get(d.serial, "not attached"),
            }
            for d in state.devices
        ],
    }
    doc.update(state.services)
    return doc


def _print_status(doc: dict[str, object]) -> None:
    if not doc["running"]:
        click.echo("virtual pool: not running (start it with `rustore-harness sim up`)")
        return
    click.echo(f"virtual pool: running (pid {doc['pid']}, adb server port {doc['adb_server_port']})")
    devices = doc["devices"]
    assert isinstance(devices, list)
    for d in devices:
        click.echo(f"  {d['serial']:<22} {d['adb_state']:<13} {d['profile']:<16} pid {d['pid']}")
    for key, value in doc.items():
        if key.endswith("_url"):
            click.echo(f"  {key:<22} {value}")
    click.echo(f"  log: {doc['log_file']}")


@click.group()
@click.version_option(__version__, prog_name="rustore-harness")
def cli() -> None:
    """Prove RuStore in-app payments of a Defold game work, on phones, emulators, farms or virtual devices."""


@cli.group()
def sim() -> None:
    """The virtual pool: virtual Android devices, the RuStore sandbox and the game's server."""


state_dir_option = click.option(
    "--state-dir",
    envvar="RUSTORE_HARNESS_STATE_DIR",
    default=None,
    help="where the running pool is recorded (default: ~/.local/state/rustore-harness)",
)


@sim.command("up")
@click.option("--devices", "count", type=click.IntRange(min=1, max=64), default=2, show_default=True)
@click.option("--profile", default=DEFAULT_PROFILE, show_default=True, help="device profile, e.g. api-28")
@click.option(
    "--plugin-profile",
    type=click.Choice(["6.0.0", "5.0.1"]),
    default="6.0.0",
    show_default=True,
    help="RuStore plugin/SDK version the devices emulate",
)
@click.option(
    "--plugin-mode",
    type=click.Choice(["faithful", "fixed"]),
    default="faithful",
    show_default=True,
    help="faithful: the official plugin's known defects; fixed: valid JSON everywhere",
)
@click.option("--devices-only", is_flag=True, help="start no sandbox and no game server")
@state_dir_option
def sim_up(
    count: int, profile: str, plugin_profile: str, plugin_mode: str, devices_only: bool, state_dir: str | None
) -> None:
    """Start virtual devices in the background and attach them to the adb server."""
    farm = _farm(state_dir)
    extra = ("--no-services",) if devices_only else ()
    props = {"rustore.harness.plugin.profile": plugin_profile, "rustore.harness.plugin.mode": plugin_mode}
    try:
        state, started = farm.up(count, profile, progress=_progress, extra_args=extra, device_props=props)
    except (SimError, AdbError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not started:
        click.echo(
            f"virtual pool already running with {len(state.devices)} device(s); "
            "nothing started (use `rustore-harness sim down` first to change it)",
            err=True,
        )
    _print_status(_status_document(state, farm))


@sim.command("down")
@state_dir_option
def sim_down(state_dir: str | None) -> None:
    """Detach the virtual devices from adb and stop the pool."""
    farm = _farm(state_dir)
    try:
        state = farm.down(progress=_progress)
    except (SimError, AdbError) as exc:
        raise click.ClickException(str(exc)) from exc
    if state is None:
        click.echo("virtual pool: not running")
    else:
        click.echo(f"virtual pool stopped ({len(state.devices)} device(s) detached)")


@sim.command("status")
@click.option("--json", "as_json", is_flag=True, help="one JSON object: devices and service URLs")
@state_dir_option
def sim_status(as_json: bool, state_dir: str | None) -> None:
    """Show the running virtual pool."""
    farm = _farm(state_dir)
    try:
        doc = _status_document(farm.status(), farm)
    except (SimError, AdbError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        _print_status(doc)


@cli.group()
def appium() -> None:
    """A local Appium 3 server with the UiAutomator2 driver (installed from npm on first use)."""


@appium.command("start")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=0, help="default: a free port")
@state_dir_option
def appium_start(port: int, state_dir: str | None) -> None:
    """Start Appium on 127.0.0.1 in the background and print its URL."""
    from harness.android import appium as appium_mod

    where = Path(state_dir) if state_dir else default_state_dir()
    try:
        record = appium_mod.load_record(where)
        if record is not None:
            click.echo(f"Appium already running (pid {record.pid}); nothing started", err=True)
        else:
            record = appium_mod.start_server(where / "appium.log", port=port, progress=_progress)
            appium_mod.save_record(where, record)
    except appium_mod.AppiumError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(record.url)


@appium.command("stop")
@state_dir_option
def appium_stop(state_dir: str | None) -> None:
    """Stop the Appium server started by `appium start`."""
    from harness.android import appium as appium_mod

    where = Path(state_dir) if state_dir else default_state_dir()
    try:
        record = appium_mod.load_record(where)
    except appium_mod.AppiumError as exc:
        raise click.ClickException(str(exc)) from exc
    if record is None:
        click.echo("Appium: not running")
        return
    appium_mod.stop_server(record)
    appium_mod.record_path(where).unlink(missing_ok=True)
    click.echo(f"Appium stopped ({record.url})")


@appium.command("status")
@state_dir_option
def appium_status(state_dir: str | None) -> None:
    """Print the running Appium server's URL, its log, and the installed versions."""
    from harness.android import appium as appium_mod

    where = Path(state_dir) if state_dir else default_state_dir()
    try:
        record = appium_mod.load_record(where)
    except appium_mod.AppiumError as exc:
        raise click.ClickException(str(exc)) from exc
    installed = appium_mod.AppiumInstallation.default().installed()
    versions = ", ".join(f"{k}@{v}" for k, v in installed.items()) or "not installed yet"
    if record is None:
        click.echo(f"Appium: not running ({versions})")
        return
    click.echo(f"Appium: running at {record.url} (pid {record.pid}, {versions})")
    click.echo(f"  log: {record.log_file}")


@cli.command("build-app")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("sample_app"),
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("build/sample_app.apk"))
def build_app(project: Path, out: Path) -> None:
    """Package the Defold game for the virtual device (``adb install`` it) and print the APK's path."""
    from harness.sim.farm import build_virtual_app

    if not (project / "game.project").is_file():
        raise click.ClickException(f"{project} is not a Defold project (no game.project)")
    click.echo(str(build_virtual_app(project, out).resolve()))


cli.add_command(devices)
cli.add_command(doctor)
cli.add_command(run)


def main() -> None:
    cli(prog_name="rustore-harness")


if __name__ == "__main__":
    main()
