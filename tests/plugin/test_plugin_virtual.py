"""The plugin on the virtual pool, through the real adb server: leasing, logcat, callbacks, artifacts.

Every scenario is an inner pytest run in a subprocess (``pytester.runpytest_subprocess``), the
way a user runs the plugin; it finds the shared virtual pool through RUSTORE_HARNESS_STATE_DIR.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from harness.rustore.logframe import encode_callback
from harness.sim.state import SimState

pytestmark = pytest.mark.usefixtures("virtual_env")

CHANNEL = "rustore_on_payment_logger_info"


def html_report_extras(report: Path) -> dict[str, list[dict[str, Any]]]:
    """test id → the extras pytest-html stored for it (its data blob, unescaped)."""
    found = re.search(r'data-jsonblob="([^"]*)"', report.read_text(encoding="utf-8"))
    assert found, "no data blob in the HTML report"
    tests = json.loads(html.unescape(found.group(1)))["tests"]
    return {test_id: [e for row in rows for e in row["extras"]] for test_id, rows in tests.items()}


def log_lines_call(payload: str, seq: int = 1, channel: str = CHANNEL) -> str:
    """Python source that writes one framed callback on the device with `log -t RuStoreHarness`."""
    lines = encode_callback(seq, channel, payload)
    return "".join(f"    adb_device.shell(['log', '-t', 'RuStoreHarness', {line!r}])\n" for line in lines)


def test_callbacks_expect_returns_a_callback_logged_on_the_device(pytester: pytest.Pytester) -> None:
    payload = '{"e": "{}", "message": "привет ₽"}'
    pytester.makepyfile(
        "def test_cb(adb_device, callbacks):\n"
        + log_lines_call(payload)
        + f"    event = callbacks.expect({CHANNEL!r}, timeout=20)\n"
        "    print('GOT', event.raw, event.seq)\n"
        f"    assert event.raw == {payload!r}\n"
        "    assert callbacks.events() == [event]\n"
    )
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*GOT {*привет ₽*} 1*"])


def test_callbacks_of_an_earlier_test_are_not_seen_by_the_next(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_first(adb_device, callbacks):\n"
        + log_lines_call('{"e": "{}", "message": "n1"}')
        + f"    callbacks.expect({CHANNEL!r}, timeout=20)\n"
        "def test_second(callbacks):\n"
        "    assert callbacks.events() == []\n"
        "    assert callbacks.timeline() == []\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_contract_violation_fails_the_test_itself(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_bad(adb_device, callbacks):\n"
        + log_lines_call("{not json", channel="rustore_on_purchase_product_success")
        + "    callbacks.expect('rustore_on_purchase_product_success', timeout=20)\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*ContractFailure: callback contract problems:*", "*rustore_on_purchase_product_success*"]
    )
    assert (
        pytester.path
        / "out"
        / "test_a_contract_violation_fails_the_test_itself.py-test_bad"
        / "timeline.json"
    ).is_file()


FAILING = (
    "def test_pays(device, adb_device, callbacks):\n"
    "    adb_device.shell(['log', '-t', 'Game', 'about to pay'])\n"
    + log_lines_call('{"e": "{}", "message": "sheet"}')
    + f"    callbacks.expect({CHANNEL!r}, timeout=20)\n"
    "    assert 'paid' == 'declined', 'made to fail on purpose'\n"
    "\n"
    "def test_passes(device, adb_device):\n"
    "    assert adb_device.sdk >= 24\n"
)


def test_a_failing_test_leaves_its_evidence_in_output_and_html(
    pytester: pytest.Pytester, virtual_env: SimState
) -> None:
    pytester.makepyfile(test_demo=FAILING)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--output", "out", "--html", "report.html", "--junitxml", "junit.xml"
    )
    result.assert_outcomes(passed=1, failed=1)
    folder = pytester.path / "out" / "test_demo.py-test_pays"
    png = (folder / "screenshot.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    timeline = json.loads((folder / "timeline.json").read_text())
    assert [e["channel"] for e in timeline["events"]] == [CHANNEL]
    assert "sheet" in (folder / "timeline.html").read_text()
    logcat = (folder / "logcat.txt").read_text()
    assert "Game" in logcat and "about to pay" in logcat and "RuStoreHarness" in logcat
    assert "<hierarchy" in (folder / "ui-tree.xml").read_text()
    assert not (pytester.path / "out" / "test_demo.py-test_passes").exists(), (
        "a passing test keeps nothing by default"
    )
    extras = html_report_extras(pytester.path / "report.html")["test_demo.py::test_pays"]
    screenshot = [e for e in extras if e.get("name") == "screenshot"]
    assert screenshot and (pytester.path / screenshot[0]["content"]).read_bytes() == png
    htmls = " ".join(str(e["content"]) for e in extras if e["format_type"] == "html")
    assert "Callback timeline: test_demo.py::test_pays" in htmls and "sheet" in htmls
    assert "logcat excerpt" in htmls and "about to pay" in htmls
    cases = {c.get("name"): c for c in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")}
    props = {p.get("name"): p.get("value") for p in cases["test_pays"].iter("property")}
    serials = {d.serial for d in virtual_env.devices}
    assert props["device.serial"] in serials
    assert (
        props["device.model"] == "Pixel 7"
        and props["device.sdk"] == "34"
        and props["device.pool"] == "virtual"
    )


def test_a_failing_tests_evidence_is_attached_to_its_allure_result(
    pytester: pytest.Pytester, virtual_env: SimState
) -> None:
    """With allure-pytest installed, ``--alluredir`` results carry the same files the output keeps,
    attached to the test's tear-down (where the harness captures them)."""
    pytester.makepyfile(test_demo=FAILING)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--output", "out", "--alluredir", "allure"
    )
    result.assert_outcomes(passed=1, failed=1)
    allure = pytester.path / "allure"
    results = [json.loads(p.read_text()) for p in allure.glob("*-result.json")]
    containers = [json.loads(p.read_text()) for p in allure.glob("*-container.json")]

    def attachments_of(test: dict[str, Any]) -> dict[str, dict[str, Any]]:
        mine = [c for c in containers if test["uuid"] in c.get("children", [])]
        return {
            a["name"]: a for c in mine for step in c.get("afters", []) for a in step.get("attachments", [])
        }

    failed = next(r for r in results if r["name"] == "test_pays")
    assert failed["status"] == "failed" and "made to fail on purpose" in failed["statusDetails"]["message"]
    attached = attachments_of(failed)
    assert {"screenshot.png", "timeline.html", "timeline.json", "logcat.txt", "ui-tree.xml"} <= set(attached)
    assert attached["screenshot.png"]["type"] == "image/png"
    folder = pytester.path / "out" / "test_demo.py-test_pays"
    for name in ("screenshot.png", "logcat.txt"):  # the very bytes the output folder keeps
        assert (allure / attached[name]["source"]).read_bytes() == (folder / name).read_bytes(), name
    passed = next(r for r in results if r["name"] == "test_passes")
    assert passed["status"] == "passed" and not attachments_of(passed), "a passing test keeps nothing"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], set()),
        (["--screenshot", "on"], {"screenshot.png"}),
        (["--logcat", "on", "--timeline", "on"], {"logcat.txt", "timeline.json", "timeline.html"}),
        (["--screenshot", "off", "--logcat", "off", "--timeline", "off", "--ui-tree", "off"], set()),
    ],
)
def test_artifacts_kept_on_pass_per_option(
    pytester: pytest.Pytester, options: list[str], expected: set[str]
) -> None:
    pytester.makepyfile(test_ok="def test_ok(device, callbacks):\n    assert callbacks.events() == []\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out", *options)
    result.assert_outcomes(passed=1)
    folder = pytester.path / "out" / "test_ok.py-test_ok"
    kept = {p.name for p in folder.iterdir()} - {"attempts.json"} if folder.exists() else set()
    assert kept == expected


