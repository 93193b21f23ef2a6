"""Every RuStore errorCode of §5.1, through its real cause where the sandbox has one and through the
store controls otherwise, and the game's IAP client code for each (§10)."""

from __future__ import annotations

import pytest

from harness.rustore.channels import Channel

from .steps import pay_by_card, tap_buy


def assert_failure(result, code):
    assert result.channel == Channel.PURCHASE_PRODUCT_SUCCESS.value, result.describe()
    assert result.parsed["type"] == "Failure", result.raw
    assert result.parsed["data"]["errorCode"] == code, result.raw


# ------------------------------------------------------------------ real causes
def test_40003_unknown_app(billing, callbacks, game_config):
    game_config({"rustore.app_id": "2063599999"})  # no such app in the console
    event = billing.products()
    assert event.channel == Channel.GET_PRODUCTS_FAILURE.value and "40003" in event.raw, event.raw
    assert callbacks.expect_iap(100, timeout=10).seq == event.seq


def test_40004_app_inactive(billing, callbacks, store, own_app):
    billing.products()
    store.set_app(own_app, active=False)
    result = tap_buy(billing, "con1", refresh=False, timeout=30)
    assert_failure(result, 40004)
    assert callbacks.expect_iap(109, timeout=10).seq == result.seq


@pytest.mark.parametrize(("flags", "code"), [({"status": "INACTIVE"}, 40006), ({"deleted": True}, 40017)])
def test_product_gone_after_the_list_was_shown(billing, callbacks, store, own_app, flags, code):
    billing.products(["con2"])  # the player sees con2 …
    store.set_product("con2", app_id=own_app, **flags)  # … the studio deactivates or deletes it meanwhile
    result = tap_buy(billing, "con2", refresh=False, timeout=30)
    assert_failure(result, code)
    assert callbacks.expect_iap(109, timeout=10).seq == result.seq


def test_40009_unpaid_invoice_for_the_same_product(billing, callbacks, store, user):
    store.create_purchase(user, "con1")
    result = tap_buy(billing, "con1")
    assert_failure(result, 40009)
    assert callbacks.expect_iap(109, timeout=10).seq == result.seq


def test_40015_delete_of_a_confirmed_non_consumable(billing, callbacks, store, user):
    owned = store.create_purchase(user, "non_con1").purchaseId
    store.pay(user, owned)
    event = billing.delete(owned)
    assert event.channel == Channel.DELETE_PURCHASE_FAILURE.value and "40015" in event.raw, event.raw
    assert billing.observe_store(owned) == "CONFIRMED"  # refused, nothing changed


def test_40401_purchase_unknown_to_the_store(billing, callbacks, store, user):
    unpaid = store.create_purchase(user, "con1").purchaseId
    billing.purchases()
    store.reset(user)  # the store forgets it while the player looks at it
    event = billing.info(unpaid, refresh=False)
    assert event.channel == Channel.GET_PURCHASE_INFO_FAILURE.value and "40401" in event.raw, event.raw
    assert callbacks.expect_iap(100, timeout=10).seq == event.seq


def buy_by_card_until_confirm(billing):
    mark = pay_by_card(billing, "con1")
    return billing.callbacks.expect(Channel.CONFIRM_PURCHASE_FAILURE, None, 30, mark)


def test_40018_confirm_refused(billing, callbacks, store, user):
    refusal = "Products of this type cannot be consumed"
    store.force_error("confirm", error_code=40018, message=refusal, user_id=user)
    failed = buy_by_card_until_confirm(billing)
    assert "40018" in failed.raw and "RuStorePaymentNetworkException" in failed.raw, failed.raw
    assert callbacks.expect_iap(100, timeout=10).seq == failed.seq  # by exception: NETWORK_TIMEOUT


def test_confirm_failing_with_a_payment_error_is_111(billing, callbacks, store, user):
    store.force_error(
        "confirm", simple_name="RuStorePaymentCommonException", message="Payment error", user_id=user
    )
    failed = buy_by_card_until_confirm(billing)
    assert "RuStorePaymentCommonException" in failed.raw, failed.raw
    assert callbacks.expect_iap(111, timeout=10).seq == failed.seq  # INAPP_CONSUME_ERROR


def test_105_every_call_before_init(billing, callbacks, device_props, app):
    device_props({"rustore.harness.config.rustore.app_id": "unset"})  # the studio forgot its app id
    app.stop()
    app.control.app_start(app.package, app.activity)
    billing.game.wait_text("status", lambda t: t == "RuStore app id is not configured (rustore.app_id)")
    billing.game.tap("btn_products")
    line = callbacks.expect_iap(105, timeout=10)  # IAP_INITIALIZED_ERROR, no SDK call made
    assert line.fields.get("call") == "get_products"
    assert (
        callbacks.events(Channel.GET_PRODUCTS_SUCCESS) == callbacks.events(Channel.GET_PRODUCTS_FAILURE) == []
    )


# ------------------------------------------------------------------ through the store controls
REJECTED_AT_PURCHASE = [40005, 40007, 40008, 40013, 40014, 40016]


@pytest.mark.parametrize("code", REJECTED_AT_PURCHASE)
def test_rejected_when_the_invoice_is_created(billing, callbacks, store, user, code):
    store.force_error("purchase", error_code=code, user_id=user)
    result = tap_buy(billing, "con1")
    assert_failure(result, code)
    assert callbacks.expect_iap(109, timeout=10).seq == result.seq
    assert billing.paysheet.find(billing.paysheet.pay_button) is None  # no sheet for a refused purchase


NETWORK = [40101, 40102, 40301, 40302, 40303, 40305, 40801, 50000]
OPERATIONS = [
    "products",
    "purchases",
    "purchase_info",
    "purchase",
    "delete",
    "availability",
    "confirm",
    "pay",
]


@pytest.mark.parametrize(("code", "operation"), list(zip(NETWORK, OPERATIONS, strict=True)))
def test_network_exception_on_the_failure_channel(billing, callbacks, store, user, code, operation):
    """Token, access, timeout and internal errors are RuStorePaymentNetworkException (§10.4)."""
    store.force_error(operation, error_code=code, message=f"forced {code}", user_id=user)
    pid = None
    if operation in ("purchase_info", "delete"):
        pid = store.create_purchase(user, "con2").purchaseId
        billing.purchases()
    mark = callbacks.mark()
    if operation == "products":
        event = billing.products()
    elif operation == "purchases":
        event = billing.purchases()
    elif operation == "purchase_info":
        event = billing.info(pid, refresh=False)
    elif operation == "delete":
        event = billing.delete(pid, refresh=False)
    elif operation == "availability":
        event = billing.availability()
    elif operation == "purchase":
        event = tap_buy(billing, "con1")
    elif operation == "pay":  # during a card purchase
        pay_by_card(billing, "con1")
        event = callbacks.expect_any("purchase_product", 30, mark)
    else:  # confirm: after a card purchase
        event = buy_by_card_until_confirm(billing)
    assert str(code) in event.raw, event.raw
    assert "RuStorePaymentNetworkException" in event.raw, event.raw
