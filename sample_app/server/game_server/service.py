"""Purchase validation and consumption: the checks between the game's claim and RuStore's record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from game_server.errors import ApiError, ErrorCode, Reason
from game_server.public_api import (
    CredentialsRejected,
    PublicApiClient,
    PublicApiUnavailable,
    PurchaseNotFound,
    PurchaseTokenRejected,
)
from game_server.purchase import PublicPurchase
from game_server.request_context import current_request_id
from game_server.store import Entitlement, EntitlementStore, now_iso

log = logging.getLogger("game_server.service")

# RuStore invoice statuses that make a first grant legal (CONTRACT §3, §6.3): a consumable is
# delivered while PAID (before confirm_purchase); a non-consumable or subscription once CONFIRMED.
FIRST_GRANT_STATUSES = {
    "CONSUMABLE": frozenset({"paid"}),
    "NON_CONSUMABLE": frozenset({"confirmed"}),
    "SUBSCRIPTION": frozenset({"confirmed"}),
}
# A consumable already granted may be re-validated after the game confirmed it (then "confirmed").
REGRANT_STATUSES = {**FIRST_GRANT_STATUSES, "CONSUMABLE": frozenset({"paid", "confirmed"})}
CONSUMABLE_STATUSES = frozenset({"paid", "confirmed"})


@dataclass(frozen=True)
class ValidateClaim:
    purchase_id: str
    product_id: str
    subscription_token: str
    user_id: str | None = None


@dataclass(frozen=True)
class ConsumeClaim:
    purchase_id: str
    subscription_token: str


@dataclass(frozen=True)
class ParsedToken:
    invoice_id: str
    user_id: str


def parse_token(token: str) -> ParsedToken:
    """``<invoiceId>.<userId>`` (CONTRACT §6.1); anything else can never be a RuStore token."""
    parts = token.split(".")
    if len(parts) != 2 or not all(parts):
        raise ApiError(
            ErrorCode.CONSUME_FAILED, "subscriptionToken is not <invoiceId>.<userId>", Reason.TOKEN_INVALID
        )
    return ParsedToken(invoice_id=parts[0], user_id=parts[1])


def _mismatch(what: str, claimed: str, actual: str) -> ApiError:
    """The client learns which field differs, never RuStore's value (it may be someone else's)."""
    log.warning(
        "request_id=%s %s mismatch: claimed %r, purchase has %r",
        current_request_id.get(),
        what,
        claimed,
        actual,
    )
    return ApiError(ErrorCode.CONSUME_FAILED, f"{what} does not match the purchase", Reason.TOKEN_MISMATCH)


@contextmanager
def _public_api_errors() -> Iterator[None]:
    """Translate what RuStore said into the server's codes."""
    try:
        yield
    except CredentialsRejected as exc:
        raise ApiError(
            ErrorCode.INVALID_AUTHENTICATED, f"RuStore rejected the server's credentials: {exc}"
        ) from exc
    except PurchaseNotFound as exc:
        raise ApiError(
            ErrorCode.CONSUME_FAILED, "RuStore knows no purchase with this token", Reason.TOKEN_UNKNOWN
        ) from exc
    except PurchaseTokenRejected as exc:
        raise ApiError(
            ErrorCode.CONSUME_FAILED, "RuStore rejected the purchase token", Reason.TOKEN_INVALID
        ) from exc
    except PublicApiUnavailable as exc:
        log.warning("request_id=%s RuStore public API unavailable: %s", current_request_id.get(), exc)
        raise ApiError(
            ErrorCode.RUSTORE_UNAVAILABLE, "RuStore public API is unavailable, retry later"
        ) from exc


