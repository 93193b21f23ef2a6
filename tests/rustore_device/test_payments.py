"""Each payment method × outcome on a virtual device: sheet, bank app, deeplink return, sandbox state."""

from __future__ import annotations

import pytest

from harness.rustore.contract import check_payload

from .flows import (
    BANK_PACKAGES,
    PURCHASE_OK,
    SHEET,
    bank_link,
    in_bank,
    open_sheet,
    pay_in_sheet,
    return_uri_of,
)
from .game_device import PACKAGE


def success_payload(sandbox, game, purchase_id: str) -> str:
    p = sandbox.purchase_info(game.user_id, purchase_id)
    return (
        f'{{"type":"Success","data":{{"invoiceId":"{p.invoiceId}","orderId":"{p.orderId}",'
        f'"productId":"{p.productId}","purchaseId":"{p.purchaseId}","sandbox":true,'
        f'"subscriptionToken":"{p.subscriptionToken}"}}}}'
    )


def only_purchase(sandbox, game):
    audit = sandbox.audit(user_id=game.user_id)
    assert len(audit.purchases) == 1
    return audit.purchases[0].purchase


def test_card_approve_pays_in_the_sheet_then_the_game_consumes(game, sandbox) -> None:
    mark = open_sheet(game)
    assert game.find(SHEET + "sandbox_label").text == "Test purchase"
    assert game.find(SHEET + "product_price").text == "49 ₽"
    pay_in_sheet(game, "CARD")
    assert game.wait_node(SHEET + "result_text").text == "Payment successful"
    assert game.focused_package() == PACKAGE  # two-stage card: never left the game
    assert not game.callbacks(PURCHASE_OK, mark)  # the result is delivered when the sheet closes
    game.tap(SHEET + "done_button")
    event = game.expect(PURCHASE_OK, mark)
    purchase_id = event.payload.split('"purchaseId":"')[1].split('"')[0]
    assert event.payload == success_payload(sandbox, game, purchase_id)
    assert check_payload(PURCHASE_OK, event.payload).ok
    game.expect("rustore_on_confirm_purchase_success", mark)
    game.wait(
        lambda: sandbox.purchase_info(game.user_id, purchase_id).purchaseState == "CONSUMED", what="CONSUMED"
    )
    assert game.find(SHEET + "rustore_payment_sheet") is None


def test_card_decline_is_a_failure_result(game, sandbox) -> None:
    sandbox.next_outcome("decline", method="CARD", user_id=game.user_id)
    mark = open_sheet(game)
    pay_in_sheet(game, "CARD")
    assert game.wait_node(SHEET + "result_text").text == "Payment declined"
    game.tap(SHEET + "done_button")
    event = game.expect(PURCHASE_OK, mark)
    p = only_purchase(sandbox, game)
    assert event.payload == (
        '{"type":"Failure","data":{"invoiceId":"' + p.invoiceId + '","orderId":"' + p.orderId
        + '","productId":"con1","purchaseId":"' + p.purchaseId + '","quantity":1,"sandbox":true}}'
    )  # fmt: skip
    assert game.wait_code(109).seq == event.seq
    assert p.purchaseState == "CANCELLED"


def test_user_closes_the_sheet_is_cancelled(game, sandbox) -> None:
    mark = open_sheet(game)
    game.tap(SHEET + "close_button")
    event = game.expect(PURCHASE_OK, mark)
    p = only_purchase(sandbox, game)
    assert event.payload == '{"type":"Cancelled","data":{"purchaseId":"' + p.purchaseId + '","sandbox":true}}'
    assert game.wait_code(104).seq == event.seq
    assert p.purchaseState == "CANCELLED"


@pytest.mark.parametrize("method", ["SBP", "SBERPAY"])
@pytest.mark.parametrize(
    ("outcome", "button", "kind", "state", "code"),
    [
        ("approve", "pay_button", "Success", "CONSUMED", None),
        ("decline", "pay_button", "Failure", "CANCELLED", 109),
        (None, "cancel_button", "Cancelled", "CANCELLED", 104),
    ],
)
def test_bank_app_outcomes(game, sandbox, method, outcome, button, kind, state, code) -> None:
    if outcome is not None:
        sandbox.next_outcome(outcome, method=method, user_id=game.user_id)
    lines = game.line_mark()
    mark = open_sheet(game)
    pay_in_sheet(game, method)
    link = bank_link(game, method, lines)
    assert (
        return_uri_of(link)
        == f"rustoresample://rustore.billing.sdk/return?invoiceId={only_purchase(sandbox, game).invoiceId}"
    )
    in_bank(game, method, button)
    assert game.focused_package() in (BANK_PACKAGES[method], PACKAGE)
    event = game.expect(PURCHASE_OK, mark)
    assert event.payload.startswith('{"type":"' + kind + '","data":{')
    assert check_payload(PURCHASE_OK, event.payload).ok
    # the return went through RuStoreIntentFilterActivity and brought the game back
    game.wait_line(
        r"START u0 \{act=android\.intent\.action\.VIEW cat=\[android\.intent\.category\.BROWSABLE\] "
        r"dat=rustoresample://rustore\.billing\.sdk/return\?invoiceId=\d+ flg=0x10000000 "
        r"cmp=ru\.rustore\.sample\.billing/ru\.rustore\.defold\.billing\.RuStoreIntentFilterActivity",
        lines,
    )
    game.wait_line(r"RuStoreBillingClient: Return deeplink received", lines)
    assert game.focused_package() == PACKAGE
    if code is not None:
        assert game.wait_code(code).seq == event.seq
    p = only_purchase(sandbox, game)
    game.wait(lambda: sandbox.purchase_info(game.user_id, p.purchaseId).purchaseState == state, what=state)


