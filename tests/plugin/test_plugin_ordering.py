"""``--slowest-first``: test times recorded in pytest's cache, the longest handed out first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.plugin.ordering import CACHE_KEY, slowest_first

MODULE = "test_order.py"
TESTS = """
import pathlib

def _ran(name):
    with pathlib.Path("order.txt").open("a") as f:
        f.write(name + "\\n")

def test_short():
    _ran("short")

def test_long():
    _ran("long")

def test_new():
    _ran("new")

def test_medium():
    _ran("medium")
"""


def cache_file(pytester: pytest.Pytester) -> Path:
    return pytester.path / ".pytest_cache" / "v" / CACHE_KEY


def ran(pytester: pytest.Pytester) -> list[str]:
    order = (pytester.path / "order.txt").read_text().split()
    (pytester.path / "order.txt").unlink()
    return order


class FakeItem:
    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid


def test_unknown_tests_go_first_then_longest_to_shortest() -> None:
    items = [FakeItem(n) for n in ("a", "b", "c", "d", "e")]
    slowest_first(items, {"a": 1.0, "c": 5.0, "e": 2.5})  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == ["b", "d", "c", "e", "a"]


def test_a_run_records_each_tests_time_and_keeps_the_others(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_order=TESTS)
    cache_file(pytester).parent.mkdir(parents=True)
    cache_file(pytester).write_text(json.dumps({"test_gone.py::test_old": 9.5}))
    pytester.runpytest_subprocess("-k", "short or long").assert_outcomes(passed=2)
    recorded = json.loads(cache_file(pytester).read_text())
    assert set(recorded) == {
        "test_gone.py::test_old",
        "test_order.py::test_short",
        "test_order.py::test_long",
    }
    assert recorded["test_gone.py::test_old"] == 9.5  # not run this time: its time is kept
    assert all(isinstance(v, float) and v >= 0 for v in recorded.values())


def test_a_test_that_did_not_run_its_body_keeps_its_earlier_time(pytester: pytest.Pytester) -> None:
    """An error in setup or a skip takes no real time: recording it would hand the test out last."""
    pytester.makepyfile(
        test_broken="""
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup fails")

        def test_errors(broken):
            pass

        @pytest.mark.skip(reason="not today")
        def test_skipped():
            pass
        """
    )
    earlier = {"test_broken.py::test_errors": 7.5, "test_broken.py::test_skipped": 2.0}
    cache_file(pytester).parent.mkdir(parents=True)
    cache_file(pytester).write_text(json.dumps(earlier))
    pytester.runpytest_subprocess().assert_outcomes(errors=1, skipped=1)
    assert json.loads(cache_file(pytester).read_text()) == earlier


def test_a_parallel_run_starts_the_slowest_first(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_order=TESTS)
    times = {
        "test_order.py::test_short": 0.5,
        "test_order.py::test_long": 8.0,
        "test_order.py::test_medium": 3,
    }
    cache_file(pytester).parent.mkdir(parents=True)
    cache_file(pytester).write_text(json.dumps(times))
    pytester.runpytest_subprocess("-n", "1", "--slowest-first").assert_outcomes(passed=4)
    assert ran(pytester) == ["new", "long", "medium", "short"]  # a new test's time is unknown: first
    pytester.runpytest_subprocess("-n", "1").assert_outcomes(passed=4)
    assert ran(pytester) == ["short", "long", "new", "medium"]  # without the option: collected order


def test_a_plain_run_keeps_its_order(pytester: pytest.Pytester) -> None:
    """In one process the order changes nothing about the run's length: it stays as written."""
    pytester.makepyfile(test_order=TESTS)
    cache_file(pytester).parent.mkdir(parents=True)
    cache_file(pytester).write_text(json.dumps({"test_order.py::test_medium": 3.0}))
    pytester.runpytest_subprocess("--slowest-first").assert_outcomes(passed=4)
    assert ran(pytester) == ["short", "long", "new", "medium"]
