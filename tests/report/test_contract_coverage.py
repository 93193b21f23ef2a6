"""Contract coverage: what a run exercised, its files, the xdist merge and the opt-in final check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.report.coverage import CoverageData, CoverageStates, HitsOfTest, legal_transitions, universe
from harness.rustore.recorder import CallbackRecorder

from . import synthetic

SYNTHETIC = Path(synthetic.__file__).read_text(encoding="utf-8")

CONFTEST = """
import pytest
from harness.rustore.recorder import CallbackRecorder
import synthetic

@pytest.fixture
def callbacks():
    recorder = CallbackRecorder("6.0.0", "faithful")
    recorder.start_test()
    return recorder

def feed(recorder, payloads, iap=(), first_seq=1):
    for line in synthetic.logcat_lines(payloads, list(iap), first_seq=first_seq):
        recorder.feed(line)
"""

EVERYTHING = """
import synthetic
from conftest import feed

def test_channels_and_codes(callbacks):
    feed(callbacks, synthetic.channel_payloads() + synthetic.code_payloads())
    assert callbacks.expect("rustore_on_get_products_success", timeout=1)

def test_transitions_and_iap(callbacks):
    feed(callbacks, synthetic.transition_payloads(), synthetic.iap_messages())
    assert callbacks.iap_codes()