@pytest.mark.parametrize("method", ["SBP", "SBERPAY"])
def test_bank_never_returns_and_the_test_fires_the_return_uri(game, sandbox, method) -> None:
    sandbox.next_outcome("bank_never_returns", method=method, user_id=game.user_id)
    lines = game.line_mark()
    mark = open_sheet(game)
    pay_in_sheet(game, method)
    uri = return_uri_of(bank_link(game, method, lines))
    in_bank(game, method, "pay_button")
    pkg = BANK_PACKAGES[method]
    assert game.wait_node(f"{pkg}:id/status", text="Payment is being processed by the bank")
    assert game.focused_package() == pkg
    assert not game.callbacks(PURCHASE_OK, mark)
    out = game.dev.shell(f"am start -W -a android.intent.action.VIEW -d '{uri}'")
    assert "Status: ok" in out, out
    event = game.expect(PURCHASE_OK, mark)
    p = only_purchase(sandbox, game)
    assert event.payload == success_payload(sandbox, game, p.purchaseId)
    game.wait(
        lambda: sandbox.purchase_info(game.user_id, p.purchaseId).purchaseState == "CONSUMED", what="CONSUMED"
    )


@pytest.mark.parametrize(
    "uri",
    [
        "rustoresample://rustore.billing.sdk/return?invoiceId=99999999",
        "rustoresample://elsewhere.example/return?invoiceId={invoice}",
    ],
)
def test_a_wrong_return_uri_is_invalid_payment_state(game, sandbox, uri) -> None:
    sandbox.next_outcome("bank_never_returns", method="SBP", user_id=game.user_id)
    mark = open_sheet(game)
    pay_in_sheet(game, "SBP")
    in_bank(game, "SBP", "pay_button")
    game.wait_node("ru.virtualbank.sbp:id/status", text="Payment is being processed by the bank")
    target = uri.format(invoice=only_purchase(sandbox, game).invoiceId)
    out = game.dev.shell(f"am start -W -a android.intent.action.VIEW -d '{target}'")
    assert "Status: ok" in out, out
    event = game.expect(PURCHASE_OK, mark)
    assert event.payload == '{"type":"InvalidPaymentState","data":{}}'
    assert game.wait_code(109).seq == event.seq


def test_settlement_delay_reports_invoice_created_then_paid(make_game, sandbox) -> None:
    game = make_game({"rustore.harness.bank.settlement_delay.SBP": "30"})
    mark = open_sheet(game)
    pay_in_sheet(game, "SBP")
    in_bank(game, "SBP", "pay_button")
    event = game.expect(PURCHASE_OK, mark)
    p = only_purchase(sandbox, game)
    assert event.payload == success_payload(sandbox, game, p.purchaseId)  # Success comes back at once…
    assert (
        sandbox.purchase_info(game.user_id, p.purchaseId).purchaseState == "INVOICE_CREATED"
    )  # …not yet PAID
    info = game.mark()
    game.request("info", p.purchaseId)
    assert (
        '"purchaseState":"INVOICE_CREATED"'
        in game.expect("rustore_on_get_purchase_info_success", info).payload
    )
    sandbox.advance(seconds=31)  # the bank settles (virtual time of the sandbox)
    game.request("info", p.purchaseId)
    # the game refetches on its own until PAID (then validates and consumes), so a PAID sample is
    # among the answers since the mark, not necessarily the first one (test_settlement_delay.py)
    game.wait(
        lambda: any(
            '"purchaseState":"PAID"' in e.payload
            for e in game.callbacks("rustore_on_get_purchase_info_success", info)
        ),
        what="a PAID sample",
    )
    assert [t.toState for t in sandbox.audit(purchase_id=p.purchaseId).transitions][1:3] == [
        "INVOICE_CREATED",
        "PAID",
    ]


