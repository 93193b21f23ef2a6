"""`rustore-harness run`: the payment-flow suite as one command, with a report a QA lead can open.

It is plain pytest underneath (the plugin does the work), so everything pytest accepts still
works; the command only picks the defaults a first run needs — the flow suite, the devices
file's default pool, one xdist worker per device (at most two by default), each device's Appium
session opened while the workers start (``--prewarm``), the longest tests first
(``--slowest-first``), the contract coverage check — and says
at the end where the HTML report, the JUnit XML and the coverage tables are.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from harness.cli_devices import load_or_exit, pool_or_exit

DEFAULT_TESTS = Path("tests") / "flows"
DEFAULT_WORKERS = 2
# Options this command sets itself: given again among the pytest arguments they would move the
# files it announces, so they are refused with the option to use instead.
OWN_OPTIONS = {
    "--html": "--report-dir",
    "--junitxml": "--report-dir",
    "--junit-xml": "--report-dir",
    "--output": "--output (before the pytest arguments)",
    "-n": "-n (before the pytest arguments)",
    "--numprocesses": "-n (before the pytest arguments)",
}
# pytest options whose value is a separate argument (the ones people pass on a command line)
VALUE_OPTIONS = {
    "-k", "-m", "-p", "-o", "-c", "-W", "-r", "--tb", "--maxfail", "--durations", "--deselect",
    "--ignore", "--ignore-glob", "--rootdir", "--confcutdir", "--basetemp", "--config-file",
    "--override-ini", "--log-level", "--log-cli-level", "--log-file", "--timeout", "--dist",
    "--device", "--device-mode", "--appium-url", "--screenshot", "--logcat", "--ui-tree",
    "--timeline", "--contract", "--contract-coverage", "--pool", "--devices-file",
}  # fmt: skip
EXIT_MEANING = {
    0: "all tests passed",
    1: "tests failed, or the contract coverage check did",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}


@dataclass(frozen=True)
class RunPlan:
    """What one run executes and where it writes (absolute paths)."""

    pytest_args: list[str]
    html: Path
    junit: Path
    output: Path
    pool: str
    workers: int
    tests: list[str]

    def command(self) -> list[str]:
        return [sys.executable, "-m", "pytest", *self.pytest_args]

    def coverage_files(self) -> list[Path]:
        return [self.output / "coverage.html", self.output / "coverage.json"]


def _test_paths(pytest_args: tuple[str, ...], cwd: Path) -> list[str]:
    """Arguments that name tests (an existing file or folder, optionally with ``::node``).

    The value of a common option that takes one (``-k tests``, ``--ignore tests/flows/x.py``) is
    not a test path even when a file of that name exists.
    """
    found = []
    previous = ""
    for arg in pytest_args:
        is_value, previous = previous in VALUE_OPTIONS, arg
        if arg.startswith("-") or is_value:
            continue
        path = Path(arg.split("::", 1)[0])
        if (path if path.is_absolute() else cwd / path).exists():
            found.append(arg)
    return found


def _refuse_own_options(pytest_args: tuple[str, ...]) -> None:
    for arg in pytest_args:
        name = arg.split("=", 1)[0]
        if name in OWN_OPTIONS or (arg.startswith("-n") and arg[2:].isdigit()):
            instead = OWN_OPTIONS.get(name, OWN_OPTIONS["-n"])
            raise click.UsageError(f"{name} is set by `rustore-harness run`; use its {instead} instead")


def plan_run(
    *,
    pytest_args: tuple[str, ...],
    pool: str,
    pool_size: int,
    workers: int | None,
    output: Path | None,
    report_dir: Path,
    devices_file: Path | None,
    contract_coverage: str,
    cwd: Path,
) -> RunPlan:
    """The pytest command line for a run (pure: no process, no device)."""
    _refuse_own_options(pytest_args)
    tests = _test_paths(pytest_args, cwd)
    if not tests:
        if not (cwd / DEFAULT_TESTS).is_dir():
            raise click.UsageError(
                f"no {DEFAULT_TESTS}/ in {cwd}: run from the repository root, or name the tests to run"
            )
        tests = [str(DEFAULT_TESTS)]
        pytest_args = (str(DEFAULT_TESTS), *pytest_args)
    reports = report_dir if report_dir.is_absolute() else cwd / report_dir
    artifacts = output if output is not None else reports / "artifacts"
    artifacts = artifacts if artifacts.is_absolute() else cwd / artifacts
    n = workers if workers is not None else max(1, min(DEFAULT_WORKERS, pool_size))
    args = ["--pool", pool, "-n", str(n), "--prewarm", "--slowest-first", "--output", str(artifacts)]
    if devices_file is not None:
        args += ["--devices-file", str(devices_file if devices_file.is_absolute() else cwd / devices_file)]
    if not any(a.split("=", 1)[0] == "--contract-coverage" for a in pytest_args):
        args += ["--contract-coverage", contract_coverage]
    html, junit = reports / "index.html", reports / "junit.xml"
    # Not --self-contained-html: its screenshots are data: URLs, and Chromium refuses to open those in
    # a tab ("Not allowed to navigate top frame to data URL"), so a click on a thumbnail would show
    # nothing; next to index.html, assets/ holds the PNGs the thumbnails open full size.
    args += ["--html", str(html), "--junitxml", str(junit), *pytest_args]
    return RunPlan(args, html, junit, artifacts, pool, n, tests)


def _missing_plugins(workers: int) -> list[str]:
    needed = {"pytest": "pytest", "pytest_html": "pytest-html"}
    if workers > 0:
        needed["xdist"] = "pytest-xdist"
    return [dist for module, dist in needed.items() if importlib.util.find_spec(module) is None]


def _run(command: list[str]) -> int:
    """Run pytest; Ctrl-C reaches it too, so wait while it stops the pool and Appium it started."""
    process = subprocess.Popen(command)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def _where(path: Path) -> str:
    return str(path) if path.exists() else f"{path} (not written)"


def _summary(plan: RunPlan, code: int) -> list[str]:
    lines = [
        f"rustore-harness run: exit {code} ({EXIT_MEANING.get(code, 'pytest exit status')})",
        f"  report:    {_where(plan.html)}",
        f"  JUnit:     {_where(plan.junit)}",
    ]
    coverage = [p for p in plan.coverage_files() if p.exists()]
    if coverage:
        lines += [f"  coverage:  {coverage[0]}", *(f"             {p}" for p in coverage[1:])]
    else:
        lines.append(f"  coverage:  {plan.coverage_files()[0]} (not written)")
    lines.append(f"  artifacts: {plan.output}")
    return lines


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.option("--pool", default=None, help="pool of the devices file (default: its default_pool)")
@click.option(
    "-n",
    "workers",
    type=click.IntRange(min=0),
    default=None,
    help="parallel pytest-xdist workers, one device each (default: the pool's devices, at most 2)",
)
@click.option("--output", type=click.Path(path_type=Path), default=None, help="default: REPORT_DIR/artifacts")
@click.option("--report-dir", type=click.Path(path_type=Path), default=Path("reports"), show_default=True)
@click.option("--devices-file", type=click.Path(path_type=Path), default=None, help="default: devices.yaml")
@click.option(
    "--contract-coverage",
    type=click.Choice(["require", "report", "off"]),
    default="require",
    show_default=True,
    help="require: the run fails when a channel, error code or state transition went unexercised",
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run(
    pool: str | None,
    workers: int | None,
    output: Path | None,
    report_dir: Path,
    devices_file: Path | None,
    contract_coverage: str,
    pytest_args: tuple[str, ...],
) -> None:
    """Run the payment-flow suite (tests/flows) and write reports/index.html and reports/junit.xml.

    PYTEST_ARGS go to pytest unchanged (test paths, -k, -x, --screenshot on, …); put them after
    `--` when one could be mistaken for an option of this command. Exits with pytest's status.
    """
    cwd = Path.cwd()
    config = load_or_exit(str(devices_file or "devices.yaml"))
    name = pool_or_exit(config, pool)
    plan = plan_run(
        pytest_args=pytest_args,
        pool=name,
        pool_size=len(config.devices(name)),
        workers=workers,
        output=output,
        report_dir=report_dir,
        devices_file=devices_file,
        contract_coverage=contract_coverage,
        cwd=cwd,
    )
    missing = _missing_plugins(plan.workers)
    if missing:
        raise click.ClickException(
            f"`rustore-harness run` needs {', '.join(missing)}: run ./scripts/bootstrap, "
            "or pip install 'rustore-harness[dev]'"
        )
    for stale in (plan.html, plan.junit, *plan.coverage_files()):
        stale.unlink(missing_ok=True)  # a run that stops early must not point at an older run's files
    kind = config.pool(name).kind
    click.echo(
        f"rustore-harness run: {' '.join(plan.tests)} on pool {name} ({kind}), {plan.workers} worker(s)",
        err=True,
    )
    code = _run(plan.command())
    click.echo()
    for line in _summary(plan, code):
        click.echo(line)
    sys.exit(code)
