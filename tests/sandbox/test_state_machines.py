"""The three purchase state machines: every legal edge, and a refusal for every other one.

The expected edges are written out here from CONTRACT §3.1-§3.3 and §10.15, independently of the
sandbox's tables, so a table that gains or loses an edge fails this test.
"""

from __future__ import annotations

import itertools

import pytest

from harness.sim.sandbox.client import SandboxAPIError, SandboxClient
from harness.sim.sandbox.errors import IllegalTransition
from harness.sim.sandbox.machine import Event, next_state
from harness.sim.sandbox.schemas import ProductType
from harness.sim.sandbox.schemas import PurchaseState as S

E = Event
OPENING = {
    (None, E.START, S.CREATED),
    (S.CREATED, E.INVOICE, S.INVOICE_CREATED),
    (S.CREATED, E.ABANDON, S.CANCELLED),
    (S.CREATED, E.DELETE, S.CANCELLED),
    (S.INVOICE_CREATED, E.DECLINE, S.CANCELLED),
    (S.INVOICE_CREATED, E.USER_CANCEL, S.CANCELLED),
    (S.INVOICE_CREATED, E.DELETE, S.CANCELLED),
    (S.INVOICE_CREATED, E.AUTO_CANCEL, S.CANCELLED),
    (S.INVOICE_CREATED, E.SUPERSEDED, S.CANCELLED),
}
EXPECTED = {
    ProductType.CONSUMABLE: OPENING
    | {
        (S.INVOICE_CREATED, E.PAY, S.PAID),
        (S.PAID, E.CONSUME, S.CONSUMED),
        (S.PAID, E.DELETE, S.CANCELLED),
        (S.PAID, E.REFUND, S.CANCELLED),
    },
    ProductType.NON_CONSUMABLE: OPENING
    | {(S.INVOICE_CREATED, E.PAY, S.CONFIRMED), (S.CONFIRMED, E.REFUND, S.CANCELLED)},
    ProductType.SUBSCRIPTION: OPENING
    | {
        (S.INVOICE_CREATED, E.PAY, S.CONFIRMED),
        (S.CONFIRMED, E.RENEW, S.CONFIRMED),
        (S.CONFIRMED, E.RENEW_FAIL, S.PAUSED),
        (S.CONFIRMED, E.PAUSE, S.PAUSED),
        (S.PAUSED, E.RETRY_OK, S.CONFIRMED),
        (S.PAUSED, E.RESUME, S.CONFIRMED),
        (S.PAUSED, E.RENEW_FAIL, S.PAUSED),
        (S.PAUSED, E.ATTEMPTS_EXHAUSTED, S.TERMINATED),
        (S.PAUSED, E.TERMINATE, S.TERMINATED),
        (S.CONFIRMED, E.TERMINATE, S.TERMINATED),
        (S.CONFIRMED, E.PERIOD_END, S.CLOSED),
        (S.CONFIRMED, E.CLOSE, S.CLOSED),
        (S.PAUSED, E.CLOSE, S.CLOSED),
    },
}
STATES: list[S | None] = [None, *S]


@pytest.mark.parametrize("ptype", list(ProductType))
def test_every_state_event_pair_is_legal_exactly_when_expected(ptype: ProductType) -> None:
    legal = {(frm, ev): to for frm, ev, to in EXPECTED[ptype]}
    for state, event in itertools.product(STATES, Event):
        if (state, event) in legal:
            assert next_state(ptype, state, event) == legal[(state, event)]
        else:
            with pytest.raises(IllegalTransition) as info:
                next_state(ptype, state, event)
            assert info.value.error_code == 40015 and info.value.status == 409


def test_final_states_have_no_way_out() -> None:
    finals = {
        ProductType.CONSUMABLE: (S.CONSUMED, S.CANCELLED),
        ProductType.NON_CONSUMABLE: (S.CANCELLED,),
        ProductType.SUBSCRIPTION: (S.CANCELLED, S.CLOSED, S.TERMINATED),
    }
    for ptype, states in finals.items():
        for state, event in itertools.product(states, Event):
            with pytest.raises(IllegalTransition):
                next_state(ptype, state, event)


# ------------------------------------------------------------------ the same edges through the API

U = "sm-user"


def edges(sandbox: SandboxClient, purchase_id: str) -> list[tuple[str | None, str]]:
    return [(t.fromState, t.toState) for t in sandbox.audit(purchase_id=purchase_id).transitions]


def state(sandbox: SandboxClient, purchase_id: str) -> str:
    return sandbox.audit(purchase_id=purchase_id).purchases[0].purchase.purchaseState


def refused_409(call: object, *args: object) -> None:
    assert callable(call)
    with pytest.raises(SandboxAPIError) as info:
        call(*args)
    assert (info.value.status, info.value.error_code) == (409, 40015)


OPEN = [(None, "CREATED"), ("CREATED", "INVOICE_CREATED")]


@pytest.mark.parametrize("product", ["con1", "non_con1", "sub1"])
@pytest.mark.parametrize("outcome", ["decline", "user_cancel"])
def test_invoice_cancelled_by_the_payment_sheet(sandbox: SandboxClient, product: str, outcome: str) -> None:
    created = sandbox.create_purchase(U, product)
    result = sandbox.pay(U, created.purchaseId, "CARD", outcome=outcome)
    assert result.type == ("Failure" if outcome == "decline" else "Cancelled")
    assert edges(sandbox, created.purchaseId) == [*OPEN, ("INVOICE_CREATED", "CANCELLED")]
    refused_409(sandbox.pay, U, created.purchaseId, "CARD")


