"""JSON Schemas (draft 2020-12) per channel and plugin profile, built from CONTRACT.md §2.

The schemas are built here in Python (one place states each shape once and the two
profiles differ by a few lines) and can be exported as files for other tools:
``python -m harness.rustore.schemas OUT_DIR`` writes ``OUT_DIR/<profile>/<channel>.json``.

What the schemas say, per §2.0: nulls are never emitted (nullable SDK fields are
optional and non-null), primitives are always present, every SDK object is closed
(``additionalProperties: false``). Profile differences (§8, §10.1): ``sandbox`` is
required in PaymentResult Success/Cancelled/Failure and optional on Purchase under
6.0.0 and absent under 5.0.1; Purchase ``description`` exists only under 5.0.1.
"""

from __future__ import annotations

import copy
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any, Literal

from harness.rustore.channels import CATALOG, Channel, PayloadKind

Profile = Literal["6.0.0", "5.0.1"]
Mode = Literal["faithful", "fixed"]
PROFILES: tuple[Profile, ...] = ("6.0.0", "5.0.1")
MODES: tuple[Mode, ...] = ("faithful", "fixed")
SCHEMA_BASE = "https://rustore-harness.invalid/schemas"

PRODUCT_TYPES = ["NON_CONSUMABLE", "CONSUMABLE", "SUBSCRIPTION"]
PRODUCT_STATUSES = ["ACTIVE", "INACTIVE"]
PURCHASE_STATES = [
    "CREATED", "INVOICE_CREATED", "CONFIRMED", "PAID", "CANCELLED",
    "CONSUMED", "CLOSED", "PAUSED", "TERMINATED",
]  # fmt: skip

_STR: dict[str, Any] = {"type": "string"}
_INT: dict[str, Any] = {"type": "integer"}
_BOOL: dict[str, Any] = {"type": "boolean"}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _defs(profile: Profile) -> dict[str, Any]:
    """Every shared sub-shape of §2 for one profile."""
    six = profile == "6.0.0"
    period = _obj({"years": _INT, "months": _INT, "days": _INT}, ["years", "months", "days"])
    subscription = _obj(
        {
            "subscriptionPeriod": _ref("SubscriptionPeriod"),
            "freeTrialPeriod": _ref("SubscriptionPeriod"),
            "gracePeriod": _ref("SubscriptionPeriod"),
            "introductoryPrice": _STR,
            "introductoryPriceAmount": _STR,
            "introductoryPricePeriod": _ref("SubscriptionPeriod"),
        }
    )
    product = _obj(
        {
            "productId": _STR,
            "productType": {"enum": PRODUCT_TYPES},
            "productStatus": {"enum": PRODUCT_STATUSES},
            "priceLabel": _STR,
            "price": _INT,
            "currency": _STR,
            "language": _STR,
            "title": _STR,
            "description": _STR,
            "imageUrl": _STR,
            "promoImageUrl": _STR,
            "subscription": _ref("ProductSubscription"),
        },
        ["productId", "productStatus"],
    )
    purchase_props: dict[str, Any] = {
        "purchaseId": _STR,
        "productId": _STR,
        "productType": {"enum": PRODUCT_TYPES},
        "invoiceId": _STR,
        "language": _STR,
        "purchaseTime": _STR,
        "orderId": _STR,
        "amountLabel": _STR,
        "amount": _INT,
        "currency": _STR,
        "quantity": _INT,
        "purchaseState": {"enum": PURCHASE_STATES},
        "developerPayload": _STR,
        "subscriptionToken": _STR,
    }
    if six:
        purchase_props["sandbox"] = _BOOL  # §9.1: optional
    else:
        purchase_props["description"] = _STR
    sandbox = ["sandbox"] if six else []

    def with_sandbox(props: dict[str, Any]) -> dict[str, Any]:
        return {**props, "sandbox": _BOOL} if six else props

    success = _obj(
        with_sandbox(
            {"orderId": _STR, "purchaseId": _STR, "productId": _STR, "invoiceId": _STR,
             "subscriptionToken": _STR}
        ),
        ["purchaseId", "productId", "invoiceId", *sandbox],
    )  # fmt: skip
    cancelled = _obj(with_sandbox({"purchaseId": _STR}), ["purchaseId", *sandbox])
    failure = _obj(
        with_sandbox(
            {"purchaseId": _STR, "invoiceId": _STR, "orderId": _STR, "productId": _STR,
             "quantity": _INT, "errorCode": _INT}
        ),
        sandbox,
    )  # fmt: skip
    return {
        "SimpleError": _obj({"simpleName": _STR, "detailMessage": _STR}),
        "SubscriptionPeriod": period,
        "ProductSubscription": subscription,
        "Product": product,
        "Purchase": _obj(purchase_props, ["productId"]),
        "PaymentSuccessData": success,
        "PaymentCancelledData": cancelled,
        "PaymentFailureData": failure,
        "InvalidPaymentStateData": _obj({}),
    }


