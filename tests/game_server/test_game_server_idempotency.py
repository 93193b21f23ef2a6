"""The same token never grants twice — sequentially, concurrently, or across a restart."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from fake_rustore_public_api import FakePublicApi, FakePurchase
from game_server import GameServerSettings, create_app
from game_server.background import BackgroundServer
from game_server_fixtures import RunningGameServer, claim

Buy = Callable[..., FakePurchase]


def entitlements(client: httpx.Client, user_id: str) -> list[dict[str, object]]:
    body = client.get("/v1/entitlements", params={"userId": user_id}).json()
    assert body["code"] == 0
    return list(body["entitlements"])


def test_same_token_twice_grants_once(client: httpx.Client, buy: Buy) -> None:
    purchase = buy("NON_CONSUMABLE")
    first = client.post("/v1/purchases/validate", json=claim(purchase)).json()
    second = client.post("/v1/purchases/validate", json=claim(purchase)).json()
    assert (first["code"], first["alreadyGranted"]) == (0, False)
    assert (second["code"], second["alreadyGranted"]) == (0, True)
    assert second["entitlement"] == first["entitlement"]
    assert len(entitlements(client, purchase.user_id)) == 1


def test_replaying_a_granted_token_for_another_product_is_still_refused(
    client: httpx.Client, buy: Buy
) -> None:
    purchase = buy("CONSUMABLE")
    assert client.post("/v1/purchases/validate", json=claim(purchase)).json()["code"] == 0
    replay = client.post("/v1/purchases/validate", json=claim(purchase, productId="con2")).json()
    assert (replay["code"], replay["reason"]) == (5000, "TOKEN_MISMATCH")


def test_consumable_revalidated_after_the_game_confirmed_it_is_already_granted(
    client: httpx.Client, buy: Buy
) -> None:
    purchase = buy("CONSUMABLE")
    assert client.post("/v1/purchases/validate", json=claim(purchase)).json()["alreadyGranted"] is False
    purchase.invoice_status = "confirmed"  # the game called confirm_purchase: CONSUMED at RuStore
    again = client.post("/v1/purchases/validate", json=claim(purchase)).json()
    assert (again["code"], again["alreadyGranted"]) == (0, True)


def test_concurrent_double_validation_grants_once(client: httpx.Client, buy: Buy) -> None:
    purchases = [buy("CONSUMABLE", user_id="racer") for _ in range(5)]
    attempts = [p for p in purchases for _ in range(4)]  # every token validated 4 times at once
    start_together = threading.Barrier(len(attempts))

    def validate(purchase: FakePurchase) -> dict[str, object]:
        start_together.wait(timeout=30)
        return dict(client.post("/v1/purchases/validate", json=claim(purchase)).json())

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        answers = list(pool.map(validate, attempts))
    assert all(a["code"] == 0 for a in answers), answers
    for purchase in purchases:
        mine = [a for a in answers if a["entitlement"]["subscriptionToken"] == purchase.token]  # type: ignore[index]
        assert sorted(a["alreadyGranted"] for a in mine) == [False, True, True, True]
    assert len(entitlements(client, "racer")) == len(purchases)


def test_grants_survive_a_restart(
    game_server: RunningGameServer, settings: GameServerSettings, buy: Buy
) -> None:
    purchase = buy("SUBSCRIPTION")
    assert (
        game_server.client.post("/v1/purchases/validate", json=claim(purchase)).json()["alreadyGranted"]
        is False
    )
    with (
        BackgroundServer(create_app(game_server.db_path, settings)) as second,
        httpx.Client(base_url=second.url) as client,
    ):
        again = client.post("/v1/purchases/validate", json=claim(purchase)).json()
        assert again["alreadyGranted"] is True
        assert len(entitlements(client, purchase.user_id)) == 1


def test_jwe_is_reused_across_requests(
    game_server: RunningGameServer, fake_api: tuple[FakePublicApi, str], buy: Buy
) -> None:
    for _ in range(3):
        game_server.client.post("/v1/purchases/validate", json=claim(buy("CONSUMABLE")))
    assert fake_api[0].auth_calls == 1
    assert fake_api[0].purchase_calls == 3


def test_expired_jwe_is_renewed_once_and_the_request_succeeds(
    game_server: RunningGameServer, fake_api: tuple[FakePublicApi, str], buy: Buy
) -> None:
    assert (
        game_server.client.post("/v1/purchases/validate", json=claim(buy("CONSUMABLE"))).json()["code"] == 0
    )
    fake_api[0].expire_tokens()  # RuStore now answers 401 "Jwe token is expired"
    answer = game_server.client.post("/v1/purchases/validate", json=claim(buy("CONSUMABLE"))).json()
    assert answer["code"] == 0
    assert fake_api[0].auth_calls == 2
