"""Typed views of the callback payloads (§2) that `expect()` hands to tests.

The JSON Schemas judge a payload; these models only make a judged payload pleasant to
use (`event.payload.data.purchase_id`). They ignore unknown keys on purpose: a shape
problem is reported once, by the contract checker, not again as a crash here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from harness.rustore.channels import CATALOG, Channel, PayloadKind


class Payload(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class SimpleError(Payload):
    simple_name: str | None = None
    detail_message: str | None = None


class AvailabilityResult(Payload):
    is_available: bool = False
    cause: SimpleError | None = None


class SubscriptionPeriod(Payload):
    years: int = 0
    months: int = 0
    days: int = 0


class ProductSubscription(Payload):
    subscription_period: SubscriptionPeriod | None = None
    free_trial_period: SubscriptionPeriod | None = None
    grace_period: SubscriptionPeriod | None = None
    introductory_price: str | None = None
    introductory_price_amount: str | None = None
    introductory_price_period: SubscriptionPeriod | None = None


ProductType = Literal["NON_CONSUMABLE", "CONSUMABLE", "SUBSCRIPTION"]
PurchaseState = Literal[
    "CREATED",
    "INVOICE_CREATED",
    "CONFIRMED",
    "PAID",
    "CANCELLED",
    "CONSUMED",
    "CLOSED",
    "PAUSED",
    "TERMINATED",
]


class Product(Payload):
    product_id: str
    product_type: ProductType | None = None
    product_status: Literal["ACTIVE", "INACTIVE"] | None = None
    price_label: str | None = None
    price: int | None = None
    currency: str | None = None
    language: str | None = None
    title: str | None = None
    description: str | None = None
    image_url: str | None = None
    promo_image_url: str | None = None
    subscription: ProductSubscription | None = None


class Purchase(Payload):
    purchase_id: str | None = None
    product_id: str
    product_type: ProductType | None = None
    invoice_id: str | None = None
    language: str | None = None
    purchase_time: str | None = None
    order_id: str | None = None
    amount_label: str | None = None
    amount: int | None = None
    currency: str | None = None
    quantity: int | None = None
    purchase_state: PurchaseState | None = None
    developer_payload: str | None = None
    subscription_token: str | None = None
    sandbox: bool | None = None
    description: str | None = None


class SuccessData(Payload):
    order_id: str | None = None
    purchase_id: str
    product_id: str
    invoice_id: str
    subscription_token: str | None = None
    sandbox: bool | None = None


class CancelledData(Payload):
    purchase_id: str
    sandbox: bool | None = None


class FailureData(Payload):
    purchase_id: str | None = None
    invoice_id: str | None = None
    order_id: str | None = None
    product_id: str | None = None
    quantity: int | None = None
    error_code: int | None = None
    sandbox: bool | None = None


class PaymentSuccess(Payload):
    type: Literal["Success"]
    data: SuccessData


class PaymentCancelled(Payload):
    type: Literal["Cancelled"]
    data: CancelledData


class PaymentFailure(Payload):
    type: Literal["Failure"]
    data: FailureData


class InvalidPaymentState(Payload):
    type: Literal["InvalidPaymentState"]
    data: dict[str, Any] = Field(default_factory=dict)


PaymentResult = Annotated[
    PaymentSuccess | PaymentCancelled | PaymentFailure | InvalidPaymentState, Field(discriminator="type")
]


class ProductFailure(Payload):
    product_id: str
    cause: SimpleError


class PurchaseIdResult(Payload):
    purchase_id: str


class PurchaseFailure(Payload):
    purchase_id: str
    cause: SimpleError


class LoggerMessage(Payload):
    """A payment logger line; `e` is the raw text between the quotes (often broken JSON)."""

    e: str | SimpleError | None = None
    message: str | None = None


_ADAPTERS: dict[PayloadKind, TypeAdapter[Any]] = {
    PayloadKind.AVAILABILITY_RESULT: TypeAdapter(AvailabilityResult),
    PayloadKind.SIMPLE_ERROR: TypeAdapter(SimpleError),
    PayloadKind.PRODUCT_LIST: TypeAdapter(list[Product]),
    PayloadKind.PAYMENT_RESULT: TypeAdapter(PaymentResult),
    PayloadKind.PRODUCT_FAILURE: TypeAdapter(ProductFailure),
    PayloadKind.PURCHASE_LIST: TypeAdapter(list[Purchase]),
    PayloadKind.PURCHASE_ID: TypeAdapter(PurchaseIdResult),
    PayloadKind.PURCHASE_FAILURE: TypeAdapter(PurchaseFailure),
    PayloadKind.PURCHASE: TypeAdapter(Purchase),
    PayloadKind.LOGGER: TypeAdapter(LoggerMessage),
}


def typed_payload(channel: Channel | str, parsed: Any) -> Any | None:
    """The model for a parsed payload, or None when it does not fit (already a violation)."""
    kind = CATALOG[Channel(channel)].payload_kind
    if kind is PayloadKind.AVAILABILITY_RESULT or channel == Channel.CHECK_PURCHASES_AVAILABLE_FAILURE:
        if channel == Channel.CHECK_PURCHASES_AVAILABLE_FAILURE and isinstance(parsed, dict):
            # Bare SimpleError (faithful) or {"cause": …} (fixed): both become SimpleError.
            parsed = parsed.get("cause", parsed)
            kind = PayloadKind.SIMPLE_ERROR
    try:
        return _ADAPTERS[kind].validate_python(parsed)
    except ValidationError:
        return None
