"""POST /v1/purchases/consume: only validated, paid consumables; idempotent."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fake_rustore_public_api import FakePurchase
from game_server_fixtures import claim

Buy = Callable[..., FakePurchase]


def consume_body(purchase: FakePurchase, **overrides: str) -> dict[str, str]:
    body = {"purchaseId": purchase.purchase_id, "subscriptionToken": purchase.token}
    body.update(overrides)
    return body


def validated(client: httpx.Client, purchase: FakePurchase) -> FakePurchase:
    assert client.post("/v1/purchases/validate", json=claim(purchase)).json()["code"] == 0
    return purchase


def test_consume_once_then_idempotent(client: httpx.Client, buy: Buy) -> None:
    purchase = validated(client, buy("CONSUMABLE", quantity=3))
    first = client.post("/v1/purchases/consume", json=consume_body(purchase)).json()
    assert (first["code"], first["alreadyConsumed"]) == (0, False)
    assert first["entitlement"]["consumedAt"] and first["entitlement"]["quantity"] == 3
    second = client.post("/v1/purchases/consume", json=consume_body(purchase)).json()
    assert (second["code"], second["alreadyConsumed"]) == (0, True)
    assert second["entitlement"]["consumedAt"] == first["entitlement"]["consumedAt"]
    listed = client.get("/v1/entitlements", params={"userId": purchase.user_id}).json()["entitlements"]
    assert [e["consumedAt"] for e in listed] == [first["entitlement"]["consumedAt"]]


def test_consume_after_rustore_confirmed_is_fine(client: httpx.Client, buy: Buy) -> None:
    purchase = validated(client, buy("CONSUMABLE"))
    purchase.invoice_status = "confirmed"  # the game confirmed at RuStore before telling us
    assert client.post("/v1/purchases/consume", json=consume_body(purchase)).json()["code"] == 0


def test_consume_never_validated_is_5000(client: httpx.Client, buy: Buy) -> None:
    purchase = buy("CONSUMABLE")
    answer = client.post("/v1/purchases/consume", json=consume_body(purchase))
    assert answer.status_code == 200
    assert (answer.json()["code"], answer.json()["reason"]) == (5000, "NOT_VALIDATED")


@pytest.mark.parametrize("status", ["reversed", "refunded", "cancelled"])
def test_consume_after_payment_was_taken_back_is_5000_not_paid(
    client: httpx.Client, buy: Buy, status: str
) -> None:
    purchase = validated(client, buy("CONSUMABLE"))
    purchase.invoice_status = status
    answer = client.post("/v1/purchases/consume", json=consume_body(purchase)).json()
    assert (answer["code"], answer["reason"]) == (5000, "NOT_PAID")
    listed = client.get("/v1/entitlements", params={"userId": purchase.user_id}).json()["entitlements"]
    assert listed[0]["consumedAt"] is None


def test_consume_with_someone_elses_purchase_id_is_5000(client: httpx.Client, buy: Buy) -> None:
    purchase = validated(client, buy("CONSUMABLE"))
    answer = client.post("/v1/purchases/consume", json=consume_body(purchase, purchaseId="other")).json()
    assert (answer["code"], answer["reason"]) == (5000, "TOKEN_MISMATCH")


@pytest.mark.parametrize("product_type", ["NON_CONSUMABLE", "SUBSCRIPTION"])
def test_non_consumables_cannot_be_consumed(client: httpx.Client, buy: Buy, product_type: str) -> None:
    purchase = validated(client, buy(product_type))
    answer = client.post("/v1/purchases/consume", json=consume_body(purchase)).json()
    assert (answer["code"], answer["reason"]) == (5000, "NOT_CONSUMABLE")


def test_consume_with_malformed_token_is_5000(client: httpx.Client) -> None:
    answer = client.post("/v1/purchases/consume", json={"purchaseId": "p", "subscriptionToken": "x"}).json()
    assert (answer["code"], answer["reason"]) == (5000, "TOKEN_INVALID")
