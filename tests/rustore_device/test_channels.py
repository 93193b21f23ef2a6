"""All 19 channels produced by real flows of the sample game, byte-exact with CONTRACT §2 (faithful)
and valid JSON everywhere (fixed). The oracle here is written from §2's templates, not from the
emulator's own writer; the harness's contract checker must accept every payload as well."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from harness.rustore.channels import Channel
from harness.rustore.contract import check_payload

from .flows import PURCHASE_OK, SHEET, open_sheet, pay_in_sheet

NETWORK = "RuStorePaymentNetworkException"


def gson_purchase(purchase, zone: str) -> str:
    data = purchase.model_dump(exclude_none=True)
    data.pop("paymentMethod", None)
    data.pop("description", None)
    data["purchaseState"] = str(purchase.purchaseState)
    moment = datetime.fromisoformat(purchase.purchaseTime).astimezone(ZoneInfo(zone))
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    data["purchaseTime"] = f"{moment:%b} {moment.day}, {moment.year} {hour}:{moment:%M:%S}\u202f{meridiem}"
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def exercise(game, sandbox) -> dict[str, list[str]]:
    """Drive every channel once (or more); returns channel → payloads in arrival order."""
    user = game.user_id
    start = game.mark()
    game.request("check")
    game.expect("rustore_check_purchases_available_success", start)
    sandbox.force_error("availability", error_code=50001, user_id=user)
    game.request("check")
    game.expect("rustore_check_purchases_available_failure", start)

    game.request("products")
    game.expect("rustore_on_get_products_success", start)
    sandbox.force_error("products", error_code=50002, user_id=user)
    game.request("products")
    game.expect("rustore_on_get_products_failure", start)

    mark = open_sheet(game, "con1")
    pay_in_sheet(game, "CARD")
    game.tap(SHEET + "done_button")
    game.expect(PURCHASE_OK, mark)
    game.expect("rustore_on_confirm_purchase_success", mark)
    sandbox.force_error("purchase", error_code=50003, user_id=user)
    game.request("buy", "con1")
    game.expect("rustore_on_purchase_product_failure", mark)

    pending = sandbox.create_purchase(
        user, "con2"
    )  # an unpaid invoice: listed, and blocks a new con2 (40009)
    mark = game.mark()
    game.request("buy", "con2")
    game.expect(PURCHASE_OK, mark)
    game.request("purchases")
    game.expect("rustore_on_get_purchases_success", mark)
    sandbox.force_error("purchases", error_code=50004, user_id=user)
    game.request("purchases")
    game.expect("rustore_on_get_purchases_failure", mark)
    game.lua(f"rustorebilling.get_purchase_info('{pending.purchaseId}')")
    game.expect("rustore_on_get_purchase_info_success", mark)
    game.lua("rustorebilling.get_purchase_info('no-such-purchase')")
    game.expect("rustore_on_get_purchase_info_failure", mark)
    game.lua("rustorebilling.confirm_purchase('no-such-purchase')")
    game.expect("rustore_on_confirm_purchase_failure", mark)
    game.lua(f"rustorebilling.delete_purchase('{pending.purchaseId}')")
    game.expect("rustore_on_delete_purchase_success", mark)
    game.lua("rustorebilling.delete_purchase('no-such-purchase')")
    game.expect("rustore_on_delete_purchase_failure", mark)
    for level in ("debug", "error", "info", "verbose", "warning"):
        game.expect(f"rustore_on_payment_logger_{level}", start)
    found: dict[str, list[str]] = {}
    for event in game.callbacks(since=start):
        found.setdefault(event.channel, []).append(event.payload)
    return found


def test_all_19_channels_byte_exact_in_faithful_mode(game, sandbox) -> None:
    found = exercise(game, sandbox)
    assert set(found) == {str(c) for c in Channel} and len(found) == 19
    for channel, payloads in found.items():
        for payload in payloads:
            assert check_payload(channel, payload, "6.0.0", "faithful").ok, (channel, payload)
    user = game.user_id

    assert found["rustore_check_purchases_available_success"][0] == '{"isAvailable": true}'
    assert found["rustore_check_purchases_available_failure"] == [
        '{"detailMessage":"Payment API error 50001: Payment service internal error","simpleName":"'
        + NETWORK
        + '"}'
    ]
    products = sandbox.products(user, ["con1", "con2", "non_con1", "non_con2", "sub1", "sub2"])
    assert found["rustore_on_get_products_success"] == [
        json.dumps(
            [p.model_dump(exclude_none=True) for p in products],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
    ]
    assert "₽" in found["rustore_on_get_products_success"][0]  # non-ASCII raw, as Gson writes it
    assert found["rustore_on_get_products_failure"][0].endswith('","simpleName":"' + NETWORK + '"}')

    audit = {a.purchase.productId: a.purchase for a in sandbox.audit(user_id=user).purchases}
    con1 = audit["con1"]
    assert found[PURCHASE_OK][0] == (
        f'{{"type":"Success","data":{{"invoiceId":"{con1.invoiceId}","orderId":"{con1.orderId}",'
        f'"productId":"con1","purchaseId":"{con1.purchaseId}","sandbox":true,'
        f'"subscriptionToken":"{con1.subscriptionToken}"}}}}'
    )
    assert found[PURCHASE_OK][1] == (
        '{"type":"Failure","data":{"errorCode":40009,"productId":"con2","quantity":1,"sandbox":true}}'
    )
    assert found["rustore_on_purchase_product_failure"] == [
        '{"productId": "con1", "cause": {"detailMessage":"Payment API error 50003: Payment service internal '
        'error","simpleName":"' + NETWORK + '"}}'
    ]
    assert found["rustore_on_confirm_purchase_success"] == ['{"purchaseId": "' + con1.purchaseId + '"}']

    con2 = audit["con2"]
    listed = found["rustore_on_get_purchases_success"][0]
    assert listed.startswith("[{") and '"purchaseState":"INVOICE_CREATED"' in listed
    assert '"sandbox":true' in listed and '"description"' not in listed
    info = [p for p in found["rustore_on_get_purchase_info_success"] if con2.purchaseId in p]
    assert info and info[0] in listed  # the same Purchase object, alone
    assert found["rustore_on_get_purchases_failure"][0].endswith('","simpleName":"' + NETWORK + '"}')
    failure_of = '{"purchaseId": "no-such-purchase", "cause": {"detailMessage":"Payment API error 40401: '
    for channel in (
        "rustore_on_get_purchase_info_failure",
        "rustore_on_confirm_purchase_failure",
        "rustore_on_delete_purchase_failure",
    ):
        assert found[channel][0].startswith(failure_of), found[channel]
        assert found[channel][0].endswith('","simpleName":"' + NETWORK + '"}}')
    assert found["rustore_on_delete_purchase_success"] == ['{"purchaseId": "' + con2.purchaseId + '"}']

    # the logger: plain messages are JSON with e = the string "{}"; with a throwable, never JSON (§2.13)
    assert (
        '{"e": "{}", "message": "Payment sheet opened: productId=con1"}'
        in found["rustore_on_payment_logger_info"]
    )
    assert (
        '{"e": "{}", "message": "Payment method selected: CARD"}' in found["rustore_on_payment_logger_debug"]
    )
    assert (
        '{"e": "{}", "message": "POST /billing/v1/purchases"}' in found["rustore_on_payment_logger_verbose"]
    )
    assert (
        '{"e": "{}", "message": "Purchase rejected by RuStore: errorCode=40009"}'
        in found["rustore_on_payment_logger_warning"]
    )
    errors = found["rustore_on_payment_logger_error"]
    assert errors[0] == (
        '{"e": "{"detailMessage":"Payment API error 50001: Payment service internal error","simpleName":"'
        + NETWORK
        + '"}", "message": "Request failed"}'
    )
    for payload in errors:
        with pytest.raises(json.JSONDecodeError):
            json.loads(payload)


def test_purchase_payloads_match_an_independent_gson_rendering(game, sandbox) -> None:
    pending = sandbox.create_purchase(game.user_id, "non_con1", developer_payload="a=b&c<d>'")
    mark = game.mark()
    game.request("purchases")
    listed = game.expect("rustore_on_get_purchases_success", mark).payload
    purchase = sandbox.purchase_info(game.user_id, pending.purchaseId)
    expected = gson_purchase(purchase, game.model.props["persist.sys.timezone"])  # sandbox: true is in it
    # Gson's HTML-safe escaping of the developer payload
    expected = expected.replace("a=b&c<d>'", "a\\u003db\\u0026c\\u003cd\\u003e\\u0027")
    assert listed == "[" + expected + "]"


def test_every_channel_is_valid_json_in_fixed_mode(make_game, sandbox) -> None:
    game = make_game({"rustore.harness.plugin.mode": "fixed"})
    found = exercise(game, sandbox)
    assert set(found) == {str(c) for c in Channel}
    for channel, payloads in found.items():
        for payload in payloads:
            json.loads(payload)
            assert check_payload(channel, payload, "6.0.0", "fixed").ok, (channel, payload)
    assert json.loads(found["rustore_check_purchases_available_failure"][0])["cause"]["simpleName"] == NETWORK
    logged = json.loads(found["rustore_on_payment_logger_error"][0])
    assert json.loads(logged["e"])["simpleName"] == NETWORK


def test_profile_501_has_no_sandbox_flag(make_game, sandbox) -> None:
    game = make_game({"rustore.harness.plugin.profile": "5.0.1"})
    mark = open_sheet(game, "con1")
    game.tap(SHEET + "close_button")
    payload = game.expect(PURCHASE_OK, mark).payload
    assert payload.startswith('{"type":"Cancelled","data":{"purchaseId":"') and payload.endswith('"}}')
    assert "sandbox" not in payload
    assert check_payload(PURCHASE_OK, payload, "5.0.1", "faithful").ok