def test_artifacts_removed_on_failure_when_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad="def test_bad(device, callbacks):\n    assert False, 'on purpose'\n")
    off = ["--screenshot", "off", "--logcat", "off", "--timeline", "off", "--ui-tree", "off"]
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out", *off)
    result.assert_outcomes(failed=1)
    assert not (pytester.path / "out" / "test_bad.py-test_bad").exists()


RERUN_CONFTEST = '''
from _pytest.runner import runtestprotocol

def pytest_runtest_protocol(item, nextitem):
    """A two-attempt rerun, as pytest-rerunfailures does it (execution_count on the item)."""
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for attempt in (1, 2):
        item.execution_count = attempt
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        if attempt == 2 or not any(r.failed for r in reports):
            for report in reports:
                item.ihook.pytest_runtest_logreport(report=report)
            break
        item._initrequest()
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
'''


def test_a_rerun_keeps_the_final_attempt_and_lists_the_earlier(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(RERUN_CONFTEST)
    pytester.makepyfile(
        test_flaky=(
            "import pathlib\n"
            "def test_flaky(device, adb_device, callbacks):\n"
            "    marker = pathlib.Path('attempted')\n"
            "    first = not marker.exists()\n"
            "    marker.write_text('x')\n"
            "    adb_device.shell(['log', '-t', 'Game', 'attempt-first' if first else 'attempt-second'])\n"
            "    assert not first, 'first attempt fails'\n"
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out", "--logcat", "on")
    result.assert_outcomes(passed=1)
    folder = pytester.path / "out" / "test_flaky.py-test_flaky"
    assert "attempt-second" in (folder / "logcat.txt").read_text()
    assert "attempt-first" not in (folder / "logcat.txt").read_text()
    assert not (folder / "screenshot.png").exists(), "the final attempt passed: its screenshot is not kept"
    attempts = json.loads((folder / "attempts.json").read_text())["attempts"]
    assert [(a["number"], a["outcome"], a["removed"]) for a in attempts] == [
        (1, "failed", True),
        (2, "passed", False),
    ]
    assert "screenshot.png" in attempts[0]["files"]


def test_min_sdk_skips_older_devices_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.min_sdk(99)
        def test_future(device):
            raise AssertionError("must not run")

        @pytest.mark.min_sdk(21)
        def test_today(device):
            assert device.android.sdk >= 21
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*min_sdk(99): device virtual-* runs API 34*"])


def test_store_fixture_controls_the_virtual_pools_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.needs_store_controls
        def test_store(store):
            assert store.clock() is not None
            assert store.settings() is not None
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_two_workers_lease_two_different_devices(
    pytester: pytest.Pytester, virtual_env: SimState, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = pytester.path / "leases.txt"
    monkeypatch.setenv("LEASE_LOG", str(log))
    pytester.makepyfile(
        test_lease="""
        import os, pytest

        @pytest.mark.parametrize("n", range(6))
        def test_where(device, n):
            with open(os.environ["LEASE_LOG"], "a") as f:
                f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {device.serial}\\n")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    pairs = {tuple(line.split()) for line in log.read_text().splitlines()}
    by_worker: dict[str, set[str]] = {}
    for worker, serial in pairs:
        by_worker.setdefault(worker, set()).add(serial)
    assert sorted(by_worker) == ["gw0", "gw1"]
    assert all(len(serials) == 1 for serials in by_worker.values()), by_worker
    used = set().union(*by_worker.values())
    assert used == {d.serial for d in virtual_env.devices}, "no device used twice: each worker has its own"


def test_each_mode_runs_every_test_on_every_device(pytester: pytest.Pytester, virtual_env: SimState) -> None:
    pytester.makepyfile(test_each="def test_here(device):\n    print('ON', device.serial)\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--device-mode", "each", "-v", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_here[[]virtual-1[]]*", "*test_here[[]virtual-2[]]*"])
    seen = {word for line in result.stdout.lines for word in line.split() if word.startswith("127.0.0.1:")}
    assert seen == {d.serial for d in virtual_env.devices}


def test_each_mode_under_xdist_runs_every_pair_once_with_exclusive_leases(
    pytester: pytest.Pytester, virtual_env: SimState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without working loadgroup (pytest-xdist#1386 on pytest 9.2) workers swap leases per device;
    a lease is exclusive, so a device's tests never overlap."""
    log = pytester.path / "each.txt"
    monkeypatch.setenv("EACH_LOG", str(log))
    pytester.makepyfile(
        test_each="""
        import os, time

        def _note(device):
            start = time.monotonic()
            device.android.shell(["log", "-t", "Each", "x"])
            with open(os.environ["EACH_LOG"], "a") as f:
                f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {device.spec.id} {device.serial} "
                        f"{start} {time.monotonic()}\\n")

        def test_a(device):
            _note(device)

        def test_b(device):
            _note(device)

        def test_c(device):
            _note(device)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--device-mode", "each", "-n", "2")
    result.assert_outcomes(passed=6)
    rows = [line.split() for line in log.read_text().splitlines()]
    assert sorted(spec for _, spec, *_ in rows) == ["virtual-1"] * 3 + ["virtual-2"] * 3
    assert {serial for _, _, serial, *_ in rows} == {d.serial for d in virtual_env.devices}
    for spec in ("virtual-1", "virtual-2"):
        spans = sorted((float(a), float(b), w) for w, s, _, a, b in rows if s == spec)
        for (_, end, w1), (start, _, w2) in itertools.pairwise(spans):
            assert w1 == w2 or start >= end, f"{spec} used by {w1} and {w2} at once"
