"""The purchase as RuStore's ``GET /public/purchase/{token}`` describes it (snake_case body)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRODUCT_TYPES = frozenset({"CONSUMABLE", "NON_CONSUMABLE", "SUBSCRIPTION"})


class PurchaseFormatError(ValueError):
    """The body lacks a field validation depends on."""


@dataclass(frozen=True)
class PublicPurchase:
    invoice_id: str
    invoice_status: str
    application_code: str
    user_id: str
    purchase_id: str
    product_code: str
    product_type: str
    quantity: int
    amount: int | None
    currency: str | None


def _id(value: Any, field: str) -> str:
    """Ids may come as strings or numbers (RuStore's docs show both); compare them as strings."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PurchaseFormatError(f"{field} missing or not an id")
    text = str(value)
    if not text:
        raise PurchaseFormatError(f"{field} is empty")
    return text


def _obj(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PurchaseFormatError(f"{field} missing or not an object")
    return value


def parse_purchase(body: Any) -> PublicPurchase:
    data = _obj(body, "body")
    invoice = _obj(data.get("invoice"), "invoice")
    purchaser = _obj(invoice.get("purchaser"), "invoice.purchaser")
    order = _obj(invoice.get("order"), "invoice.order")
    payment_info = data.get("payment_info")
    payment: dict[str, Any] = payment_info if isinstance(payment_info, dict) else {}
    status = data.get("invoice_status")
    if not isinstance(status, str):
        raise PurchaseFormatError("invoice_status missing")
    product_type = order.get("product_type")
    if product_type not in PRODUCT_TYPES:
        raise PurchaseFormatError(f"invoice.order.product_type {product_type!r} unknown")
    quantity = order.get("quantity", 1)
    amount = payment.get("amount")
    currency = payment.get("currency")
    return PublicPurchase(
        invoice_id=_id(data.get("invoice_id"), "invoice_id"),
        invoice_status=status.lower(),
        application_code=_id(data.get("application_code"), "application_code"),
        user_id=_id(purchaser.get("user_id"), "invoice.purchaser.user_id"),
        purchase_id=_id(order.get("purchase_id"), "invoice.order.purchase_id"),
        product_code=_id(order.get("product_code"), "invoice.order.product_code"),
        product_type=str(product_type),
        quantity=quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else 1,
        amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
        currency=currency if isinstance(currency, str) else None,
    )
