"""Fixtures: a fake RuStore public API and the game server, each on its own loopback port."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_rustore_public_api import FakePublicApi, FakePurchase, new_private_key, pkcs8_pem
from fastapi import FastAPI
from game_server import GameServerSettings, create_app
from game_server.background import BackgroundServer

PACKAGE = "ru.example.defold.sample"
KEY_ID = "key-1"
_invoice_ids = itertools.count(100_000)


@dataclass
class RunningGameServer:
    url: str
    app: FastAPI
    db_path: Path
    client: httpx.Client


@pytest.fixture(scope="session")
def private_key() -> rsa.RSAPrivateKey:
    return new_private_key()


@pytest.fixture(scope="session")
def served_fake_api(private_key: rsa.RSAPrivateKey) -> Iterator[tuple[FakePublicApi, str]]:
    state = FakePublicApi()
    with BackgroundServer(state.app()) as server:
        yield state, server.url


@pytest.fixture
def fake_api(
    served_fake_api: tuple[FakePublicApi, str], private_key: rsa.RSAPrivateKey
) -> tuple[FakePublicApi, str]:
    """The session's fake public API, emptied for this test (keys, tokens, purchases, counters)."""
    state, url = served_fake_api
    state.reset()
    state.register_key(KEY_ID, private_key)
    return state, url


@pytest.fixture
def settings(fake_api: tuple[FakePublicApi, str], private_key: rsa.RSAPrivateKey) -> GameServerSettings:
    return GameServerSettings(
        rustore_base_url=fake_api[1],
        key_id=KEY_ID,
        private_key_pem=pkcs8_pem(private_key),
        package_name=PACKAGE,
    )


@pytest.fixture
def start_game_server(tmp_path: Path) -> Iterator[Callable[[GameServerSettings], RunningGameServer]]:
    """Starts game servers (several settings per test allowed); stops them all at teardown."""
    running: list[tuple[BackgroundServer, httpx.Client]] = []

    def start(settings: GameServerSettings) -> RunningGameServer:
        db_path = tmp_path / f"game-server-{len(running)}.db"
        app = create_app(db_path, settings)
        server = BackgroundServer(app).start()
        client = httpx.Client(base_url=server.url, timeout=30)
        running.append((server, client))
        return RunningGameServer(server.url, app, db_path, client)

    yield start
    for server, client in running:
        client.close()
        server.stop()


@pytest.fixture
def game_server(
    start_game_server: Callable[[GameServerSettings], RunningGameServer], settings: GameServerSettings
) -> RunningGameServer:
    return start_game_server(settings)


@pytest.fixture
def client(game_server: RunningGameServer) -> httpx.Client:
    return game_server.client


@pytest.fixture
def buy(fake_api: tuple[FakePublicApi, str]) -> Callable[..., FakePurchase]:
    """Puts a purchase into the fake RuStore, paid and for our package unless told otherwise."""

    def make(product_type: str = "CONSUMABLE", **overrides: object) -> FakePurchase:
        invoice_id = str(next(_invoice_ids))
        defaults: dict[str, object] = {
            "invoice_id": invoice_id,
            "user_id": "user-1",
            "purchase_id": f"purchase-{invoice_id}",
            "product_code": {"CONSUMABLE": "con1", "NON_CONSUMABLE": "non_con1", "SUBSCRIPTION": "sub1"}[
                product_type
            ],
            "product_type": product_type,
            "invoice_status": "paid" if product_type == "CONSUMABLE" else "confirmed",
            "application_code": PACKAGE,
        }
        defaults.update(overrides)
        return fake_api[0].add(FakePurchase(**defaults))  # type: ignore[arg-type]

    return make


def claim(purchase: FakePurchase, **overrides: object) -> dict[str, object]:
    """The body the game sends to validate ``purchase``."""
    body: dict[str, object] = {
        "purchaseId": purchase.purchase_id,
        "productId": purchase.product_code,
        "subscriptionToken": purchase.token,
    }
    body.update(overrides)
    return body
