"""The billing API's payloads: products, purchases, get_purchases membership (§3.4 + §10.12)."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient

from harness.sim.sandbox.client import SandboxClient

from .conftest import APP_ID, START

SEED_PRODUCTS = ["con1", "con2", "non_con1", "non_con2", "sub1", "sub2"]


def test_catalog_has_the_six_seed_products(sandbox: SandboxClient) -> None:
    products = {p.productId: p for p in sandbox.products("u", SEED_PRODUCTS)}
    assert list(products) == SEED_PRODUCTS
    types = {pid: p.productType for pid, p in products.items()}
    assert types == {
        "con1": "CONSUMABLE",
        "con2": "CONSUMABLE",
        "non_con1": "NON_CONSUMABLE",
        "non_con2": "NON_CONSUMABLE",
        "sub1": "SUBSCRIPTION",
        "sub2": "SUBSCRIPTION",
    }
    for product in products.values():
        assert product.productStatus == "ACTIVE" and product.currency == "RUB"
        assert isinstance(product.price, int) and product.price > 0
        assert product.priceLabel == f"{product.price // 100} ₽"
        assert product.language == "ru-RU" and product.title and product.description
        assert product.imageUrl and product.promoImageUrl
        assert (product.subscription is not None) == (product.productType == "SUBSCRIPTION")
    sub = products["sub1"].subscription
    assert sub is not None and sub.subscriptionPeriod is not None and sub.subscriptionPeriod.months == 1
    assert sub.freeTrialPeriod and sub.gracePeriod and sub.introductoryPricePeriod
    assert sub.introductoryPrice == "49 ₽" and sub.introductoryPriceAmount == "4900"


def test_products_per_language_and_unknown_ids(sandbox: SandboxClient) -> None:
    english = sandbox.products("u", ["con1", "nope"], language="en-US")
    assert [p.productId for p in english] == ["con1"]
    assert (english[0].language, english[0].title, english[0].priceLabel) == (
        "en-US",
        "100 coins",
        "RUB 49.00",
    )
    assert sandbox.products("u", ["con1"], language="de-DE")[0].language == "ru-RU"  # fallback


def test_purchase_payload_carries_what_the_sdk_needs(sandbox: SandboxClient) -> None:
    created = sandbox.create_purchase(
        "payer", "con2", order_id="o-1", quantity=3, developer_payload="lvl=7", language="en-US"
    )
    assert re.fullmatch(r"\d+", created.invoiceId)
    assert created.subscriptionToken == f"{created.invoiceId}.payer"
    assert created.sandbox is True and created.quantity == 3
    paid = sandbox.pay("payer", created.purchaseId, "SBERPAY")
    assert paid.type == "Success" and paid.outcome == "approve"
    purchase = paid.purchase
    assert purchase.model_dump() == {
        "purchaseId": created.purchaseId,
        "productId": "con2",
        "productType": "CONSUMABLE",
        "invoiceId": created.invoiceId,
        "language": "en-US",
        "purchaseTime": purchase.purchaseTime,
        "orderId": "o-1",
        "amountLabel": "RUB 447.00",
        "amount": 44700,
        "currency": "RUB",
        "quantity": 3,
        "purchaseState": "PAID",
        "developerPayload": "lvl=7",
        "subscriptionToken": created.subscriptionToken,
        "description": "A bag of coins at a discount",
        "paymentMethod": "SBERPAY",
        "sandbox": True,
    }
    assert datetime.fromisoformat(purchase.purchaseTime) == START  # ISO, virtual time, with offset
    assert sandbox.purchase_info("payer", created.purchaseId) == purchase


def test_order_id_is_generated_when_absent(sandbox: SandboxClient) -> None:
    created = sandbox.create_purchase("u", "con1")
    assert re.fullmatch(r"[0-9a-f-]{36}", created.orderId)


def test_get_purchases_membership(sandbox: SandboxClient) -> None:
    """Which states get_purchases returns, per product type (one purchase in every reachable state)."""
    u = "lister"
    made: dict[tuple[str, str], str] = {}

    def remember(product: str, purchase_id: str) -> None:
        state = sandbox.purchase_info(u, purchase_id).purchaseState
        made[(product, state)] = purchase_id

    # consumable: INVOICE_CREATED, PAID, CONSUMED, CANCELLED
    remember("con1", sandbox.create_purchase(u, "con1").purchaseId)
    p = sandbox.buy(u, "con2").purchase.purchaseId
    remember("con2", p)
    sandbox.confirm(u, p)
    remember("con2", p)
    p = sandbox.create_purchase(u, "con2").purchaseId
    sandbox.delete(u, p)
    remember("con2", p)
    remember("con2", sandbox.buy(u, "con2").purchase.purchaseId)  # PAID, left unconfirmed
    # non-consumable: INVOICE_CREATED, CONFIRMED, CANCELLED
    remember("non_con1", sandbox.create_purchase(u, "non_con1").purchaseId)
    remember("non_con2", sandbox.buy(u, "non_con2").purchase.purchaseId)
    p = sandbox.buy("other", "non_con2").purchase.purchaseId
    # subscriptions: INVOICE_CREATED, CONFIRMED, PAUSED, CLOSED, TERMINATED
    remember("sub1", sandbox.create_purchase(u, "sub1").purchaseId)
    for action in ("close", "terminate", "pause"):
        p = sandbox.buy(u, "sub2").purchase.purchaseId
        sandbox.subscription(p, action)
        remember("sub2", p)
    sandbox.put_product(productId="sub3", type="SUBSCRIPTION", price=1000)
    remember("sub3", sandbox.buy(u, "sub3").purchase.purchaseId)
    listed = {(x.productId, x.purchaseState) for x in sandbox.purchases(u)}
    expected = {
        ("con1", "INVOICE_CREATED"),
        ("con2", "PAID"),
        ("non_con1", "INVOICE_CREATED"),
        ("non_con2", "CONFIRMED"),
        ("sub1", "INVOICE_CREATED"),
        ("sub2", "PAUSED"),
        ("sub3", "CONFIRMED"),
    }
    assert listed == expected
    not_listed = set(made) - expected
    assert {state for _, state in not_listed} == {"CONSUMED", "CANCELLED", "CLOSED", "TERMINATED"}
    assert all(x.sandbox for x in sandbox.purchases(u))
    assert [x.productId for x in sandbox.purchases("other")] == ["non_con2"]


def test_reset_one_user_or_everything(sandbox: SandboxClient) -> None:
    sandbox.buy("keep", "con1")
    sandbox.buy("drop", "con1")
    sandbox.set_user("drop", banned=True)
    sandbox.reset("drop")
    assert sandbox.availability("drop").isAvailable is True
    assert sandbox.purchases("drop") == [] and len(sandbox.purchases("keep")) == 1
    sandbox.set_product("con1", status="INACTIVE")
    sandbox.update_settings(cancelPrevious=True)
    sandbox.reset()
    assert sandbox.audit().purchases == [] and sandbox.purchases("keep") == []
    assert sandbox.products("x", ["con1"])[0].productStatus == "ACTIVE"
    assert sandbox.settings().cancelPrevious is False


def test_apps_listing_and_second_app(sandbox: SandboxClient) -> None:
    apps = sandbox.apps()
    assert apps[0].appId == APP_ID and apps[0].packageName == "ru.rustore.sample.billing"
    second = apps[0].model_copy(update={"appId": "777", "packageName": "ru.example.other"})
    sandbox.put_app(second)
    bought = sandbox.buy("u", "con1", app_id="777")
    assert bought.purchase.purchaseState == "PAID"
    assert sandbox.purchases("u") == []  # purchases are per app
    assert len(sandbox.purchases("u", app_id="777")) == 1


def test_openapi_documents_every_api(http: TestClient) -> None:
    spec = http.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/billing/v1/purchases",
        "/billing/v1/purchases/{purchase_id}/pay",
        "/public/auth/",
        "/public/purchase/{purchase_token}",
        "/public/subscription/{subscription_token}/state",
        "/control/v1/clock/advance",
        "/control/v1/forced-errors",
        "/control/v1/audit",
    ):
        assert path in paths, path
    for path, ops in paths.items():
        if path.startswith("/control/"):
            for op in ops.values():
                assert op.get("summary") and op.get("tags"), path
    assert http.get("/docs").status_code == 200
