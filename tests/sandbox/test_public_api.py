"""The RuStore public API as a game server uses it: auth, purchase by token, subscription state."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import httpx

from harness.sim.sandbox.client import SandboxClient
from harness.sim.sandbox.signing import auth_timestamp, sign

from .conftest import WallClock

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def test_auth_issues_a_token_and_purchase_lookup_returns_the_snake_case_body(remote: SandboxClient) -> None:
    key = remote.create_key()
    assert "BEGIN PRIVATE KEY" in key.privateKeyPem  # PKCS#8
    stamp = auth_timestamp()
    answer = remote.public_auth_raw(key.keyId, stamp, sign(key.privateKeyPem, key.keyId, stamp))
    assert answer.status == 200 and answer.code == "OK" and answer.message is None
    assert answer.body["ttl"] == 900
    assert ISO_WITH_OFFSET.match(answer.envelope["timestamp"])
    token = answer.body["jwe"]

    created = remote.create_purchase("dev-1", "con1", order_id="order-77", developer_payload="p1")
    remote.pay("dev-1", created.purchaseId, "SBP")
    found = remote.public_purchase(token, created.subscriptionToken)
    assert found.status == 200 and found.code == "OK"
    body = found.body
    assert body["invoice_id"] == created.invoiceId
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$", body["invoice_date"])
    assert body["invoice_status"] == "paid"
    assert body["application_code"] == "ru.rustore.sample.billing"
    assert body["application_name"] and body["owner_code"] and body["owner_name"] and body["image"]
    assert body["invoice"] == {
        "purchaser": {"user_id": "dev-1"},
        "order": {
            "order_id": "order-77",
            "purchase_id": created.purchaseId,
            "product_code": "con1",
            "product_type": "CONSUMABLE",
            "quantity": 1,
            "developer_payload": "p1",
        },
    }
    assert body["payment_info"] == {"amount": 4900, "currency": "RUB", "payment_method": "SBP"}
    assert body["error"] is None

    remote.confirm("dev-1", created.purchaseId)
    assert remote.public_purchase(token, created.subscriptionToken).body["invoice_status"] == "confirmed"


def test_unknown_and_malformed_tokens(remote: SandboxClient) -> None:
    token = remote.public_token(remote.create_key())
    missing = remote.public_purchase(token, "99999999.nobody")
    assert (missing.status, missing.code, missing.body) == (404, "NOT_FOUND", None)
    malformed = remote.public_purchase(token, "not-a-token")
    assert (malformed.status, malformed.code) == (400, "BAD_REQUEST")
    created = remote.create_purchase("dev-2", "con2")
    other_user = created.subscriptionToken.split(".")[0] + ".someone-else"
    assert remote.public_purchase(token, other_user).status == 404


def test_wrong_signature_is_refused(remote: SandboxClient, wall: WallClock) -> None:
    key = remote.create_key()
    other = remote.create_key()
    stamp = auth_timestamp(wall.now)
    forged = sign(other.privateKeyPem, key.keyId, stamp)  # signed with somebody else's key
    answer = remote.public_auth_raw(key.keyId, stamp, forged)
    assert (answer.status, answer.code) == (401, "ERROR")
    assert answer.body is None
    garbage = remote.public_auth_raw(key.keyId, stamp, base64.b64encode(b"nope").decode())
    assert garbage.status == 401
    # the right key, but signed over another timestamp than the one sent
    later = auth_timestamp(wall.now + timedelta(seconds=1))
    mismatch = remote.public_auth_raw(key.keyId, stamp, sign(key.privateKeyPem, key.keyId, later))
    assert (mismatch.status, mismatch.message) == (401, "Signature is not valid")


def test_stale_timestamp_is_refused_by_the_real_wall_clock(remote: SandboxClient, wall: WallClock) -> None:
    key = remote.create_key()
    for skew in (-61, 61, -3600):
        stamp = auth_timestamp(wall.now + timedelta(seconds=skew))
        answer = remote.public_auth_raw(key.keyId, stamp, sign(key.privateKeyPem, key.keyId, stamp))
        assert (answer.status, answer.code, answer.message) == (400, "ERROR", "Range timestamp not valid")
    inside = auth_timestamp(wall.now - timedelta(seconds=59))
    assert remote.public_auth_raw(key.keyId, inside, sign(key.privateKeyPem, key.keyId, inside)).code == "OK"


def test_virtual_time_does_not_move_the_auth_window(remote: SandboxClient, wall: WallClock) -> None:
    key = remote.create_key()
    remote.advance(hours=5)
    stamp = auth_timestamp(wall.now)
    assert remote.public_auth_raw(key.keyId, stamp, sign(key.privateKeyPem, key.keyId, stamp)).code == "OK"


def test_token_expires_after_900_seconds_of_wall_time(remote: SandboxClient, wall: WallClock) -> None:
    token = remote.public_token(remote.create_key(), now=wall.now)
    created = remote.create_purchase("dev-3", "non_con1")
    wall.advance(899)
    assert remote.public_purchase(token, created.subscriptionToken).code == "OK"
    wall.advance(1)
    expired = remote.public_purchase(token, created.subscriptionToken)
    assert (expired.status, expired.code, expired.message) == (401, "ERROR", "Jwe token is expired")
    invalid = remote.public_purchase("made-up", created.subscriptionToken)
    assert invalid.status == 401 and invalid.message == "Jwe token is invalid"


def test_subscription_state(remote: SandboxClient) -> None:
    token = remote.public_token(remote.create_key())
    created = remote.create_purchase("dev-4", "sub1")
    state = remote.public_subscription_state(token, created.subscriptionToken)
    assert state.body == {"is_active": False}
    remote.pay("dev-4", created.purchaseId, "CARD")
    assert remote.public_subscription_state(token, created.subscriptionToken).body == {"is_active": True}
    remote.renewal_outcome("decline", purchase_id=created.purchaseId)
    remote.advance(minutes=10)
    assert remote.public_subscription_state(token, created.subscriptionToken).body == {"is_active": False}
    con = remote.create_purchase("dev-4", "con1")
    assert remote.public_subscription_state(token, con.subscriptionToken).status == 404


def test_auth_request_shape_and_unknown_key(remote: SandboxClient, served: str, wall: WallClock) -> None:
    key = remote.issue_key()
    assert set(key) == {"keyId", "privateKeyPem", "publicKeyPem"}
    stamp = auth_timestamp(wall.now)
    missing = remote.public_auth_raw(key["keyId"], stamp, "")
    assert (missing.status, missing.code) == (400, "BAD_REQUEST")
    unknown = remote.public_auth_raw("no-such-key", stamp, sign(key["privateKeyPem"], "no-such-key", stamp))
    assert (unknown.status, unknown.code) == (401, "ERROR")
    no_offset = stamp[:-6]
    naive = remote.public_auth_raw(
        key["keyId"], no_offset, sign(key["privateKeyPem"], key["keyId"], no_offset)
    )
    assert (naive.status, naive.message) == (400, "Range timestamp not valid")
    with httpx.Client(base_url=served) as raw:
        not_json = raw.post("/public/auth/", content=b"keyId=1", headers={"content-type": "text/plain"})
        assert (not_json.status_code, not_json.json()["code"]) == (400, "BAD_REQUEST")
        no_header = raw.get("/public/purchase/1.2")
        assert (no_header.status_code, no_header.json()["message"]) == (401, "Public-Token header is missing")


def test_purchase_by_invoice_id_forms(remote: SandboxClient, served: str) -> None:
    token = remote.public_token(remote.create_key())
    bought = remote.buy("dev-5", "non_con2", "SBERPAY").purchase
    with httpx.Client(base_url=served, headers={"Public-Token": token}) as raw:
        for path in ("/public/purchase", "/public/sandbox/purchase"):
            answer = raw.get(path, params={"invoiceId": bought.invoiceId}).json()
            assert answer["code"] == "OK"
            assert answer["body"]["invoice"]["order"]["purchase_id"] == bought.purchaseId
            assert answer["body"]["invoice_status"] == "confirmed"
        assert raw.get("/public/purchase", params={"invoiceId": "123"}).status_code == 404
        assert raw.get("/public/purchase", params={"invoiceId": "abc"}).status_code == 400
