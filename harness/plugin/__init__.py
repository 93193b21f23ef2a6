"""The pytest plugin (entry point ``pytest11: rustore_harness``); reference: docs/plugin.md.

Fixtures live in ``fixtures_*`` modules listed in ``pytest_plugins`` below; a new area
(Appium sessions, the game's page object, billing flows) adds its module to that list.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

import pytest

from harness.plugin.keys import ATTEMPTS_NOTE, KEPT, REPORTS
from harness.plugin.options import add_options
from harness.plugin.session import RUN_DIR_KEY, SESSION_KEY, HarnessSession, harness_session
from harness.plugin.targets import DeviceTarget
from harness.pool import xdist_group
from harness.report.extras import html_extras
from harness.rustore.recorder import CallbackRecorder

pytest_plugins = [
    "harness.plugin.fixtures_device",
    "harness.plugin.fixtures_callbacks",
    "harness.plugin.fixtures_store",
    "harness.plugin.fixtures_artifacts",
    "harness.plugin.coverage",
    "harness.plugin.fixtures_appium",
    "harness.plugin.prewarm",
    "harness.plugin.ordering",
    "harness.plugin.fixtures_app",
    "harness.plugin.fixtures_billing",
]

MARKERS = (
    "needs_store_controls: the test steers the store (sandbox); skipped on pools without one",
    "min_sdk(level): the test needs Android API `level` or newer; skipped on older devices",
)

__all__ = ["DeviceTarget"]


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


class _XdistHooks:
    """Registered only when pytest-xdist is loaded (its hooks are unknown otherwise)."""

    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[RUN_DIR_KEY] = str(harness_session(node.config).run_dir)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    session = HarnessSession.create(config)
    config.stash[SESSION_KEY] = session
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "rustore-harness-xdist")


def pytest_report_header(config: pytest.Config) -> str | None:
    """One line saying what the harness will do (only the options: the devices file loads lazily)."""
    session = config.stash.get(SESSION_KEY, None)
    if session is None or not session.options.devices_file.is_file():
        return None
    o = session.options
    return (
        f"rustore-harness: {o.devices_file.name}, pool {o.pool or '(default)'}, mode {o.device_mode}, "
        f"output {o.output}, contract {o.contract}"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Options that name devices are checked before collection: a typo is one line, not a traceback."""
    harness = harness_session(session.config)
    if harness.options.device_filter or harness.options.device_mode == "each":
        harness.device_specs()


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.finish()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``--device-mode each``: every device-using test once per device, the device in its id."""
    session = harness_session(metafunc.config)
    if session.options.device_mode != "each" or "device" not in metafunc.fixturenames:
        return
    specs = session.device_specs()
    metafunc.parametrize(
        "device", [s.id for s in specs], indirect=True, scope="session", ids=[s.label or s.id for s in specs]
    )


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads xdist_group marks for --dist loadgroup
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if harness_session(config).options.device_mode != "each":
        return
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "device" in callspec.params:
            item.add_marker(pytest.mark.xdist_group(xdist_group(str(callspec.params["device"]))))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("needs_store_controls") is not None:
        from harness.plugin.fixtures_store import no_store_reason

        reason = no_store_reason(harness_session(item.config))
        if reason:
            pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Devices taken out of the run, with why (read from the run directory every worker shares)."""
    session = config.stash.get(SESSION_KEY, None)
    if session is None or not session.is_controller:
        return
    lines = []
    for path in sorted((session.run_dir / "pool").glob("*/quarantine.json")):
        for device_id, record in json.loads(path.read_text()).items():
            lines.append(f"{path.parent.name}/{device_id}: {record['reason']} (by {record['worker']})")
    if lines:
        terminalreporter.section("rustore-harness: quarantined devices")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _harness_min_sdk(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("min_sdk")
    if marker is None:
        return
    level = int(marker.args[0]) if marker.args else int(marker.kwargs["level"])
    target = request.getfixturevalue("device")
    if not isinstance(target, DeviceTarget):
        return
    if target.android is None:
        pytest.skip(f"min_sdk({level}): the API level of remote device {target.name} is unknown to adb")
    if target.android.sdk < level:
        pytest.skip(f"min_sdk({level}): device {target.name} runs API {target.android.sdk}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Judge the callbacks right after the test body, so a contract violation fails the test itself."""
    result = yield
    recorder = getattr(item, "funcargs", {}).get("callbacks")
    if not isinstance(recorder, CallbackRecorder):  # unused, or a project's own `callbacks` fixture
        return result
    recorder.flush()
    deviations = [f"#{e.index} seq={e.seq} {d}" for e, d in recorder.deviations]
    if deviations and not recorder.strict:
        item.add_report_section("call", "callback contract deviations", "\n".join(deviations))
    recorder.assert_clean()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    if report.when == "teardown":
        kept = item.stash.get(KEPT, {})
        extras = html_extras(kept, item.stash.get(ATTEMPTS_NOTE, ""))
        if extras:
            report.extras = [*getattr(report, "extras", []), *extras]  # type: ignore[attr-defined]
    return report
