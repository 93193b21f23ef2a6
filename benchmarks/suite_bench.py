"""Speed of the payment-flow suite on 1, 2 and 4 virtual devices, at the instant and realistic profiles.

For each latency profile and device count it starts a private virtual pool (its own adb server
on a free port, its own state folder; the devices get ``rustore.harness.latency``), runs the suite
as a user would (``pytest [-n N --prewarm --slowest-first] --timeline on``, the options
``rustore-harness run`` adds, in a scratch folder holding a copy of the suite, the project's
devices.yaml and its pytest settings; the runs of one profile share a pytest cache, smallest
first, so the parallel runs order their tests by the times the earlier run recorded), and prints
per run:

- wall time of the pytest run (the pool is already up; its start time is printed apart) and the
  speed-up over one device at the same profile;
- APK installs (``PackageManager: installPackageLI: <game>`` in the devices' logcat) and UiA2 server
  starts (one per Appium session the driver opens: ``Started UiAutomator2 … server``), per device,
  counted on live logcat streams opened before the run (a dump afterwards would miss lines the
  device's ring buffer dropped on a long run);
- callback wake-up latency p50/p99: from the logcat timestamp of the game's callback line to the
  moment the recorder had assembled it (``host_time`` in each test's timeline.json), which is when
  ``expect()`` is woken. The device's time zone is removed by rounding the offset to 15 minutes;
  logcat timestamps have millisecond resolution.

    .venv/bin/python benchmarks/suite_bench.py [SUITE_PATH] [--devices 1 2 4] [--latency instant realistic]

SUITE_PATH defaults to tests/flows, else the integration suite (tests/integration/suite). Exits 2
when there is no suite to run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from bench_stats import percentiles

from harness.ports import free_loopback_port

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = (ROOT / "tests" / "flows", ROOT / "tests" / "integration" / "suite")
INSTALL_MARK = "installPackageLI: "
SESSION_MARK = "Started UiAutomator2 io.appium.uiautomator2.http server"


@dataclass
class RunResult:
    latency: str
    devices: int
    wall: float
    pool_start: float
    exit_code: int
    outcome: str
    installs: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)
    wakeups_ms: list[float] = field(default_factory=list)


def default_suite() -> Path | None:
    return next((p for p in CANDIDATES if p.is_dir() and any(p.rglob("test_*.py"))), None)


def copy_suite(suite: Path, dest: Path, exclude: list[str]) -> int:
    """Copy the suite's test files (and conftest/helpers) into `dest`; returns the test files copied."""
    count = 0
    for path in suite.rglob("*.py"):
        if "__pycache__" in path.parts or any(word in path.name for word in exclude):
            continue
        target = dest / suite.name / path.relative_to(suite)  # a package, as in the repository
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        count += path.name.startswith("test_")
    return count


