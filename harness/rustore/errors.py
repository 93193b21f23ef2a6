"""Error catalogs of CONTRACT.md §5 and the sample game's IAP mapping (§10).

Kept as data so reports can name a code ("40010 = consumable already PAID") and so
the recorder can tell whether the IAP code the game logged is one the mapping allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


@dataclass(frozen=True)
class RuStoreErrorCode:
    """One `PaymentResult.Failure.errorCode` of §5.1."""

    code: int
    http_status: int
    meaning: str


_RUSTORE_ROWS: tuple[tuple[int, int, str], ...] = (
    (40001, 400, "Bad request parameters: a required field is missing or malformed"),
    (40003, 400, "App not found"),
    (40004, 400, "App is inactive"),
    (40005, 400, "Product not found"),
    (40006, 400, "Product is inactive"),
    (40007, 400, "Invalid product type (allowed: consumable, non-consumable, subscription)"),
    (40008, 400, "An order with this order_id already exists"),
    (40009, 400, "The customer already has an active order for this product in invoice_created"),
    (40010, 400, "Consumable: an order for this product is in paid; consume it before buying again"),
    (40011, 400, "Non-consumable: already pre_confirmed/confirmed; cannot be sold twice"),
    (40012, 400, "Subscription: already pre_confirmed/confirmed; cannot be sold twice"),
    (40013, 400, "Subscription: data not received from GET /products (serviceId, user_id)"),
    (40014, 400, "One or more required attributes are missing"),
    (40015, 400, "Order status change not allowed during purchase update"),
    (40016, 400, "quantity > 1 on a non-consumable"),
    (40017, 400, "Product deleted; new purchases are unavailable"),
    (40018, 400, "Products of this type cannot be consumed"),
    (40101, 401, "Invalid token"),
    (40102, 401, "Token expired"),
    (40301, 403, "Access to the resource denied"),
    (40302, 403, "Method not allowed for this token"),
    (40303, 403, "The app ID in the request does not match the token"),
    (40305, 403, "Wrong token type"),
    (40401, 404, "Not found"),
    (40801, 408, "Notification timeout expired"),
)

RUSTORE_ERROR_CODES: dict[int, RuStoreErrorCode] = {
    code: RuStoreErrorCode(code, status, meaning) for code, status, meaning in _RUSTORE_ROWS
}


def rustore_error(code: int) -> RuStoreErrorCode | None:
    """The catalog entry for `code`; any 50000–50999 is the payment service's internal error."""
    if code in RUSTORE_ERROR_CODES:
        return RUSTORE_ERROR_CODES[code]
    if 50000 <= code <= 50999:
        return RuStoreErrorCode(code, 500, "Payment service internal error")
    return None


@dataclass(frozen=True)
class ExceptionInfo:
    """One `simpleName` of §5.2."""

    simple_name: str
    origin: str
    meaning: str


_EXCEPTION_ROWS: tuple[tuple[str, str, str], ...] = (
    ("RuStoreException", "core", "Base class; carries a message"),
    ("RuStoreNotInstalledException", "core", "RuStore app not installed"),
    ("RuStoreOutdatedException", "core", "Installed RuStore does not support payments"),
    ("RuStoreUserUnauthorizedException", "core", "User not signed in to RuStore (remote code 1001)"),
    ("RuStoreUserBannedException", "core", "User banned (remote code 1004)"),
    ("RuStoreApplicationBannedException", "core", "App banned (remote code 1005)"),
    ("RuStoreFeatureUnavailableException", "core", "Feature not available"),
    ("RuStoreUnknownFeatureException", "core", "Unknown feature"),
    ("RuStorePaymentNetworkException", "RuStorePaymentException", "Network/API error; code in message"),
    ("RuStorePaymentCommonException", "RuStorePaymentException", "General SDK error"),
    ("EmptyPaymentTokenException", "RuStorePaymentException", "Empty token returned by RuStore app"),
    ("InvalidCardBindingIdException", "RuStorePaymentException", "Invalid card binding id"),
    ("ApplicationSchemeWasNotProvided", "RuStorePaymentException", "Deeplink scheme missing"),
    ("ProductPurchaseException", "RuStorePaymentException", "Purchase failed"),
    ("ProductPurchaseCancelled", "RuStorePaymentException", "Purchase cancelled"),
)

EXCEPTIONS: dict[str, ExceptionInfo] = {name: ExceptionInfo(name, o, m) for name, o, m in _EXCEPTION_ROWS}


class IapClientCode(IntEnum):
    """Client codes of the IAP Error Code Guide (§5.3); 114 and 115 are undefined."""

    NETWORK_TIMEOUT = 100
    AUTHORIZATION_ERROR = 101
    UNSUPPORTED_DEVICE = 102
    UNSUPPORTED_MARKET = 103
    USER_CANCEL = 104
    IAP_INITIALIZED_ERROR = 105
    IAP_SERVER_UNKNOWN_ERROR = 106
    IAP_RESPONSE_ON_FAILED = 107
    INAPP_INITIALIZED_ERROR = 108
    INAPP_PURCHASE_ERROR = 109
    INAPP_VERIFY_SIGNATURE_ERROR = 110
    INAPP_CONSUME_ERROR = 111
    INAPP_VERIFY_CONSUME_ERROR = 112
    SERVER_NETWORK_FAIL = 113
    APP_STORE_REMAINS_PAYMENT = 116
    IAP_IN_PROGRESS_ERROR = 117


