"""``callbacks``: the game's RuStore callbacks as the device logs them, checked against the contract.

One recorder per leased device (session) listens to the logcat stream all the time, so a
callback that arrives between tests is still checked; each test gets it with a fresh mark
(``start_test``). The contract verdict is given right after the test body (see
``harness.plugin.pytest_runtest_call``): violations fail the test, known plugin defects
are reported (and fail too under ``--contract strict``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.android.logcat import LogcatStream
from harness.config import DevicesConfig, VirtualPool
from harness.plugin.session import HarnessSession
from harness.rustore.recorder import CallbackRecorder


@pytest.fixture(scope="session")
def _callback_recorder(
    _harness: HarnessSession, harness_config: DevicesConfig, logcat: LogcatStream
) -> Iterator[CallbackRecorder]:
    pool = harness_config.pool(_harness.options.pool)
    profile, mode = (pool.plugin, pool.mode) if isinstance(pool, VirtualPool) else ("6.0.0", "faithful")
    recorder = CallbackRecorder(profile, mode, strict=_harness.options.strict)
    unsubscribe = logcat.subscribe(recorder.feed)
    try:
        yield recorder
    finally:
        unsubscribe()


@pytest.fixture
def callbacks(_callback_recorder: CallbackRecorder) -> CallbackRecorder:
    """This test's view of the callback stream: ``expect()``, ``events()``, ``timeline_json()``."""
    _callback_recorder.start_test()
    return _callback_recorder
