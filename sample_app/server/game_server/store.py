"""Entitlements in SQLite (WAL): one row per purchase token, so a token can be granted only once.

Idempotency lives in the schema, not in application locks: the token is the primary key and a grant
is ``INSERT OR IGNORE``. Two concurrent validations of the same token both reach the insert; SQLite
serialises the writers and exactly one row results — the loser sees ``rowcount == 0`` and answers
``alreadyGranted: true``. Each thread keeps its own connection (opening one costs ~0.5 ms, more than
the query), so no sqlite3 object is ever shared between threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entitlements (
    subscription_token TEXT PRIMARY KEY,
    invoice_id         TEXT NOT NULL UNIQUE,
    user_id            TEXT NOT NULL,
    purchase_id        TEXT NOT NULL,
    product_id         TEXT NOT NULL,
    product_type       TEXT NOT NULL,
    quantity           INTEGER NOT NULL,
    amount             INTEGER,
    currency           TEXT,
    granted_at         TEXT NOT NULL,
    consumed_at        TEXT
);
CREATE INDEX IF NOT EXISTS entitlements_by_user ON entitlements(user_id, granted_at);
"""


@dataclass(frozen=True)
class Entitlement:
    subscription_token: str
    invoice_id: str
    user_id: str
    purchase_id: str
    product_id: str
    product_type: str
    quantity: int
    amount: int | None
    currency: str | None
    granted_at: str
    consumed_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """camelCase, like the rest of the server's API."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            head, *rest = key.split("_")
            out[head + "".join(part.title() for part in rest)] = value
        return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class EntitlementStore:
    """The game server's own record of what it granted and what was consumed."""

    def __init__(self, db_path: Path) -> None:
        self._path = Path(db_path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (closed when the thread ends and its locals are dropped)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30.0, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (BEGIN IMMEDIATE) so read-then-write never races."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def grant(self, entitlement: Entitlement) -> tuple[Entitlement, bool]:
        """Record the grant; returns the stored row and whether it existed already."""
        row = asdict(entitlement)
        with self._write() as conn:
            cursor = conn.execute(
                f"INSERT OR IGNORE INTO entitlements ({', '.join(row)}) "
                f"VALUES ({', '.join(':' + k for k in row)})",
                {**row, "granted_at": entitlement.granted_at or _now()},
            )
            inserted = cursor.rowcount == 1
            stored = self._by_token(conn, entitlement.subscription_token)
        if stored is None:  # the invoice is held under a different token: not the same purchase
            raise LookupError("invoice already granted under another token")
        return stored, not inserted

    def get(self, subscription_token: str) -> Entitlement | None:
        with self._connect() as conn:
            return self._by_token(conn, subscription_token)

    def mark_consumed(self, subscription_token: str) -> tuple[Entitlement, bool]:
        """Set ``consumed_at`` once; returns the row and whether it had been consumed before."""
        with self._write() as conn:
            current = self._by_token(conn, subscription_token)
            if current is None:
                raise LookupError(subscription_token)
            if current.consumed_at is not None:
                return current, True
            conn.execute(
                "UPDATE entitlements SET consumed_at = ? WHERE subscription_token = ?",
                (_now(), subscription_token),
            )
            updated = self._by_token(conn, subscription_token)
        assert updated is not None
        return updated, False

    def for_user(self, user_id: str) -> list[Entitlement]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM entitlements WHERE user_id = ? ORDER BY granted_at, invoice_id", (user_id,)
            ).fetchall()
        return [Entitlement(**dict(r)) for r in rows]

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM entitlements").fetchone()[0])

    @staticmethod
    def _by_token(conn: sqlite3.Connection, token: str) -> Entitlement | None:
        row = conn.execute("SELECT * FROM entitlements WHERE subscription_token = ?", (token,)).fetchone()
        return Entitlement(**dict(row)) if row is not None else None


def now_iso() -> str:
    """Timestamp format of ``granted_at``/``consumed_at`` (UTC, milliseconds)."""
    return _now()