class IapServerCode(IntEnum):
    """Server API codes (§5.3) the game's server answers, plus the console's 5003."""

    INVALID_PARAMETERS = 1100
    HTTP_CONTENT_TYPE_NOT_SUPPORT = 2111
    HTTP_REQUEST_METHOD_NOT_SUPPORT = 2112
    CONSUME_FAILED = 5000
    INVALID_AUTHENTICATED = 5003


class IapConsoleCode(IntEnum):
    """Web console codes of §5.3 (listed for completeness; the plugin never emits them)."""

    INVALID_PARAMETERS = 1100
    INVALID_AUTHENTICATED = 5003
    MARKET_GOOGLE_INVALID_REQUEST = 5013


@dataclass(frozen=True)
class IapMappingRule:
    """One row of the §10 mapping table: which RuStore outcome the game maps to which code."""

    outcome: str
    code: IapClientCode


IAP_MAPPING: tuple[IapMappingRule, ...] = (
    IapMappingRule("network exception while talking to RuStore", IapClientCode.NETWORK_TIMEOUT),
    IapMappingRule("RuStoreUserUnauthorizedException, user/app banned", IapClientCode.AUTHORIZATION_ERROR),
    IapMappingRule("RuStoreOutdatedException", IapClientCode.UNSUPPORTED_DEVICE),
    IapMappingRule("RuStoreNotInstalledException", IapClientCode.UNSUPPORTED_MARKET),
    IapMappingRule("Cancelled, or the user cancelled in the bank app", IapClientCode.USER_CANCEL),
    IapMappingRule("a billing call before init", IapClientCode.IAP_INITIALIZED_ERROR),
    IapMappingRule("the game's server answered non-200", IapClientCode.IAP_SERVER_UNKNOWN_ERROR),
    IapMappingRule("the game's server answered with a failure body", IapClientCode.IAP_RESPONSE_ON_FAILED),
    IapMappingRule("rustore_check_purchases_available_failure", IapClientCode.INAPP_INITIALIZED_ERROR),
    IapMappingRule(
        "Failure (other codes), InvalidPaymentState, purchase failure channel",
        IapClientCode.INAPP_PURCHASE_ERROR,
    ),
    IapMappingRule(
        "server validation: subscriptionToken does not match the purchase",
        IapClientCode.INAPP_VERIFY_SIGNATURE_ERROR,
    ),
    IapMappingRule("rustore_on_confirm_purchase_failure", IapClientCode.INAPP_CONSUME_ERROR),
    IapMappingRule(
        "the game's server refuses to record the consumption", IapClientCode.INAPP_VERIFY_CONSUME_ERROR
    ),
    IapMappingRule("the game's server cannot be reached", IapClientCode.SERVER_NETWORK_FAIL),
    IapMappingRule(
        "Failure 40010 (an unconsumed PAID purchase exists)", IapClientCode.APP_STORE_REMAINS_PAYMENT
    ),
    IapMappingRule("a purchase requested while another is in flight", IapClientCode.IAP_IN_PROGRESS_ERROR),
)

_CAUSE_CODES: dict[str, IapClientCode] = {
    "RuStorePaymentNetworkException": IapClientCode.NETWORK_TIMEOUT,
    "RuStoreUserUnauthorizedException": IapClientCode.AUTHORIZATION_ERROR,
    "RuStoreUserBannedException": IapClientCode.AUTHORIZATION_ERROR,
    "RuStoreApplicationBannedException": IapClientCode.AUTHORIZATION_ERROR,
    "RuStoreOutdatedException": IapClientCode.UNSUPPORTED_DEVICE,
    "RuStoreNotInstalledException": IapClientCode.UNSUPPORTED_MARKET,
}

_CHANNEL_CODES: dict[str, IapClientCode] = {
    "rustore_check_purchases_available_failure": IapClientCode.INAPP_INITIALIZED_ERROR,
    "rustore_on_purchase_product_failure": IapClientCode.INAPP_PURCHASE_ERROR,
    "rustore_on_confirm_purchase_failure": IapClientCode.INAPP_CONSUME_ERROR,
}


def allowed_iap_codes(channel: str, parsed: Any) -> frozenset[IapClientCode]:
    """The client codes the §10 table allows the game to log for one RuStore callback.

    The table is ambiguous where a cause-specific row (e.g. a network exception) meets a
    channel row (purchase failure channel → 109), so both are allowed rather than guessing
    the game's precedence. An empty set means the table maps nothing for this callback.
    """
    codes: set[IapClientCode] = set()
    if channel in _CHANNEL_CODES:
        codes.add(_CHANNEL_CODES[channel])
    cause = None
    if isinstance(parsed, dict):
        cause = parsed.get("cause")
        if cause is None and "simpleName" in parsed and channel.endswith("_failure"):
            cause = parsed
        if channel == "rustore_on_purchase_product_success":
            kind, data = parsed.get("type"), parsed.get("data") or {}
            if kind == "Cancelled":
                codes.add(IapClientCode.USER_CANCEL)
            elif kind == "InvalidPaymentState":
                codes.add(IapClientCode.INAPP_PURCHASE_ERROR)
            elif kind == "Failure":
                if isinstance(data, dict) and data.get("errorCode") == 40010:
                    codes.add(IapClientCode.APP_STORE_REMAINS_PAYMENT)
                else:
                    codes.add(IapClientCode.INAPP_PURCHASE_ERROR)
    if isinstance(cause, dict) and cause.get("simpleName") in _CAUSE_CODES:
        codes.add(_CAUSE_CODES[cause["simpleName"]])
    return frozenset(codes)
