"""The control API for tests (what StoreKit Test's SKTestSession offers, for the RuStore sandbox)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Query

from .auth import PublicAuth
from .control_store import Sandbox
from .schemas import (
    AdvanceRequest,
    App,
    AppFlags,
    AuditListing,
    CatalogProduct,
    ClockState,
    ErrorBody,
    ForcedErrorRule,
    KeyPair,
    OutcomeRule,
    Product,
    ProductFlags,
    Purchase,
    RateRequest,
    RenewalRule,
    ResetRequest,
    RuleCreated,
    Settings,
    SettingsPatch,
    User,
    UserFlags,
)

SUB_ACTIONS = ("pause", "resume", "terminate", "close", "cancel")


def build_router(sandbox: Sandbox, auth: PublicAuth) -> APIRouter:
    router = APIRouter(prefix="/control/v1", responses={400: {"model": ErrorBody}, 409: {"model": ErrorBody}})

    def clock_state(app_id: str | None = None) -> ClockState:
        now = sandbox.clock.now() + timedelta(seconds=sandbox.app_ahead(app_id))
        return ClockState(now=now.isoformat(), rate=sandbox.clock.rate)

    @router.post(
        "/reset", tags=["control: state"], summary="Forget purchases, users and rules (all or one user)"
    )
    def reset(req: ResetRequest) -> dict[str, bool]:
        sandbox.reset(req.userId)
        return {"ok": True}

    @router.post(
        "/keys", tags=["control: public API"], summary="Issue a key pair for /public/auth/ (like the console)"
    )
    def create_key() -> KeyPair:
        return auth.create_key()

    @router.get("/clock", tags=["control: clock"], summary="Virtual now (of one app with ?appId=) and rate")
    def get_clock(appId: str | None = None) -> ClockState:
        return clock_state(appId)

    @router.post(
        "/clock/advance",
        tags=["control: clock"],
        summary="Jump forward (every app, or one app's own clock); due events fire in order",
    )
    def advance(req: AdvanceRequest) -> ClockState:
        jump = timedelta(seconds=req.seconds, minutes=req.minutes, hours=req.hours)
        if req.appId is None:
            sandbox.clock.advance(jump)
        else:
            sandbox.advance_app(req.appId, jump.total_seconds())
        return clock_state(req.appId)

    @router.post(
        "/clock/rate", tags=["control: clock"], summary="Virtual seconds per real second (0 freezes)"
    )
    def set_rate(req: RateRequest) -> ClockState:
        sandbox.clock.set_rate(req.rate)
        return clock_state()

    @router.get("/settings", tags=["control: state"], summary="Auto-cancel, cancel_previous, renewal timing")
    def get_settings() -> Settings:
        return sandbox.settings()

    @router.patch("/settings", tags=["control: state"], summary="Change sandbox settings")
    def patch_settings(patch: SettingsPatch) -> Settings:
        return sandbox.update_settings(patch)

    @router.post("/payment-outcomes", tags=["control: outcomes"], summary="Next outcome per payment method")
    def add_outcome(rule: OutcomeRule) -> RuleCreated:
        return RuleCreated(id=sandbox.add_outcome(rule))

    @router.delete("/payment-outcomes", tags=["control: outcomes"], summary="Back to approve-everything")
    def clear_outcomes() -> dict[str, bool]:
        sandbox.clear_outcomes()
        return {"ok": True}

    @router.post(
        "/forced-errors",
        tags=["control: outcomes"],
        summary="Force an errorCode or exception on an operation",
    )
    def add_forced_error(rule: ForcedErrorRule) -> RuleCreated:
        return RuleCreated(id=sandbox.add_forced_error(rule))

    @router.delete("/forced-errors", tags=["control: outcomes"], summary="Remove every forced error")
    def clear_forced_errors() -> dict[str, bool]:
        sandbox.clear_forced_errors()
        return {"ok": True}

    @router.post(
        "/renewal-outcomes", tags=["control: subscriptions"], summary="Outcome of the next renewal charges"
    )
    def add_renewal_outcome(
        rule: RenewalRule, purchase_id: str | None = Query(default=None, alias="purchaseId")
    ) -> RuleCreated:
        return RuleCreated(id=sandbox.add_renewal_outcome(purchase_id, rule))

    @router.post(
        "/purchases/{purchase_id}/refund",
        tags=["control: purchases"],
        summary="Payment return (reversal/refund)",
    )
    def refund(purchase_id: str) -> Purchase:
        return sandbox.refund(purchase_id)

    @router.post(
        "/subscriptions/{purchase_id}/{action}",
        tags=["control: subscriptions"],
        summary="pause | resume | terminate | close | cancel (auto-renew off, CLOSED at period end)",
    )
    def subscription_action(purchase_id: str, action: str) -> Purchase:
        return sandbox.subscription_control(purchase_id, action)

    @router.get("/users/{user_id}", tags=["control: users and apps"], summary="A user's flags")
    def get_user(user_id: str) -> User:
        return sandbox.get_user(user_id)

    @router.patch(
        "/users/{user_id}", tags=["control: users and apps"], summary="banned / tester / authorized"
    )
    def patch_user(user_id: str, flags: UserFlags) -> User:
        return sandbox.set_user(user_id, flags.banned, flags.tester, flags.authorized)

    @router.get("/apps", tags=["control: users and apps"], summary="Console applications")
    def list_apps() -> list[App]:
        return sandbox.apps()

    @router.put(
        "/apps/{app_id}", tags=["control: users and apps"], summary="Create or replace an application"
    )
    def put_app(app_id: str, app: App) -> App:
        return sandbox.put_app(app.model_copy(update={"appId": app_id}))

    @router.patch(
        "/apps/{app_id}", tags=["control: users and apps"], summary="active / purchasesEnabled / banned"
    )
    def patch_app(app_id: str, flags: AppFlags) -> App:
        return sandbox.set_app_flags(app_id, flags.active, flags.purchasesEnabled, flags.banned)

    @router.put(
        "/products", tags=["control: catalog"], summary="Add or replace a console product (any type string)"
    )
    def put_product(product: CatalogProduct) -> Product:
        return sandbox.put_product(product)

    @router.patch(
        "/products/{product_id}", tags=["control: catalog"], summary="status ACTIVE/INACTIVE, deleted"
    )
    def patch_product(
        product_id: str, flags: ProductFlags, app_id: str | None = Query(default=None, alias="appId")
    ) -> Product:
        return sandbox.set_product_flags(
            app_id or sandbox.default_app_id(), product_id, flags.status, flags.deleted
        )

    @router.get(
        "/audit", tags=["control: purchases"], summary="Every purchase and transition, virtual timestamps"
    )
    def audit(
        user_id: str | None = Query(default=None, alias="userId"),
        purchase_id: str | None = Query(default=None, alias="purchaseId"),
    ) -> AuditListing:
        return sandbox.audit(user_id, purchase_id)

    return router
