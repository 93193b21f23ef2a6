"""The contract checker against every §2 example of CONTRACT.md, the known defects and field errors."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from harness.rustore.channels import CATALOG, Channel, channel_info
from harness.rustore.contract import KnownDefect, check_payload
from harness.rustore.schemas import MODES, PROFILES, schema_for

C = Channel
ERR = '{"detailMessage":"User is not authorized","simpleName":"RuStoreUserUnauthorizedException"}'
PRODUCTS = (
    '[{"currency":"RUB","description":"Monthly pass","imageUrl":"https://cdn.example/sub.png","language":"ru-RU",'
    '"price":9900,"priceLabel":"99 ₽","productId":"sub1","productStatus":"ACTIVE",'
    '"productType":"SUBSCRIPTION",'
    '"subscription":{"freeTrialPeriod":{"days":7,"months":0,"years":0},"subscriptionPeriod":{"days":0,"months":1,'
    '"years":0}},"title":"Pass"},'
    '{"currency":"RUB","price":4900,"priceLabel":"49 ₽","productId":"con1","productStatus":"ACTIVE",'
    '"productType":"CONSUMABLE","title":"Coins"}]'
)
PURCHASE = (
    '{"amount":4900,"amountLabel":"49 ₽","currency":"RUB","invoiceId":"13245678","language":"ru-RU",'
    '"orderId":"b1c2…","productId":"con1","productType":"CONSUMABLE","purchaseId":"9a8f0c2e-…",'
    '"purchaseState":"PAID","purchaseTime":"Aug 1, 2024 8:57:51 PM","quantity":1,"sandbox":false,'
    '"subscriptionToken":"13245678.4455667"}'
)

# Every example payload of CONTRACT.md §2 (the §2.4 array is one line: the doc wraps it for reading).
EXAMPLES_6 = [
    (C.GET_PRODUCTS_FAILURE, ERR),  # §2.1
    (C.GET_PURCHASES_FAILURE, "{}"),  # §2.1 null throwable
    (C.CHECK_PURCHASES_AVAILABLE_SUCCESS, '{"isAvailable": true}'),  # §2.2
    (
        C.CHECK_PURCHASES_AVAILABLE_SUCCESS,
        '{"isAvailable": false, "cause": {"detailMessage":"…",'
        '"simpleName":"RuStoreUserUnauthorizedException"}}',
    ),
    (C.GET_PRODUCTS_SUCCESS, PRODUCTS),  # §2.4
    (C.GET_PRODUCTS_SUCCESS, "[]"),
    (
        C.PURCHASE_PRODUCT_SUCCESS,  # §2.6
        '{"type":"Success","data":{"invoiceId":"13245678","orderId":"b1c2…","productId":"con1",'
        '"purchaseId":"9a8f0c2e-…","sandbox":false,"subscriptionToken":"13245678.4455667"}}',
    ),
    (C.PURCHASE_PRODUCT_SUCCESS, '{"type":"Cancelled","data":{"purchaseId":"9a8f0c2e-…","sandbox":false}}'),
    (
        C.PURCHASE_PRODUCT_SUCCESS,
        '{"type":"Failure","data":{"errorCode":40009,"productId":"con1","sandbox":true}}',
    ),
    (C.PURCHASE_PRODUCT_SUCCESS, '{"type":"InvalidPaymentState","data":{}}'),
    (
        C.PURCHASE_PRODUCT_FAILURE,  # §2.7
        '{"productId": "con1", "cause": {"detailMessage":"…","simpleName":"RuStorePaymentNetworkException"}}',
    ),
    (C.GET_PURCHASES_SUCCESS, f"[{PURCHASE}]"),  # §2.8
    (C.CONFIRM_PURCHASE_SUCCESS, '{"purchaseId": "9a8f0c2e-…"}'),  # §2.10
    (C.DELETE_PURCHASE_SUCCESS, '{"purchaseId": "9a8f0c2e-…"}'),
    (C.CONFIRM_PURCHASE_FAILURE, '{"purchaseId": "9a8f0c2e-…", "cause": ' + ERR + "}"),  # §2.11
    (C.DELETE_PURCHASE_FAILURE, '{"purchaseId": "9a8f0c2e-…", "cause": ' + ERR + "}"),
    (C.GET_PURCHASE_INFO_FAILURE, '{"purchaseId": "9a8f0c2e-…", "cause": ' + ERR + "}"),
    (C.GET_PURCHASE_INFO_SUCCESS, PURCHASE),  # §2.12
    (C.PAYMENT_LOGGER_INFO, '{"e": "{}", "message": "Purchase sheet opened"}'),  # §2.13
]


@pytest.mark.parametrize(("channel", "raw"), EXAMPLES_6, ids=lambda v: str(v)[:40])
def test_every_section_2_example_passes_under_6_0_0(channel: Channel, raw: str) -> None:
    result = check_payload(channel, raw, "6.0.0", "faithful")
    assert result.is_json
    assert result.violations == (), [str(v) for v in result.violations]
    assert result.deviations == ()


def test_schemas_are_valid_draft_2020_12_for_every_channel_profile_and_mode() -> None:
    count = 0
    for profile in PROFILES:
        for mode in MODES:
            for channel in Channel:
                schema = schema_for(channel, profile, mode)
                Draft202012Validator.check_schema(schema)
                assert schema["$schema"].endswith("2020-12/schema")
                count += 1
    assert count == 2 * 2 * 19 == 4 * len(CATALOG)


def test_availability_failure_bare_simple_error_is_a_known_deviation() -> None:
    raw = '{"detailMessage":"…","simpleName":"RuStoreException"}'  # §2.3 example
    result = check_payload(C.CHECK_PURCHASES_AVAILABLE_FAILURE, raw, "6.0.0", "faithful")
    assert result.violations == ()
    assert [d.defect_id for d in result.deviations] == [KnownDefect.AVAILABILITY_FAILURE_WITHOUT_CAUSE]
    assert result.deviations[0].known is True
    assert not result.failed(strict=False) and result.failed(strict=True)
    assert "availability-failure-without-cause" in result.problems(strict=True)[0]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ('{"e": "{"detailMessage":"x","simpleName":"Y"}", "message": "failed"}', "throwable"),
        ('{"e": "{}", "message": "body={"a":1}"}', "characters"),
        ('{"e": "{}", "message": "line1\nline2"}', "characters"),
    ],
)
def test_logger_payloads_that_are_not_json_are_known_deviations(raw: str, why: str) -> None:
    result = check_payload(C.PAYMENT_LOGGER_ERROR, raw, "6.0.0", "faithful")
    assert not result.is_json
    assert result.violations == ()
    assert [d.defect_id for d in result.deviations] == [KnownDefect.LOGGER_NOT_JSON]
    assert why in result.deviations[0].message
    assert result.value["e"] in ('{"detailMessage":"x","simpleName":"Y"}', "{}")  # recovered for humans
    assert result.failed(strict=True) and not result.failed()


@pytest.mark.parametrize(
    ("channel", "raw", "pointer"),
    [
        (C.PURCHASE_PRODUCT_FAILURE, '{"productId": "co"n1", "cause": ' + ERR + "}", "/productId"),
        (C.CONFIRM_PURCHASE_SUCCESS, '{"purchaseId": "a\\"b"}', "/purchaseId"),
        (C.DELETE_PURCHASE_FAILURE, '{"purchaseId": "x"y", "cause": {}}', "/purchaseId"),
        (C.GET_PURCHASE_INFO_FAILURE, '{"purchaseId": "back\\slash", "cause": {}}', "/purchaseId"),
    ],
)
def test_raw_unescaped_ids_are_known_deviations(channel: Channel, raw: str, pointer: str) -> None:
    result = check_payload(channel, raw, "6.0.0", "faithful")
    assert result.violations == (), [str(v) for v in result.violations]
    assert [(d.defect_id, d.pointer) for d in result.deviations] == [(KnownDefect.RAW_UNESCAPED_ID, pointer)]
    assert result.failed(strict=True)


def test_known_defects_are_violations_on_a_fixed_device() -> None:
    raw = '{"productId": "co"n1", "cause": ' + ERR + "}"
    result = check_payload(C.PURCHASE_PRODUCT_FAILURE, raw, "6.0.0", "fixed")
    assert result.deviations == ()
    assert "raw-unescaped-id" in result.violations[0].message
    bare = check_payload(C.CHECK_PURCHASES_AVAILABLE_FAILURE, ERR, "6.0.0", "fixed")
    assert [v.message for v in bare.violations] == [
        "/cause: expected a `cause` wrapper (fixed mode), found a bare SimpleError (known defect fixed)"
    ]
    wrapped = check_payload(C.CHECK_PURCHASES_AVAILABLE_FAILURE, '{"cause":' + ERR + "}", "6.0.0", "fixed")
    assert wrapped.ok and wrapped.deviations == ()


def test_schema_failure_points_at_the_field_with_expected_and_found() -> None:
    raw = '{"type":"Success","data":{"invoiceId":"1","productId":"con1","purchaseId":42,"sandbox":false}}'
    result = check_payload(C.PURCHASE_PRODUCT_SUCCESS, raw, "6.0.0", "faithful")
    assert [v.message for v in result.violations] == ["/data/purchaseId: expected a string, found integer 42"]
    assert result.violations[0].pointer == "/data/purchaseId"


def test_nested_list_field_error_names_the_item() -> None:
    bad = json.loads(f"[{PURCHASE}]")
    bad[0]["purchaseState"] = "DONE"
    raw = json.dumps(bad, separators=(",", ":"), ensure_ascii=False)
    result = check_payload(C.GET_PURCHASES_SUCCESS, raw)
    assert [v.pointer for v in result.violations] == ["/0/purchaseState"]
    assert "expected one of CREATED, INVOICE_CREATED" in result.violations[0].message
    assert "found string 'DONE'" in result.violations[0].message


def test_profile_differences_sandbox_and_description() -> None:
    no_sandbox = '{"type":"Cancelled","data":{"purchaseId":"p1"}}'
    assert check_payload(C.PURCHASE_PRODUCT_SUCCESS, no_sandbox, "5.0.1").ok
    missing = check_payload(C.PURCHASE_PRODUCT_SUCCESS, no_sandbox, "6.0.0")
    assert [v.pointer for v in missing.violations] == ["/data/sandbox"]
    assert "required" in missing.violations[0].message
    with_sandbox = '{"type":"Cancelled","data":{"purchaseId":"p1","sandbox":true}}'
    extra = check_payload(C.PURCHASE_PRODUCT_SUCCESS, with_sandbox, "5.0.1")
    assert "sandbox exists only from plugin/SDK 6.0.0" in extra.violations[0].message
    described = '[{"description":"Coins","productId":"con1"}]'
    assert check_payload(C.GET_PURCHASES_SUCCESS, described, "5.0.1").ok
    removed = check_payload(C.GET_PURCHASES_SUCCESS, described, "6.0.0")
    assert removed.violations[0].pointer == "/0/description"
    assert "removed in SDK 6.0.0" in removed.violations[0].message


@pytest.mark.parametrize(
    ("channel", "raw"),
    [
        (C.CHECK_PURCHASES_AVAILABLE_SUCCESS, '{"isAvailable":true}'),
        (C.CHECK_PURCHASES_AVAILABLE_SUCCESS, '{"isAvailable": false,"cause": {}}'),
        (C.PURCHASE_PRODUCT_SUCCESS, '{"type": "InvalidPaymentState", "data": {}}'),
        (C.PURCHASE_PRODUCT_FAILURE, '{"productId":"con1","cause":{}}'),
        (C.CONFIRM_PURCHASE_SUCCESS, '{"purchaseId":"p1"}'),
        (C.DELETE_PURCHASE_FAILURE, '{"purchaseId": "p1","cause": {}}'),
        (C.PAYMENT_LOGGER_DEBUG, '{"e":"{}","message":"x"}'),
    ],
)
def test_hand_built_wrappers_are_checked_byte_for_byte(channel: Channel, raw: str) -> None:
    result = check_payload(channel, raw, "6.0.0", "faithful")
    assert result.is_json  # valid JSON, wrong bytes
    assert len(result.violations) == 1
    assert "byte" in result.violations[0].message


def test_gson_parts_must_be_compact() -> None:
    raw = '{"purchaseId": "p1", "cause": {"simpleName": "X"}}'
    result = check_payload(C.CONFIRM_PURCHASE_FAILURE, raw)
    assert [v.pointer for v in result.violations] == ["/cause"]
    assert "compact Gson output" in result.violations[0].message
    spaced = check_payload(C.GET_PRODUCTS_SUCCESS, '[ {"productId":"c","productStatus":"ACTIVE"}]')
    assert spaced.violations and spaced.violations[0].pointer == ""
    # spaces inside strings are content, not layout
    assert check_payload(C.GET_PRODUCTS_SUCCESS, '[{"productId":"c 1","productStatus":"ACTIVE"}]').ok


def test_non_json_on_a_gson_channel_is_a_violation_with_position() -> None:
    result = check_payload(C.GET_PRODUCTS_SUCCESS, '[{"productId":"c"')
    assert not result.is_json
    assert result.violations[0].message.startswith("/: expected valid JSON (Gson output), found invalid JSON")
    assert "line 1 column" in result.violations[0].message


def test_unknown_payment_type_and_unknown_error_code() -> None:
    weird = check_payload(C.PURCHASE_PRODUCT_SUCCESS, '{"type":"Pending","data":{}}')
    assert [v.pointer for v in weird.violations] == ["/type"]
    code = check_payload(
        C.PURCHASE_PRODUCT_SUCCESS, '{"type":"Failure","data":{"errorCode":12345,"sandbox":true}}'
    )
    assert [v.pointer for v in code.violations] == ["/data/errorCode"]
    assert check_payload(
        C.PURCHASE_PRODUCT_SUCCESS, '{"type":"Failure","data":{"errorCode":50123,"sandbox":true}}'
    ).ok


def test_unknown_channel_is_a_violation_naming_the_real_one() -> None:
    result = check_payload("rustore_check_purchases_availability_success", '{"isAvailable": true}')
    assert "did you mean 'rustore_check_purchases_available_success'" in result.violations[0].message
    assert channel_info(C.GET_PURCHASES_SUCCESS).json_in_faithful
    assert not channel_info(C.PAYMENT_LOGGER_INFO).json_in_faithful


def test_an_unescaped_id_that_happens_to_parse_is_still_the_known_defect() -> None:
    raw = '{"productId": "a", "x": "b", "cause": {"simpleName":"RuStoreException"}}'
    result = check_payload(C.PURCHASE_PRODUCT_FAILURE, raw)
    assert result.is_json
    assert [d.defect_id for d in result.deviations] == [KnownDefect.RAW_UNESCAPED_ID]
    assert result.violations == ()
    assert result.value == {"productId": 'a", "x": "b', "cause": {"simpleName": "RuStoreException"}}
