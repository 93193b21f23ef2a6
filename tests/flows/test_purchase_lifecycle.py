"""The purchase state machines (§3) through the game: validation + confirm, the guards (40010/40011/40012,
116, 117), non-consumables, subscriptions (renewals, pause/resume, terminate, close), delete, refunds."""

from __future__ import annotations

import pytest

from harness.rustore.channels import Channel

from .steps import leave_for_bank, tap_buy


def paid_by_store(store, user, product):
    created = store.create_purchase(user, product)
    store.pay(user, created.purchaseId)
    return created.purchaseId


# ------------------------------------------------------------------ consumables
def test_server_validation_then_confirm_consumes(billing, store, user):
    bought = billing.buy("con2", method="card")
    assert bought.ok and bought.info.parsed["purchaseState"] == "PAID"
    assert bought.confirm.parsed["purchaseId"] == bought.purchase_id
    assert billing.observe_store(bought.purchase_id) == "CONSUMED"
    # the game's server asked RuStore about this very token before the game confirmed
    audit = store.audit(purchase_id=bought.purchase_id)
    assert [t.toState.value for t in audit.transitions][-2:] == ["PAID", "CONSUMED"]


@pytest.mark.slow
def test_consumable_again_while_paid_is_40010_then_the_game_finishes_it(billing, callbacks, store, user):
    left = paid_by_store(store, user, "con1")
    result = tap_buy(billing, "con1")
    assert result.parsed["type"] == "Failure" and result.parsed["data"]["errorCode"] == 40010, result.raw
    assert callbacks.expect_iap(116, timeout=10).seq == result.seq  # APP_STORE_REMAINS_PAYMENT
    # the game completes the old purchase itself: validate, confirm → CONSUMED; then the player buys again
    callbacks.expect(Channel.CONFIRM_PURCHASE_SUCCESS, {"purchaseId": left}, 30)
    assert billing.game.wait_text("status", lambda t: t.startswith("Delivered"))
    assert billing.observe_store(left) == "CONSUMED"
    assert billing.buy("con1", method="card").ok


@pytest.mark.slow
def test_second_buy_while_one_is_in_flight_is_117(billing, callbacks, device_props):
    device_props({"rustore.harness.bank.settlement_delay.SBP": "3"})
    mark, _, _ = leave_for_bank(billing, "con1", "sbp")
    billing.game.wait_text("status", lambda t: t.startswith("Waiting for the bank to settle"), timeout=30)
    sdk_calls = len(callbacks.events(Channel.PURCHASE_PRODUCT_SUCCESS, mark))
    billing.game.tap("btn_buy_con1")
    line = callbacks.expect_iap(117, timeout=10)  # IAP_IN_PROGRESS_ERROR, no second SDK call
    assert line.fields.get("product") == "con1"
    confirmed = callbacks.expect(Channel.CONFIRM_PURCHASE_SUCCESS, None, 30, mark)
    assert len(callbacks.events(Channel.PURCHASE_PRODUCT_SUCCESS, mark)) == sdk_calls == 1
    assert billing.observe_store(confirmed.parsed["purchaseId"]) == "CONSUMED"


# ------------------------------------------------------------------ non-consumables
@pytest.mark.needs_store_controls
def test_non_consumable_ends_confirmed_and_cannot_be_sold_twice(billing, callbacks):
    bought = billing.buy("non_con1", method="card")
    assert bought.ok and bought.info.parsed["purchaseState"] == "CONFIRMED"
    assert bought.confirm is None, "a non-consumable is never confirmed by the game"
    assert billing.observe_store(bought.purchase_id) == "CONFIRMED"
    again = tap_buy(billing, "non_con1")
    assert again.parsed["type"] == "Failure" and again.parsed["data"]["errorCode"] == 40011, again.raw
    assert callbacks.expect_iap(109, timeout=10).seq == again.seq


@pytest.mark.slow
def test_non_consumable_refund_cancels_it(billing, store, user):
    bought = billing.buy("non_con2", method="sbp")
    assert bought.ok
    assert billing.info(bought.purchase_id).parsed["purchaseState"] == "CONFIRMED"
    store.refund(bought.purchase_id)
    assert billing.info(bought.purchase_id, refresh=False).parsed["purchaseState"] == "CANCELLED"
    assert store.audit(purchase_id=bought.purchase_id).purchases[0].invoiceStatus == "refunded"


