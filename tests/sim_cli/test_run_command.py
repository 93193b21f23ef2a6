"""`rustore-harness run`: the pytest command it builds, its refusals, and one real run end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from harness.android.adb import AdbServer
from harness.cli import cli
from harness.cli_run import plan_run

ROOT = Path(__file__).resolve().parents[2]


def plan(tmp_path: Path, *pytest_args: str, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "pytest_args": pytest_args,
        "pool": "virtual",
        "pool_size": 2,
        "workers": None,
        "output": None,
        "report_dir": Path("reports"),
        "devices_file": None,
        "contract_coverage": "require",
        "cwd": tmp_path,
    }
    values.update(overrides)
    return plan_run(**values)  # type: ignore[arg-type]


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    (tmp_path / "tests" / "flows").mkdir(parents=True)
    return tmp_path


def test_defaults_run_the_flow_suite_on_two_workers_with_report_junit_and_coverage(flows_dir: Path) -> None:
    p = plan(flows_dir)
    reports = flows_dir / "reports"
    assert p.pytest_args == [
        "--pool",
        "virtual",
        "-n",
        "2",
        "--prewarm",
        "--slowest-first",
        "--output",
        str(reports / "artifacts"),
        "--contract-coverage",
        "require",
        "--html",
        str(reports / "index.html"),
        "--junitxml",
        str(reports / "junit.xml"),
        "tests/flows",
    ]
    assert p.command()[:3] == [sys.executable, "-m", "pytest"]
    assert p.coverage_files() == [
        reports / "artifacts" / "coverage.html",
        reports / "artifacts" / "coverage.json",
    ]


def test_named_tests_replace_the_default_and_other_arguments_pass_through(flows_dir: Path) -> None:
    (flows_dir / "mine").mkdir()
    (flows_dir / "mine" / "test_a.py").write_text("")
    p = plan(flows_dir, "-k", "tests", "mine/test_a.py::test_x", "-x", "--screenshot", "on")
    assert p.tests == ["mine/test_a.py::test_x"]
    assert "tests/flows" not in p.pytest_args
    assert p.pytest_args[-6:] == ["-k", "tests", "mine/test_a.py::test_x", "-x", "--screenshot", "on"]
    ignoring = plan(flows_dir, "--ignore", "mine/test_a.py", "-k", "tests")
    assert ignoring.tests == ["tests/flows"]  # option values are not test paths


def test_options_choose_pool_workers_folders_and_devices_file(flows_dir: Path) -> None:
    p = plan(
        flows_dir,
        pool="usb",
        pool_size=5,
        workers=3,
        output=Path("/abs/out"),
        report_dir=Path("r"),
        devices_file=Path("my.yaml"),
        contract_coverage="report",
    )
    args = p.pytest_args
    assert args[args.index("--pool") + 1] == "usb" and args[args.index("-n") + 1] == "3"
    assert args[args.index("--output") + 1] == "/abs/out"
    assert args[args.index("--devices-file") + 1] == str(flows_dir / "my.yaml")
    assert args[args.index("--contract-coverage") + 1] == "report"
    assert p.html == flows_dir / "r" / "index.html" and p.junit == flows_dir / "r" / "junit.xml"


def test_a_pool_of_one_phone_gets_one_worker(flows_dir: Path) -> None:
    assert plan(flows_dir, pool_size=1).workers == 1
    assert plan(flows_dir, pool_size=4).workers == 2  # the default stays at two
    assert plan(flows_dir, pool_size=4, workers=0).pytest_args[3] == "0"


def test_contract_coverage_among_pytest_args_is_not_doubled(flows_dir: Path) -> None:
    args = plan(flows_dir, "--contract-coverage=off").pytest_args
    assert [a for a in args if a.startswith("--contract-coverage")] == ["--contract-coverage=off"]


@pytest.mark.parametrize("arg", ["--html=x.html", "--junitxml", "--output", "-n", "-n4", "--numprocesses=2"])
def test_options_the_command_owns_are_refused_among_pytest_args(flows_dir: Path, arg: str) -> None:
    with pytest.raises(click.UsageError, match="set by `rustore-harness run`"):
        plan(flows_dir, arg)


def test_without_tests_flows_it_says_where_to_run_it(tmp_path: Path) -> None:
    with pytest.raises(click.UsageError, match=r"no tests/flows/ in .*: run from the repository root"):
        plan(tmp_path)


def test_cli_reports_a_missing_suite_and_a_bad_pool_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "devices.yaml").write_text((ROOT / "devices.yaml").read_text())
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2 and "no tests/flows/ in" in result.output
    result = CliRunner().invoke(cli, ["run", "--pool", "virtal"])
    assert result.exit_code == 2 and "unknown pool 'virtal' (did you mean 'virtual'?)" in result.output


TINY_SUITE = """
def test_device_answers(adb_device):
    assert adb_device.getprop("ro.build.version.sdk") == "34"


def test_model(adb_device):
    assert adb_device.model
"""


@pytest.mark.timeout(600)
def test_run_end_to_end_on_the_virtual_pool(tmp_path: Path, private_adb: AdbServer) -> None:
    """A real run: two workers on the virtual pool, report and JUnit written, paths printed, exit status
    passed on (the tiny suite passes, but it exercises no channel, so `require` coverage fails the run)."""
    (tmp_path / "devices.yaml").write_text((ROOT / "devices.yaml").read_text())
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "test_tiny.py").write_text(TINY_SUITE)
    env = dict(os.environ, RUSTORE_HARNESS_STATE_DIR=str(tmp_path / "sim-state"))
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "tiny", "--screenshot", "on", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=560,
    )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "rustore-harness run: tiny on pool virtual (virtual), 2 worker(s)" in done.stderr
    assert "--contract-coverage require: FAILED" in out
    reports = tmp_path / "reports"
    tail = out[out.rindex("rustore-harness run: exit 1") :].splitlines()
    assert tail == [
        "rustore-harness run: exit 1 (tests failed, or the contract coverage check did)",
        f"  report:    {reports / 'index.html'}",
        f"  JUnit:     {reports / 'junit.xml'}",
        f"  coverage:  {reports / 'artifacts' / 'coverage.html'}",
        f"             {reports / 'artifacts' / 'coverage.json'}",
        f"  artifacts: {reports / 'artifacts'}",
    ]
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        "2",
        "0",
        "0",
    )
    serials = {
        p.get("value")
        for p in ET.parse(reports / "junit.xml").iter("property")
        if p.get("name") == "device.serial"
    }
    assert len(serials) == 2, serials  # two workers, one device each
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert "test_tiny.py::test_device_answers" in page
    assert len(list((reports / "assets").glob("*.png"))) == 2  # the screenshots the thumbnails open
    shots = sorted(p.parent.name for p in (reports / "artifacts").glob("*/screenshot.png"))
    assert shots == ["tiny-test_tiny.py-test_device_answers", "tiny-test_tiny.py-test_model"]