def test_a_server_rejection_is_a_failure_result_without_the_sheet(game, sandbox) -> None:
    sandbox.create_purchase(game.user_id, "con1")  # an unpaid invoice of con1 already exists
    mark = game.mark()
    game.request("buy", "con1")
    event = game.expect(PURCHASE_OK, mark)
    assert (
        event.payload
        == '{"type":"Failure","data":{"errorCode":40009,"productId":"con1","quantity":1,"sandbox":true}}'
    )
    assert game.find(SHEET + "rustore_payment_sheet") is None
    assert game.wait_code(109).seq == event.seq


def test_a_50xxx_error_is_a_network_exception_on_the_failure_channel(game, sandbox) -> None:
    sandbox.force_error("purchase", error_code=50001, user_id=game.user_id)
    mark = game.mark()
    game.request("buy", "con1")
    event = game.expect("rustore_on_purchase_product_failure", mark)
    assert event.payload.startswith(
        '{"productId": "con1", "cause": {"detailMessage":"Payment API error 50001: '
    )
    assert event.payload.endswith('","simpleName":"RuStorePaymentNetworkException"}}')
    assert game.wait_code(100).seq == event.seq  # NETWORK_TIMEOUT (CONTRACT §10 mapping)


def test_init_with_another_scheme_makes_the_return_invalid(probe, sandbox) -> None:
    """The return URI follows init's scheme; the manifest's scheme is another: nothing routes the bank's
    return, and the one the test fires (manifest scheme) does not match → InvalidPaymentState (§7)."""
    sheet = "ru.rustore.harness.probe:id/"
    probe.lua(
        "probe.got = {}\n"
        "rustorecore.connect('rustore_on_purchase_product_success', function(self, ch, value)\n"
        "  probe.got[#probe.got + 1] = value\n"
        "  rustorecore.log_info('ProbeCallback', value)\n"
        "end)\n"
        "rustorebilling.init('2063590001', 'otherscheme', false)\n"
        "rustorebilling.purchase_product('con1', '{}')"
    )
    lines = probe.line_mark()
    probe.tap(sheet + "method_sbp")
    probe.tap(sheet + "pay_button")
    link = bank_link(probe, "SBP", lines)
    assert return_uri_of(link).startswith("otherscheme://rustore.billing.sdk/return?invoiceId=")
    in_bank(probe, "SBP", "pay_button")
    probe.wait_line(r"VirtualBank: Bank answered Success", lines)
    assert probe.focused_package() == BANK_PACKAGES["SBP"]  # otherscheme:// resolves to nothing
    invoice = return_uri_of(link).rsplit("=", 1)[1]
    out = probe.dev.shell(
        f"am start -W -a android.intent.action.VIEW -d 'probe://rustore.billing.sdk/return?invoiceId={invoice}'"
    )
    assert "Status: ok" in out, out
    probe.wait_line(r"ProbeCallback: ", lines)
    assert probe.lua("return probe.got[1]") == '{"type":"InvalidPaymentState","data":{}}'
    assert probe.focused_package() == "ru.rustore.harness.probe"


@pytest.mark.parametrize(("product", "method"), [("non_con1", "SBERPAY"), ("sub1", "CARD")])
def test_non_consumable_and_subscription_are_confirmed_without_confirm_purchase(
    game, sandbox, product, method
) -> None:
    mark = open_sheet(game, product)
    pay_in_sheet(game, method)
    if method == "CARD":
        game.tap(SHEET + "done_button")
    else:
        in_bank(game, method, "pay_button")
    event = game.expect(PURCHASE_OK, mark)
    assert check_payload(PURCHASE_OK, event.payload).ok and '"productId":"' + product + '"' in event.payload
    info = game.expect("rustore_on_get_purchase_info_success", mark)
    assert '"purchaseState":"CONFIRMED"' in info.payload
    game.wait_line(r"RuStoreHarness: cb seq=\d+ .*ch=rustore_on_get_purchase_info_success")
    assert not game.callbacks("rustore_on_confirm_purchase_success", mark)
    assert only_purchase(sandbox, game).purchaseState == "CONFIRMED"


def test_a_card_payment_error_shows_in_the_sheet_then_fails_the_purchase(game, sandbox) -> None:
    sandbox.force_error("pay", error_code=50005, user_id=game.user_id)
    mark = open_sheet(game)
    pay_in_sheet(game, "CARD")
    assert game.wait_node(SHEET + "result_text").text == "Payment error: 50005"
    game.tap(SHEET + "done_button")
    event = game.expect("rustore_on_purchase_product_failure", mark)
    assert event.payload.startswith(
        '{"productId": "con1", "cause": {"detailMessage":"Payment API error 50005: '
    )
    assert game.wait_code(100).seq == event.seq
