"""The game server against the REAL RuStore sandbox (harness.sim.sandbox), both over real HTTP.

Purchases are made through the sandbox's billing API exactly as the virtual SDK makes them; the
game server authenticates with a key pair the sandbox issued through its control API.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fake_rustore_public_api import new_private_key, pkcs8_pem
from game_server import GameServerSettings
from game_server_fixtures import RunningGameServer

from harness.sim.sandbox import VirtualClock, create_app
from harness.sim.sandbox.client import SandboxClient
from harness.sim.sandbox.schemas import App
from harness.sim.sandbox.serve import ServedApp

_users = itertools.count(1)


@dataclass
class Sandbox:
    url: str
    store: SandboxClient
    settings: GameServerSettings
    wall_offset: list[timedelta]  # the public API's "real" clock = now + wall_offset[0]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    offset = [timedelta(0)]

    def wall_clock() -> datetime:
        return datetime.now().astimezone() + offset[0]

    app = create_app(tmp_path / "sandbox.db", clock=VirtualClock(rate=0), wall_clock=wall_clock)
    with ServedApp(app) as url, SandboxClient(url) as store:
        key = store.issue_key()
        settings = GameServerSettings(
            rustore_base_url=url, key_id=key["keyId"], private_key_pem=key["privateKeyPem"]
        )
        yield Sandbox(url, store, settings, offset)


@pytest.fixture
def server(
    sandbox: Sandbox, start_game_server: Callable[[GameServerSettings], RunningGameServer]
) -> httpx.Client:
    return start_game_server(sandbox.settings).client


@pytest.fixture
def user() -> str:
    return f"device-{next(_users)}"


def bought(sandbox: Sandbox, user: str, product: str, method: str = "CARD") -> dict[str, str]:
    """create → pay through the billing API; returns what the game would send to its server."""
    created = sandbox.store.create_purchase(user, product)
    paid = sandbox.store.pay(user, created.purchaseId, method)
    assert paid.type == "Success", paid
    return {
        "purchaseId": created.purchaseId,
        "productId": product,
        "subscriptionToken": created.subscriptionToken,
    }


def test_consumable_flow_validate_confirm_consume(sandbox: Sandbox, server: httpx.Client, user: str) -> None:
    claim = bought(sandbox, user, "con1", "SBP")
    granted = server.post("/v1/purchases/validate", json={**claim, "userId": user}).json()
    assert (granted["code"], granted["alreadyGranted"]) == (0, False)
    assert granted["entitlement"]["amount"] == 4900 and granted["entitlement"]["userId"] == user
    assert sandbox.store.confirm(user, claim["purchaseId"]).purchaseState == "CONSUMED"
    consumed = server.post("/v1/purchases/consume", json=claim).json()
    assert (consumed["code"], consumed["alreadyConsumed"]) == (0, False)
    again = server.post("/v1/purchases/validate", json=claim).json()
    assert (again["code"], again["alreadyGranted"]) == (0, True)
    assert server.post("/v1/purchases/consume", json=claim).json()["alreadyConsumed"] is True
    listed = server.get("/v1/entitlements", params={"userId": user}).json()["entitlements"]
    assert len(listed) == 1 and listed[0]["consumedAt"]


@pytest.mark.parametrize("product", ["non_con1", "sub1"])
def test_non_consumable_and_subscription_are_granted(
    sandbox: Sandbox, server: httpx.Client, user: str, product: str
) -> None:
    claim = bought(sandbox, user, product)
    answer = server.post("/v1/purchases/validate", json=claim).json()
    assert (answer["code"], answer["entitlement"]["productType"]) == (
        0,
        sandbox.store.purchase_info(user, claim["purchaseId"]).productType,
    )


def test_unpaid_invoice_is_not_granted(sandbox: Sandbox, server: httpx.Client, user: str) -> None:
    created = sandbox.store.create_purchase(user, "con2")
    claim = {
        "purchaseId": created.purchaseId,
        "productId": "con2",
        "subscriptionToken": created.subscriptionToken,
    }
    answer = server.post("/v1/purchases/validate", json=claim).json()
    assert (answer["code"], answer["reason"]) == (5000, "NOT_PAID")


def test_pending_bank_settlement_is_not_granted_until_it_settles(
    sandbox: Sandbox, server: httpx.Client, user: str
) -> None:
    created = sandbox.store.create_purchase(user, "con1")
    sandbox.store.pay(user, created.purchaseId, "SBERPAY", settlement_delay_seconds=60)
    claim = {
        "purchaseId": created.purchaseId,
        "productId": "con1",
        "subscriptionToken": created.subscriptionToken,
    }
    assert server.post("/v1/purchases/validate", json=claim).json()["reason"] == "NOT_PAID"
    sandbox.store.advance(seconds=61)
    assert server.post("/v1/purchases/validate", json=claim).json()["code"] == 0


def test_terminated_subscription_is_refused(sandbox: Sandbox, server: httpx.Client, user: str) -> None:
    claim = bought(sandbox, user, "sub1")
    sandbox.store.subscription(claim["purchaseId"], "terminate")
    answer = server.post("/v1/purchases/validate", json=claim).json()
    # invoice_status stays "confirmed"; only /state (is_active false) tells the difference.
    assert (answer["code"], answer["reason"]) == (5000, "SUBSCRIPTION_INACTIVE")


def test_paused_subscription_is_inactive(sandbox: Sandbox, server: httpx.Client, user: str) -> None:
    claim = bought(sandbox, user, "sub2")
    sandbox.store.subscription(claim["purchaseId"], "pause")
    answer = server.post("/v1/purchases/validate", json=claim).json()
    # invoice_status stays "confirmed"; only /state (is_active false) tells the difference.
    assert (answer["code"], answer["reason"]) == (5000, "SUBSCRIPTION_INACTIVE")


@pytest.mark.parametrize("field", ["productId", "purchaseId", "userId"])
def test_claim_that_does_not_match_the_purchase_is_110_material(
    sandbox: Sandbox, server: httpx.Client, user: str, field: str
) -> None:
    claim = bought(sandbox, user, "con1")
    other = bought(sandbox, f"{user}-other", "con2")
    lie = {"productId": "con2", "purchaseId": other["purchaseId"], "userId": f"{user}-other"}[field]
    answer = server.post("/v1/purchases/validate", json={**claim, field: lie}).json()
    assert (answer["code"], answer["reason"]) == (5000, "TOKEN_MISMATCH")


def test_purchase_made_in_another_app_is_refused(sandbox: Sandbox, server: httpx.Client, user: str) -> None:
    sandbox.store.put_app(
        App(appId="2063599999", packageName="com.other.game", name="Other", ownerCode="1", ownerName="O")
    )
    sandbox.store.put_product(appId="2063599999", productId="gems", type="CONSUMABLE", price=100)
    created = sandbox.store.create_purchase(user, "gems", app_id="2063599999")
    sandbox.store.pay(user, created.purchaseId, "CARD", app_id="2063599999")
    claim = {
        "purchaseId": created.purchaseId,
        "productId": "gems",
        "subscriptionToken": created.subscriptionToken,
    }
    answer = server.post("/v1/purchases/validate", json=claim).json()
    assert (answer["code"], answer["reason"]) == (5000, "TOKEN_MISMATCH")
    assert "package" in answer["message"]


def test_unknown_token_is_5000(server: httpx.Client) -> None:
    claim = {"purchaseId": "x", "productId": "con1", "subscriptionToken": "987654321.nobody"}
    answer = server.post("/v1/purchases/validate", json=claim).json()
    assert (answer["code"], answer["reason"]) == (5000, "TOKEN_UNKNOWN")


def test_consume_after_the_payment_was_reversed_is_refused(
    sandbox: Sandbox, server: httpx.Client, user: str
) -> None:
    claim = bought(sandbox, user, "con1", "CARD")
    assert server.post("/v1/purchases/validate", json=claim).json()["code"] == 0
    sandbox.store.refund(claim["purchaseId"])  # two-stage PAID → reversal
    answer = server.post("/v1/purchases/consume", json=claim).json()
    assert (answer["code"], answer["reason"]) == (5000, "NOT_PAID")


@pytest.mark.parametrize("broken", ["unknown-key-id", "wrong-private-key"])
def test_credentials_the_sandbox_rejects_are_5003(
    sandbox: Sandbox,
    start_game_server: Callable[[GameServerSettings], RunningGameServer],
    user: str,
    broken: str,
) -> None:
    claim = bought(sandbox, user, "non_con1")
    settings = (
        replace(sandbox.settings, key_id="00000000-0000-0000-0000-000000000000")
        if broken == "unknown-key-id"
        else replace(sandbox.settings, private_key_pem=pkcs8_pem(new_private_key()))
    )
    answer = start_game_server(settings).client.post("/v1/purchases/validate", json=claim)
    assert answer.status_code == 200
    assert (answer.json()["code"], answer.json()["type"]) == (5003, "INVALID_AUTHENTICATED")


def test_server_clock_out_of_rustores_window_is_5003(
    sandbox: Sandbox, server: httpx.Client, user: str
) -> None:
    claim = bought(sandbox, user, "con1")
    sandbox.wall_offset[0] = timedelta(minutes=5)  # RuStore's clock is 5 min ahead: timestamp refused
    assert server.post("/v1/purchases/validate", json=claim).json()["code"] == 5003


def test_expired_public_token_is_renewed(
    sandbox: Sandbox, server: httpx.Client, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = bought(sandbox, user, "con1"), bought(sandbox, user, "non_con2")
    assert server.post("/v1/purchases/validate", json=first).json()["code"] == 0
    # 15 minutes pass for both sides: RuStore's clock and the game server's signing clock. The
    # cached token is now refused ("Jwe token is expired"); the server must sign in again.
    later = timedelta(minutes=15)
    sandbox.wall_offset[0] = later
    monkeypatch.setattr(
        "game_server.public_api.auth_timestamp",
        lambda: (datetime.now().astimezone() + later).isoformat(timespec="milliseconds"),
    )
    answer = server.post("/v1/purchases/validate", json=second).json()
    assert (answer["code"], answer["alreadyGranted"]) == (0, False)


def test_concurrent_validation_through_the_sandbox_grants_once(
    sandbox: Sandbox, server: httpx.Client, user: str
) -> None:
    claim = bought(sandbox, user, "non_con2")
    start_together = threading.Barrier(6)

    def validate(_: int) -> dict[str, object]:
        start_together.wait(timeout=30)
        return dict(server.post("/v1/purchases/validate", json=claim).json())

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(validate, range(6)))
    assert [a["code"] for a in answers] == [0] * 6
    assert sorted(bool(a["alreadyGranted"]) for a in answers) == [False] + [True] * 5
    assert len(server.get("/v1/entitlements", params={"userId": user}).json()["entitlements"]) == 1
