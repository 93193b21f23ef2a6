"""Every sandbox error code, each reached through its real cause (CONTRACT §5.1, §10.4, §10.5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harness.sim.sandbox.client import SandboxAPIError, SandboxClient

from .conftest import APP_ID

U = "err-user"


def refused(call: object, *args: object, **kw: object) -> SandboxAPIError:
    assert callable(call)
    with pytest.raises(SandboxAPIError) as info:
        call(*args, **kw)
    return info.value


def test_40001_more_than_100_product_ids(sandbox: SandboxClient) -> None:
    assert len(sandbox.products(U, [f"p{i}" for i in range(100)])) == 0
    err = refused(sandbox.products, U, [f"p{i}" for i in range(101)])
    assert (err.status, err.error_code) == (400, 40001)


def test_40001_malformed_attributes(sandbox: SandboxClient, http: TestClient) -> None:
    for quantity in (0, -3):
        err = refused(sandbox.create_purchase, U, "con1", quantity=quantity)
        assert (err.status, err.error_code) == (400, 40001)
    err = refused(sandbox.create_purchase, U, "con1", order_id="x" * 151)
    assert err.error_code == 40001
    bad_type = http.post(
        "/billing/v1/purchases", json={"appId": APP_ID, "userId": U, "productId": "con1", "quantity": "many"}
    )
    assert (bad_type.status_code, bad_type.json()["errorCode"]) == (400, 40001)
    not_json = http.post("/billing/v1/purchases", content=b"{", headers={"content-type": "application/json"})
    assert (not_json.status_code, not_json.json()["errorCode"]) == (400, 40001)


def test_40014_missing_attributes(http: TestClient) -> None:
    for body in ({"appId": APP_ID, "userId": U}, {"userId": U, "productId": "con1"}, {}):
        answer = http.post("/billing/v1/purchases", json=body)
        assert (answer.status_code, answer.json()["errorCode"]) == (400, 40014), body
    pay = http.post("/billing/v1/purchases/x/pay", json={"appId": APP_ID, "userId": U})
    assert pay.json()["errorCode"] == 40014  # no payment method


def test_40003_app_not_found_and_40004_app_inactive(sandbox: SandboxClient) -> None:
    err = refused(sandbox.create_purchase, U, "con1", app_id="999")
    assert (err.status, err.error_code) == (400, 40003)
    assert refused(sandbox.availability, U, app_id="999").error_code == 40003
    sandbox.set_app(active=False)
    err = refused(sandbox.create_purchase, U, "con1")
    assert (err.status, err.error_code) == (400, 40004)
    sandbox.set_app(active=True)
    assert sandbox.create_purchase(U, "con1").purchaseState == "INVOICE_CREATED"


def test_40005_40006_40017_product_not_found_inactive_deleted(sandbox: SandboxClient) -> None:
    assert refused(sandbox.create_purchase, U, "no_such").error_code == 40005
    sandbox.set_product("con2", status="INACTIVE")
    assert refused(sandbox.create_purchase, U, "con2").error_code == 40006
    assert sandbox.products(U, ["con2"])[0].productStatus == "INACTIVE"
    sandbox.set_product("con2", status="ACTIVE", deleted=True)
    assert refused(sandbox.create_purchase, U, "con2").error_code == 40017
    assert sandbox.products(U, ["con2"]) == []  # a deleted product is gone from the catalog
    sandbox.set_product("con2", deleted=False)
    assert sandbox.create_purchase(U, "con2").productId == "con2"


def test_40007_product_of_an_unsupported_type(sandbox: SandboxClient) -> None:
    sandbox.put_product(productId="bundle1", type="BUNDLE", price=100)
    err = refused(sandbox.create_purchase, U, "bundle1")
    assert (err.status, err.error_code) == (400, 40007)
    listed = sandbox.products(U, ["bundle1"])
    assert listed[0].productId == "bundle1" and listed[0].productType is None


def test_40008_order_id_unique_per_app(sandbox: SandboxClient) -> None:
    sandbox.create_purchase(U, "con1", order_id="order-1")
    err = refused(sandbox.create_purchase, "another-user", "con2", order_id="order-1")
    assert (err.status, err.error_code) == (400, 40008)


def test_40009_open_invoice_and_the_cancel_previous_setting(sandbox: SandboxClient) -> None:
    first = sandbox.create_purchase(U, "con1")
    assert refused(sandbox.create_purchase, U, "con1").error_code == 40009
    assert sandbox.create_purchase("other", "con1").purchaseState == "INVOICE_CREATED"  # per user
    assert sandbox.create_purchase(U, "con2").purchaseState == "INVOICE_CREATED"  # per product
    sandbox.update_settings(cancelPrevious=True)
    second = sandbox.create_purchase(U, "con1")
    old = sandbox.audit(purchase_id=first.purchaseId).purchases[0]
    assert (old.purchase.purchaseState, old.cancelCause) == ("CANCELLED", "superseded")
    assert second.purchaseState == "INVOICE_CREATED"


def test_40010_40011_40012_already_paid_or_owned(sandbox: SandboxClient) -> None:
    paid = sandbox.buy(U, "con1")
    assert paid.purchase.purchaseState == "PAID"
    assert refused(sandbox.create_purchase, U, "con1").error_code == 40010
    sandbox.confirm(U, paid.purchase.purchaseId)
    assert sandbox.create_purchase(U, "con1").purchaseState == "INVOICE_CREATED"
    sandbox.buy(U, "non_con1")
    assert refused(sandbox.create_purchase, U, "non_con1").error_code == 40011
    sub = sandbox.buy(U, "sub1")
    assert refused(sandbox.create_purchase, U, "sub1").error_code == 40012
    sandbox.subscription(sub.purchase.purchaseId, "pause")
    assert refused(sandbox.create_purchase, U, "sub1").error_code == 40012  # PAUSED is still owned


def test_40015_refused_state_change(sandbox: SandboxClient) -> None:
    paid = sandbox.buy(U, "con1")
    sandbox.confirm(U, paid.purchase.purchaseId)
    err = refused(sandbox.confirm, U, paid.purchase.purchaseId)
    assert (err.status, err.error_code) == (409, 40015)


def test_40016_quantity_above_one_only_for_consumables(sandbox: SandboxClient) -> None:
    assert sandbox.create_purchase(U, "con1", quantity=5).quantity == 5
    for product in ("non_con1", "sub1"):
        err = refused(sandbox.create_purchase, U, product, quantity=2)
        assert (err.status, err.error_code) == (400, 40016)
    assert sandbox.create_purchase(U, "non_con1", quantity=1).quantity == 1


def test_40018_only_consumables_can_be_consumed(sandbox: SandboxClient) -> None:
    for product in ("non_con1", "sub1"):
        bought = sandbox.buy(U, product)
        err = refused(sandbox.confirm, U, bought.purchase.purchaseId)
        assert (err.status, err.error_code) == (400, 40018)


def test_40401_purchase_of_nobody_or_of_another_user(sandbox: SandboxClient) -> None:
    err = refused(sandbox.purchase_info, U, "no-such-purchase")
    assert (err.status, err.error_code) == (404, 40401)
    mine = sandbox.create_purchase(U, "con1")
    assert refused(sandbox.purchase_info, "thief", mine.purchaseId).error_code == 40401
    assert refused(sandbox.delete, "thief", mine.purchaseId).error_code == 40401


@pytest.mark.parametrize(
    ("flag", "target", "simple_name"),
    [
        ("authorized", "user", "RuStoreUserUnauthorizedException"),
        ("banned", "user", "RuStoreUserBannedException"),
        ("tester", "user", "RuStoreFeatureUnavailableException"),
        ("banned", "app", "RuStoreApplicationBannedException"),
        ("purchasesEnabled", "app", "RuStoreFeatureUnavailableException"),
    ],
)
def test_availability_flags(sandbox: SandboxClient, flag: str, target: str, simple_name: str) -> None:
    assert sandbox.availability(U).isAvailable is True
    value = flag == "banned"  # banned turns on; the others turn off
    if target == "user":
        sandbox.set_user(U, **{flag: value})
    elif flag == "banned":
        sandbox.set_app(banned=True)
    else:
        sandbox.set_app(purchases_enabled=False)
    result = sandbox.availability(U)
    assert result.isAvailable is False and result.cause is not None
    assert result.cause.simpleName == simple_name and result.cause.detailMessage
    err = refused(sandbox.create_purchase, U, "con1")  # §10.5: billing calls fail with the same exception
    assert (err.status, err.error_code, err.simple_name) == (403, None, simple_name)
    assert refused(sandbox.purchases, U).simple_name == simple_name


def test_forced_error_codes_one_shot_and_sticky(sandbox: SandboxClient) -> None:
    sandbox.force_error("purchase", error_code=50012)
    err = refused(sandbox.create_purchase, U, "con1")
    assert (err.status, err.error_code) == (500, 50012)
    assert sandbox.create_purchase(U, "con1").purchaseState == "INVOICE_CREATED"  # one-shot used up
    sandbox.force_error("purchases", error_code=40101, sticky=True, user_id=U)
    for _ in range(2):
        assert (refused(sandbox.purchases, U).status, refused(sandbox.purchases, U).error_code) == (
            401,
            40101,
        )
    assert sandbox.purchases("somebody-else") == []  # scoped to one user
    sandbox.clear_forced_errors()
    assert len(sandbox.purchases(U)) == 1
    for code, status in ((40102, 401), (40301, 403), (40302, 403), (40303, 403), (40305, 403), (40801, 408)):
        sandbox.force_error("products", error_code=code)
        err = refused(sandbox.products, U, ["con1"])
        assert (err.status, err.error_code) == (status, code)


def test_forced_exception_by_name(sandbox: SandboxClient) -> None:
    sandbox.force_error(
        "pay", simple_name="RuStorePaymentNetworkException", message="timeout talking to bank"
    )
    created = sandbox.create_purchase(U, "con1")
    err = refused(sandbox.pay, U, created.purchaseId, "CARD")
    assert err.simple_name == "RuStorePaymentNetworkException" and err.message == "timeout talking to bank"
    assert err.error_code is None and err.status == 503
    assert sandbox.purchase_info(U, created.purchaseId).purchaseState == "INVOICE_CREATED"


def test_forced_error_rules_are_validated(sandbox: SandboxClient) -> None:
    assert refused(sandbox.force_error, "teleport", error_code=40001).error_code == 40001
    assert refused(sandbox.force_error, "pay").error_code == 40001  # neither code nor exception
    assert refused(sandbox.force_error, "pay", error_code=200).error_code == 40001


def test_invoice_creation_failure_abandons_the_created_purchase(sandbox: SandboxClient) -> None:
    sandbox.force_error("invoice", error_code=50001)
    err = refused(sandbox.create_purchase, U, "con1")
    assert (err.status, err.error_code) == (500, 50001)
    audit = sandbox.audit(user_id=U)
    assert [p.purchase.purchaseState for p in audit.purchases] == ["CANCELLED"]
    assert [(t.fromState, t.toState) for t in audit.transitions] == [
        (None, "CREATED"),
        ("CREATED", "CANCELLED"),
    ]


def test_storage_failure_answers_50000_as_json(remote: SandboxClient, db_path: Path) -> None:
    remote.create_purchase(U, "con1")
    with sqlite3.connect(db_path) as conn:  # the database loses a table under the running service
        conn.execute("DROP TABLE transitions")
    err = refused(remote.create_purchase, U, "con2")
    assert (err.status, err.error_code, err.message) == (500, 50000, "Payment service internal error")
