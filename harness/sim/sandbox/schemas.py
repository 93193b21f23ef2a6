"""Wire models of the sandbox's billing and control APIs.

Shared by the server (request validation, OpenAPI) and :mod:`harness.sim.sandbox.client`, so this
module imports pydantic only: the harness may import the client without pulling in the server.
Field names are camelCase like the SDK's own objects, so the virtual SDK can pass them through.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.rustore.states import ProductType as ProductType  # re-exported for the sandbox modules
from harness.rustore.states import State

# The SDK's vocabulary is defined once, with the contract (CONTRACT §2.0 rule 4).
PurchaseState = State


class PaymentMethod(StrEnum):
    CARD = "CARD"  # two-stage: PAID holds the money
    SBP = "SBP"  # one-stage: PAID has withdrawn it
    SBERPAY = "SBERPAY"  # two-stage, through a bank app


class Outcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    USER_CANCEL = "user_cancel"
    BANK_NEVER_RETURNS = "bank_never_returns"


class PayResultType(StrEnum):
    SUCCESS = "Success"  # paid (or paid and still settling: purchaseState tells)
    FAILURE = "Failure"  # declined by the bank
    CANCELLED = "Cancelled"  # the user cancelled the payment
    PENDING = "Pending"  # the bank app never returned; the invoice stays open


class RenewalOutcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- errors


class ErrorBody(BaseModel):
    """Every billing/control error: ``errorCode`` from CONTRACT §5.1, or an exception by name."""

    errorCode: int | None = None
    message: str
    simpleName: str | None = Field(
        default=None, description="Set when the SDK must raise this exception (CONTRACT §10.4/§10.5)"
    )


# ---------------------------------------------------------------- billing API


class Caller(_Model):
    appId: str = Field(min_length=1, description="Console application id (rustorebilling.init)")
    userId: str = Field(min_length=1, description="The virtual device's RuStore user id")


class SimpleError(BaseModel):
    simpleName: str
    detailMessage: str | None = None


class AvailabilityResult(BaseModel):
    isAvailable: bool
    cause: SimpleError | None = None


class ProductsRequest(Caller):
    productIds: list[str]
    language: str | None = Field(default=None, description="BCP-47; default ru-RU")


class SubscriptionPeriod(BaseModel):
    years: int = 0
    months: int = 0
    days: int = 0


class ProductSubscription(BaseModel):
    subscriptionPeriod: SubscriptionPeriod | None = None
    freeTrialPeriod: SubscriptionPeriod | None = None
    gracePeriod: SubscriptionPeriod | None = None
    introductoryPrice: str | None = None
    introductoryPriceAmount: str | None = None
    introductoryPricePeriod: SubscriptionPeriod | None = None


class Product(BaseModel):
    productId: str
    productType: str | None = None
    productStatus: str
    priceLabel: str | None = None
    price: int | None = None
    currency: str | None = None
    language: str | None = None
    title: str | None = None
    description: str | None = None
    imageUrl: str | None = None
    promoImageUrl: str | None = None
    subscription: ProductSubscription | None = None


class ProductsResult(BaseModel):
    products: list[Product]


class CreatePurchaseRequest(Caller):
    productId: str = Field(min_length=1)
    orderId: str | None = Field(default=None, description="Unique per app; a uuid is made if absent")
    quantity: int | None = Field(default=None, description=">1 only for consumables (40016)")
    developerPayload: str | None = None
    language: str | None = None


class Purchase(BaseModel):
    """What the SDK needs to build its Purchase object (CONTRACT §2.8); purchaseTime is ISO-8601."""

    purchaseId: str
    productId: str
    productType: str
    invoiceId: str
    language: str
    purchaseTime: str
    orderId: str
    amountLabel: str
    amount: int
    currency: str
    quantity: int
    purchaseState: PurchaseState
    developerPayload: str | None = None
    subscriptionToken: str
    description: str | None = Field(default=None, description="Only the SDK 5.x profile shows it")
    paymentMethod: PaymentMethod | None = None
    sandbox: bool = True


class CreatePurchaseResult(BaseModel):
    purchaseId: str
    invoiceId: str
    orderId: str
    productId: str
    quantity: int
    subscriptionToken: str
    purchaseState: PurchaseState
    sandbox: bool = True


class PayRequest(Caller):
    method: PaymentMethod
    outcome: Outcome | None = Field(
        default=None, description="Overrides the control API's queued outcome (normally left out)"
    )
    settlementDelaySeconds: float | None = Field(default=None, ge=0)


class PayResult(BaseModel):
    """The payment sheet's result; the SDK turns it into a PaymentResult (CONTRACT §2.6)."""

    type: PayResultType
    purchase: Purchase
    outcome: Outcome
    settlesAt: str | None = Field(default=None, description="Virtual time it becomes PAID/CONFIRMED")


