"""Contract coverage of a run: collected per test, merged across xdist workers, checked at the end.

Every test that uses ``callbacks`` (any `CallbackRecorder` under that fixture name) contributes
what its timeline shows; a test can add what no callback shows (a server code it provoked over
HTTP, a transition it read from the sandbox's audit) through the ``contract_coverage`` fixture.
The controller writes ``coverage.json`` and ``coverage.html`` into ``--output``, adds the table to
the pytest-html report, and under ``--contract-coverage require`` fails the run naming every
channel, code and transition nobody exercised. Reference: docs/coverage.md.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from harness.plugin.options import GROUP
from harness.plugin.session import harness_session
from harness.report.coverage import (
    CoverageData,
    CoverageStates,
    HitsOfTest,
    collect_events,
    dumps,
    missing_message,
    render_html,
    transition_key,
)
from harness.rustore.recorder import CallbackRecorder

MODES = ("off", "report", "require")
WORKER_KEY = "harness_contract_coverage"
_ITEM_KEY = pytest.StashKey[HitsOfTest]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP)
    group.addoption(
        "--contract-coverage",
        choices=MODES,
        default=None,
        help="report (default): write coverage.json/.html to --output; require: also fail the run "
        "when a channel, error code or legal state transition was not exercised; off: collect nothing",
    )
    parser.addini(
        "harness_contract_coverage", "off, report or require (like --contract-coverage)", default="report"
    )


class ContractCoverage:
    """Explicit records for what the callbacks cannot show (the fixture hands this out)."""

    def __init__(self, test: HitsOfTest) -> None:
        self._test = test

    def server_code(self, code: int) -> None:
        """The game's server answered `code` (1100/2111/2112/5000/5003) to a request the test made."""
        self._test.add("iap_server_codes", str(int(code)))

    def rustore_code(self, code: int) -> None:
        from harness.report.coverage import rustore_code_key

        key = rustore_code_key(int(code))
        if key is None:
            raise ValueError(f"{code} is not a RuStore errorCode of §5.1")
        self._test.add("rustore_codes", key)

    def transition(self, product_type: str, src: str | None, dst: str) -> None:
        """A transition the test saw happen (e.g. in the sandbox's audit); must be legal."""
        from harness.report.coverage import legal_transitions

        key = transition_key(product_type, src, dst)
        if key not in legal_transitions():
            raise ValueError(f"{key} is not a legal transition of §3")
        self._test.add("transitions", key)

    def audit(self, product_type: str, states: list[str]) -> None:
        """A purchase's whole audited state list (``['CREATED', 'INVOICE_CREATED', 'PAID', …]``)."""
        previous: str | None = None
        for state in states:
            if state != previous:
                self.transition(product_type, previous, state)
            previous = state


@pytest.fixture
def contract_coverage(request: pytest.FixtureRequest) -> ContractCoverage:
    """Add to the run's contract coverage what no callback shows (ignored under ``off``)."""
    return ContractCoverage(request.node.stash.setdefault(_ITEM_KEY, HitsOfTest(request.node.nodeid)))


class CoveragePlugin:
    def __init__(self, config: pytest.Config, mode: str) -> None:
        self.config, self.mode = config, mode
        self.data = CoverageData()
        self._states: dict[int, CoverageStates] = {}
        self.message = ""
        self.written: list[str] = []
        self.report: dict[str, Any] | None = None

    # ------------------------------------------------------------ per test

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, Any]:
        report = yield
        if call.when == "teardown":
            self._collect(item)
        return report

    def _collect(self, item: pytest.Item) -> None:
        test = item.stash.get(_ITEM_KEY, None) or HitsOfTest(item.nodeid)
        recorder = (getattr(item, "funcargs", None) or {}).get("callbacks")
        if isinstance(recorder, CallbackRecorder):
            states = self._states.setdefault(id(recorder), CoverageStates())
            collect_events(test, recorder.events(), recorder.iap_codes(), states)
        if not test.empty():
            self.data.add_test(test)

    # ------------------------------------------------------------ xdist

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", None) or {}
        if WORKER_KEY in output:
            self.data.merge_json(output[WORKER_KEY])

    # ------------------------------------------------------------ end of run

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[WORKER_KEY] = self.data.to_json()
            return
        if not self.data.tests and self.mode != "require":
            return
        self.report = self.data.report()
        output = harness_session(self.config).options.output
        output.mkdir(parents=True, exist_ok=True)
        (output / "coverage.json").write_text(dumps(self.report), encoding="utf-8")
        (output / "coverage.html").write_text(render_html(self.report), encoding="utf-8")
        self.written = [str(output / "coverage.json"), str(output / "coverage.html")]
        if self.mode == "require":
            self.message = missing_message(self.report["missing"])
            if self.message and session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: Any, postfix: Any) -> None:
        if self.report is not None:
            prefix.append(render_html(self.report, standalone=False))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None:
            return
        terminalreporter.section("rustore-harness: contract coverage")
        for kind, counts in self.report["summary"].items():
            terminalreporter.write_line(f"{kind}: {counts['exercised']}/{counts['total']}")
        for path in self.written:
            terminalreporter.write_line(f"written: {path}")
        if self.message:
            terminalreporter.write_line("--contract-coverage require: FAILED", red=True, bold=True)
            for line in self.message.splitlines():
                terminalreporter.write_line(line, red=True)


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("contract_coverage")
    mode = str(value) if value is not None else str(config.getini("harness_contract_coverage"))
    if mode not in MODES:
        raise pytest.UsageError(
            f"ini harness_contract_coverage = {mode!r}: expected one of {', '.join(MODES)}"
        )
    if mode != "off":
        config.pluginmanager.register(CoveragePlugin(config, mode), "rustore-harness-coverage")
