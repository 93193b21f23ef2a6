"""``billing``: the billing flows on the leased device, and the sweep after every test.

After the test (pass or fail) the device user's purchases are swept — each PAID one
confirmed, each unpaid one deleted — so the next test starts clean. The game is restarted
first (a failed test may have left the sheet or a bank app open). Where the store is
controllable (the virtual pool) and says no purchase is left non-final, there is nothing to
sweep and the restart is spared; the next test's ``app`` resets the game anyway. What the sweep did is a
"rustore-harness sweep" section of the test's report.

Whether the RuStore user is signed in cannot be read over adb, so on phones and emulators the
first test that uses ``billing`` on a device asks the SDK itself (``availability()``, once per
device and run). A device where purchases are unavailable — user not signed in or banned,
RuStore missing or outdated, the app banned — is quarantined for the run with the cause and
its fix, and its billing tests fail with that one line instead of timing out one by one. The
probe's callbacks are not part of the test's timeline and the game is reset after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.android.logcat import LogcatStream
from harness.game.sample import SampleGame
from harness.plugin.fixtures_app import App
from harness.plugin.fixtures_store import no_store_reason, sandbox_user_id
from harness.plugin.session import HarnessSession, worker_id
from harness.plugin.targets import DeviceTarget
from harness.rustore.channels import Channel
from harness.rustore.flows import Billing
from harness.rustore.pages import Banks, PaySheet
from harness.rustore.recorder import CallbackRecorder


def _store(request: pytest.FixtureRequest, session: HarnessSession) -> Any | None:
    if no_store_reason(session) is not None or not session.extras.get("services", {}).get("sandbox_url"):
        return None
    return request.getfixturevalue("store")


REAL_DEVICE_KINDS = ("adb", "emulator")
UNAVAILABLE_FIXES = {
    "RuStoreUserUnauthorizedException": "the user is not signed in: open RuStore on the device and sign in",
    "RuStoreUserBannedException": "the RuStore user is banned: sign in to RuStore with another account",
    "RuStoreNotInstalledException": "RuStore is not installed: install it from https://www.rustore.ru",
    "RuStoreOutdatedException": "RuStore is outdated: update it in RuStore itself",
    "RuStoreApplicationBannedException": "the app is banned in RuStore: see the RuStore console",
    "RuStoreFeatureUnavailableException": "payments are off for the app: enable them in the RuStore console",
}


def unavailable_reason(event: Any) -> str | None:
    """Why purchases are unavailable, from an availability success payload (None: available, or the
    check itself failed, which the test will report on its own)."""
    if event.channel != Channel.CHECK_PURCHASES_AVAILABLE_SUCCESS.value or not isinstance(event.parsed, dict):
        return None
    if event.parsed.get("isAvailable") is not False:
        return None
    cause = event.parsed.get("cause") or {}
    name = str(cause.get("simpleName") or "unknown cause")
    fix = UNAVAILABLE_FIXES.get(name, str(cause.get("detailMessage", "")))
    return f"RuStore purchases are unavailable ({name}): {fix}"


def _probe_rustore(
    request: pytest.FixtureRequest,
    session: HarnessSession,
    device: DeviceTarget,
    app: App,
    flows: Billing,
    callbacks: CallbackRecorder,
) -> None:
    """Real devices: ask the SDK once whether purchases are available; quarantine and fail if not."""
    if device.kind not in REAL_DEVICE_KINDS:
        return
    probed: dict[str, str | None] = session.extras.setdefault("rustore_probe", {})
    if device.name not in probed:
        probed[device.name] = unavailable_reason(flows.availability())
        callbacks.start_test()  # the probe is not the test's
        app.reset()
        reason = probed[device.name]
        if reason is not None:
            pool = request.getfixturevalue("device_pool")
            pool.quarantine(device.spec.id, reason, worker_id(request.config))
    reason = probed[device.name]
    if reason is not None:
        pytest.fail(f"device {device.name}: {reason}", pytrace=False)


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
    _probe_rustore(request, _harness, device, app, flows, callbacks)
    yield flows
    try:  # (queued store outcomes are per user; clearing them all would hit other workers' tests)
        if flows.store_says_clean():  # nothing to sweep: spare the restart (the next test resets)
            text = "no purchases left non-final (the store's word)"
        else:
            app.stop()
            app.start()
            text = flows.sweep().text()
    except Exception as exc:  # the report says the sweep failed; the next test's reset still runs
        text = f"sweep failed: {type(exc).__name__}: {exc}"
    request.node.add_report_section("teardown", "rustore-harness sweep", text)