# ------------------------------------------------------------------ subscriptions
@pytest.mark.slow
def test_subscription_renews_pauses_resumes_and_terminates(billing, callbacks, store, user, own_app):
    bought = billing.buy("sub1", method="card")
    assert bought.ok and bought.info.parsed["purchaseState"] == "CONFIRMED"
    pid = bought.purchase_id
    charges = store.audit(purchase_id=pid).purchases[0].charges
    store.advance(minutes=10, app_id=own_app)  # one renewal period on the app's own clock
    audit = store.audit(purchase_id=pid)
    assert audit.purchases[0].charges == charges + 1, audit.purchases[0]
    renewals = [t for t in audit.transitions if t.cause.startswith("renewal charge")]
    assert [(t.fromState, t.toState) for t in renewals] == [("CONFIRMED", "CONFIRMED")]
    assert billing.info(pid).parsed["purchaseState"] == "CONFIRMED"
    store.subscription(pid, "pause")
    assert billing.info(pid, refresh=False).parsed["purchaseState"] == "PAUSED"
    store.subscription(pid, "resume")
    assert billing.info(pid, refresh=False).parsed["purchaseState"] == "CONFIRMED"
    store.subscription(pid, "pause")
    assert billing.info(pid, refresh=False).parsed["purchaseState"] == "PAUSED"
    store.subscription(pid, "terminate")
    assert billing.info(pid, refresh=False).parsed["purchaseState"] == "TERMINATED"


@pytest.mark.slow
def test_subscription_close_and_again_is_40012(billing, callbacks, store):
    bought = billing.buy("sub2", method="sberpay")
    assert bought.ok and bought.info.parsed["purchaseState"] == "CONFIRMED"
    again = tap_buy(billing, "sub2")
    assert again.parsed["type"] == "Failure" and again.parsed["data"]["errorCode"] == 40012, again.raw
    assert callbacks.expect_iap(109, timeout=10).seq == again.seq
    assert billing.info(bought.purchase_id).parsed["purchaseState"] == "CONFIRMED"
    store.subscription(bought.purchase_id, "close")
    assert billing.info(bought.purchase_id, refresh=False).parsed["purchaseState"] == "CLOSED"


# ------------------------------------------------------------------ delete
@pytest.mark.parametrize("product", ["con1", "non_con1", "sub1"])
def test_delete_from_invoice_created(billing, store, user, product):
    created = store.create_purchase(user, product).purchaseId
    deleted = billing.delete(created)
    assert deleted.channel == Channel.DELETE_PURCHASE_SUCCESS.value, deleted.raw
    assert billing.observe_store(created) == "CANCELLED"
    assert store.audit(purchase_id=created).purchases[0].invoiceStatus == "cancelled"


@pytest.mark.parametrize(
    ("method", "money"), [("CARD", "reversed"), ("SBERPAY", "reversed"), ("SBP", "refunded")]
)
def test_delete_from_paid_reverses_two_stage_and_refunds_one_stage(billing, store, user, method, money):
    created = store.create_purchase(user, "con2").purchaseId
    store.pay(user, created, method)
    assert billing.info(created).parsed["purchaseState"] == "PAID"
    deleted = billing.delete(created, refresh=False)
    assert deleted.channel == Channel.DELETE_PURCHASE_SUCCESS.value, deleted.raw
    assert billing.observe_store(created) == "CANCELLED"
    assert store.audit(purchase_id=created).purchases[0].invoiceStatus == money


def test_paid_consumable_refunded_by_the_store(billing, store, user):
    pid = paid_by_store(store, user, "con1")
    assert billing.info(pid).parsed["purchaseState"] == "PAID"
    store.refund(pid)
    assert billing.info(pid, refresh=False).parsed["purchaseState"] == "CANCELLED"


# ------------------------------------------------------------------ an invoice that could not be made
@pytest.mark.parametrize("product", ["con1", "non_con1", "sub1"])
def test_invoice_not_created_abandons_the_purchase(billing, store, user, contract_coverage, product):
    store.force_error("invoice", error_code=50002, message="invoice service down", user_id=user)
    result = tap_buy(billing, product)
    assert result.channel == Channel.PURCHASE_PRODUCT_FAILURE.value or result.parsed["type"] == "Failure", (
        result.raw
    )
    audit = store.audit(user_id=user)
    abandoned = [
        p for p in audit.purchases if p.purchase.productId == product and p.cancelCause == "invoice_failed"
    ]
    assert abandoned, [(p.purchase.productId, p.cancelCause) for p in audit.purchases]
    pid = abandoned[-1].purchase.purchaseId
    states = [t.toState.value for t in audit.transitions if t.purchaseId == pid]
    assert states == ["CREATED", "CANCELLED"], states
    contract_coverage.audit(str(abandoned[-1].purchase.productType), states)
