"""The sandbox's business rules: purchases, guards, payments, timed events and the audit trail.

Routers stay thin and call this; every rule of CONTRACT §3-§5 and §10 that decides an outcome
lives here, over :class:`~harness.sim.sandbox.db.Database` and the virtual clock.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .catalog import UserDefaults, format_amount, load_catalog, localized
from .clock import VirtualClock
from .db import Database
from .errors import EXCEPTION_MESSAGES, IllegalTransition, SandboxError
from .machine import Event, next_state
from .schemas import (
    AvailabilityResult,
    CreatePurchaseRequest,
    CreatePurchaseResult,
    Outcome,
    PaymentMethod,
    PayRequest,
    PayResult,
    PayResultType,
    Product,
    ProductSubscription,
    ProductType,
    Purchase,
    PurchaseState,
    RenewalOutcome,
    Settings,
    SimpleError,
)

S = PurchaseState
INVOICE_BASE = 10_000_000
MSK = timezone(timedelta(hours=3))
MAX_PRODUCT_IDS = 100
ONE_STAGE = {PaymentMethod.SBP}
OPERATIONS = (
    "availability",
    "invoice",
    "products",
    "purchase",
    "pay",
    "confirm",
    "delete",
    "purchases",
    "purchase_info",
)

# CONTRACT §3.4 + §10.12: what get_purchases returns.
LISTED: dict[str, set[str]] = {
    ProductType.CONSUMABLE: {S.INVOICE_CREATED, S.PAID},
    ProductType.NON_CONSUMABLE: {S.INVOICE_CREATED, S.CONFIRMED},
    ProductType.SUBSCRIPTION: {S.INVOICE_CREATED, S.CONFIRMED, S.PAUSED},
}


def iso(epoch: float | None, tz: timezone = UTC) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz).isoformat()


def invoice_status(row: sqlite3.Row) -> str:
    """Internal state -> public-API ``invoice_status`` (documented in docs/sandbox.md)."""
    state = row["state"]
    if state == S.INVOICE_CREATED:
        return "executed" if row["pending"] else "created"
    if state == S.CANCELLED:
        cause = row["cancel_cause"]
        return cause if cause in ("reversed", "refunded") else "cancelled"
    return {
        S.CREATED: "created",
        S.PAID: "paid",
        S.CONSUMED: "confirmed",
        S.CONFIRMED: "confirmed",
        S.PAUSED: "confirmed",
        S.CLOSED: "confirmed",
        S.TERMINATED: "confirmed",
    }[state]


@dataclass
class Caller:
    app: sqlite3.Row
    user: sqlite3.Row


class SandboxCore:
    """Sandbox state and the billing operations; safe to call from many threads at once."""

    def __init__(
        self,
        db: Database,
        clock: VirtualClock,
        catalog: dict[str, Any],
        wall_clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.clock = clock
        self.catalog = catalog
        self.wall_clock = wall_clock
        with db.transaction() as conn:
            self.user_defaults: UserDefaults = load_catalog(conn, catalog)
            if conn.execute("SELECT 1 FROM meta WHERE key='settings'").fetchone() is None:
                self._save_settings(conn, Settings())
        self._listeners: list[Callable[[], None]] = []
        self._app_ahead: dict[str, float] = self._load_app_clocks()

    # ------------------------------------------------------------------ helpers

    def on_change(self, listener: Callable[[], None]) -> None:
        """Called after anything that may move the next timed event (the scheduler re-arms)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def now(self, app_id: str | None = None) -> float:
        """Virtual now (epoch seconds) — as ``app_id`` sees it when that app's clock is ahead."""
        return self.clock.timestamp() + self.app_ahead(app_id)

    # An app's clock may run ahead of the sandbox's (``advance_app``): a test that jumps hours
    # of subscription life on an app of its own leaves every other app's invoices alone.
    def _load_app_clocks(self) -> dict[str, float]:
        with self.db.transaction(immediate=False) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='app_clocks'").fetchone()
        return {str(k): float(v) for k, v in json.loads(row["value"]).items()} if row else {}

    def app_ahead(self, app_id: str | None) -> float:
        """Seconds the app's clock is ahead of the sandbox's (0 for most apps, and for None)."""
        return self._app_ahead.get(app_id, 0.0) if app_id else 0.0

    def advance_app(self, app_id: str, seconds: float) -> float:
        """Jump one app's clock forward; its events inside the jump fire (in order) first."""
        if seconds < 0:
            raise ValueError("the virtual clock never runs backwards")
        with self.db.transaction() as conn:
            self._app(conn, app_id)
            self._app_ahead[app_id] = self._app_ahead.get(app_id, 0.0) + seconds
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('app_clocks', ?) "
                "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                (json.dumps(self._app_ahead),),
            )
        self.process_due()
        self._changed()  # the scheduler re-arms for this app's next event
        return self.now(app_id)

    def settings(self) -> Settings:
        with self.db.transaction(immediate=False) as conn:
            return self._settings(conn)

    @staticmethod
    def _settings(conn: sqlite3.Connection) -> Settings:
        row = conn.execute("SELECT value FROM meta WHERE key='settings'").fetchone()
        return Settings.model_validate_json(row["value"]) if row else Settings()

    @staticmethod
    def _save_settings(conn: sqlite3.Connection, settings: Settings) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('settings', ?) "
            "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
            (settings.model_dump_json(),),
        )

    def _ensure_user(self, conn: sqlite3.Connection, user_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM users WHERE user_id=?", (user_id,)).fetchone()
        if row is None:
            d = self.user_defaults
            conn.execute(
                "INSERT INTO users (user_id, tester, banned, authorized, created_at) VALUES (?, ?, ?, ?, ?)",
                (user_id, int(d.tester), int(d.banned), int(d.authorized), self.now()),
            )
            row = conn.execute("SELECT * FROM users WHERE user_id=?", (user_id,)).fetchone()
        return row

    @staticmethod
    def _app(conn: sqlite3.Connection, app_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM apps WHERE app_id=?", (app_id,)).fetchone()
        if row is None:
            raise SandboxError(40003, f"Application {app_id} not found")
        return row

    @staticmethod
    def _unavailable_cause(app: sqlite3.Row, user: sqlite3.Row) -> str | None:
        """The exception simpleName that makes payments unavailable (CONTRACT §10.5), if any."""
        if not user["authorized"]:
            return "RuStoreUserUnauthorizedException"
        if user["banned"]:
            return "RuStoreUserBannedException"
        if app["banned"]:
            return "RuStoreApplicationBannedException"
        if not app["purchases_enabled"] or not app["active"] or not user["tester"]:
            return "RuStoreFeatureUnavailableException"
        return None

    @staticmethod
    def _unavailable_message(app: sqlite3.Row, user: sqlite3.Row, name: str) -> str:
        if name == "RuStoreFeatureUnavailableException":
            if not app["active"]:
                return "Application is inactive"
            if not app["purchases_enabled"]:
                return "In-app purchases are disabled for the application"
            if not user["tester"]:
                return "User is not a tester of the sandbox"
        return EXCEPTION_MESSAGES[name]

    def _caller(self, conn: sqlite3.Connection, app_id: str, user_id: str, *, purchase: bool) -> Caller:
        app = self._app(conn, app_id)
        if purchase and not app["active"]:
            raise SandboxError(40004, f"Application {app_id} is inactive")
        user = self._ensure_user(conn, user_id)
        cause = self._unavailable_cause(app, user)
        if cause is not None:
            raise SandboxError(
                None, self._unavailable_message(app, user, cause), simple_name=cause, status=403
            )
        return Caller(app, user)

    def _take_forced(self, operation: str, user_id: str | None) -> None:
        """Raise the forced error configured for this operation (one-shot rules are used up)."""
        with self.db.transaction(immediate=False) as conn:  # the usual case: no rule, no write lock
            if (
                conn.execute("SELECT 1 FROM forced_errors WHERE operation=? LIMIT 1", (operation,)).fetchone()
                is None
            ):
                return
        with self.db.transaction() as conn:
            error = self._forced_rule(conn, operation, user_id)
        if error is not None:
            raise error

    @staticmethod
    def _forced_rule(conn: sqlite3.Connection, operation: str, user_id: str | None) -> SandboxError | None:
        row = conn.execute(
            """SELECT * FROM forced_errors WHERE operation=? AND (user_id IS NULL OR user_id=?)
               ORDER BY user_id IS NULL, id LIMIT 1""",
            (operation, user_id),
        ).fetchone()
        if row is None:
            return None
        if not row["sticky"]:
            conn.execute("DELETE FROM forced_errors WHERE id=?", (row["id"],))
        return SandboxError(row["error_code"], row["message"], simple_name=row["simple_name"])

    def _transition(
        self, conn: sqlite3.Connection, row: sqlite3.Row, event: Event, cause: str, at: float, **fields: Any
    ) -> S:
        """Apply one state-machine step to a stored purchase and audit it; refuse if illegal."""
        current = S(row["state"])
        new = next_state(ProductType(row["product_type"]), current, event)
        fields = {"state": new.value, "updated_at": at, **fields}
        assignments = ", ".join(f"{name}=?" for name in fields)
        conn.execute(
            f"UPDATE purchases SET {assignments} WHERE purchase_id=?",
            (*fields.values(), row["purchase_id"]),
        )
        conn.execute(
            "INSERT INTO transitions (purchase_id, from_state, to_state, cause, virtual_time) "
            "VALUES (?, ?, ?, ?, ?)",
            (row["purchase_id"], current.value, new.value, cause, at),
        )
        return new

    @staticmethod
    def _purchase_row(conn: sqlite3.Connection, purchase_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM purchases WHERE purchase_id=?", (purchase_id,)).fetchone()
        if row is None:
            raise SandboxError(40401, f"Purchase {purchase_id} not found")
        return row

    def _owned_row(self, conn: sqlite3.Connection, caller: Caller, purchase_id: str) -> sqlite3.Row:
        row = self._purchase_row(conn, purchase_id)
        if row["user_id"] != caller.user["user_id"] or row["app_id"] != caller.app["app_id"]:
            raise SandboxError(40401, f"Purchase {purchase_id} not found")
        return row

    @staticmethod
    def to_purchase(row: sqlite3.Row) -> Purchase:
        return Purchase(
            purchaseId=row["purchase_id"],
            productId=row["product_id"],
            productType=row["product_type"],
            invoiceId=row["invoice_id"],
            language=row["language"],
            purchaseTime=iso(row["created_at"]) or "",
            orderId=row["order_id"],
            amountLabel=row["amount_label"],
            amount=row["amount"],
            currency=row["currency"],
            quantity=row["quantity"],
            purchaseState=S(row["state"]),
            developerPayload=row["developer_payload"],
            subscriptionToken=f"{row['invoice_id']}.{row['user_id']}",
            description=row["description"],
            paymentMethod=PaymentMethod(row["payment_method"]) if row["payment_method"] else None,
            sandbox=True,
        )

    # ------------------------------------------------------------------ billing API

    def availability(self, app_id: str, user_id: str) -> AvailabilityResult:
        self._take_forced("availability", user_id)
        self.process_due()
        with self.db.transaction() as conn:
            app = self._app(conn, app_id)
            user = self._ensure_user(conn, user_id)
            cause = self._unavailable_cause(app, user)
        if cause is None:
            return AvailabilityResult(isAvailable=True)
        message = self._unavailable_message(app, user, cause)
        return AvailabilityResult(
            isAvailable=False, cause=SimpleError(simpleName=cause, detailMessage=message)
        )

    def products(
        self, app_id: str, user_id: str, product_ids: list[str], language: str | None
    ) -> list[Product]:
        self._take_forced("products", user_id)
        if len(product_ids) > MAX_PRODUCT_IDS:
            raise SandboxError(40001, f"At most {MAX_PRODUCT_IDS} product ids per request")
        with self.db.transaction() as conn:
            self._caller(conn, app_id, user_id, purchase=False)
            result = []
            for product_id in product_ids:
                row = conn.execute(
                    "SELECT * FROM products WHERE app_id=? AND product_id=?", (app_id, product_id)
                ).fetchone()
                if row is None or row["deleted"]:
                    continue
                result.append(self._to_product(row, language))
        return result

    @staticmethod
    def _to_product(row: sqlite3.Row, language: str | None) -> Product:
        data = json.loads(row["data"])
        lang, texts = localized(data, language)
        sub = data.get("subscription")
        subscription = None
        if row["product_type"] == ProductType.SUBSCRIPTION and sub:
            subscription = ProductSubscription.model_validate(
                {**sub, "introductoryPrice": texts.get("introductoryPrice")}
            )
        product_type = row["product_type"] if row["product_type"] in ProductType.__members__ else None
        return Product(
            productId=row["product_id"],
            productType=product_type,
            productStatus=row["status"],
            priceLabel=texts.get("priceLabel") or format_amount(row["price"], row["currency"], lang),
            price=row["price"],
            currency=row["currency"],
            language=lang,
            title=texts.get("title"),
            description=texts.get("description"),
            imageUrl=data.get("imageUrl"),
            promoImageUrl=data.get("promoImageUrl"),
            subscription=subscription,
        )

    def create_purchase(self, req: CreatePurchaseRequest) -> CreatePurchaseResult:
        self._take_forced("purchase", req.userId)
        self.process_due()
        try:
            with self.db.transaction() as conn:
                result = self._create_purchase(conn, req)
        finally:
            self._changed()
        if isinstance(result, SandboxError):
            raise result  # the purchase was created and abandoned; that much is committed
        return result

    def _create_purchase(
        self, conn: sqlite3.Connection, req: CreatePurchaseRequest
    ) -> CreatePurchaseResult | SandboxError:
        caller = self._caller(conn, req.appId, req.userId, purchase=True)
        product = conn.execute(
            "SELECT * FROM products WHERE app_id=? AND product_id=?", (req.appId, req.productId)
        ).fetchone()
        if product is None:
            raise SandboxError(40005, f"Product {req.productId} not found")
        if product["deleted"]:
            raise SandboxError(40017, f"Product {req.productId} is deleted")
        if product["status"] != "ACTIVE":
            raise SandboxError(40006, f"Product {req.productId} is inactive")
        if product["product_type"] not in ProductType.__members__:
            raise SandboxError(40007, f"Product type {product['product_type']} is not supported")
        ptype = ProductType(product["product_type"])
        quantity = 1 if req.quantity is None else req.quantity
        if quantity < 1:
            raise SandboxError(40001, "quantity must be a positive integer")
        if quantity > 1 and ptype != ProductType.CONSUMABLE:
            raise SandboxError(40016)
        if req.orderId is not None and not 0 < len(req.orderId) <= 150:
            raise SandboxError(40001, "orderId must be 1..150 characters")
        order_id = req.orderId or str(uuid.uuid4())
        if conn.execute(
            "SELECT 1 FROM purchases WHERE app_id=? AND order_id=?", (req.appId, order_id)
        ).fetchone():
            raise SandboxError(40008, f"An order with order_id {order_id} already exists")
        now = self.now(req.appId)
        self._guard_existing(conn, caller, req.productId, ptype, now)
        data = json.loads(product["data"])
        lang, texts = localized(data, req.language)
        amount = product["price"] * quantity
        purchase_id = str(uuid.uuid4())
        settings = self._settings(conn)
        cur = conn.execute(
            """INSERT INTO purchases (purchase_id, app_id, user_id, product_id, product_type, order_id,
                   quantity, developer_payload, language, amount, currency, amount_label, description,
                   state, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                purchase_id,
                req.appId,
                req.userId,
                req.productId,
                ptype.value,
                order_id,
                quantity,
                req.developerPayload,
                lang,
                amount,
                product["currency"],
                format_amount(amount, product["currency"], lang),
                texts.get("description"),
                next_state(ptype, None, Event.START).value,
                now,
                now,
            ),
        )
        invoice_id = str(INVOICE_BASE + int(cur.lastrowid or 0))
        conn.execute("UPDATE purchases SET invoice_id=? WHERE purchase_id=?", (invoice_id, purchase_id))
        conn.execute(
            "INSERT INTO transitions (purchase_id, from_state, to_state, cause, virtual_time) "
            "VALUES (?, NULL, ?, ?, ?)",
            (purchase_id, S.CREATED.value, Event.START.value, now),
        )
        row = self._purchase_row(conn, purchase_id)
        invoice_error = self._forced_rule(conn, "invoice", req.userId)
        if invoice_error is not None:
            self._transition(
                conn,
                row,
                Event.ABANDON,
                f"invoice creation failed: {invoice_error.message}",
                now,
                cancel_cause="invoice_failed",
                due_at=None,
                due_kind=None,
            )
            return invoice_error
        state = self._transition(
            conn,
            row,
            Event.INVOICE,
            Event.INVOICE.value,
            now,
            due_at=now + settings.autoCancelMinutes * 60,
            due_kind="auto_cancel",
        )
        return CreatePurchaseResult(
            purchaseId=purchase_id,
            invoiceId=invoice_id,
            orderId=order_id,
            productId=req.productId,
            quantity=quantity,
            subscriptionToken=f"{invoice_id}.{req.userId}",
            purchaseState=state,
        )

    def _guard_existing(
        self, conn: sqlite3.Connection, caller: Caller, product_id: str, ptype: ProductType, now: float
    ) -> None:
        """CONTRACT §3.5 / §10.13: 40009 (or cancel_previous), 40010, 40011, 40012."""
        rows = conn.execute(
            "SELECT * FROM purchases WHERE app_id=? AND user_id=? AND product_id=? AND state IN (?, ?, ?, ?)",
            (
                caller.app["app_id"],
                caller.user["user_id"],
                product_id,
                S.INVOICE_CREATED.value,
                S.PAID.value,
                S.CONFIRMED.value,
                S.PAUSED.value,
            ),
        ).fetchall()
        for row in rows:
            if row["state"] == S.INVOICE_CREATED:
                if not self._settings(conn).cancelPrevious:
                    raise SandboxError(40009)
                self._transition(
                    conn,
                    row,
                    Event.SUPERSEDED,
                    "superseded by a new purchase",
                    now,
                    cancel_cause="superseded",
                    due_at=None,
                    due_kind=None,
                    pending=None,
                )
        for row in rows:
            if row["state"] == S.PAID and ptype == ProductType.CONSUMABLE:
                raise SandboxError(40010)
            if row["state"] == S.CONFIRMED and ptype == ProductType.NON_CONSUMABLE:
                raise SandboxError(40011)
            if row["state"] in (S.CONFIRMED, S.PAUSED) and ptype == ProductType.SUBSCRIPTION:
                raise SandboxError(40012)

    def pay(self, purchase_id: str, req: PayRequest) -> PayResult:
        self._take_forced("pay", req.userId)
        self.process_due()
        try:
            with self.db.transaction() as conn:
                caller = self._caller(conn, req.appId, req.userId, purchase=True)
                row = self._owned_row(conn, caller, purchase_id)
                ptype = ProductType(row["product_type"])
                if row["pending"] == "settling":
                    raise IllegalTransition(ptype, row["state"], "pay (payment already settling)")
                next_state(ptype, S(row["state"]), Event.PAY)  # refuse before touching anything
                if req.outcome is not None:
                    outcome, delay = req.outcome, req.settlementDelaySeconds or 0.0
                else:
                    outcome, rule_delay = self._take_outcome(conn, req.method, req.userId)
                    delay = (
                        req.settlementDelaySeconds if req.settlementDelaySeconds is not None else rule_delay
                    )
                result = self._apply_payment(conn, row, req.method, outcome, delay)
        finally:
            self._changed()
        return result

    @staticmethod
    def _take_outcome(conn: sqlite3.Connection, method: PaymentMethod, user_id: str) -> tuple[Outcome, float]:
        row = conn.execute(
            """SELECT * FROM payment_outcomes
               WHERE (method IS NULL OR method=?) AND (user_id IS NULL OR user_id=?)
               ORDER BY user_id IS NULL, method IS NULL, id LIMIT 1""",
            (method.value, user_id),
        ).fetchone()
        if row is None:
            return Outcome.APPROVE, 0.0
        if not row["sticky"]:
            conn.execute("DELETE FROM payment_outcomes WHERE id=?", (row["id"],))
        return Outcome(row["outcome"]), float(row["settlement_delay"])

    def _apply_payment(
        self,
        conn: sqlite3.Connection,
        row: sqlite3.Row,
        method: PaymentMethod,
        outcome: Outcome,
        delay: float,
    ) -> PayResult:
        now = self.now(row["app_id"])
        pid = row["purchase_id"]
        settles_at = None
        if outcome == Outcome.APPROVE and delay <= 0:
            self._settle(conn, row, method, now, cause=f"paid with {method.value}")
            kind = PayResultType.SUCCESS
        elif outcome == Outcome.APPROVE:
            settles_at = now + delay
            conn.execute(
                "UPDATE purchases SET payment_method=?, pending='settling', due_at=?, due_kind='settle' "
                "WHERE purchase_id=?",
                (method.value, settles_at, pid),
            )
            kind = PayResultType.SUCCESS
        elif outcome == Outcome.DECLINE:
            error = {
                "user_message": "Payment declined by the bank",
                "error_description": f"{method.value} payment was declined",
                "error_code": 51001,
            }
            self._transition(
                conn,
                row,
                Event.DECLINE,
                f"{method.value} payment declined",
                now,
                payment_method=method.value,
                cancel_cause="declined",
                error_json=json.dumps(error),
                due_at=None,
                due_kind=None,
                pending=None,
            )
            kind = PayResultType.FAILURE
        elif outcome == Outcome.USER_CANCEL:
            self._transition(
                conn,
                row,
                Event.USER_CANCEL,
                "user cancelled the payment",
                now,
                payment_method=method.value,
                cancel_cause="user_cancel",
                due_at=None,
                due_kind=None,
                pending=None,
            )
            kind = PayResultType.CANCELLED
        else:  # bank never returns: the invoice stays open; auto-cancel still applies
            conn.execute(
                "UPDATE purchases SET payment_method=?, pending='bank_return' WHERE purchase_id=?",
                (method.value, pid),
            )
            kind = PayResultType.PENDING
        fresh = self._purchase_row(conn, pid)
        return PayResult(
            type=kind, purchase=self.to_purchase(fresh), outcome=outcome, settlesAt=iso(settles_at)
        )

    def _settle(
        self, conn: sqlite3.Connection, row: sqlite3.Row, method: PaymentMethod, at: float, cause: str
    ) -> None:
        """INVOICE_CREATED -> PAID (consumable) / CONFIRMED (others); a subscription starts its period."""
        fields: dict[str, Any] = {
            "payment_method": method.value,
            "pending": None,
            "due_at": None,
            "due_kind": None,
        }
        if row["product_type"] == ProductType.SUBSCRIPTION:
            period_end = at + self._settings(conn).renewalMinutes * 60
            fields.update(
                charges=1, failed_attempts=0, period_end=period_end, due_at=period_end, due_kind="renewal"
            )
        self._transition(conn, row, Event.PAY, cause, at, **fields)

    def confirm(self, purchase_id: str, app_id: str, user_id: str, developer_payload: str | None) -> Purchase:
        self._take_forced("confirm", user_id)
        self.process_due()
        with self.db.transaction() as conn:
            caller = self._caller(conn, app_id, user_id, purchase=True)
            row = self._owned_row(conn, caller, purchase_id)
            if row["product_type"] != ProductType.CONSUMABLE:
                raise SandboxError(40018, f"{row['product_type']} purchases cannot be consumed")
            extra = {"developer_payload": developer_payload} if developer_payload is not None else {}
            self._transition(conn, row, Event.CONSUME, "confirm_purchase", self.now(app_id), **extra)
            return self.to_purchase(self._purchase_row(conn, purchase_id))

    def delete(self, purchase_id: str, app_id: str, user_id: str) -> Purchase:
        self._take_forced("delete", user_id)
        self.process_due()
        try:
            with self.db.transaction() as conn:
                caller = self._caller(conn, app_id, user_id, purchase=True)
                row = self._owned_row(conn, caller, purchase_id)
                self._transition(
                    conn,
                    row,
                    Event.DELETE,
                    "delete_purchase",
                    self.now(app_id),
                    cancel_cause=self._return_cause(row) if row["state"] == S.PAID else "deleted",
                    due_at=None,
                    due_kind=None,
                    pending=None,
                )
                return self.to_purchase(self._purchase_row(conn, purchase_id))
        finally:
            self._changed()

    @staticmethod
    def _return_cause(row: sqlite3.Row) -> str:
        """CONTRACT §4: cancelling PAID is a reversal for two-stage methods, a refund for one-stage."""
        if row["state"] == S.PAID and row["payment_method"] not in {m.value for m in ONE_STAGE}:
            return "reversed"
        return "refunded"

    def purchases(self, app_id: str, user_id: str) -> list[Purchase]:
        self._take_forced("purchases", user_id)
        self.process_due()
        with self.db.transaction() as conn:
            self._caller(conn, app_id, user_id, purchase=False)
            rows = conn.execute(
                "SELECT * FROM purchases WHERE app_id=? AND user_id=? ORDER BY seq", (app_id, user_id)
            ).fetchall()
        return [self.to_purchase(r) for r in rows if r["state"] in LISTED[r["product_type"]]]

    def purchase_info(self, purchase_id: str, app_id: str, user_id: str) -> Purchase:
        self._take_forced("purchase_info", user_id)
        self.process_due()
        with self.db.transaction() as conn:
            caller = self._caller(conn, app_id, user_id, purchase=False)
            return self.to_purchase(self._owned_row(conn, caller, purchase_id))

    # ------------------------------------------------------------------ timed events

    def _due_by_app(self, conn: sqlite3.Connection) -> list[tuple[float, str]]:
        """(when on the sandbox's clock, app) of each app's next timed event."""
        rows = conn.execute(
            "SELECT app_id, MIN(due_at) AS due FROM purchases WHERE due_at IS NOT NULL GROUP BY app_id"
        ).fetchall()
        return sorted((float(r["due"]) - self.app_ahead(r["app_id"]), r["app_id"]) for r in rows)

    def next_due(self) -> float | None:
        """When, on the sandbox's clock, the next timed event of any app falls due."""
        with self.db.transaction(immediate=False) as conn:
            due = self._due_by_app(conn)
        return due[0][0] if due else None

    def process_due(self) -> int:
        """Fire every timed event whose virtual time has come, oldest first; returns how many fired."""
        now = self.now()
        fired = 0
        while True:
            with self.db.transaction() as conn:
                due = self._due_by_app(conn)
                if not due or due[0][0] > now:
                    break
                row = conn.execute(
                    "SELECT * FROM purchases WHERE app_id=? AND due_at IS NOT NULL "
                    "ORDER BY due_at, seq LIMIT 1",
                    (due[0][1],),
                ).fetchone()
                self._fire(conn, row)
                fired += 1
        if fired:
            self._changed()
        return fired

    def _fire(self, conn: sqlite3.Connection, row: sqlite3.Row) -> None:
        at = float(row["due_at"])
        kind = row["due_kind"]
        settings = self._settings(conn)
        clear = {"due_at": None, "due_kind": None}
        if kind == "auto_cancel":
            self._transition(
                conn,
                row,
                Event.AUTO_CANCEL,
                f"unpaid for {settings.autoCancelMinutes:g} minutes",
                at,
                cancel_cause="auto_cancel",
                pending=None,
                **clear,
            )
        elif kind == "settle":
            self._settle(
                conn, row, PaymentMethod(row["payment_method"]), at, cause="bank settled the payment"
            )
        elif kind == "renewal":
            if not row["auto_renew"] or row["charges"] >= settings.maxCharges:
                why = (
                    "cancelled; period ended"
                    if not row["auto_renew"]
                    else f"{settings.maxCharges} charges made"
                )
                self._transition(conn, row, Event.PERIOD_END, why, at, **clear)
            elif self._take_renewal(conn, row["purchase_id"]) == RenewalOutcome.APPROVE:
                period_end = at + settings.renewalMinutes * 60
                self._transition(
                    conn,
                    row,
                    Event.RENEW,
                    f"renewal charge {row['charges'] + 1}",
                    at,
                    charges=row["charges"] + 1,
                    period_end=period_end,
                    due_at=period_end,
                    due_kind="renewal",
                )
            else:
                self._renewal_failed(conn, row, at, settings)
        elif kind == "retry":
            if not row["auto_renew"]:
                self._transition(conn, row, Event.CLOSE, "cancelled while paused", at, **clear)
            elif self._take_renewal(conn, row["purchase_id"]) == RenewalOutcome.APPROVE:
                period_end = at + settings.renewalMinutes * 60
                self._transition(
                    conn,
                    row,
                    Event.RETRY_OK,
                    "retry charge succeeded",
                    at,
                    charges=row["charges"] + 1,
                    failed_attempts=0,
                    period_end=period_end,
                    due_at=period_end,
                    due_kind="renewal",
                )
            else:
                self._renewal_failed(conn, row, at, settings)
        else:
            conn.execute(
                "UPDATE purchases SET due_at=NULL, due_kind=NULL WHERE purchase_id=?", (row["purchase_id"],)
            )

    def _renewal_failed(
        self, conn: sqlite3.Connection, row: sqlite3.Row, at: float, settings: Settings
    ) -> None:
        failed = row["failed_attempts"] + 1
        if failed >= settings.maxRenewalAttempts:
            self._transition(
                conn,
                row,
                Event.ATTEMPTS_EXHAUSTED,
                f"{failed} charge attempts failed",
                at,
                failed_attempts=failed,
                due_at=None,
                due_kind=None,
            )
            return
        event = Event.RENEW_FAIL
        self._transition(
            conn,
            row,
            event,
            f"charge attempt {failed} failed",
            at,
            failed_attempts=failed,
            due_at=at + settings.retryMinutes * 60,
            due_kind="retry",
        )

    @staticmethod
    def _take_renewal(conn: sqlite3.Connection, purchase_id: str) -> RenewalOutcome:
        row = conn.execute(
            "SELECT * FROM renewal_outcomes WHERE purchase_id IS NULL OR purchase_id=? "
            "ORDER BY purchase_id IS NULL, id LIMIT 1",
            (purchase_id,),
        ).fetchone()
        if row is None:
            return RenewalOutcome.APPROVE
        if not row["sticky"]:
            conn.execute("DELETE FROM renewal_outcomes WHERE id=?", (row["id"],))
        return RenewalOutcome(row["outcome"])

    # ------------------------------------------------------------------ public API data

    def purchase_by_token(self, invoice_id: str, user_id: str | None) -> sqlite3.Row | None:
        """The purchase (joined with its app) of an invoice; ``user_id`` None: any purchaser."""
        self.process_due()
        with self.db.transaction(immediate=False) as conn:
            return conn.execute(
                "SELECT p.*, a.package_name, a.name AS app_name, a.owner_code, a.owner_name, a.image_url "
                "FROM purchases p JOIN apps a ON a.app_id = p.app_id "
                "WHERE p.invoice_id=? AND (? IS NULL OR p.user_id=?)",
                (invoice_id, user_id, user_id),
            ).fetchone()
