"""Timed behaviour driven by the virtual clock: auto-cancel, settlement, renewals, retries."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime

from fastapi import FastAPI

from harness.sim.sandbox import VirtualClock
from harness.sim.sandbox.client import SandboxClient

U = "time-user"


def transitions(sandbox: SandboxClient, purchase_id: str) -> list[tuple[str | None, str, str]]:
    return [
        (t.fromState, t.toState, t.virtualTime) for t in sandbox.audit(purchase_id=purchase_id).transitions
    ]


def minutes_between(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() / 60


def test_unpaid_invoice_is_cancelled_after_20_virtual_minutes(sandbox: SandboxClient) -> None:
    created = sandbox.create_purchase(U, "con1")
    sandbox.advance(minutes=19, seconds=59)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "INVOICE_CREATED"
    sandbox.advance(seconds=1)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "CANCELLED"
    audit = sandbox.audit(purchase_id=created.purchaseId)
    assert audit.purchases[0].cancelCause == "auto_cancel"
    first, *_, last = audit.transitions
    assert minutes_between(first.virtualTime, last.virtualTime) == 20  # stamped at the deadline itself
    assert sandbox.create_purchase(U, "con1").purchaseState == "INVOICE_CREATED"  # 40009 no longer


def test_one_apps_clock_jumps_without_touching_the_others(sandbox: SandboxClient) -> None:
    """A test on an app of its own may jump hours ahead while other devices buy from the sample app."""
    sample = next(a for a in sandbox.apps() if a.appId == sandbox.app_id)
    own = sandbox.put_app(sample.model_copy(update={"appId": "3000000017"})).appId
    theirs = sandbox.create_purchase(U, "con1")
    mine = sandbox.create_purchase(U, "con1", app_id=own)
    before = datetime.fromisoformat(sandbox.clock().now)
    jumped = datetime.fromisoformat(sandbox.advance(minutes=20, app_id=own).now)
    assert minutes_between(before.isoformat(), jumped.isoformat()) >= 20
    assert sandbox.purchase_info(U, mine.purchaseId, app_id=own).purchaseState == "CANCELLED"
    assert sandbox.purchase_info(U, theirs.purchaseId).purchaseState == "INVOICE_CREATED"
    assert minutes_between(sandbox.clock().now, sandbox.clock(app_id=own).now) >= 19.9
    first, *_, last = sandbox.audit(purchase_id=mine.purchaseId).transitions
    assert minutes_between(first.virtualTime, last.virtualTime) == 20  # on the app's own timeline
    sandbox.advance(minutes=20)  # the sandbox's clock moves every app, this one included
    assert sandbox.purchase_info(U, theirs.purchaseId).purchaseState == "CANCELLED"
    assert minutes_between(sandbox.clock().now, sandbox.clock(app_id=own).now) >= 19.9


def test_auto_cancel_duration_is_a_setting(sandbox: SandboxClient) -> None:
    created = sandbox.create_purchase(U, "non_con1")
    sandbox.advance(minutes=3)
    sandbox.update_settings(autoCancelMinutes=5)
    sandbox.advance(minutes=1, seconds=59)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "INVOICE_CREATED"
    sandbox.advance(seconds=1)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "CANCELLED"
    sandbox.update_settings(autoCancelMinutes=1)  # an overdue deadline fires on the change
    again = sandbox.create_purchase(U, "non_con1")
    sandbox.update_settings(autoCancelMinutes=0.5)
    sandbox.advance(seconds=30)
    assert sandbox.purchase_info(U, again.purchaseId).purchaseState == "CANCELLED"


def test_settlement_delay_keeps_invoice_created_then_pays(sandbox: SandboxClient) -> None:
    sandbox.next_outcome("approve", method="SBP", settlement_delay_seconds=90)
    created = sandbox.create_purchase(U, "con1")
    result = sandbox.pay(U, created.purchaseId, "SBP")
    assert result.type == "Success" and result.purchase.purchaseState == "INVOICE_CREATED"
    assert result.settlesAt is not None
    assert sandbox.audit(purchase_id=created.purchaseId).purchases[0].invoiceStatus == "executed"
    assert [p.purchaseState for p in sandbox.purchases(U)] == ["INVOICE_CREATED"]
    sandbox.advance(seconds=89)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "INVOICE_CREATED"
    sandbox.advance(seconds=1)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "PAID"
    assert sandbox.audit(purchase_id=created.purchaseId).transitions[-1].cause == "bank settled the payment"


def test_bank_never_returns_leaves_the_invoice_to_the_auto_cancel(sandbox: SandboxClient) -> None:
    sandbox.next_outcome("bank_never_returns", method="SBERPAY")
    created = sandbox.create_purchase(U, "con2")
    result = sandbox.pay(U, created.purchaseId, "SBERPAY")
    assert result.type == "Pending" and result.purchase.purchaseState == "INVOICE_CREATED"
    assert sandbox.audit(purchase_id=created.purchaseId).purchases[0].pending == "bank_return"
    sandbox.advance(minutes=20)
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "CANCELLED"


def test_outcomes_are_per_method_and_one_shot_unless_sticky(sandbox: SandboxClient) -> None:
    sandbox.next_outcome("decline", method="CARD")
    assert sandbox.buy("a", "con1", "SBP").type == "Success"  # another method: untouched
    assert sandbox.buy("a", "con2", "CARD").type == "Failure"
    assert sandbox.buy("b", "con2", "CARD").type == "Success"  # used up
    sandbox.next_outcome("user_cancel", sticky=True)
    assert [sandbox.buy(u, "non_con2", "SBP").type for u in ("c", "d")] == ["Cancelled", "Cancelled"]
    sandbox.clear_outcomes()
    assert sandbox.buy("e", "non_con2", "SBP").type == "Success"


def test_subscription_renews_every_10_minutes_at_most_12_charges(sandbox: SandboxClient) -> None:
    sub = sandbox.buy(U, "sub1").purchase.purchaseId
    sandbox.advance(minutes=9)
    assert sandbox.audit(purchase_id=sub).purchases[0].charges == 1
    sandbox.advance(minutes=1)
    assert sandbox.audit(purchase_id=sub).purchases[0].charges == 2
    sandbox.advance(hours=3)  # one jump: every renewal inside it fires in order
    audit = sandbox.audit(purchase_id=sub)
    assert audit.purchases[0].charges == 12
    assert audit.purchases[0].purchase.purchaseState == "CLOSED"
    renewals = [t for t in audit.transitions if (t.fromState, t.toState) == ("CONFIRMED", "CONFIRMED")]
    assert len(renewals) == 11
    times = [t.virtualTime for t in renewals]
    assert all(minutes_between(a, b) == 10 for a, b in itertools.pairwise(times))
    assert audit.transitions[-1].toState == "CLOSED"
    assert minutes_between(renewals[-1].virtualTime, audit.transitions[-1].virtualTime) == 10


def test_failed_renewal_pauses_then_retry_succeeds(sandbox: SandboxClient) -> None:
    sub = sandbox.buy(U, "sub1").purchase.purchaseId
    sandbox.renewal_outcome("decline", purchase_id=sub)
    sandbox.advance(minutes=10)
    assert sandbox.purchase_info(U, sub).purchaseState == "PAUSED"
    assert [p.purchaseState for p in sandbox.purchases(U)] == ["PAUSED"]  # §10.12: PAUSED is listed
    sandbox.advance(minutes=2)  # retry interval; the next charge is approved
    assert sandbox.purchase_info(U, sub).purchaseState == "CONFIRMED"
    states = [(f, t) for f, t, _ in transitions(sandbox, sub)]
    assert states[-2:] == [("CONFIRMED", "PAUSED"), ("PAUSED", "CONFIRMED")]


def test_renewal_attempts_exhausted_terminates(sandbox: SandboxClient) -> None:
    sub = sandbox.buy(U, "sub2").purchase.purchaseId
    sandbox.renewal_outcome("decline", sticky=True)
    sandbox.advance(minutes=10)
    assert sandbox.purchase_info(U, sub).purchaseState == "PAUSED"
    sandbox.advance(minutes=2)
    assert sandbox.purchase_info(U, sub).purchaseState == "PAUSED"
    sandbox.advance(minutes=2)
    assert sandbox.purchase_info(U, sub).purchaseState == "TERMINATED"
    assert [(f, t) for f, t, _ in transitions(sandbox, sub)][-3:] == [
        ("CONFIRMED", "PAUSED"),
        ("PAUSED", "PAUSED"),
        ("PAUSED", "TERMINATED"),
    ]
    assert sandbox.purchases(U) == []
    assert sandbox.create_purchase(U, "sub2").purchaseState == "INVOICE_CREATED"


def test_cancelled_subscription_closes_at_period_end(sandbox: SandboxClient) -> None:
    sub = sandbox.buy(U, "sub1").purchase.purchaseId
    sandbox.advance(minutes=4)
    sandbox.subscription(sub, "cancel")
    assert sandbox.purchase_info(U, sub).purchaseState == "CONFIRMED"  # paid period still runs
    sandbox.advance(minutes=5, seconds=59)
    assert sandbox.purchase_info(U, sub).purchaseState == "CONFIRMED"
    sandbox.advance(seconds=1)
    assert sandbox.purchase_info(U, sub).purchaseState == "CLOSED"
    assert sandbox.audit(purchase_id=sub).purchases[0].charges == 1


def test_clock_endpoints(sandbox: SandboxClient) -> None:
    before = datetime.fromisoformat(sandbox.clock().now)
    after = sandbox.advance(hours=1, minutes=30)
    assert (datetime.fromisoformat(after.now) - before).total_seconds() == 5400
    assert sandbox.set_rate(60).rate == 60


def test_running_clock_fires_events_without_requests(
    app: FastAPI, sandbox: SandboxClient, clock: VirtualClock
) -> None:
    """Time reached (not jumped): the scheduler's timer fires the auto-cancel on its own."""
    sandbox.update_settings(autoCancelMinutes=10)
    created = sandbox.create_purchase(U, "con1")
    fired = threading.Event()
    app.state.sandbox.on_change(fired.set)
    clock.set_rate(6000)  # 10 virtual minutes in 0.1 real seconds
    assert fired.wait(timeout=10)
    clock.set_rate(0)
    row = app.state.sandbox.audit(purchase_id=created.purchaseId).purchases[0]
    assert row.purchase.purchaseState == "CANCELLED" and row.cancelCause == "auto_cancel"
