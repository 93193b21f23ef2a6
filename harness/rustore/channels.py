"""The 19 callback channels of CONTRACT.md §1.4 with what the harness needs to know about each.

One table instead of string literals scattered over tests: a typo in a channel name
(the seed doc's `…_availability_…` names, which the plugin never emits) is caught here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class Channel(StrEnum):
    """Channel names exactly as the plugin emits them."""

    CHECK_PURCHASES_AVAILABLE_SUCCESS = "rustore_check_purchases_available_success"
    CHECK_PURCHASES_AVAILABLE_FAILURE = "rustore_check_purchases_available_failure"
    GET_PRODUCTS_SUCCESS = "rustore_on_get_products_success"
    GET_PRODUCTS_FAILURE = "rustore_on_get_products_failure"
    PURCHASE_PRODUCT_SUCCESS = "rustore_on_purchase_product_success"
    PURCHASE_PRODUCT_FAILURE = "rustore_on_purchase_product_failure"
    GET_PURCHASES_SUCCESS = "rustore_on_get_purchases_success"
    GET_PURCHASES_FAILURE = "rustore_on_get_purchases_failure"
    CONFIRM_PURCHASE_SUCCESS = "rustore_on_confirm_purchase_success"
    CONFIRM_PURCHASE_FAILURE = "rustore_on_confirm_purchase_failure"
    DELETE_PURCHASE_SUCCESS = "rustore_on_delete_purchase_success"
    DELETE_PURCHASE_FAILURE = "rustore_on_delete_purchase_failure"
    GET_PURCHASE_INFO_SUCCESS = "rustore_on_get_purchase_info_success"
    GET_PURCHASE_INFO_FAILURE = "rustore_on_get_purchase_info_failure"
    PAYMENT_LOGGER_DEBUG = "rustore_on_payment_logger_debug"
    PAYMENT_LOGGER_ERROR = "rustore_on_payment_logger_error"
    PAYMENT_LOGGER_INFO = "rustore_on_payment_logger_info"
    PAYMENT_LOGGER_VERBOSE = "rustore_on_payment_logger_verbose"
    PAYMENT_LOGGER_WARNING = "rustore_on_payment_logger_warning"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    LOG = "log"


class PayloadKind(StrEnum):
    """The shape family a channel carries (§2); one schema and one model per kind."""

    AVAILABILITY_RESULT = "AvailabilityResult"  # §2.2 hand-built
    SIMPLE_ERROR = "SimpleError"  # §2.3/2.5/2.9 bare Gson
    PRODUCT_LIST = "ProductList"  # §2.4 Gson array
    PAYMENT_RESULT = "PaymentResult"  # §2.6 hand-built {"type":…,"data":<gson>}
    PRODUCT_FAILURE = "ProductFailure"  # §2.7 hand-built, raw productId
    PURCHASE_LIST = "PurchaseList"  # §2.8 Gson array
    PURCHASE_ID = "PurchaseIdResult"  # §2.10 hand-built, raw purchaseId
    PURCHASE_FAILURE = "PurchaseFailure"  # §2.11 hand-built, raw purchaseId
    PURCHASE = "Purchase"  # §2.12 Gson object
    LOGGER = "LoggerMessage"  # §2.13 hand-built, often not JSON


class JsonGuarantee(Enum):
    """Whether the faithful plugin always emits valid JSON on a channel (§2.14 #10, #11)."""

    ALWAYS = "always"
    UNLESS_RAW_ID_NEEDS_ESCAPING = "unless-raw-id-needs-escaping"
    NOT_GUARANTEED = "not-guaranteed"


@dataclass(frozen=True)
class ChannelInfo:
    number: int  # row of §1.4
    channel: Channel
    operation: str  # the Lua call that leads to it (`payment_logger` for the SDK logger)
    outcome: Outcome
    payload_kind: PayloadKind
    json_guarantee: JsonGuarantee
    hand_built: bool  # wrapper built by string interpolation: byte-exact template applies
    section: str  # CONTRACT.md section describing the payload

    @property
    def json_in_faithful(self) -> bool:
        """True when a faithful device emits valid JSON on this channel whatever the input."""
        return self.json_guarantee is JsonGuarantee.ALWAYS


_J = JsonGuarantee
_ROWS: tuple[tuple[Channel, str, Outcome, PayloadKind, JsonGuarantee, bool, str], ...] = (
    (Channel.CHECK_PURCHASES_AVAILABLE_SUCCESS, "check_purchases_availability", Outcome.SUCCESS,
     PayloadKind.AVAILABILITY_RESULT, _J.ALWAYS, True, "2.2"),
    (Channel.CHECK_PURCHASES_AVAILABLE_FAILURE, "check_purchases_availability", Outcome.FAILURE,
     PayloadKind.SIMPLE_ERROR, _J.ALWAYS, False, "2.3"),
    (Channel.GET_PRODUCTS_SUCCESS, "get_products", Outcome.SUCCESS,
     PayloadKind.PRODUCT_LIST, _J.ALWAYS, False, "2.4"),
    (Channel.GET_PRODUCTS_FAILURE, "get_products", Outcome.FAILURE,
     PayloadKind.SIMPLE_ERROR, _J.ALWAYS, False, "2.5"),
    (Channel.PURCHASE_PRODUCT_SUCCESS, "purchase_product", Outcome.SUCCESS,
     PayloadKind.PAYMENT_RESULT, _J.ALWAYS, True, "2.6"),
    (Channel.PURCHASE_PRODUCT_FAILURE, "purchase_product", Outcome.FAILURE,
     PayloadKind.PRODUCT_FAILURE, _J.UNLESS_RAW_ID_NEEDS_ESCAPING, True, "2.7"),
    (Channel.GET_PURCHASES_SUCCESS, "get_purchases", Outcome.SUCCESS,
     PayloadKind.PURCHASE_LIST, _J.ALWAYS, False, "2.8"),
    (Channel.GET_PURCHASES_FAILURE, "get_purchases", Outcome.FAILURE,
     PayloadKind.SIMPLE_ERROR, _J.ALWAYS, False, "2.9"),
    (Channel.CONFIRM_PURCHASE_SUCCESS, "confirm_purchase", Outcome.SUCCESS,
     PayloadKind.PURCHASE_ID, _J.UNLESS_RAW_ID_NEEDS_ESCAPING, True, "2.10"),
    (Channel.CONFIRM_PURCHASE_FAILURE, "confirm_purchase", Outcome.FAILURE,
     PayloadKind.PURCHASE_FAILURE, _J.UNLESS_RAW_ID_NEEDS_ESCAPING, True, "2.11"),
    (Channel.DELETE_PURCHASE_SUCCESS, "delete_purchase", Outcome.SUCCESS,
     PayloadKind.PURCHASE_ID, _J.UNLESS_RAW_ID_NEEDS_ESCAPING, True, "2.10"),
    (Channel.DELETE_PURCHASE_FAILURE, "delete_purchase", Outcome.FAILURE,
     PayloadKind.PURCHASE_FAILURE, _J.UNLESS_RAW_ID_NEEDS_ESCAPING, True, "2.11"),
    (Channel.GET_PURCHASE_INFO_SUCCESS, "get_purchase_info", Outcome.SUCCESS,
     PayloadKind.PURCHASE, _J.ALWAYS, False, "2.12"),
    (Channel.GET_PURCHASE_INFO_FAILURE, "get_purchase_info", Outcome.FAILURE,
     PayloadKind.PURCHASE_FAILURE, _J.UNLESS_RAW_ID_NEEDS_ESCAPING, True, "2.11"),
    (Channel.PAYMENT_LOGGER_DEBUG, "payment_logger", Outcome.LOG,
     PayloadKind.LOGGER, _J.NOT_GUARANTEED, True, "2.13"),
    (Channel.PAYMENT_LOGGER_ERROR, "payment_logger", Outcome.LOG,
     PayloadKind.LOGGER, _J.NOT_GUARANTEED, True, "2.13"),
    (Channel.PAYMENT_LOGGER_INFO, "payment_logger", Outcome.LOG,
     PayloadKind.LOGGER, _J.NOT_GUARANTEED, True, "2.13"),
    (Channel.PAYMENT_LOGGER_VERBOSE, "payment_logger", Outcome.LOG,
     PayloadKind.LOGGER, _J.NOT_GUARANTEED, True, "2.13"),
    (Channel.PAYMENT_LOGGER_WARNING, "payment_logger", Outcome.LOG,
     PayloadKind.LOGGER, _J.NOT_GUARANTEED, True, "2.13"),
)  # fmt: skip

CATALOG: dict[Channel, ChannelInfo] = {
    row[0]: ChannelInfo(number, *row) for number, row in enumerate(_ROWS, start=1)
}


class UnknownChannelError(ValueError):
    """A channel name the plugin never emits (often the seed doc's `…_availability_…`)."""


def channel_info(name: str | Channel) -> ChannelInfo:
    """Catalog entry for a channel name; a near miss names the real channel."""
    try:
        return CATALOG[Channel(name)]
    except ValueError:
        import difflib

        close = difflib.get_close_matches(str(name), [c.value for c in Channel], n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownChannelError(f"unknown channel {name!r}{hint}") from None


def channels_of(operation: str) -> tuple[Channel, ...]:
    """The channels an operation can answer on, success first."""
    return tuple(info.channel for info in CATALOG.values() if info.operation == operation)
