"""Per-test evidence: screenshot, UI tree, logcat excerpt and callback timeline, kept per option.

An autouse fixture does the work, but only for tests that use a device (it asks pytest whether
``device`` is among the test's fixtures, so pure tests never lease one). At setup it marks the
logcat stream; at teardown — after the test and its other fixtures — it knows whether the test
failed (pytest-playwright's rule: the call failed, or never ran because setup failed), captures
what the options ask for into ``<output>/<slug(nodeid)>/`` and hands the files to the reports.
On a remote pool (no adb) the screenshot and UI tree come from the Appium session and the
logcat excerpt from its logcat broadcast, for tests that use those.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException

from harness.android.adb import AdbError
from harness.android.logcat import LogcatStream
from harness.artifacts import ArtifactFolder, should_capture
from harness.plugin.keys import ATTEMPTS_NOTE, KEPT, REPORTS
from harness.plugin.session import HarnessSession
from harness.plugin.targets import DeviceTarget
from harness.report.extras import allure_attach, junit_properties
from harness.report.timeline import timeline_html
from harness.rustore.recorder import CallbackRecorder


def did_fail(item: pytest.Item) -> bool:
    reports = item.stash.get(REPORTS, {})
    call = reports.get("call")
    return call is None or call.failed


@pytest.fixture(autouse=True)
def _harness_artifacts(request: pytest.FixtureRequest, _harness: HarnessSession) -> Iterator[None]:
    if "device" not in request.fixturenames:
        yield
        return
    target = request.getfixturevalue("device")
    if not isinstance(target, DeviceTarget):  # a project's own `device` fixture overrides ours
        yield
        return
    junit_properties(request.node, target.info())
    # A remote device's logcat is its Appium session's broadcast: opened only for tests that use it.
    remote = target.android is None
    stream: LogcatStream | None = (
        request.getfixturevalue("logcat") if not remote or "logcat" in request.fixturenames else None
    )
    driver: Any = None  # a remote device's screen comes from its session, for tests that use one
    if remote and "appium_driver" in request.fixturenames:
        driver = request.getfixturevalue("appium_driver")
    mark = stream.sync_mark(f"test start: {request.node.nodeid}") if stream is not None else None
    recorder: CallbackRecorder | None = (
        request.getfixturevalue("callbacks") if "callbacks" in request.fixturenames else None
    )  # taken now: at teardown the function-scoped fixture is already gone
    yield
    item = request.node
    failed = did_fail(item)
    options = _harness.options
    attempt = int(getattr(item, "execution_count", 1))
    folder = ArtifactFolder(options.output, item.nodeid, attempt)
    kept: dict[str, Path] = {}
    android = target.android
    if (android is not None or driver is not None) and should_capture(options.screenshot, failed):
        try:
            png = android.screenshot() if android is not None else driver.get_screenshot_as_png()
            kept["screenshot"] = folder.write_bytes("screenshot.png", png)
        except (AdbError, OSError, WebDriverException) as exc:
            kept["screenshot_error"] = folder.write_text("screenshot-error.txt", f"{exc}\n")
    if (android is not None or driver is not None) and should_capture(options.ui_tree, failed):
        try:
            tree = android.ui_dump() if android is not None else str(driver.page_source)
            kept["ui_tree"] = folder.write_text("ui-tree.xml", tree)
        except (AdbError, OSError, WebDriverException) as exc:
            kept["ui_tree_error"] = folder.write_text("ui-tree-error.txt", f"{exc}\n")
    if stream is not None and mark is not None and should_capture(options.logcat, failed):
        stream.sync_mark(f"test end: {item.nodeid}")  # lines the test logged last are read, not in flight
        kept["logcat"] = folder.write_text("logcat.txt", stream.excerpt(mark).text())
    if recorder is not None and should_capture(options.timeline, failed):
        doc = recorder.timeline_json()
        kept["timeline_json"] = folder.write_text("timeline.json", doc)
        kept["timeline_html"] = folder.write_text(
            "timeline.html", timeline_html(doc, title=f"Callback timeline: {item.nodeid}")
        )
    attempts = folder.finish("failed" if failed else "passed")
    earlier = [a for a in attempts if a is not folder.attempt]
    if earlier:
        item.stash[ATTEMPTS_NOTE] = "earlier attempts (artifacts replaced by this one): " + ", ".join(
            f"#{a.number} {a.outcome}" for a in earlier
        )
    item.stash[KEPT] = kept
    allure_attach(kept)
