"""Error catalogs (§5) and the §10 IAP mapping as data."""

from __future__ import annotations

from harness.rustore.errors import (
    EXCEPTIONS,
    IAP_MAPPING,
    RUSTORE_ERROR_CODES,
    IapClientCode,
    IapServerCode,
    allowed_iap_codes,
    rustore_error,
)

Code = IapClientCode


def test_rustore_codes_with_http_status() -> None:
    assert len(RUSTORE_ERROR_CODES) == 25
    code = rustore_error(40010)
    assert code is not None and (code.http_status, code.meaning.startswith("Consumable")) == (400, True)
    assert rustore_error(40102).http_status == 401  # type: ignore[union-attr]
    assert rustore_error(50042).http_status == 500  # type: ignore[union-attr]
    assert rustore_error(40002) is None and rustore_error(60000) is None


def test_exception_names_and_iap_codes() -> None:
    assert "RuStorePaymentNetworkException" in EXCEPTIONS and "RuStoreReviewExists" not in EXCEPTIONS
    assert [c.value for c in Code] == [*range(100, 114), 116, 117]
    assert IapServerCode.CONSUME_FAILED == 5000 and IapServerCode.INVALID_AUTHENTICATED == 5003
    assert {rule.code for rule in IAP_MAPPING} == set(Code)


def test_allowed_iap_codes_follow_the_mapping_table() -> None:
    pay = "rustore_on_purchase_product_success"
    assert allowed_iap_codes(pay, {"type": "Cancelled", "data": {}}) == {Code.USER_CANCEL}
    assert allowed_iap_codes(pay, {"type": "Failure", "data": {"errorCode": 40010}}) == {
        Code.APP_STORE_REMAINS_PAYMENT
    }
    assert allowed_iap_codes(pay, {"type": "Failure", "data": {"errorCode": 40009}}) == {
        Code.INAPP_PURCHASE_ERROR
    }
    assert allowed_iap_codes(pay, {"type": "InvalidPaymentState", "data": {}}) == {Code.INAPP_PURCHASE_ERROR}
    assert allowed_iap_codes(pay, {"type": "Success", "data": {}}) == frozenset()
    network = {"productId": "con1", "cause": {"simpleName": "RuStorePaymentNetworkException"}}
    assert allowed_iap_codes("rustore_on_purchase_product_failure", network) == {
        Code.INAPP_PURCHASE_ERROR,
        Code.NETWORK_TIMEOUT,
    }
    unavailable = {"isAvailable": False, "cause": {"simpleName": "RuStoreNotInstalledException"}}
    assert allowed_iap_codes("rustore_check_purchases_available_success", unavailable) == {
        Code.UNSUPPORTED_MARKET
    }
    bare = {"simpleName": "RuStoreUserBannedException"}
    assert allowed_iap_codes("rustore_check_purchases_available_failure", bare) == {
        Code.INAPP_INITIALIZED_ERROR,
        Code.AUTHORIZATION_ERROR,
    }
    assert allowed_iap_codes("rustore_on_confirm_purchase_failure", {"purchaseId": "p", "cause": {}}) == {
        Code.INAPP_CONSUME_ERROR
    }
