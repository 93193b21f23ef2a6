"""``billing``: the billing flows on the leased device, and the sweep after every test.

After the test (pass or fail) the device user's purchases are swept — each PAID one
confirmed, each unpaid one deleted — so the next test starts clean. The game is restarted
first (a failed test may have left the sheet or a bank app open). Where the store is
controllable (the virtual pool) and says no purchase is left non-final, there is nothing to
sweep and the restart is spared; the next test's ``app`` resets the game anyway. What the sweep did is a
"rustore-harness sweep" section of the test's report.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.android.logcat import LogcatStream
from harness.game.sample import SampleGame
from harness.plugin.fixtures_app import App
from harness.plugin.fixtures_store import no_store_reason, sandbox_user_id
from harness.plugin.session import HarnessSession
from harness.plugin.targets import DeviceTarget
from harness.rustore.flows import Billing
from harness.rustore.pages import Banks, PaySheet
from harness.rustore.recorder import CallbackRecorder


def _store(request: pytest.FixtureRequest, session: HarnessSession) -> Any | None:
    if no_store_reason(session) is not None or not session.extras.get("services", {}).get("sandbox_url"):
        return None
    return request.getfixturevalue("store")


@pytest.fixture
def billing(
    request: pytest.FixtureRequest,
    _harness: HarnessSession,
    device: DeviceTarget,
    app: App,
    game: SampleGame,
    paysheet: PaySheet,
    bank: Banks,
    callbacks: CallbackRecorder,
    logcat: LogcatStream,
) -> Iterator[Billing]:
    """Flows: ``availability()``, ``products()``, ``buy()``, ``confirm()``, ``delete()``,
    ``purchases()``, ``info()``, ``set_theme()``, ``set_error_handling()``, ``sweep()``."""
    store = _store(request, _harness)
    user_id = sandbox_user_id(device.android) if device.android is not None else None
    flows = Billing(game, paysheet, bank, callbacks, logcat, store=store, user_id=user_id)
    yield flows
    try:  # (queued store outcomes are per user; clearing them all would hit other workers' tests)
        if flows.store_says_clean():  # nothing to sweep: spare the restart (the next test resets)
            text = "no purchases left non-final (the store's word)"
        else:
            app.stop()
            app.start()
            text = flows.sweep(store_asked=True).text()
    except Exception as exc:  # the report says the sweep failed; the next test's reset still runs
        text = f"sweep failed: {type(exc).__name__}: {exc}"
    request.node.add_report_section("teardown", "rustore-harness sweep", text)
