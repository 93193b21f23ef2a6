"""The purchase state machines of CONTRACT §3.1-§3.3 and §10, one table per product type.

Every state change in the sandbox goes through :func:`next_state`; an event the table lacks for
the current state raises :class:`IllegalTransition` (answered as 409 + 40015), so an illegal
change is refused, never silently applied. Self-loops (a subscription renewal) are explicit rows.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import IllegalTransition
from .schemas import ProductType
from .schemas import PurchaseState as S


class Event(StrEnum):
    START = "start"  # purchase_product accepted
    INVOICE = "invoice_created"
    ABANDON = "abandoned"  # CREATED, no invoice ever made
    PAY = "invoice_paid"
    DECLINE = "payment_declined"  # paid and received an error
    USER_CANCEL = "user_cancel"
    DELETE = "delete_purchase"
    AUTO_CANCEL = "auto_cancel"  # INVOICE_CREATED for longer than autoCancelMinutes
    SUPERSEDED = "superseded"  # a new purchase of the same product (cancel_previous setting)
    CONSUME = "confirm_purchase"
    REFUND = "payment_return"  # reversal (two-stage) or refund (one-stage), control API
    RENEW = "renewal_charged"
    RENEW_FAIL = "renewal_failed"
    RETRY_OK = "retry_charged"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    PAUSE = "pause"
    RESUME = "resume"
    TERMINATE = "terminate"
    PERIOD_END = "period_end"  # cancelled (or out of charges) and the paid period is over
    CLOSE = "close"


Table = dict[tuple[S | None, Event], S]

_OPENING: Table = {
    (None, Event.START): S.CREATED,
    (S.CREATED, Event.INVOICE): S.INVOICE_CREATED,
    (S.CREATED, Event.ABANDON): S.CANCELLED,
    (S.CREATED, Event.DELETE): S.CANCELLED,
    (S.INVOICE_CREATED, Event.DECLINE): S.CANCELLED,
    (S.INVOICE_CREATED, Event.USER_CANCEL): S.CANCELLED,
    (S.INVOICE_CREATED, Event.DELETE): S.CANCELLED,
    (S.INVOICE_CREATED, Event.AUTO_CANCEL): S.CANCELLED,
    (S.INVOICE_CREATED, Event.SUPERSEDED): S.CANCELLED,
}

CONSUMABLE: Table = {
    **_OPENING,
    (S.INVOICE_CREATED, Event.PAY): S.PAID,
    (S.PAID, Event.CONSUME): S.CONSUMED,
    (S.PAID, Event.DELETE): S.CANCELLED,
    (S.PAID, Event.REFUND): S.CANCELLED,
}

NON_CONSUMABLE: Table = {
    **_OPENING,
    (S.INVOICE_CREATED, Event.PAY): S.CONFIRMED,
    (S.CONFIRMED, Event.REFUND): S.CANCELLED,
}

SUBSCRIPTION: Table = {
    **_OPENING,
    (S.INVOICE_CREATED, Event.PAY): S.CONFIRMED,
    (S.CONFIRMED, Event.RENEW): S.CONFIRMED,
    (S.CONFIRMED, Event.RENEW_FAIL): S.PAUSED,
    (S.CONFIRMED, Event.PAUSE): S.PAUSED,
    (S.PAUSED, Event.RETRY_OK): S.CONFIRMED,
    (S.PAUSED, Event.RESUME): S.CONFIRMED,
    (S.PAUSED, Event.RENEW_FAIL): S.PAUSED,
    (S.PAUSED, Event.ATTEMPTS_EXHAUSTED): S.TERMINATED,
    (S.PAUSED, Event.TERMINATE): S.TERMINATED,
    (S.CONFIRMED, Event.TERMINATE): S.TERMINATED,
    (S.CONFIRMED, Event.PERIOD_END): S.CLOSED,
    (S.CONFIRMED, Event.CLOSE): S.CLOSED,
    (S.PAUSED, Event.CLOSE): S.CLOSED,
}


def _step(table: Table, product_type: str, state: S | None, event: Event) -> S:
    try:
        return table[(state, event)]
    except KeyError:
        raise IllegalTransition(product_type, state.value if state else None, event.value) from None


def consumable_transition(state: S | None, event: Event) -> S:
    """CONTRACT §3.1: PAID needs confirm_purchase to reach CONSUMED."""
    return _step(CONSUMABLE, ProductType.CONSUMABLE, state, event)


def non_consumable_transition(state: S | None, event: Event) -> S:
    """CONTRACT §3.2: a successful payment is final (CONFIRMED) without any confirm call."""
    return _step(NON_CONSUMABLE, ProductType.NON_CONSUMABLE, state, event)


def subscription_transition(state: S | None, event: Event) -> S:
    """CONTRACT §3.3 + §10.15: renewals, PAUSED on a failed charge, TERMINATED/CLOSED at the end."""
    return _step(SUBSCRIPTION, ProductType.SUBSCRIPTION, state, event)


TRANSITIONS = {
    ProductType.CONSUMABLE: consumable_transition,
    ProductType.NON_CONSUMABLE: non_consumable_transition,
    ProductType.SUBSCRIPTION: subscription_transition,
}

TABLES: dict[ProductType, Table] = {
    ProductType.CONSUMABLE: CONSUMABLE,
    ProductType.NON_CONSUMABLE: NON_CONSUMABLE,
    ProductType.SUBSCRIPTION: SUBSCRIPTION,
}


def next_state(product_type: ProductType, state: S | None, event: Event) -> S:
    """The state ``event`` leads to from ``state``, or :class:`IllegalTransition`."""
    return TRANSITIONS[product_type](state, event)
