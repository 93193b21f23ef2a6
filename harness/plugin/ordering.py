"""``--slowest-first``: a parallel run starts the tests that took longest in earlier runs first.

xdist hands tests out in collection order and keeps two queued per worker, so the run ends when
the worker that drew the last long test finishes it while the others idle. Handing out the long
tests first (longest processing time first) leaves only short ones for the end, and the workers
finish close together. Marathon sorts by execution time from an InfluxDB or Graphite history;
here the history is pytest's own cache (``.pytest_cache``, key ``rustore-harness/durations``):
the controller records every test's setup + call + teardown time at the end of each run, plain
or distributed, and a distributed run with ``--slowest-first`` orders its tests by it. Tests
without a recorded time (new ones, a first run) go first, in their collected order, since
nothing says they are short. Without pytest's cache (``-p no:cacheprovider``) nothing changes.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from harness.plugin.session import harness_session

CACHE_KEY = "rustore-harness/durations"


def slowest_first(items: list[pytest.Item], durations: dict[str, float]) -> None:
    """Sort `items` in place: unknown durations first (in their order), then longest to shortest."""
    items.sort(key=lambda item: -durations.get(item.nodeid, math.inf))


def _recorded(cache: Any) -> dict[str, float]:
    data = cache.get(CACHE_KEY, {})
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


class DurationRecorder:
    """The controller's tally of this run's test times, merged into the cache at the end."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache
        self.seconds: dict[str, float] = {}
        self.ran: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # xdist forwards every worker's reports to the controller: the whole run is seen here.
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + float(report.duration or 0.0)
        if report.when == "call":
            self.ran.add(report.nodeid)

    def pytest_sessionfinish(self) -> None:
        # Only tests whose body ran: one that errored in setup or was skipped took no real time,
        # and recording that would hand it out last next time. The others keep their earlier times.
        measured = {k: round(v, 3) for k, v in self.seconds.items() if k in self.ran}
        if measured:
            self.cache.set(CACHE_KEY, {**_recorded(self.cache), **measured})


@pytest.hookimpl(trylast=True)  # after pytest's cacheprovider has set config.cache
def pytest_configure(config: pytest.Config) -> None:
    cache = getattr(config, "cache", None)
    if cache is not None and getattr(config, "workerinput", None) is None:
        config.pluginmanager.register(DurationRecorder(cache), "rustore-harness-durations")


@pytest.hookimpl(trylast=True)  # after the suite's own conftest ordering, which stays the tie-break
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    cache = getattr(config, "cache", None)
    distributed = getattr(config, "workerinput", None) is not None
    if cache is None or not distributed or not harness_session(config).options.slowest_first:
        return
    durations = _recorded(cache)
    if durations:
        slowest_first(items, durations)