class ConfirmRequest(Caller):
    developerPayload: str | None = None


class PurchasesResult(BaseModel):
    purchases: list[Purchase]


# ---------------------------------------------------------------- control API


class ResetRequest(_Model):
    userId: str | None = Field(default=None, description="Only this user's purchases and flags")


class KeyPair(BaseModel):
    keyId: str
    privateKeyPem: str = Field(description="PKCS#8 PEM; shown once, like RuStore Console")
    publicKeyPem: str


class ClockState(BaseModel):
    now: str
    rate: float


class AdvanceRequest(_Model):
    seconds: float = Field(default=0, ge=0)
    minutes: float = Field(default=0, ge=0)
    hours: float = Field(default=0, ge=0)
    appId: str | None = Field(
        default=None,
        description="Only this app's clock jumps; the other apps' purchases stay as they are",
    )


class RateRequest(_Model):
    rate: float = Field(ge=0)


class Settings(BaseModel):
    autoCancelMinutes: float = 20
    cancelPrevious: bool = False
    renewalMinutes: float = 10
    maxCharges: int = 12
    retryMinutes: float = 2
    maxRenewalAttempts: int = 3


class SettingsPatch(_Model):
    autoCancelMinutes: float | None = Field(default=None, gt=0)
    cancelPrevious: bool | None = None
    renewalMinutes: float | None = Field(default=None, gt=0)
    maxCharges: int | None = Field(default=None, ge=1)
    retryMinutes: float | None = Field(default=None, gt=0)
    maxRenewalAttempts: int | None = Field(default=None, ge=1)


class OutcomeRule(_Model):
    method: PaymentMethod | None = Field(default=None, description="None: every method")
    outcome: Outcome = Outcome.APPROVE
    settlementDelaySeconds: float = Field(default=0, ge=0)
    sticky: bool = False
    userId: str | None = None


class ForcedErrorRule(_Model):
    operation: str = Field(
        description="availability|products|purchase|invoice|pay|confirm|delete|purchases|purchase_info"
    )
    errorCode: int | None = Field(default=None, description="A §5.1 code (4xxxx/5xxxx)")
    simpleName: str | None = Field(default=None, description="Or an exception the SDK must raise")
    message: str | None = None
    sticky: bool = False
    userId: str | None = None


class RuleCreated(BaseModel):
    id: int


class RenewalRule(_Model):
    outcome: RenewalOutcome
    sticky: bool = False


class UserFlags(_Model):
    banned: bool | None = None
    tester: bool | None = None
    authorized: bool | None = None


class User(BaseModel):
    userId: str
    banned: bool
    tester: bool
    authorized: bool


class AppFlags(_Model):
    active: bool | None = None
    purchasesEnabled: bool | None = None
    banned: bool | None = None


class App(BaseModel):
    appId: str
    packageName: str
    name: str
    ownerCode: str
    ownerName: str
    imageUrl: str | None = None
    active: bool = True
    purchasesEnabled: bool = True
    banned: bool = False


class ProductFlags(_Model):
    status: str | None = Field(default=None, description="ACTIVE|INACTIVE")
    deleted: bool | None = None


class CatalogProduct(_Model):
    """A console product as the control API adds it (productType may be any string: 40007)."""

    appId: str | None = None
    productId: str
    type: str
    price: int = Field(ge=0)
    currency: str = "RUB"
    status: str = "ACTIVE"
    deleted: bool = False
    imageUrl: str | None = None
    promoImageUrl: str | None = None
    localizations: dict[str, dict[str, str]] = Field(default_factory=dict)
    subscription: dict[str, Any] | None = None


class Transition(BaseModel):
    id: int
    purchaseId: str
    fromState: PurchaseState | None
    toState: PurchaseState
    cause: str
    virtualTime: str


class AuditPurchase(BaseModel):
    purchase: Purchase
    appId: str
    userId: str
    cancelCause: str | None = None
    invoiceStatus: str
    pending: str | None = None
    dueAt: str | None = None
    dueKind: str | None = None
    charges: int = 0
    autoRenew: bool = True
    periodEnd: str | None = None


class AuditListing(BaseModel):
    purchases: list[AuditPurchase]
    transitions: list[Transition]