class PurchaseService:
    def __init__(self, api: PublicApiClient, store: EntitlementStore, package_name: str) -> None:
        self._api = api
        self._store = store
        self._package = package_name

    def validate(self, claim: ValidateClaim) -> tuple[Entitlement, bool]:
        """Check the claim against RuStore and grant once; returns (entitlement, already granted)."""
        token = parse_token(claim.subscription_token)
        if claim.user_id is not None and claim.user_id != token.user_id:
            raise _mismatch("userId", claim.user_id, token.user_id)
        with _public_api_errors():
            purchase = self._api.get_purchase(claim.subscription_token)
        self._check_identity(claim, token, purchase)
        existing = self._store.get(claim.subscription_token)
        allowed = (REGRANT_STATUSES if existing else FIRST_GRANT_STATUSES)[purchase.product_type]
        if purchase.invoice_status not in allowed:
            raise ApiError(
                ErrorCode.CONSUME_FAILED,
                f"purchase is {purchase.invoice_status!r}; a {purchase.product_type} is granted when "
                f"{' or '.join(sorted(allowed))}",
                Reason.NOT_PAID,
            )
        if purchase.product_type == "SUBSCRIPTION":
            with _public_api_errors():
                active = self._api.is_subscription_active(claim.subscription_token)
            if not active:
                raise ApiError(
                    ErrorCode.CONSUME_FAILED, "subscription is not active", Reason.SUBSCRIPTION_INACTIVE
                )
        try:
            return self._store.grant(self._entitlement(claim.subscription_token, purchase))
        except LookupError as exc:
            raise _mismatch("subscriptionToken", claim.subscription_token, "another token") from exc

    def _check_identity(self, claim: ValidateClaim, token: ParsedToken, purchase: PublicPurchase) -> None:
        """token ↔ invoice ↔ user ↔ product ↔ purchase id ↔ package."""
        checks = (
            ("token invoiceId", token.invoice_id, purchase.invoice_id),
            ("token userId", token.user_id, purchase.user_id),
            ("productId", claim.product_id, purchase.product_code),
            ("purchaseId", claim.purchase_id, purchase.purchase_id),
            ("package", self._package, purchase.application_code),
        )
        for what, claimed, actual in checks:
            if claimed != actual:
                raise _mismatch(what, claimed, actual)

    @staticmethod
    def _entitlement(token: str, purchase: PublicPurchase) -> Entitlement:
        return Entitlement(
            subscription_token=token,
            invoice_id=purchase.invoice_id,
            user_id=purchase.user_id,
            purchase_id=purchase.purchase_id,
            product_id=purchase.product_code,
            product_type=purchase.product_type,
            quantity=purchase.quantity,
            amount=purchase.amount,
            currency=purchase.currency,
            granted_at=now_iso(),
        )

    def consume(self, claim: ConsumeClaim) -> tuple[Entitlement, bool]:
        """Record that a validated consumable was used up; returns (entitlement, consumed before)."""
        parse_token(claim.subscription_token)
        granted = self._store.get(claim.subscription_token)
        if granted is None:
            raise ApiError(
                ErrorCode.CONSUME_FAILED,
                "this purchase was never validated by this server",
                Reason.NOT_VALIDATED,
            )
        if granted.purchase_id != claim.purchase_id:
            raise _mismatch("purchaseId", claim.purchase_id, granted.purchase_id)
        if granted.product_type != "CONSUMABLE":
            raise ApiError(
                ErrorCode.CONSUME_FAILED,
                f"a {granted.product_type} cannot be consumed",
                Reason.NOT_CONSUMABLE,
            )
        if granted.consumed_at is not None:
            return granted, True
        # Between validate and consume RuStore may have reversed or refunded the payment.
        with _public_api_errors():
            purchase = self._api.get_purchase(claim.subscription_token)
        if purchase.invoice_status not in CONSUMABLE_STATUSES:
            raise ApiError(
                ErrorCode.CONSUME_FAILED,
                f"purchase is {purchase.invoice_status!r}, not paid",
                Reason.NOT_PAID,
            )
        return self._store.mark_consumed(claim.subscription_token)

    def entitlements(self, user_id: str) -> list[Entitlement]:
        return self._store.for_user(user_id)