def pytest_ini(dest: Path) -> None:
    """The project's pytest settings (pyproject.toml), so the copy runs as ``./run-suite`` runs it."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    options = settings["ini_options"]
    lines = ["[pytest]"]
    for key, value in options.items():
        if key == "testpaths":  # the scratch folder holds only the suite
            continue
        if key == "pythonpath":
            value = [str(ROOT / entry) for entry in value]
        if isinstance(value, list):
            lines.append(f"{key} =")
            lines += [f"    {item}" for item in value]
        else:
            lines.append(f"{key} = {value}")
    (dest / "pytest.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")


def devices_yaml(dest: Path, count: int, latency: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "devices.yaml").read_text(encoding="utf-8"))
    pool = config["pools"][config["default_pool"]]
    pool.update(count=count, latency=latency)
    (dest / "devices.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dict(pool)


def device_epoch(device_time: str, host_time: float) -> float | None:
    """`MM-DD HH:MM:SS.mmm` (device time zone) as a naive epoch; the year is the host's."""
    year = datetime.fromtimestamp(host_time).year
    try:
        naive = datetime.strptime(f"{year}-{device_time}", "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return None
    return naive.timestamp()


def wakeups(out: Path) -> list[float]:
    """Milliseconds from each callback's logcat entry to its assembly by the recorder."""
    found = []
    for path in out.rglob("timeline.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for event in doc.get("events", []):
            host, raw = event.get("host_time"), event.get("device_time")
            if not isinstance(host, float | int) or not isinstance(raw, str):
                continue
            device = device_epoch(raw, host)
            if device is None:
                continue
            delta = host - device
            delta -= round(delta / 900) * 900  # time zone offsets are multiples of 15 minutes
            found.append(delta * 1000)
    return found


class LiveCounts:
    """Installs of ``package`` and UiA2 server starts, counted on each device's logcat as it streams."""

    def __init__(self, adb: Any, serials: list[str], package: str) -> None:
        from harness.android.device import AndroidDevice
        from harness.android.logcat import LogcatStream

        self.install_mark = f"{INSTALL_MARK}{package}"
        self.installs = dict.fromkeys(serials, 0)
        self.sessions = dict.fromkeys(serials, 0)
        self._lock = threading.Lock()
        self.streams = []
        for serial in serials:
            stream = LogcatStream(AndroidDevice(serial, adb).ad)
            stream.subscribe(lambda line, serial=serial: self._count(serial, line))
            self.streams.append(stream.start())

    def _count(self, serial: str, line: str) -> None:
        with self._lock:
            self.installs[serial] += self.install_mark in line
            self.sessions[serial] += SESSION_MARK in line

    def close(self) -> tuple[dict[str, int], dict[str, int]]:
        for stream in self.streams:
            stream.stop()
        with self._lock:
            return dict(self.installs), dict(self.sessions)


def run_once(
    suite: Path,
    devices: int,
    latency: str,
    exclude: list[str],
    keep: bool,
    extra: list[str],
    cache_dir: Path,
) -> RunResult:
    from harness.android.adb import AdbServer, adb_binary
    from harness.config.models import VirtualPool
    from harness.plugin.targets import virtual_device_props
    from harness.sim.farm import Farm

    work = Path(tempfile.mkdtemp(prefix=f"suite-bench-{latency}-{devices}-"))
    adb = AdbServer(port=free_loopback_port(), binary=adb_binary())
    env = dict(os.environ)
    env.update(
        ANDROID_ADB_SERVER_PORT=str(adb.port),
        ADBUTILS_ADB_PATH=adb.binary,
        RUSTORE_HARNESS_STATE_DIR=str(work / "sim-state"),
    )
    saved = {
        k: os.environ.get(k)
        for k in ("ANDROID_ADB_SERVER_PORT", "ADBUTILS_ADB_PATH", "RUSTORE_HARNESS_STATE_DIR")
    }
    os.environ.update({k: env[k] for k in saved})
    adb.start()
    farm = Farm(state_dir=work / "sim-state", adb=adb)
    try:
        copy_suite(suite, work, exclude)
        pytest_ini(work)
        pool_settings = devices_yaml(work, devices, latency)
        pool = VirtualPool.model_validate(pool_settings)
        started = time.perf_counter()
        state, _ = farm.up(devices, pool.profile, device_props=virtual_device_props(pool))
        pool_start = time.perf_counter() - started
        serials = [d.serial for d in state.devices]
        args = [sys.executable, "-m", "pytest", "-o", f"cache_dir={cache_dir}", "-q", "--output", "out"]
        args += ["--timeline", "on", "--contract-coverage", "off"]
        if devices > 1:  # as `rustore-harness run` does (docs/plugin.md)
            args += ["-n", str(devices), "--prewarm", "--slowest-first"]
        package = yaml.safe_load((work / "devices.yaml").read_text())["app"]["package"]
        counts = LiveCounts(adb, serials, package)
        started = time.perf_counter()
        proc = subprocess.run([*args, *extra], cwd=work, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        installs, sessions = counts.close()
        (work / "pytest.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        outcome = lines[-1].strip("= ") if lines else proc.stderr.strip()[-200:]
        return RunResult(
            latency,
            devices,
            wall,
            pool_start,
            proc.returncode,
            outcome,
            installs,
            sessions,
            wakeups(work / "out"),
        )
    finally:
        farm.down()
        adb.kill()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def print_table(results: list[RunResult]) -> None:
    base = {r.latency: r.wall for r in results if r.devices == 1}
    print(
        f"{'latency':10} {'devices':>7} {'wall s':>8} {'speed-up':>8} {'pool up s':>9} {'installs/dev':>12} "
        f"{'sessions/dev':>12} {'wake p50 ms':>11} {'wake p99 ms':>11}  outcome"
    )
    for r in results:
        speedup = f"{base[r.latency] / r.wall:.2f}x" if r.latency in base and r.wall > 0 else "-"
        inst = ",".join(str(v) for v in r.installs.values()) or "-"
        sess = ",".join(str(v) for v in r.sessions.values()) or "-"
        p50, p99 = (f"{v:.1f}" for v in percentiles(r.wakeups_ms)) if r.wakeups_ms else ("-", "-")
        print(
            f"{r.latency:10} {r.devices:>7} {r.wall:>8.1f} {speedup:>8} {r.pool_start:>9.1f} {inst:>12} "
            f"{sess:>12} {p50:>11} {p99:>11}  {r.outcome} (exit {r.exit_code})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "suite",
        nargs="?",
        type=Path,
        help="the flow suite (default: tests/flows, else tests/integration/suite)",
    )
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--latency", nargs="+", choices=("instant", "realistic"), default=["instant", "realistic"]
    )
    parser.add_argument(
        "--exclude",
        nargs="*",
        default=["fails_on_purpose"],
        help="skip test files whose name contains one of these",
    )
    parser.add_argument("--keep", action="store_true", help="keep each run's scratch folder (reports, logs)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="pytest cache folder to use and keep (one subfolder per profile): a later invocation "
        "with --devices 4 then orders its tests by the times an earlier one recorded",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []  # after --: passed to pytest
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    suite = args.suite or default_suite()
    if suite is None or not suite.is_dir() or not any(suite.rglob("test_*.py")):
        where = args.suite or " or ".join(str(p.relative_to(ROOT)) for p in CANDIDATES)
        print(f"suite_bench: no flow suite to run at {where} (no test_*.py files); nothing measured")
        return 2
    print(f"suite: {suite}  (excluding files matching {args.exclude})")
    results = []
    # The runs of one profile share a pytest cache, as a user's consecutive runs do: the smallest
    # run goes first and records the test times that --slowest-first orders the larger ones by.
    caches = args.cache_dir or Path(tempfile.mkdtemp(prefix="suite-bench-cache-"))
    for latency in args.latency:
        for devices in sorted(args.devices):
            result = run_once(suite, devices, latency, args.exclude, args.keep, extra, caches / latency)
            results.append(result)
            print(
                f"  {latency} × {devices}: {result.wall:.1f}s, {result.outcome}, "
                f"{len(result.wakeups_ms)} callbacks timed",
                flush=True,
            )
    if not args.keep and args.cache_dir is None:
        shutil.rmtree(caches, ignore_errors=True)
    print()
    print_table(results)
    return 0 if all(r.exit_code == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
