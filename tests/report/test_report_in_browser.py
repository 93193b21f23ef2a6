"""The main job's HTML report, opened in headless Chromium: what a QA lead sees, not what the file holds.

A user-style suite (one card purchase of con1, one availability check) runs through
`rustore-harness run` — the command `./run-suite` runs — on the virtual pool in a subprocess,
with ``--screenshot on --timeline on`` so the passing tests keep their evidence. The browser
then has to show the test names, the purchase's callback timeline with
``rustore_on_purchase_product_success``, the device screenshot's thumbnail with the device's
pixels, and the full-size screenshot a click on it opens. What the browser showed is saved next
to the report and in this test's artifact folder. The same check is then given a wrong picture,
a channel the test never logged and a test that did not run, and must fail on each.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from selenium.webdriver.chrome.webdriver import WebDriver

from harness.android.adb import AdbServer
from harness.artifacts import ArtifactFolder, slugify
from harness.plugin.session import harness_session

from .report_browser import chromium, look_at_report

ROOT = Path(__file__).resolve().parents[2]
SHOP_SUITE = """
def test_buy_con1_by_card(billing):
    bought = billing.buy("con1", method="card")
    assert bought.ok and bought.confirm is not None


def test_store_is_available(billing):
    billing.availability()
"""
RUN = [sys.executable, "-m", "harness.cli", "run", "-n", "1", "--contract-coverage", "report"]
BUY = "suite/test_shop.py::test_buy_con1_by_card"
AVAILABLE = "suite/test_shop.py::test_store_is_available"


@dataclass(frozen=True)
class ProducedReport:
    index: Path
    artifacts: Path

    def device_png(self, test_id: str) -> Path:
        return self.artifacts / slugify(test_id) / "screenshot.png"


@pytest.fixture(scope="module")
def produced_report(tmp_path_factory: pytest.TempPathFactory, private_adb: AdbServer) -> ProducedReport:
    """The report `rustore-harness run` writes for a small shop suite on the virtual pool."""
    home = tmp_path_factory.mktemp("shop")
    (home / "devices.yaml").write_text((ROOT / "devices.yaml").read_text())
    (home / "pytest.ini").write_text("[pytest]\n")  # the user's project root: test ids start at suite/
    (home / "suite").mkdir()
    (home / "suite" / "test_shop.py").write_text(SHOP_SUITE)
    env = dict(os.environ, RUSTORE_HARNESS_STATE_DIR=str(home / "sim-state"))
    done = subprocess.run(
        [*RUN, "suite", "--screenshot", "on", "--timeline", "on", "-p", "no:cacheprovider"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    report = ProducedReport(home / "reports" / "index.html", home / "reports" / "artifacts")
    assert f"  report:    {report.index}" in done.stdout
    return report


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium") / "chromedriver.log") as driver:
        yield driver


@pytest.mark.timeout(600)
def test_a_person_sees_test_names_timeline_and_device_screenshot(
    produced_report: ProducedReport, browser: WebDriver, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """One test, so that under xdist one worker runs the shop suite once for all the checks."""
    good: dict[str, Any] = {
        "test_ids": [BUY, AVAILABLE],
        "test_id": BUY,
        "channel": "rustore_on_purchase_product_success",
        "device_png": produced_report.device_png(BUY),
    }
    seen = look_at_report(
        browser, produced_report.index, **good, save_as=produced_report.index.with_name("report-in-browser")
    )
    folder = ArtifactFolder(harness_session(request.config).options.output, request.node.nodeid)
    for path in seen.files():
        assert path.is_file() and path.parent == produced_report.index.parent
        folder.write_bytes(path.name, path.read_bytes())
    with Image.open(seen.row) as row:
        assert row.width > 600 and row.height > 300  # the row, expanded: timeline and thumbnail

    # the same check must fail when the report does not show what it claims
    with Image.open(produced_report.device_png(BUY)) as device:
        Image.new("RGB", device.size, (230, 40, 40)).save(tmp_path / "red.png")  # same size, other pixels
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"device_png": tmp_path / "red.png"}, "the thumbnail does not show the device screenshot"),
        (
            {"channel": "rustore_on_delete_purchase_failure"},
            "channel rustore_on_delete_purchase_failure is not shown",
        ),
        ({"test_ids": [BUY, f"{BUY}_twice"]}, f"the report has no row for {re.escape(BUY)}_twice"),
    ]
    for change, failure in wrong:
        with pytest.raises(AssertionError, match=failure):
            look_at_report(browser, produced_report.index, **(good | change), save_as=tmp_path / "seen")
