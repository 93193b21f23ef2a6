"""The emitted strings, byte for byte, against CONTRACT.md §2 (its examples are the oracle)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from harness.sim.rustore import gson
from harness.sim.rustore.payloads import PayloadWriter, SimpleError

UNAUTHORIZED = SimpleError("RuStoreUserUnauthorizedException", "User is not authorized")
faithful = PayloadWriter("6.0.0", "faithful")
fixed = PayloadWriter("6.0.0", "fixed")
legacy = PayloadWriter("5.0.1", "faithful")


def test_simple_error_is_alphabetical_and_omits_a_null_message() -> None:
    assert UNAUTHORIZED.json() == (
        '{"detailMessage":"User is not authorized","simpleName":"RuStoreUserUnauthorizedException"}'
    )
    assert SimpleError("RuStoreException").json() == '{"simpleName":"RuStoreException"}'


def test_availability_templates_keep_the_plugins_spacing() -> None:
    assert faithful.availability_available() == '{"isAvailable": true}'
    assert faithful.availability_unavailable(UNAUTHORIZED) == (
        '{"isAvailable": false, "cause": {"detailMessage":"User is not authorized",'
        '"simpleName":"RuStoreUserUnauthorizedException"}}'
    )
    bare = faithful.availability_failure(SimpleError("RuStoreException", "boom"))
    assert bare == '{"detailMessage":"boom","simpleName":"RuStoreException"}'
    assert json.loads(fixed.availability_failure(SimpleError("RuStoreException", "boom")))["cause"] == {
        "detailMessage": "boom",
        "simpleName": "RuStoreException",
    }


def test_purchase_results_match_the_contract_examples() -> None:
    success = faithful.purchase_success(
        purchase_id="9a8f0c2e-…",
        product_id="con1",
        invoice_id="13245678",
        order_id="b1c2…",
        subscription_token="13245678.4455667",
        sandbox=False,
    )
    assert success == (
        '{"type":"Success","data":{"invoiceId":"13245678","orderId":"b1c2…","productId":"con1",'
        '"purchaseId":"9a8f0c2e-…","sandbox":false,"subscriptionToken":"13245678.4455667"}}'
    )
    assert faithful.purchase_cancelled(purchase_id="9a8f0c2e-…", sandbox=False) == (
        '{"type":"Cancelled","data":{"purchaseId":"9a8f0c2e-…","sandbox":false}}'
    )
    assert faithful.purchase_failure_result(sandbox=True, product_id="con1", error_code=40009) == (
        '{"type":"Failure","data":{"errorCode":40009,"productId":"con1","sandbox":true}}'
    )
    assert faithful.purchase_invalid_state() == '{"type":"InvalidPaymentState","data":{}}'


def test_profile_5_0_1_has_no_sandbox_flag_and_keeps_description() -> None:
    assert (
        legacy.purchase_cancelled(purchase_id="p", sandbox=True)
        == '{"type":"Cancelled","data":{"purchaseId":"p"}}'
    )
    purchase = {"productId": "con1", "description": "Coins", "sandbox": True}
    assert legacy.purchase_info(purchase, sandbox=True) == '{"description":"Coins","productId":"con1"}'
    assert faithful.purchase_info(purchase, sandbox=True) == '{"productId":"con1","sandbox":true}'


def test_products_array_writes_non_ascii_raw_and_escapes_html_characters() -> None:
    product = {
        "productId": "con1",
        "productType": "CONSUMABLE",
        "productStatus": "ACTIVE",
        "priceLabel": "49 ₽",
        "price": 4900,
        "currency": "RUB",
        "title": "Coins",
        "imageUrl": "https://cdn.example/x.png?w=1&h=2",
        "description": None,
    }
    assert faithful.products([product]) == (
        '[{"currency":"RUB","imageUrl":"https://cdn.example/x.png?w\\u003d1\\u0026h\\u003d2","price":4900,'
        '"priceLabel":"49 ₽","productId":"con1","productStatus":"ACTIVE","productType":"CONSUMABLE",'
        '"title":"Coins"}]'
    )
    assert faithful.products([]) == "[]"


def test_wrappers_echo_ids_raw_when_faithful_and_escaped_when_fixed() -> None:
    hostile = 'con"1\\'
    broken = faithful.purchase_failure(hostile, UNAUTHORIZED)
    assert broken.startswith('{"productId": "con"1\\", "cause": {')
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken)
    assert json.loads(fixed.purchase_failure(hostile, UNAUTHORIZED))["productId"] == hostile
    assert faithful.purchase_id_success("p-1") == '{"purchaseId": "p-1"}'
    assert faithful.purchase_id_failure("p-1", UNAUTHORIZED).startswith(
        '{"purchaseId": "p-1", "cause": {"detail'
    )
    assert json.loads(fixed.purchase_id_failure('p"1', UNAUTHORIZED))["purchaseId"] == 'p"1'


def test_logger_payloads_are_json_only_without_a_throwable() -> None:
    assert faithful.logger("Purchase sheet opened") == '{"e": "{}", "message": "Purchase sheet opened"}'
    with_error = faithful.logger("failed", SimpleError("X", "y"))
    assert with_error == '{"e": "{"detailMessage":"y","simpleName":"X"}", "message": "failed"}'
    with pytest.raises(json.JSONDecodeError):
        json.loads(with_error)
    valid = json.loads(fixed.logger('body={"a":1}', SimpleError("X", "y")))
    assert json.loads(valid["e"]) == {"detailMessage": "y", "simpleName": "X"}
    assert valid["message"] == 'body={"a":1}'


def test_gson_escapes_control_characters_like_jsonwriter() -> None:
    assert gson.string('a"b\\c\nd\te\x01\u2028<') == '"a\\"b\\\\c\\nd\\te\\u0001\\u2028\\u003c"'


@pytest.mark.parametrize(
    ("narrow", "expected"), [(False, "Aug 1, 2024 8:57:51 PM"), (True, "Aug 1, 2024 8:57:51\u202fPM")]
)
def test_purchase_time_uses_gsons_default_date_format(narrow: bool, expected: str) -> None:
    assert gson.date(datetime(2024, 8, 1, 20, 57, 51), narrow_space_before_meridiem=narrow) == expected
    assert (
        gson.date(datetime(2024, 12, 31, 0, 5, 9), narrow_space_before_meridiem=False)
        == "Dec 31, 2024 12:05:09 AM"
    )


def test_unknown_profile_or_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="plugin profile"):
        PayloadWriter("7.0.0", "faithful")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode"):
        PayloadWriter("6.0.0", "strict")  # type: ignore[arg-type]
