"""A consumable bought by card, SBP and SberPay: every outcome, the deeplink return, the settlement delay."""

from __future__ import annotations

import re

import pytest

from harness.rustore.channels import Channel

from .steps import leave_for_bank, open_sheet

SCHEME = "rustoresample"


def assert_consumed(billing, bought):
    assert bought.ok, bought.result.raw
    assert bought.info is not None and bought.info.parsed["purchaseState"] == "PAID"
    assert bought.confirm is not None, "the game confirms a PAID consumable once its server validated it"
    assert billing.game.wait_text("status", lambda t: t.startswith("Delivered"))
    assert_store(billing, bought.purchase_id, "CONSUMED")


def assert_store(billing, purchase_id, state):
    """The store's own view, where the pool has a store the harness can ask (virtual pools)."""
    if billing.store is not None:
        assert billing.observe_store(purchase_id) == state


# ------------------------------------------------------------------ card (two-stage, inside the sheet)
def test_card_approved(billing):
    bought = billing.buy("con1", method="card")
    assert_consumed(billing, bought)
    assert isinstance(bought.result.parsed["data"]["sandbox"], bool)


@pytest.mark.needs_store_controls
def test_card_declined(billing, callbacks):
    bought = billing.buy("con1", method="card", outcome="decline")
    assert bought.result.parsed["type"] == "Failure", bought.result.raw
    assert bought.info is None and bought.confirm is None
    assert callbacks.expect_iap(109, timeout=10).seq == bought.result.seq  # INAPP_PURCHASE_ERROR
    pid = bought.result.parsed["data"].get("purchaseId")
    if pid:
        assert billing.observe_store(pid) == "CANCELLED"


def test_card_cancelled_in_the_sheet(billing, callbacks):
    mark = open_sheet(billing, "con1")
    billing.paysheet.close()
    result = callbacks.expect_any("purchase_product", 30, mark)
    assert result.parsed["type"] == "Cancelled", result.raw
    assert callbacks.expect_iap(104, timeout=10).seq == result.seq  # USER_CANCEL
    assert_store(billing, result.parsed["data"]["purchaseId"], "CANCELLED")


# ------------------------------------------------------------------ SBP (one-stage, through a bank app)
def test_sbp_bank_pays_and_returns_through_the_deeplink(billing, callbacks, logcat):
    lines = logcat.mark()
    bought = billing.buy("con1", method="sbp")
    assert_consumed(billing, bought)
    invoice = bought.result.parsed["data"]["invoiceId"]
    # Android routed the bank's return URI to the plugin's RuStoreIntentFilterActivity …
    logcat.wait_for(
        rf"START u0 \{{act=android\.intent\.action\.VIEW .*dat={SCHEME}://rustore\.billing\.sdk/return\?"
        rf"invoiceId={invoice}.*cmp=\S+/ru\.rustore\.defold\.billing\.RuStoreIntentFilterActivity",
        lines,
        timeout=10,
    )
    # … which handed it to the SDK's onNewIntent: the payment logger says so, before the result.
    received = callbacks.expect(
        Channel.PAYMENT_LOGGER_DEBUG, lambda e: f"Return deeplink received: invoiceId={invoice}" in e.raw, 10
    )
    assert received.index < bought.result.index


def test_sbp_cancelled_in_the_bank(billing, callbacks):
    bought = billing.buy("con1", method="sbp", outcome="user_cancel")
    assert bought.result.parsed["type"] == "Cancelled", bought.result.raw
    assert callbacks.expect_iap(104, timeout=10).seq == bought.result.seq
    assert_store(billing, bought.result.parsed["data"]["purchaseId"], "CANCELLED")


@pytest.mark.needs_store_controls
def test_sbp_bank_never_returns_and_the_test_fires_the_return(billing):
    bought = billing.buy("con1", method="sbp", outcome="bank_never_returns")
    assert bought.return_uri_fired and bought.return_uri_fired.startswith(
        f"{SCHEME}://rustore.billing.sdk/return"
    )
    assert_consumed(billing, bought)


@pytest.mark.needs_store_controls
def test_sbp_wrong_return_uri_is_invalid_payment_state(billing, callbacks):
    mark, lines, bank = leave_for_bank(billing, "con1", "sbp", outcome="bank_never_returns")
    bank.wait_pending()
    right = billing.return_uri(bank.package, lines)
    invoice = re.search(r"invoiceId=(\d+)", right).group(1)
    wrong = f"{SCHEME}://rustore.billing.sdk/return?invoiceId={int(invoice) + 999}"
    billing.open_uri(wrong)
    result = callbacks.expect_any("purchase_product", 30, mark)
    assert result.channel == Channel.PURCHASE_PRODUCT_SUCCESS.value
    assert result.parsed == {"type": "InvalidPaymentState", "data": {}}, result.raw
    assert callbacks.expect_iap(109, timeout=10).seq == result.seq
    callbacks.expect(
        Channel.PAYMENT_LOGGER_WARNING, lambda e: "does not match the pending payment" in e.raw, 10
    )


@pytest.mark.slow
def test_sbp_settlement_delay_shows_invoice_created_then_paid(billing, callbacks, device_props):
    device_props({"rustore.harness.bank.settlement_delay.SBP": "2"})
    bought = billing.buy("con1", method="sbp")
    assert bought.ok, bought.result.raw
    assert bought.settling, "Success came back before the bank settled: the game saw INVOICE_CREATED first"
    assert all(e.parsed["purchaseState"] == "INVOICE_CREATED" for e in bought.settling)
    assert_consumed(billing, bought)  # then PAID, validated, confirmed


# ------------------------------------------------------------------ SberPay (two-stage, bank app)
def test_sberpay_approved(billing):
    assert_consumed(billing, billing.buy("con1", method="sberpay"))


@pytest.mark.needs_store_controls
def test_sberpay_declined(billing, callbacks):
    bought = billing.buy("con2", method="sberpay", outcome="decline")
    assert bought.result.parsed["type"] == "Failure", bought.result.raw
    assert callbacks.expect_iap(109, timeout=10).seq == bought.result.seq
