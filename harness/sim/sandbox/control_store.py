"""The control API's operations on the sandbox (what tests script: StoreKit Test's role).

Kept apart from :mod:`.store` so the billing rules read on their own; the control side reuses the
same helpers, so a refund or a subscription pause goes through the same state machines and audit.
"""

from __future__ import annotations

import sqlite3

from .catalog import load_catalog, upsert_product
from .errors import IllegalTransition, SandboxError
from .machine import Event
from .schemas import (
    App,
    AuditListing,
    AuditPurchase,
    CatalogProduct,
    ForcedErrorRule,
    OutcomeRule,
    Product,
    ProductType,
    Purchase,
    PurchaseState,
    RenewalRule,
    Settings,
    SettingsPatch,
    Transition,
    User,
)
from .store import OPERATIONS, SandboxCore, invoice_status, iso

S = PurchaseState


class Sandbox(SandboxCore):
    """The whole sandbox: billing operations plus the controls tests use."""

    # ------------------------------------------------------------------ control API

    def reset(self, user_id: str | None) -> None:
        with self.db.transaction() as conn:
            if user_id is None:
                for table in (
                    "purchases",
                    "transitions",
                    "users",
                    "payment_outcomes",
                    "forced_errors",
                    "renewal_outcomes",
                ):
                    conn.execute(f"DELETE FROM {table}")
                conn.execute("DELETE FROM sqlite_sequence WHERE name IN ('purchases','transitions')")
                conn.execute("DELETE FROM products")
                conn.execute("DELETE FROM apps")
                conn.execute("DELETE FROM meta WHERE key='app_clocks'")
                self._app_ahead.clear()
                self.user_defaults = load_catalog(conn, self.catalog)
                self._save_settings(conn, Settings())
            else:
                conn.execute(
                    "DELETE FROM transitions WHERE purchase_id IN "
                    "(SELECT purchase_id FROM purchases WHERE user_id=?)",
                    (user_id,),
                )
                for table in ("purchases", "users", "payment_outcomes", "forced_errors"):
                    conn.execute(f"DELETE FROM {table} WHERE user_id=?", (user_id,))
        self._changed()

    def update_settings(self, patch: SettingsPatch) -> Settings:
        with self.db.transaction() as conn:
            current = self._settings(conn)
            updated = current.model_copy(update=patch.model_dump(exclude_none=True))
            self._save_settings(conn, updated)
            if updated.autoCancelMinutes != current.autoCancelMinutes:
                conn.execute(
                    "UPDATE purchases SET due_at=created_at+? WHERE due_kind='auto_cancel'",
                    (updated.autoCancelMinutes * 60,),
                )
        self._changed()
        self.process_due()
        return updated

    def add_outcome(self, rule: OutcomeRule) -> int:
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO payment_outcomes (method, user_id, outcome, settlement_delay, sticky) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    rule.method.value if rule.method else None,
                    rule.userId,
                    rule.outcome.value,
                    rule.settlementDelaySeconds,
                    int(rule.sticky),
                ),
            )
            return int(cur.lastrowid or 0)

    def clear_outcomes(self) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM payment_outcomes")

    def add_forced_error(self, rule: ForcedErrorRule) -> int:
        if rule.operation not in OPERATIONS:
            raise SandboxError(40001, f"operation must be one of {', '.join(OPERATIONS)}")
        if (rule.errorCode is None) == (rule.simpleName is None):
            raise SandboxError(40001, "give exactly one of errorCode and simpleName")
        if rule.errorCode is not None and not 40000 <= rule.errorCode <= 59999:
            raise SandboxError(40001, "errorCode must be a CONTRACT §5.1 code (4xxxx or 5xxxx)")
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO forced_errors (operation, user_id, error_code, simple_name, message, sticky) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rule.operation,
                    rule.userId,
                    rule.errorCode,
                    rule.simpleName,
                    rule.message,
                    int(rule.sticky),
                ),
            )
            return int(cur.lastrowid or 0)

    def clear_forced_errors(self) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM forced_errors")

    def add_renewal_outcome(self, purchase_id: str | None, rule: RenewalRule) -> int:
        with self.db.transaction() as conn:
            if purchase_id is not None:
                self._purchase_row(conn, purchase_id)
            cur = conn.execute(
                "INSERT INTO renewal_outcomes (purchase_id, outcome, sticky) VALUES (?, ?, ?)",
                (purchase_id, rule.outcome.value, int(rule.sticky)),
            )
            return int(cur.lastrowid or 0)

    def refund(self, purchase_id: str) -> Purchase:
        """CONTRACT §10.17: PAID -> reversal (two-stage) or refund (one-stage).

        A CONFIRMED non-consumable is refunded; anything else is refused (40015).
        """
        self.process_due()
        with self.db.transaction() as conn:
            row = self._purchase_row(conn, purchase_id)
            cause = self._return_cause(row)
            self._transition(
                conn,
                row,
                Event.REFUND,
                f"payment return ({cause})",
                self.now(row["app_id"]),
                cancel_cause=cause,
                due_at=None,
                due_kind=None,
            )
            result = self.to_purchase(self._purchase_row(conn, purchase_id))
        self._changed()
        return result

    def subscription_control(self, purchase_id: str, action: str) -> Purchase:
        """pause / resume / terminate / close / cancel (auto-renew off: CLOSED at the period's end)."""
        self.process_due()
        with self.db.transaction() as conn:
            row = self._purchase_row(conn, purchase_id)
            ptype = row["product_type"]
            if ptype != ProductType.SUBSCRIPTION:
                raise IllegalTransition(ptype, row["state"], action)
            now = self.now(row["app_id"])
            settings = self._settings(conn)
            clear = {"due_at": None, "due_kind": None}
            if action == "pause":
                self._transition(conn, row, Event.PAUSE, "paused via control API", now, **clear)
            elif action == "resume":
                period_end = now + settings.renewalMinutes * 60
                self._transition(
                    conn,
                    row,
                    Event.RESUME,
                    "resumed via control API",
                    now,
                    failed_attempts=0,
                    period_end=period_end,
                    due_at=period_end,
                    due_kind="renewal",
                )
            elif action == "terminate":
                self._transition(conn, row, Event.TERMINATE, "terminated via control API", now, **clear)
            elif action == "close":
                self._transition(conn, row, Event.CLOSE, "closed via control API", now, **clear)
            elif action == "cancel":
                if row["state"] not in (S.CONFIRMED, S.PAUSED) or not row["auto_renew"]:
                    raise IllegalTransition(ptype, row["state"], "cancel")
                conn.execute("UPDATE purchases SET auto_renew=0 WHERE purchase_id=?", (purchase_id,))
            else:
                raise SandboxError(40001, f"unknown subscription action {action}")
            result = self.to_purchase(self._purchase_row(conn, purchase_id))
        self._changed()
        return result

    def set_user(
        self, user_id: str, banned: bool | None, tester: bool | None, authorized: bool | None
    ) -> User:
        with self.db.transaction() as conn:
            self._ensure_user(conn, user_id)
            for column, value in (("banned", banned), ("tester", tester), ("authorized", authorized)):
                if value is not None:
                    conn.execute(f"UPDATE users SET {column}=? WHERE user_id=?", (int(value), user_id))
            return self._to_user(self._ensure_user(conn, user_id))

    def get_user(self, user_id: str) -> User:
        with self.db.transaction() as conn:
            return self._to_user(self._ensure_user(conn, user_id))

    @staticmethod
    def _to_user(row: sqlite3.Row) -> User:
        return User(
            userId=row["user_id"],
            banned=bool(row["banned"]),
            tester=bool(row["tester"]),
            authorized=bool(row["authorized"]),
        )

    def apps(self) -> list[App]:
        with self.db.transaction(immediate=False) as conn:
            rows = conn.execute("SELECT * FROM apps ORDER BY is_default DESC, app_id").fetchall()
        return [self._to_app(r) for r in rows]

    def default_app_id(self) -> str:
        return self.apps()[0].appId

    @staticmethod
    def _to_app(row: sqlite3.Row) -> App:
        return App(
            appId=row["app_id"],
            packageName=row["package_name"],
            name=row["name"],
            ownerCode=row["owner_code"],
            ownerName=row["owner_name"],
            imageUrl=row["image_url"],
            active=bool(row["active"]),
            purchasesEnabled=bool(row["purchases_enabled"]),
            banned=bool(row["banned"]),
        )

    def put_app(self, app: App) -> App:
        with self.db.transaction() as conn:
            conn.execute(
                """INSERT INTO apps (app_id, package_name, name, owner_code, owner_name, image_url, active,
                                     purchases_enabled, banned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (app_id) DO UPDATE SET package_name=excluded.package_name, name=excluded.name,
                       owner_code=excluded.owner_code, owner_name=excluded.owner_name,
                       image_url=excluded.image_url, active=excluded.active,
                       purchases_enabled=excluded.purchases_enabled, banned=excluded.banned""",
                (
                    app.appId,
                    app.packageName,
                    app.name,
                    app.ownerCode,
                    app.ownerName,
                    app.imageUrl,
                    int(app.active),
                    int(app.purchasesEnabled),
                    int(app.banned),
                ),
            )
            for product in self.catalog.get("products", []):
                upsert_product(conn, app.appId, product, keep_flags=True)
            return self._to_app(self._app(conn, app.appId))

    def set_app_flags(
        self, app_id: str, active: bool | None, purchases_enabled: bool | None, banned: bool | None
    ) -> App:
        with self.db.transaction() as conn:
            self._app(conn, app_id)
            for column, value in (
                ("active", active),
                ("purchases_enabled", purchases_enabled),
                ("banned", banned),
            ):
                if value is not None:
                    conn.execute(f"UPDATE apps SET {column}=? WHERE app_id=?", (int(value), app_id))
            return self._to_app(self._app(conn, app_id))

    def set_product_flags(
        self, app_id: str, product_id: str, status: str | None, deleted: bool | None
    ) -> Product:
        if status is not None and status not in ("ACTIVE", "INACTIVE"):
            raise SandboxError(40001, "status must be ACTIVE or INACTIVE")
        with self.db.transaction() as conn:
            if (
                conn.execute(
                    "SELECT 1 FROM products WHERE app_id=? AND product_id=?", (app_id, product_id)
                ).fetchone()
                is None
            ):
                raise SandboxError(40005, f"Product {product_id} not found")
            if status is not None:
                conn.execute(
                    "UPDATE products SET status=? WHERE app_id=? AND product_id=?",
                    (status, app_id, product_id),
                )
            if deleted is not None:
                conn.execute(
                    "UPDATE products SET deleted=? WHERE app_id=? AND product_id=?",
                    (int(deleted), app_id, product_id),
                )
            row = conn.execute(
                "SELECT * FROM products WHERE app_id=? AND product_id=?", (app_id, product_id)
            ).fetchone()
            return self._to_product(row, None)

    def put_product(self, product: CatalogProduct) -> Product:
        app_id = product.appId or self.default_app_id()
        with self.db.transaction() as conn:
            self._app(conn, app_id)
            upsert_product(
                conn,
                app_id,
                {
                    "productId": product.productId,
                    "type": product.type,
                    "price": product.price,
                    "currency": product.currency,
                    "status": product.status,
                    "deleted": product.deleted,
                    "imageUrl": product.imageUrl,
                    "promoImageUrl": product.promoImageUrl,
                    "localizations": product.localizations,
                    "subscription": product.subscription,
                },
                keep_flags=False,
            )
            row = conn.execute(
                "SELECT * FROM products WHERE app_id=? AND product_id=?", (app_id, product.productId)
            ).fetchone()
            return self._to_product(row, None)

    def audit(self, user_id: str | None = None, purchase_id: str | None = None) -> AuditListing:
        self.process_due()
        where, args = [], []
        if user_id is not None:
            where.append("user_id=?")
            args.append(user_id)
        if purchase_id is not None:
            where.append("purchase_id=?")
            args.append(purchase_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self.db.transaction(immediate=False) as conn:
            rows = conn.execute(f"SELECT * FROM purchases {clause} ORDER BY seq", args).fetchall()
            ids = [r["purchase_id"] for r in rows]
            marks = ",".join("?" * len(ids))
            transitions = (
                conn.execute(
                    f"SELECT * FROM transitions WHERE purchase_id IN ({marks}) ORDER BY id",
                    ids,
                ).fetchall()
                if ids
                else []
            )
        return AuditListing(
            purchases=[
                AuditPurchase(
                    purchase=self.to_purchase(r),
                    appId=r["app_id"],
                    userId=r["user_id"],
                    cancelCause=r["cancel_cause"],
                    invoiceStatus=invoice_status(r),
                    pending=r["pending"],
                    dueAt=iso(r["due_at"]),
                    dueKind=r["due_kind"],
                    charges=r["charges"],
                    autoRenew=bool(r["auto_renew"]),
                    periodEnd=iso(r["period_end"]),
                )
                for r in rows
            ],
            transitions=[
                Transition(
                    id=t["id"],
                    purchaseId=t["purchase_id"],
                    fromState=S(t["from_state"]) if t["from_state"] else None,
                    toState=S(t["to_state"]),
                    cause=t["cause"],
                    virtualTime=iso(t["virtual_time"]) or "",
                )
                for t in transitions
            ],
        )
