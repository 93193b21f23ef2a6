"""The purchases screen's flows and the game's switches, on purchases the store made directly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.needs_store_controls


def test_list_info_confirm_delete_and_switches(billing, store):
    user = billing.user_id
    paid = store.create_purchase(user, "con1")
    store.pay(user, paid.purchaseId)
    unpaid = store.create_purchase(user, "con2")

    listing = billing.purchases()
    states = {p["purchaseId"]: p["purchaseState"] for p in listing.parsed}
    assert states[paid.purchaseId] == "PAID"
    assert billing.info(paid.purchaseId).parsed["purchaseState"] == "PAID"
    assert billing.confirm(paid.purchaseId).channel == "rustore_on_confirm_purchase_success"
    assert billing.observe_store(paid.purchaseId) == "CONSUMED"
    assert states[unpaid.purchaseId] == "INVOICE_CREATED"
    assert billing.delete(unpaid.purchaseId).channel == "rustore_on_delete_purchase_success"
    assert billing.observe_store(unpaid.purchaseId) == "CANCELLED"

    assert billing.set_theme("light") == "Theme: Light"
    assert billing.set_error_handling(False) == "Error dialogs: off"


def test_leaves_a_paid_purchase_for_the_sweep(billing, store):
    user = billing.user_id
    left = store.create_purchase(user, "con1")
    store.pay(user, left.purchaseId)
    assert store.purchase_info(user, left.purchaseId).purchaseState == "PAID"