def _payment_variant(kind: str, data_def: str) -> dict[str, Any]:
    return _obj({"type": {"const": kind}, "data": _ref(data_def)}, ["type", "data"])


def _root(kind: PayloadKind, mode: Mode) -> dict[str, Any]:
    """The top-level shape of one payload kind."""
    if kind is PayloadKind.AVAILABILITY_RESULT:
        return {
            "oneOf": [
                _obj({"isAvailable": {"const": True}}, ["isAvailable"]),
                _obj(
                    {"isAvailable": {"const": False}, "cause": _ref("SimpleError")}, ["isAvailable", "cause"]
                ),
            ]
        }
    if kind is PayloadKind.SIMPLE_ERROR:
        return _ref("SimpleError")
    if kind is PayloadKind.PRODUCT_LIST:
        return {"type": "array", "items": _ref("Product")}
    if kind is PayloadKind.PURCHASE_LIST:
        return {"type": "array", "items": _ref("Purchase")}
    if kind is PayloadKind.PURCHASE:
        return _ref("Purchase")
    if kind is PayloadKind.PAYMENT_RESULT:
        return {
            "oneOf": [
                _payment_variant("Success", "PaymentSuccessData"),
                _payment_variant("Cancelled", "PaymentCancelledData"),
                _payment_variant("Failure", "PaymentFailureData"),
                _payment_variant("InvalidPaymentState", "InvalidPaymentStateData"),
            ]
        }
    if kind is PayloadKind.PRODUCT_FAILURE:
        return _obj({"productId": _STR, "cause": _ref("SimpleError")}, ["productId", "cause"])
    if kind is PayloadKind.PURCHASE_ID:
        return _obj({"purchaseId": _STR}, ["purchaseId"])
    if kind is PayloadKind.PURCHASE_FAILURE:
        return _obj({"purchaseId": _STR, "cause": _ref("SimpleError")}, ["purchaseId", "cause"])
    if kind is PayloadKind.LOGGER:
        if mode == "faithful":
            # Only parses when no throwable was present: then `e` is the string "{}" (§2.13).
            return _obj({"e": {"const": "{}"}, "message": _STR}, ["e", "message"])
        return _obj({"e": {"anyOf": [_STR, _ref("SimpleError")]}, "message": _STR}, ["e", "message"])
    raise AssertionError(kind)


# In fixed mode the availability failure carries the `cause` wrapper the example script reads
# (§2.14 #2 fixed); `isAvailable: false` may accompany it.
FIXED_AVAILABILITY_FAILURE: dict[str, Any] = _obj(
    {"isAvailable": {"const": False}, "cause": _ref("SimpleError")}, ["cause"]
)


@cache
def _schema(channel: Channel, profile: Profile, mode: Mode) -> dict[str, Any]:
    info = CATALOG[channel]
    root = _root(info.payload_kind, mode)
    if mode == "fixed" and channel is Channel.CHECK_PURCHASES_AVAILABLE_FAILURE:
        root = FIXED_AVAILABILITY_FAILURE
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{profile}/{mode}/{channel.value}.json",
        "title": f"{channel.value} ({info.payload_kind.value}, plugin {profile}, {mode})",
        "description": f"CONTRACT.md §{info.section}",
        **root,
        "$defs": _defs(profile),
    }


def schema_for(channel: Channel | str, profile: Profile = "6.0.0", mode: Mode = "faithful") -> dict[str, Any]:
    """A fresh copy of the JSON Schema of one channel's payload."""
    if profile not in PROFILES:
        raise ValueError(f"unknown plugin profile {profile!r}; expected one of {', '.join(PROFILES)}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    return copy.deepcopy(_schema(Channel(channel), profile, mode))


def export(out_dir: Path) -> list[Path]:
    """Write every schema as `<out>/<profile>/<mode>/<channel>.json`; returns the paths."""
    written = []
    for profile in PROFILES:
        for mode in MODES:
            for channel in Channel:
                path = out_dir / profile / mode / f"{channel.value}.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(schema_for(channel, profile, mode), indent=2) + "\n")
                written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - tiny CLI
    paths = export(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas"))
    print(f"wrote {len(paths)} schemas")
