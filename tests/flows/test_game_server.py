"""The game's own server (sample_app/server): its codes 1100/2111/2112/5000/5003, and the game's
client codes for a server that is down (113), broken (106), says "no" (107), sees a forged purchase
(110) or cannot record the consumption (112) — each from a real misconfiguration where there is one."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.rustore.channels import Channel

from .steps import CONFIG_PROP, pay_by_card

URL_PROP = "rustore_harness.game_server_url"


@pytest.fixture
def game_server_url(adb_device) -> str:
    """The pool's game server, as the device's game reaches it."""
    url = adb_device.getprop(CONFIG_PROP + URL_PROP)
    assert url.startswith("http://127.0.0.1:"), url
    return url


@pytest.fixture
def own_game_server(store, tmp_path: Path) -> Iterator[object]:
    """``own_game_server(app_wrapper=None, **settings)`` → URL of a game server this test configures."""
    # Imported here, not at the top: FastAPI costs every xdist worker ~0.3 s of CPU at collection.
    from game_server import GameServerSettings, create_app
    from game_server.background import BackgroundServer

    servers: list[BackgroundServer] = []
    key = store.issue_key()

    def start(wrap=None, **overrides: str) -> str:
        settings = {"key_id": key["keyId"], "private_key_pem": key["privateKeyPem"], **overrides}
        app = create_app(
            tmp_path / f"game-{len(servers)}.sqlite", GameServerSettings(store.base_url, **settings)
        )
        server = BackgroundServer(wrap(app) if wrap else app).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def buy_and_get_code(billing, game_config, url, code):
    game_config({URL_PROP: url})
    mark = pay_by_card(billing, "con1")
    success = billing.callbacks.expect(Channel.PURCHASE_PRODUCT_SUCCESS, {"type": "Success"}, 30, mark)
    line = billing.callbacks.expect_iap(code, timeout=30)
    assert line.fields.get("src") == "server", line
    return success, line


# ------------------------------------------------------------------ the server's own codes
@pytest.mark.needs_store_controls
def test_1100_2111_2112_answered_to_bad_requests(game_server_url, contract_coverage):
    import httpx

    validate = game_server_url + "/v1/purchases/validate"
    cases = [
        (dict(method="POST", json={"purchaseId": "p"}), 400, 1100),  # productId, subscriptionToken missing
        (dict(method="POST", content=b"purchaseId=p", headers={"Content-Type": "text/plain"}), 415, 2111),
        (dict(method="GET"), 405, 2112),
    ]
    with httpx.Client(timeout=10) as http:
        for kwargs, status, code in cases:
            response = http.request(url=validate, **kwargs)
            assert (response.status_code, response.json()["code"]) == (status, code), response.text
            contract_coverage.server_code(code)


def test_5003_credentials_refused_is_107(billing, game_config, own_game_server, store):
    url = own_game_server(key_id="no-such-key")
    success, line = buy_and_get_code(billing, game_config, url, 107)  # IAP_RESPONSE_ON_FAILED
    assert line.fields.get("server") == "5003", line.fields
    assert billing.observe_store(success.parsed["data"]["purchaseId"]) == "PAID"  # never confirmed


def test_5000_token_of_another_app_is_110(billing, game_config, own_game_server):
    url = own_game_server(package_name="com.other.studio.game")
    success, line = buy_and_get_code(billing, game_config, url, 110)  # INAPP_VERIFY_SIGNATURE_ERROR
    assert line.fields.get("server") == "5000", line.fields
    assert billing.observe_store(success.parsed["data"]["purchaseId"]) == "PAID"


def test_server_down_is_113(billing, game_config):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    success, line = buy_and_get_code(billing, game_config, f"http://127.0.0.1:{port}", 113)
    assert line.fields.get("status") == "0"
    assert billing.observe_store(success.parsed["data"]["purchaseId"]) == "PAID"


def test_wrong_server_path_is_106(billing, game_config, game_server_url):
    _, line = buy_and_get_code(billing, game_config, game_server_url + "/api", 106)  # 404 → non-200
    assert line.fields.get("status") == "404" and line.fields.get("server") == "9004", line.fields


def broken_consume(app):
    """The real server, except that recording a consumption fails as a broken database would."""
    body = json.dumps({"code": 9000, "type": "INTERNAL_ERROR", "message": "database is locked"}).encode()

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/v1/purchases/consume":
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


def test_consumption_not_recorded_is_112_after_delivery(billing, game_config, own_game_server):
    url = own_game_server(wrap=broken_consume)
    success, line = buy_and_get_code(billing, game_config, url, 112)  # INAPP_VERIFY_CONSUME_ERROR
    assert billing.observe_store(success.parsed["data"]["purchaseId"]) == "CONSUMED"  # confirmed first
    assert line.fields.get("server") == "9000", line.fields


def test_purchase_refunded_before_confirm_is_not_validated(
    billing, callbacks, game_config, game_server_url, store, user
):
    """A purchase refunded between the player's Success and the server's check is refused (5000)."""
    game_config({URL_PROP: game_server_url})
    created = store.create_purchase(user, "con2").purchaseId
    store.pay(user, created)
    billing.purchases()
    store.refund(created)  # RuStore returned the money; the player's screen still says PAID
    mark = callbacks.mark()
    billing.game.tap(f"btn_confirm_{created}")  # the game re-reads the purchase first …
    info = callbacks.expect(Channel.GET_PURCHASE_INFO_SUCCESS, {"purchaseId": created}, 30, mark)
    assert info.parsed["purchaseState"] == "CANCELLED"
    line = callbacks.expect_iap(109, timeout=10)  # … and does not validate a cancelled purchase
    assert line.fields.get("state") == "CANCELLED"