"""


def inner(pytester: pytest.Pytester, tests: str) -> None:
    pytester.makepyfile(synthetic=SYNTHETIC, conftest=CONFTEST, test_inner=tests)


def written(pytester: pytest.Pytester) -> dict:
    return json.loads((pytester.path / "test-results" / "coverage.json").read_text(encoding="utf-8"))


def test_a_run_that_exercises_everything_passes_the_check(pytester: pytest.Pytester) -> None:
    inner(pytester, EVERYTHING)
    result = pytester.runpytest("--contract-coverage", "require", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    report = written(pytester)
    assert all(not keys for keys in report["missing"].values()), report["missing"]
    assert report["summary"]["channels"] == {"total": 19, "exercised": 19}
    assert report["summary"]["transitions"]["total"] == len(legal_transitions())
    warning = report["coverage"]["channels"]["rustore_on_payment_logger_warning"]
    assert warning == ["test_inner.py::test_channels_and_codes"]
    assert report["coverage"]["rustore_codes"]["40010"] == ["test_inner.py::test_channels_and_codes"]
    assert report["coverage"]["iap_server_codes"]["5003"] == ["test_inner.py::test_transitions_and_iap"]
    html = (pytester.path / "test-results" / "coverage.html").read_text(encoding="utf-8")
    assert "CONSUMABLE: PAID -&gt; CONSUMED" in html and "not exercised" not in html
    assert "<li>T1: test_inner.py::test_channels_and_codes</li>" in html  # the matrix's columns
    row = html.split("rustore_on_payment_logger_warning</td>", 1)[1].split("</tr>", 1)[0]
    assert row == "<td>1</td><td>&#10003;</td><td></td>"  # T1 exercised it, T2 did not
    result.stdout.fnmatch_lines(["*contract coverage*", "channels: 19/19"])


def test_a_missing_channel_fails_the_run_and_is_named(pytester: pytest.Pytester) -> None:
    inner(
        pytester,
        EVERYTHING.replace(
            "synthetic.channel_payloads()",
            "[p for p in synthetic.channel_payloads() if p[0] != 'rustore_on_payment_logger_warning']",
        ),
    )
    result = pytester.runpytest("--contract-coverage", "require", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)  # every test passed, the final check did not
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*--contract-coverage require: FAILED*",
            "Channel (§1.4) not exercised (1): rustore_on_payment_logger_warning",
        ]
    )
    assert written(pytester)["missing"]["channels"] == ["rustore_on_payment_logger_warning"]
    html = (pytester.path / "test-results" / "coverage.html").read_text(encoding="utf-8")
    assert '<tr style="background:#fdd"><td>rustore_on_payment_logger_warning</td>' in html


def test_report_mode_writes_the_files_but_never_fails(pytester: pytest.Pytester) -> None:
    inner(pytester, "def test_one(callbacks, contract_coverage):\n    contract_coverage.server_code(2111)\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0
    report = written(pytester)
    assert report["coverage"]["iap_server_codes"]["2111"] == ["test_inner.py::test_one"]
    assert len(report["missing"]["channels"]) == 19


def test_xdist_workers_send_their_coverage_to_the_controller(pytester: pytest.Pytester) -> None:
    inner(pytester, EVERYTHING)
    result = pytester.runpytest_subprocess(
        "-n", "2", "--contract-coverage", "require", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2)
    assert result.ret == 0, result.stdout.str()
    report = written(pytester)
    assert sorted(report["tests"]) == [
        "test_inner.py::test_channels_and_codes",
        "test_inner.py::test_transitions_and_iap",
    ]
    assert not any(report["missing"].values())


def test_xdist_merge_still_names_what_no_worker_exercised(pytester: pytest.Pytester) -> None:
    inner(pytester, EVERYTHING.replace("synthetic.iap_messages()", "synthetic.iap_messages()[1:]"))
    result = pytester.runpytest_subprocess(
        "-n", "2", "--contract-coverage", "require", "-p", "no:cacheprovider"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["IAP client code (§5.3, §10) not exercised (1): 100 NETWORK_TIMEOUT"])


def test_the_table_goes_into_the_pytest_html_report(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_html")
    inner(pytester, EVERYTHING)
    result = pytester.runpytest("--html", "report.html", "-p", "no:cacheprovider")
    assert result.ret == 0
    html = (pytester.path / "report.html").read_text(encoding="utf-8")
    assert "Contract coverage" in html and "rustore_on_payment_logger_warning" in html


def test_off_collects_nothing(pytester: pytest.Pytester) -> None:
    inner(pytester, EVERYTHING)
    result = pytester.runpytest("--contract-coverage", "off", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert not (pytester.path / "test-results" / "coverage.json").exists()


def run_samples(walk: list[str], ptype: str = "CONSUMABLE") -> set[str]:
    recorder = CallbackRecorder()
    recorder.start_test()
    payloads = [("rustore_on_get_purchase_info_success", synthetic.purchase("p", ptype, s)) for s in walk]
    for line in synthetic.logcat_lines(payloads):
        recorder.feed(line)
    test = HitsOfTest("t")
    from harness.report.coverage import collect_events

    collect_events(test, recorder.events(), recorder.iap_codes(), CoverageStates())
    return test.hits["transitions"]


def test_a_gap_credits_only_a_path_that_must_have_been_taken() -> None:
    # INVOICE_CREATED then CONSUMED: the only way is through PAID
    assert run_samples(["INVOICE_CREATED", "CONSUMED"]) == {
        "CONSUMABLE: (none) -> CREATED",
        "CONSUMABLE: CREATED -> INVOICE_CREATED",
        "CONSUMABLE: INVOICE_CREATED -> PAID",
        "CONSUMABLE: PAID -> CONSUMED",
    }
    # first seen CANCELLED: it may or may not have had an invoice, so only the start edge is claimed
    assert run_samples(["CANCELLED"]) == {"CONSUMABLE: (none) -> CREATED"}
    # an illegal sample claims nothing
    assert "CONSUMABLE: CONSUMED -> PAID" not in run_samples(["PAID", "CONSUMED", "PAID"])


def test_the_universe_is_the_contract() -> None:
    kinds = universe()
    assert len(kinds["channels"]) == 19
    assert len(kinds["rustore_codes"]) == 26  # 25 codes of §5.1 and the 50xxx family
    assert "114" not in kinds["iap_client_codes"] and len(kinds["iap_client_codes"]) == 16
    assert kinds["iap_server_codes"] == ["1100", "2111", "2112", "5000", "5003"]
    assert "SUBSCRIPTION: PAUSED -> TERMINATED" in kinds["transitions"]
    assert "CONSUMABLE: INVOICE_CREATED -> CONFIRMED" not in kinds["transitions"]
    data = CoverageData()
    data.merge_json({"a": {"channels": ["rustore_on_get_products_success", "not-a-channel"]}})
    assert data.table()["channels"]["rustore_on_get_products_success"] == ["a"]
    assert "not-a-channel" not in data.table()["channels"]


def hits_of(payloads: list[tuple[str, str]]) -> dict[str, set[str]]:
    recorder = CallbackRecorder()
    recorder.start_test()
    for line in synthetic.logcat_lines(payloads):
        recorder.feed(line)
    from harness.report.coverage import collect_events

    test = HitsOfTest("t")
    collect_events(test, recorder.events(), recorder.iap_codes(), CoverageStates())
    return test.hits


def test_error_codes_come_from_failures_and_network_exception_messages() -> None:
    failure = '{"type":"Failure","data":{"errorCode":%s,"productId":"con1","sandbox":true}}'
    network = (
        '{"detailMessage":"Payment API error %s: backend said 40005",'
        '"simpleName":"RuStorePaymentNetworkException"}'
    )
    hits = hits_of(
        [
            ("rustore_on_purchase_product_success", failure.replace("%s", "40010")),
            ("rustore_on_purchase_product_success", failure.replace("%s", "12345")),  # not a §5.1 code
            ("rustore_on_get_purchases_failure", network.replace("%s", "50123")),
            ("rustore_on_get_products_failure", network.replace("%s", "40102")),
        ]
    )
    assert hits["rustore_codes"] == {"40010", "50xxx", "40102"}  # the code the message names, not 40005
    assert hits["channels"] == {
        "rustore_on_purchase_product_success",
        "rustore_on_get_purchases_failure",
        "rustore_on_get_products_failure",
    }
