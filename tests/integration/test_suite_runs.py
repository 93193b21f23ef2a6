"""The user-written integration suite (``suite/``) on two virtual devices through real Appium.

One inner ``pytest -n 2`` run (a subprocess, as a user starts it) in a pytester folder with the
project's devices.yaml: a purchase per method end to end (validated by the game's server,
CONSUMED/CONFIRMED in the sandbox), the bank that never returns, the purchases screen's flows,
a test that leaves a PAID purchase for the sweep, and one test that fails on purpose. The run
must use two distinct devices at once, and the failing test must leave its
screenshot, callback timeline and logcat excerpt in ``--output`` and in the HTML report.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.android.adb import AdbServer

ROOT = Path(__file__).resolve().parents[2]
SUITE = Path(__file__).parent / "suite"
FAILING = "test_fails_on_purpose.py::test_status_is_not_what_we_claim"


@pytest.mark.timeout(900)
def test_suite_on_two_virtual_devices_through_appium(
    pytester: pytest.Pytester, private_adb: AdbServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSTORE_HARNESS_STATE_DIR", str(pytester.path / "sim-state"))
    (pytester.path / "devices.yaml").write_text((ROOT / "devices.yaml").read_text())
    for test_file in SUITE.glob("test_*.py"):
        (pytester.path / test_file.name).write_text(test_file.read_text())
    result = pytester.runpytest_subprocess(
        "-n",
        "2",
        "--pool",
        "virtual",
        "-p",
        "no:cacheprovider",
        "--output",
        "out",
        "--junitxml",
        "junit.xml",
        "--html",
        "report.html",
        "--self-contained-html",
        "-rf",
    )
    result.assert_outcomes(passed=11, failed=1)
    result.stdout.fnmatch_lines(["*failing on purpose*"])

    # two devices at once: JUnit's device.serial property per test names both
    serials = {
        prop.get("value")
        for case in ET.parse(pytester.path / "junit.xml").iter("testcase")
        for prop in case.iter("property")
        if prop.get("name") == "device.serial"
    }
    assert len(serials) == 2, serials

    # the failing test's evidence
    folders = [p for p in (pytester.path / "out").iterdir() if "test_status_is_not_what_we_claim" in p.name]
    assert len(folders) == 1, list((pytester.path / "out").iterdir())
    folder = folders[0]
    assert (folder / "screenshot.png").read_bytes().startswith(b"\x89PNG")
    timeline = json.loads((folder / "timeline.json").read_text())
    assert "rustore_check_purchases_available_success" in [e["channel"] for e in timeline["events"]]
    assert "ui: click btn_check" in (folder / "logcat.txt").read_text()
    passing = [p for p in (pytester.path / "out").iterdir() if "test_buy_consumable" in p.name]
    assert passing == []  # a passing test keeps nothing under the default options

    report = pytester.path / "report.html"
    blob = re.search(r'data-jsonblob="([^"]*)"', report.read_text(encoding="utf-8"))
    assert blob is not None, "no data blob in the HTML report"
    tests = json.loads(html.unescape(blob.group(1)))["tests"]
    extras = [e for row in tests[FAILING] for e in row["extras"]]
    assert any(e.get("name") == "screenshot" for e in extras), extras
    htmls = " ".join(str(e["content"]) for e in extras if e["format_type"] == "html")
    assert f"Callback timeline: {FAILING}" in htmls and "logcat excerpt" in htmls
    # the PAID purchase a test left behind was confirmed by the sweep, and the report says so
    swept = re.search(
        r"confirm \S+ \(con1, PAID\): rustore_on_confirm_purchase_success", report.read_text(encoding="utf-8")
    )
    assert swept is not None
