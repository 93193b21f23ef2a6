"""POST /v1/purchases/validate against the fake public API: grants, mismatches, states."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fake_rustore_public_api import FakePurchase
from game_server_fixtures import claim

Buy = Callable[..., FakePurchase]


@pytest.mark.parametrize(
    ("product_type", "status"),
    [("CONSUMABLE", "paid"), ("NON_CONSUMABLE", "confirmed"), ("SUBSCRIPTION", "confirmed")],
)
def test_validation_grants_each_product_type(
    client: httpx.Client, buy: Buy, product_type: str, status: str
) -> None:
    purchase = buy(product_type, invoice_status=status, quantity=1)
    response = client.post("/v1/purchases/validate", json=claim(purchase, userId=purchase.user_id))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0
    assert body["alreadyGranted"] is False
    entitlement = body["entitlement"]
    assert entitlement["subscriptionToken"] == purchase.token
    assert entitlement["productId"] == purchase.product_code
    assert entitlement["productType"] == product_type
    assert entitlement["userId"] == purchase.user_id
    assert entitlement["amount"] == purchase.amount
    assert entitlement["consumedAt"] is None
    listed = client.get("/v1/entitlements", params={"userId": purchase.user_id}).json()
    assert [e["subscriptionToken"] for e in listed["entitlements"]] == [purchase.token]


def assert_failure(response: httpx.Response, code: int, reason: str | None = None) -> dict[str, object]:
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert body["requestId"] == response.headers["X-Request-Id"]
    if reason is not None:
        assert body["reason"] == reason
    return body


@pytest.mark.parametrize(
    "override",
    [
        {"productId": "con2"},
        {"purchaseId": "someone-elses-purchase"},
        {"userId": "user-2"},
    ],
    ids=["product", "purchase-id", "user"],
)
def test_claim_mismatch_is_5000_token_mismatch(
    client: httpx.Client, buy: Buy, override: dict[str, str]
) -> None:
    purchase = buy("CONSUMABLE")
    response = client.post("/v1/purchases/validate", json=claim(purchase, **override))
    assert response.status_code == 200
    assert_failure(response, 5000, "TOKEN_MISMATCH")
    assert client.get("/v1/entitlements", params={"userId": "user-1"}).json()["entitlements"] == []


def test_purchase_of_another_package_is_refused(client: httpx.Client, buy: Buy) -> None:
    purchase = buy("NON_CONSUMABLE", application_code="com.other.game")
    response = client.post("/v1/purchases/validate", json=claim(purchase))
    body = assert_failure(response, 5000, "TOKEN_MISMATCH")
    assert "package" in str(body["message"])


def test_token_whose_user_part_differs_from_the_purchaser_is_refused(
    client: httpx.Client, buy: Buy, fake_api: tuple[object, str]
) -> None:
    # RuStore answers for the token, but the purchaser inside is someone else (a forged token).
    purchase = buy("CONSUMABLE")
    forged = FakePurchase(**{**purchase.__dict__, "user_id": "user-9"})
    fake_api[0].purchases[forged.token] = purchase  # type: ignore[attr-defined]
    response = client.post("/v1/purchases/validate", json=claim(purchase, subscriptionToken=forged.token))
    assert_failure(response, 5000, "TOKEN_MISMATCH")


@pytest.mark.parametrize(
    ("product_type", "status"),
    [
        ("CONSUMABLE", "created"),
        ("CONSUMABLE", "cancelled"),
        ("CONSUMABLE", "reversed"),
        ("CONSUMABLE", "confirmed"),  # consumed elsewhere before this server ever granted it
        ("NON_CONSUMABLE", "paid"),
        ("NON_CONSUMABLE", "refunded"),
        ("SUBSCRIPTION", "created"),
    ],
)
def test_purchase_in_a_non_grantable_state_is_5000_not_paid(
    client: httpx.Client, buy: Buy, product_type: str, status: str
) -> None:
    purchase = buy(product_type, invoice_status=status)
    response = client.post("/v1/purchases/validate", json=claim(purchase))
    assert_failure(response, 5000, "NOT_PAID")


def test_inactive_subscription_is_refused(client: httpx.Client, buy: Buy) -> None:
    purchase = buy("SUBSCRIPTION", active=False)
    response = client.post("/v1/purchases/validate", json=claim(purchase))
    assert_failure(response, 5000, "SUBSCRIPTION_INACTIVE")


def test_unknown_token_is_5000_token_unknown(client: httpx.Client) -> None:
    response = client.post(
        "/v1/purchases/validate",
        json={"purchaseId": "p", "productId": "con1", "subscriptionToken": "999999999.nobody"},
    )
    assert response.status_code == 200
    assert_failure(response, 5000, "TOKEN_UNKNOWN")


@pytest.mark.parametrize("token", ["no-dot", "a.b.c", ".user", "123."])
def test_malformed_token_is_5000_token_invalid(client: httpx.Client, token: str) -> None:
    response = client.post(
        "/v1/purchases/validate", json={"purchaseId": "p", "productId": "con1", "subscriptionToken": token}
    )
    assert_failure(response, 5000, "TOKEN_INVALID")


def test_mismatch_answer_does_not_reveal_the_real_purchase(
    client: httpx.Client, buy: Buy, caplog: pytest.LogCaptureFixture
) -> None:
    purchase = buy("CONSUMABLE", purchase_id="secret-purchase-id", user_id="victim")
    response = client.post(
        "/v1/purchases/validate", json=claim(purchase, productId="con2", purchaseId="guess")
    )
    body = assert_failure(response, 5000, "TOKEN_MISMATCH")
    for secret in ("con1", "secret-purchase-id"):
        assert secret not in response.text
    assert "productId" in str(body["message"])
    assert any("con1" in r.getMessage() for r in caplog.records if r.name == "game_server.service")
