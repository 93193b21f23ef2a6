"""Sandbox errors: one exception type carrying what the HTTP layer needs to answer.

The HTTP status follows CONTRACT §5.1, where the first three digits of every 5-digit errorCode
are the status (40005 -> 400, 40101 -> 401, 50012 -> 500). The one deliberate exception: a refused
state change (40015) answers 409, so a client can tell "not now" from "bad request".
"""

from __future__ import annotations

MESSAGES: dict[int, str] = {
    40001: "Incorrect request parameters",
    40003: "Application not found",
    40004: "Application is inactive",
    40005: "Product not found",
    40006: "Product is inactive",
    40007: "Invalid product type",
    40008: "An order with this order_id already exists",
    40009: "An order for this product is already in invoice_created state",
    40010: "An order for this consumable is in paid state; consume it first",
    40011: "This non-consumable product is already purchased",
    40012: "This subscription is already purchased",
    40013: "Subscription data was not received",
    40014: "One or more mandatory attributes are missing",
    40015: "Order status change is not allowed",
    40016: "quantity > 1 is not allowed for this product type",
    40017: "Product is deleted, new purchases are unavailable",
    40018: "Products of this type cannot be consumed",
    40101: "Invalid token",
    40102: "Token lifetime has expired",
    40301: "Access to the requested resource is denied",
    40302: "Method not allowed for this token",
    40303: "The app ID in the request does not match the token",
    40305: "Incorrect token type",
    40401: "Not found",
    40801: "Notification timeout expired",
}

# Availability exceptions (CONTRACT §5.2) and their default texts (§10.6: defined once, here).
EXCEPTION_MESSAGES: dict[str, str] = {
    "RuStoreUserUnauthorizedException": "User is not authorized in RuStore",
    "RuStoreUserBannedException": "User is banned in RuStore",
    "RuStoreApplicationBannedException": "Application is banned in RuStore",
    "RuStoreFeatureUnavailableException": "Feature not available",
    "RuStorePaymentNetworkException": "Payment service network error",
    "RuStoreException": "RuStore error",
}


def http_status_for(error_code: int) -> int:
    """The HTTP status that goes with a §5.1 errorCode."""
    if error_code == 40015:
        return 409
    status = error_code // 100
    return status if 400 <= status <= 599 else 500


class SandboxError(Exception):
    """A refusal the API reports as ``{"errorCode", "message", "simpleName"}``."""

    def __init__(
        self,
        error_code: int | None,
        message: str | None = None,
        *,
        simple_name: str | None = None,
        status: int | None = None,
    ) -> None:
        if error_code is None and simple_name is None:
            raise ValueError("a sandbox error needs an errorCode or an exception name")
        text = message or (
            MESSAGES.get(error_code, "Payment service internal error")
            if error_code is not None
            else EXCEPTION_MESSAGES.get(simple_name or "", simple_name or "")
        )
        super().__init__(text)
        self.error_code = error_code
        self.message = text
        self.simple_name = simple_name
        if status is not None:
            self.status = status
        elif error_code is not None:
            self.status = http_status_for(error_code)
        else:
            self.status = 503

    def body(self) -> dict[str, object]:
        return {"errorCode": self.error_code, "message": self.message, "simpleName": self.simple_name}


class IllegalTransition(SandboxError):
    """A state change the purchase's state machine does not have: refused, never applied."""

    def __init__(self, product_type: str, state: str | None, event: str) -> None:
        super().__init__(40015, f"{event} is not allowed for a {product_type} purchase in state {state}")
        self.product_type = product_type
        self.state = state
        self.event = event
