"""Each server code reached through its real cause; request ids; no internals leak to clients."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import httpx
import pytest
from fake_rustore_public_api import FakePublicApi, FakePurchase, new_private_key, pkcs8_pem
from game_server import GameServerSettings
from game_server.background import bind_loopback
from game_server_fixtures import KEY_ID, RunningGameServer, claim

Buy = Callable[..., FakePurchase]
StartServer = Callable[[GameServerSettings], RunningGameServer]

VALID = {"purchaseId": "p-1", "productId": "con1", "subscriptionToken": "100.user-1"}


def error_of(response: httpx.Response, code: int, http_status: int) -> dict[str, object]:
    assert response.status_code == http_status, response.text
    body = response.json()
    assert body["code"] == code
    assert set(body) >= {"code", "type", "message", "requestId"}
    assert body["requestId"] == response.headers["X-Request-Id"]
    return body


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[1, 2]",
        b'"just a string"',
        b"{}",
        b'{"purchaseId": "p", "productId": "con1"}',
        b'{"purchaseId": 12, "productId": "con1", "subscriptionToken": "1.u"}',
        b'{"purchaseId": "", "productId": "con1", "subscriptionToken": "1.u"}',
        b'{"purchaseId": "p", "productId": null, "subscriptionToken": "1.u"}',
        b'{"purchaseId": "p", "productId": "con1", "subscriptionToken": "1.u", "userId": 5}',
        b'{"purchaseId": "\\ud800"}',
        b"\xff\xfe{}",
    ],
    ids=[
        "bad-json",
        "array",
        "string",
        "empty",
        "missing-token",
        "number-id",
        "empty-id",
        "null-product",
        "number-user",
        "lone-surrogate",
        "not-utf8",
    ],
)
def test_malformed_body_is_1100(client: httpx.Client, payload: bytes) -> None:
    response = client.post(
        "/v1/purchases/validate", content=payload, headers={"Content-Type": "application/json"}
    )
    body = error_of(response, 1100, 400)
    assert body["type"] == "INVALID_PARAMETERS"


def test_oversized_body_is_1100(client: httpx.Client) -> None:
    big = {**VALID, "padding": "x" * 70_000}
    body = error_of(client.post("/v1/purchases/validate", json=big), 1100, 400)
    assert "larger" in str(body["message"])


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (503, {"code": "ERROR", "message": "maintenance", "body": None}),
        (200, {"code": "OK", "message": None, "body": {"invoice_id": 1}}),  # body lacks what we check
        (200, ["not", "an", "envelope"]),
    ],
    ids=["http-503", "incomplete-body", "not-an-envelope"],
)
def test_unusable_rustore_answer_is_502(
    client: httpx.Client, fake_api: tuple[FakePublicApi, str], buy: Buy, status: int, answer: object
) -> None:
    purchase = buy("CONSUMABLE")
    fake_api[0].purchase_answer = (status, answer)
    body = error_of(client.post("/v1/purchases/validate", json=claim(purchase)), 9001, 502)
    assert body["type"] == "RUSTORE_UNAVAILABLE"


def test_missing_consume_field_is_1100(client: httpx.Client) -> None:
    response = client.post("/v1/purchases/consume", json={"purchaseId": "p"})
    body = error_of(response, 1100, 400)
    assert "subscriptionToken" in str(body["message"])


def test_entitlements_without_user_is_1100(client: httpx.Client) -> None:
    error_of(client.get("/v1/entitlements"), 1100, 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "json"])
def test_wrong_content_type_is_2111(client: httpx.Client, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/purchases/validate", content=b'{"a": 1}', headers=headers)
    body = error_of(response, 2111, 415)
    assert body["type"] == "HTTP_CONTENT_TYPE_NOT_SUPPORT"


def test_json_with_charset_is_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/v1/purchases/validate",
        content=b'{"purchaseId": "p", "productId": "con1", "subscriptionToken": "bad"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.json()["code"] == 5000  # got past 2111 and 1100 to the token check


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/purchases/validate"),
        ("PUT", "/v1/purchases/validate"),
        ("DELETE", "/v1/purchases/consume"),
        ("POST", "/v1/entitlements"),
    ],
)
def test_wrong_method_is_2112(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, path, json=VALID)
    body = error_of(response, 2112, 405)
    assert body["type"] == "HTTP_REQUEST_METHOD_NOT_SUPPORT"
    assert response.headers["Allow"]


def test_unknown_path_is_a_uniform_404(client: httpx.Client) -> None:
    error_of(client.post("/v1/purchases/refund", json=VALID), 9004, 404)


def test_unknown_token_is_5000(client: httpx.Client) -> None:
    body = error_of(client.post("/v1/purchases/validate", json=VALID), 5000, 200)
    assert body["type"] == "CONSUME_FAILED"


def test_unknown_key_id_is_5003(
    start_game_server: StartServer, settings: GameServerSettings, buy: Buy
) -> None:
    purchase = buy("CONSUMABLE")
    server = start_game_server(GameServerSettings(**{**settings.__dict__, "key_id": "never-issued"}))
    body = error_of(server.client.post("/v1/purchases/validate", json=claim(purchase)), 5003, 200)
    assert body["type"] == "INVALID_AUTHENTICATED"


def test_wrong_private_key_is_5003(
    start_game_server: StartServer, settings: GameServerSettings, buy: Buy
) -> None:
    purchase = buy("CONSUMABLE")
    other_key = pkcs8_pem(new_private_key())
    server = start_game_server(GameServerSettings(**{**settings.__dict__, "private_key_pem": other_key}))
    error_of(server.client.post("/v1/purchases/validate", json=claim(purchase)), 5003, 200)
    # Consuming needs RuStore too, but refuses earlier: nothing was ever validated here.
    assert (
        server.client.post("/v1/purchases/consume", json=claim(purchase)).json()["reason"] == "NOT_VALIDATED"
    )


def test_unreachable_rustore_is_502_not_a_trace(
    start_game_server: StartServer, settings: GameServerSettings
) -> None:
    closed = bind_loopback()
    url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()  # nothing listens there any more: connection refused
    server = start_game_server(GameServerSettings(**{**settings.__dict__, "rustore_base_url": url}))
    body = error_of(server.client.post("/v1/purchases/validate", json=VALID), 9001, 502)
    assert "Traceback" not in server.client.post("/v1/purchases/validate", json=VALID).text
    assert "ConnectError" not in str(body["message"])


def test_internal_error_answers_generic_500_without_trace(
    game_server: RunningGameServer, buy: Buy, caplog: pytest.LogCaptureFixture
) -> None:
    purchase = buy("CONSUMABLE")
    with sqlite3.connect(game_server.db_path) as conn:  # break the store under the running server
        conn.execute("DROP TABLE entitlements")
    response = game_server.client.post("/v1/purchases/validate", json=claim(purchase))
    body = error_of(response, 9000, 500)
    assert body["type"] == "INTERNAL_ERROR"
    for leak in ("Traceback", "sqlite", "entitlements", 'File "', "OperationalError"):
        assert leak not in response.text
    # The operator still gets the details, under the same request id.
    logged = [r for r in caplog.records if r.name == "game_server.http" and r.exc_info]
    assert any(body["requestId"] in r.getMessage() for r in logged)


def test_every_response_carries_a_request_id(client: httpx.Client) -> None:
    ids = {
        client.get("/v1/health").headers["X-Request-Id"],
        client.post("/v1/purchases/validate", json=VALID).headers["X-Request-Id"],
        client.get("/v1/purchases/validate").headers["X-Request-Id"],
    }
    assert len(ids) == 3 and all(len(i) >= 16 for i in ids)


def test_callers_request_id_is_kept_when_safe(client: httpx.Client) -> None:
    kept = client.get("/v1/health", headers={"X-Request-Id": "game-42"})
    assert kept.headers["X-Request-Id"] == "game-42" == kept.json()["requestId"]
    replaced = client.get("/v1/health", headers={"X-Request-Id": "bad id\twith spaces"})
    assert replaced.headers["X-Request-Id"] != "bad id\twith spaces"


def test_every_request_is_logged_with_its_id(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="game_server")
    response = client.post("/v1/purchases/validate", json=VALID)
    request_id = response.headers["X-Request-Id"]
    lines = [r.getMessage() for r in caplog.records if request_id in r.getMessage()]
    assert any("POST /v1/purchases/validate -> 200" in line for line in lines)
    assert any("5000" in line for line in lines)


def test_fake_is_really_checking_signatures(fake_api: tuple[FakePublicApi, str]) -> None:
    # Guard for the 5003 tests above: the fake refuses a signature made with another key.
    state, url = fake_api
    response = httpx.post(
        f"{url}/public/auth/",
        json={"keyId": KEY_ID, "timestamp": "2026-01-01T00:00:00+00:00", "signature": "x"},
    )
    assert response.status_code in (400, 401)
    assert state.auth_calls == 1


def test_rustore_calls_are_logged_under_the_callers_request_id(
    client: httpx.Client, buy: Buy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="game_server")
    response = client.post("/v1/purchases/validate", json=claim(buy("CONSUMABLE")))
    request_id = response.headers["X-Request-Id"]
    signed_in = [r.getMessage() for r in caplog.records if "signed in" in r.getMessage()]
    assert signed_in and all(f"request_id={request_id}" in line for line in signed_in)
