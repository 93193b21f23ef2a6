"""Synthetic game callbacks that exercise the whole contract, fed to recorders as logcat lines.

The payloads are the shapes of CONTRACT.md §2 (valid for the 6.0.0 faithful profile), so the
recorder's contract check passes and only coverage is under test.
"""

from __future__ import annotations

import json

from harness.rustore.errors import RUSTORE_ERROR_CODES, IapClientCode, IapServerCode
from harness.rustore.logframe import encode_callback

ERR = '{"detailMessage":"User is not authorized","simpleName":"RuStoreUserUnauthorizedException"}'
NET = '{"detailMessage":"Payment API error 40101","simpleName":"RuStorePaymentNetworkException"}'
PRODUCT_OF = {"CONSUMABLE": "con1", "NON_CONSUMABLE": "non1", "SUBSCRIPTION": "sub1"}

# every legal transition of §3 as consecutive samples of get_purchase_info (product type → state walks)
WALKS: dict[str, list[list[str]]] = {
    "CONSUMABLE": [
        ["INVOICE_CREATED", "PAID", "CONSUMED"],
        ["INVOICE_CREATED", "CANCELLED"],
        ["INVOICE_CREATED", "PAID", "CANCELLED"],
        ["CREATED", "CANCELLED"],
    ],
    "NON_CONSUMABLE": [
        ["INVOICE_CREATED", "CONFIRMED", "CANCELLED"],
        ["INVOICE_CREATED", "CANCELLED"],
        ["CREATED", "CANCELLED"],
    ],
    "SUBSCRIPTION": [
        ["INVOICE_CREATED", "CONFIRMED", "PAUSED", "CONFIRMED", "CLOSED"],
        ["INVOICE_CREATED", "CONFIRMED", "PAUSED", "TERMINATED"],
        ["INVOICE_CREATED", "CANCELLED"],
        ["CREATED", "CANCELLED"],
    ],
}


def purchase(purchase_id: str, product_type: str, state: str) -> str:
    return json.dumps(
        {
            "amount": 4900,
            "currency": "RUB",
            "invoiceId": "1",
            "productId": PRODUCT_OF[product_type],
            "productType": product_type,
            "purchaseId": purchase_id,
            "purchaseState": state,
            "quantity": 1,
            "sandbox": True,
        },
        separators=(",", ":"),
    )


def channel_payloads() -> list[tuple[str, str]]:
    """One valid payload for each of the 19 channels (no transition, no error code)."""
    return [
        ("rustore_check_purchases_available_success", '{"isAvailable": true}'),
        ("rustore_check_purchases_available_failure", ERR),
        ("rustore_on_get_products_success", '[{"productId":"con1","productStatus":"ACTIVE"}]'),
        ("rustore_on_get_products_failure", ERR),
        (
            "rustore_on_purchase_product_success",
            '{"type":"Cancelled","data":{"purchaseId":"c1","sandbox":true}}',
        ),
        ("rustore_on_purchase_product_failure", '{"productId": "con1", "cause": ' + ERR + "}"),
        ("rustore_on_get_purchases_success", "[]"),
        ("rustore_on_get_purchases_failure", ERR),
        ("rustore_on_confirm_purchase_success", '{"purchaseId": "nobody"}'),
        ("rustore_on_confirm_purchase_failure", '{"purchaseId": "nobody", "cause": ' + ERR + "}"),
        ("rustore_on_delete_purchase_success", '{"purchaseId": "nobody2"}'),
        ("rustore_on_delete_purchase_failure", '{"purchaseId": "nobody", "cause": ' + ERR + "}"),
        ("rustore_on_get_purchase_info_success", purchase("solo", "CONSUMABLE", "INVOICE_CREATED")),
        ("rustore_on_get_purchase_info_failure", '{"purchaseId": "nobody", "cause": ' + ERR + "}"),
        *[
            (f"rustore_on_payment_logger_{level}", '{"e": "{}", "message": "Purchase sheet opened"}')
            for level in ("debug", "error", "info", "verbose", "warning")
        ],
    ]


def code_payloads() -> list[tuple[str, str]]:
    """Every §5.1 errorCode as a Failure result (§10.3), plus one inside a network exception (§10.4)."""
    out = [
        (
            "rustore_on_purchase_product_success",
            '{"type":"Failure","data":{"errorCode":' + str(code) + ',"productId":"con1","sandbox":true}}',
        )
        for code in [*RUSTORE_ERROR_CODES, 50123]
    ]
    out.append(("rustore_on_get_products_failure", NET))
    return out


def transition_payloads(prefix: str = "w") -> list[tuple[str, str]]:
    out = []
    for ptype, walks in WALKS.items():
        for n, walk in enumerate(walks):
            out += [
                ("rustore_on_get_purchase_info_success", purchase(f"{prefix}-{ptype}-{n}", ptype, s))
                for s in walk
            ]
    return out


def iap_messages() -> list[str]:
    """Every IAP client code (no causing callback) and every game-server code quoted by the game."""
    out = [f"iap code={int(c)} name={c.name} seq=-" for c in IapClientCode]
    out += [
        f"iap code=107 name=IAP_RESPONSE_ON_FAILED seq=- src=server server={int(c)}" for c in IapServerCode
    ]
    return out


def logcat_lines(
    payloads: list[tuple[str, str]], iap: list[str] = (), pid: int = 4242, first_seq: int = 1
) -> list[str]:  # type: ignore[assignment]
    """`-v threadtime` lines the game would write for these callbacks and IAP code lines."""
    head = f"11-22 03:00:00.000  {pid}  {pid} I RuStoreHarness: "
    lines: list[str] = []
    for seq, (channel, payload) in enumerate(payloads, start=first_seq):
        lines += [head + message + "\n" for message in encode_callback(seq, channel, payload)]
    lines += [head + message + "\n" for message in iap]
    return lines
