"""What get_purchases lists (§3.4, §10.12) and what get_purchase_info says, per type and state;
the 20-minute auto-cancel of an unpaid invoice (§10)."""

from __future__ import annotations


def listed(billing):
    event = billing.purchases()
    assert event.channel == "rustore_on_get_purchases_success", event.describe()
    return {p["purchaseId"]: p["purchaseState"] for p in event.parsed}


def info_state(billing, pid, refresh=True):
    event = billing.info(pid, refresh=refresh)
    assert event.channel == "rustore_on_get_purchase_info_success", event.describe()
    assert event.parsed["purchaseId"] == pid
    return event.parsed["purchaseState"]


def test_consumables_listed_while_invoice_created_or_paid(billing, store, user):
    consumed = store.create_purchase(user, "con2").purchaseId
    store.pay(user, consumed)
    store.confirm(user, consumed)
    cancelled = store.create_purchase(user, "con1").purchaseId
    store.delete(user, cancelled)
    unpaid = store.create_purchase(user, "con1").purchaseId
    paid = store.create_purchase(user, "con2").purchaseId
    store.pay(user, paid)

    assert listed(billing) == {unpaid: "INVOICE_CREATED", paid: "PAID"}  # not CONSUMED, not CANCELLED
    assert info_state(billing, unpaid, refresh=False) == "INVOICE_CREATED"
    assert info_state(billing, paid, refresh=False) == "PAID"
    store.confirm(user, paid)
    store.delete(user, unpaid)
    assert info_state(billing, paid, refresh=False) == "CONSUMED"
    assert info_state(billing, unpaid, refresh=False) == "CANCELLED"
    assert listed(billing) == {}


def test_non_consumables_listed_while_invoice_created_or_confirmed(billing, store, user):
    owned = store.create_purchase(user, "non_con1").purchaseId
    store.pay(user, owned, "SBP")
    unpaid = store.create_purchase(user, "non_con2").purchaseId

    assert listed(billing) == {owned: "CONFIRMED", unpaid: "INVOICE_CREATED"}
    assert info_state(billing, owned, refresh=False) == "CONFIRMED"
    store.refund(owned)
    assert info_state(billing, owned, refresh=False) == "CANCELLED"
    assert listed(billing) == {unpaid: "INVOICE_CREATED"}


def test_subscriptions_listed_while_confirmed_or_paused(billing, store, user):
    active = store.create_purchase(user, "sub1").purchaseId
    store.pay(user, active)
    paused = store.create_purchase(user, "sub2").purchaseId
    store.pay(user, paused)
    store.subscription(paused, "pause")

    assert listed(billing) == {active: "CONFIRMED", paused: "PAUSED"}
    assert info_state(billing, paused, refresh=False) == "PAUSED"
    store.subscription(paused, "terminate")
    store.subscription(active, "close")
    assert info_state(billing, paused, refresh=False) == "TERMINATED"
    assert info_state(billing, active, refresh=False) == "CLOSED"
    assert listed(billing) == {}  # neither TERMINATED nor CLOSED is listed


def test_unpaid_subscription_is_listed_and_can_be_deleted(billing, store, user):
    unpaid = store.create_purchase(user, "sub2").purchaseId
    assert listed(billing) == {unpaid: "INVOICE_CREATED"}
    assert billing.delete(unpaid, refresh=False).channel == "rustore_on_delete_purchase_success"
    assert billing.observe_store(unpaid) == "CANCELLED"
    assert listed(billing) == {}  # the game re-read its purchases after the delete


def test_unpaid_invoice_is_cancelled_after_20_virtual_minutes(billing, store, user, own_app):
    unpaid = store.create_purchase(user, "con1", app_id=own_app).purchaseId
    assert info_state(billing, unpaid) == "INVOICE_CREATED"
    store.advance(minutes=19, app_id=own_app)  # the app's own clock: other devices' invoices stay
    assert info_state(billing, unpaid, refresh=False) == "INVOICE_CREATED"  # not a minute early
    store.advance(minutes=1.5, app_id=own_app)
    assert info_state(billing, unpaid, refresh=False) == "CANCELLED"
    assert store.audit(purchase_id=unpaid).purchases[0].cancelCause == "auto_cancel"