@pytest.mark.parametrize("product", ["con1", "non_con1", "sub1"])
def test_invoice_deleted(sandbox: SandboxClient, product: str) -> None:
    created = sandbox.create_purchase(U, product)
    assert sandbox.delete(U, created.purchaseId).purchaseState == "CANCELLED"
    assert edges(sandbox, created.purchaseId) == [*OPEN, ("INVOICE_CREATED", "CANCELLED")]
    refused_409(sandbox.delete, U, created.purchaseId)


def test_consumable_paid_consumed_and_refusals(sandbox: SandboxClient) -> None:
    paid = sandbox.buy(U, "con1").purchase
    assert paid.purchaseState == "PAID"
    refused_409(sandbox.pay, U, paid.purchaseId, "CARD")
    refused_409(sandbox.subscription, paid.purchaseId, "pause")
    assert sandbox.confirm(U, paid.purchaseId).purchaseState == "CONSUMED"
    assert edges(sandbox, paid.purchaseId) == [*OPEN, ("INVOICE_CREATED", "PAID"), ("PAID", "CONSUMED")]
    before = edges(sandbox, paid.purchaseId)
    refused_409(sandbox.confirm, U, paid.purchaseId)
    refused_409(sandbox.delete, U, paid.purchaseId)
    refused_409(sandbox.refund, paid.purchaseId)
    assert edges(sandbox, paid.purchaseId) == before  # refusals are never applied
    assert state(sandbox, paid.purchaseId) == "CONSUMED"


@pytest.mark.parametrize(
    ("method", "cause"), [("CARD", "reversed"), ("SBERPAY", "reversed"), ("SBP", "refunded")]
)
def test_consumable_paid_deleted_or_returned(sandbox: SandboxClient, method: str, cause: str) -> None:
    one = sandbox.buy(U, "con1", method).purchase
    sandbox.delete(U, one.purchaseId)
    two = sandbox.buy(U, "con1", method).purchase
    sandbox.refund(two.purchaseId)
    for purchase_id in (one.purchaseId, two.purchaseId):
        assert edges(sandbox, purchase_id)[-2:] == [("INVOICE_CREATED", "PAID"), ("PAID", "CANCELLED")]
        assert sandbox.audit(purchase_id=purchase_id).purchases[0].cancelCause == cause
        refused_409(sandbox.confirm, U, purchase_id)


def test_non_consumable_confirmed_then_refunded(sandbox: SandboxClient) -> None:
    owned = sandbox.buy(U, "non_con1").purchase
    assert owned.purchaseState == "CONFIRMED"  # no confirm call needed
    refused_409(sandbox.delete, U, owned.purchaseId)
    refused_409(sandbox.subscription, owned.purchaseId, "close")
    sandbox.refund(owned.purchaseId)
    assert edges(sandbox, owned.purchaseId) == [
        *OPEN,
        ("INVOICE_CREATED", "CONFIRMED"),
        ("CONFIRMED", "CANCELLED"),
    ]
    refused_409(sandbox.refund, owned.purchaseId)
    assert sandbox.buy(U, "non_con1").purchase.purchaseState == "CONFIRMED"  # buyable again after a refund


def test_refund_of_an_unpaid_invoice_is_refused(sandbox: SandboxClient) -> None:
    created = sandbox.create_purchase(U, "con1")
    refused_409(sandbox.refund, created.purchaseId)
    assert state(sandbox, created.purchaseId) == "INVOICE_CREATED"


def test_subscription_controls(sandbox: SandboxClient) -> None:
    sub = sandbox.buy(U, "sub1").purchase.purchaseId
    refused_409(sandbox.subscription, sub, "resume")  # not paused
    refused_409(sandbox.delete, U, sub)
    refused_409(sandbox.refund, sub)
    sandbox.subscription(sub, "pause")
    refused_409(sandbox.subscription, sub, "pause")
    sandbox.subscription(sub, "resume")
    sandbox.subscription(sub, "pause")
    sandbox.subscription(sub, "terminate")
    refused_409(sandbox.subscription, sub, "resume")
    refused_409(sandbox.subscription, sub, "close")
    assert edges(sandbox, sub) == [
        *OPEN,
        ("INVOICE_CREATED", "CONFIRMED"),
        ("CONFIRMED", "PAUSED"),
        ("PAUSED", "CONFIRMED"),
        ("CONFIRMED", "PAUSED"),
        ("PAUSED", "TERMINATED"),
    ]
    other = sandbox.buy(U, "sub2").purchase.purchaseId
    sandbox.subscription(other, "terminate")
    third = sandbox.buy("sm-2", "sub1").purchase.purchaseId
    sandbox.subscription(third, "close")
    fourth = sandbox.buy("sm-3", "sub1").purchase.purchaseId
    sandbox.subscription(fourth, "pause")
    sandbox.subscription(fourth, "close")
    assert edges(sandbox, other)[-1] == ("CONFIRMED", "TERMINATED")
    assert edges(sandbox, third)[-1] == ("CONFIRMED", "CLOSED")
    assert edges(sandbox, fourth)[-1] == ("PAUSED", "CLOSED")
    refused_409(sandbox.subscription, third, "terminate")
    with pytest.raises(SandboxAPIError) as info:
        sandbox.subscription(fourth, "teleport")
    assert info.value.error_code == 40001
