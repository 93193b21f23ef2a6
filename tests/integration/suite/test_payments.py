"""Payments end to end on the virtual pool, written as a QA engineer writes them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.needs_store_controls


@pytest.mark.parametrize("method", ["card", "sbp", "sberpay"])
def test_buy_consumable(billing, callbacks, store, device, method):
    bought = billing.buy("con1", method=method)
    assert bought.ok, bought.result.raw
    assert bought.info is not None and bought.info.parsed["purchaseState"] == "PAID"
    assert bought.confirm is not None  # the game's server validated it, then the game confirmed it
    assert billing.game.wait_text("status", lambda t: t.startswith("Delivered"))
    assert billing.observe_store(bought.purchase_id) == "CONSUMED"
    print(f"SERIAL {device.serial} {method}")


def test_buy_non_consumable_by_sberpay_ends_confirmed(billing, store):
    bought = billing.buy("non_con1", method="sberpay")
    assert bought.ok and bought.confirm is None
    assert billing.observe_store(bought.purchase_id) == "CONFIRMED"


def test_bank_never_returns(billing, callbacks, store, device):
    bought = billing.buy("con2", method="sbp", outcome="bank_never_returns")
    assert bought.return_uri_fired and bought.return_uri_fired.startswith("rustoresample://")
    assert bought.ok, bought.result.raw
    assert billing.observe_store(bought.purchase_id) == "CONSUMED"
    print(f"SERIAL {device.serial} never-returns")


def test_availability(billing, device):
    event = billing.availability()
    assert event.channel == "rustore_check_purchases_available_success"
    assert billing.game.status == "RuStore purchases are available"
    print(f"SERIAL {device.serial} availability")


@pytest.mark.parametrize(
    ("method", "outcome", "result"), [("card", "decline", "Failure"), ("sbp", "user_cancel", "Cancelled")]
)
def test_payment_not_made(billing, store, method, outcome, result):
    bought = billing.buy("con1", method=method, outcome=outcome)
    assert not bought.ok and bought.result.parsed["type"] == result, bought.result.raw
    assert bought.info is None and bought.confirm is None
