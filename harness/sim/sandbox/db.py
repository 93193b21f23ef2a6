"""SQLite storage of the sandbox: WAL, a busy timeout, and explicit transactions.

Each thread keeps its own connection (sqlite3 connections must not be shared across threads
while in use). Every check-then-write runs inside ``BEGIN IMMEDIATE``, which takes the database's
write lock up front: two devices buying the same product at once serialize here, so the second
one sees the first one's invoice (40009) instead of both passing the check.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS apps (
    app_id TEXT PRIMARY KEY,
    package_name TEXT NOT NULL,
    name TEXT NOT NULL,
    owner_code TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    image_url TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    purchases_enabled INTEGER NOT NULL DEFAULT 1,
    banned INTEGER NOT NULL DEFAULT 0,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    tester INTEGER NOT NULL DEFAULT 1,
    banned INTEGER NOT NULL DEFAULT 0,
    authorized INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS products (
    app_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    product_type TEXT NOT NULL,
    price INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ACTIVE',
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL,
    PRIMARY KEY (app_id, product_id)
);
CREATE TABLE IF NOT EXISTS purchases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    purchase_id TEXT NOT NULL UNIQUE,
    invoice_id TEXT UNIQUE,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    product_type TEXT NOT NULL,
    order_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    developer_payload TEXT,
    language TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    amount_label TEXT NOT NULL,
    description TEXT,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    payment_method TEXT,
    cancel_cause TEXT,
    pending TEXT,
    error_json TEXT,
    due_at REAL,
    due_kind TEXT,
    charges INTEGER NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    auto_renew INTEGER NOT NULL DEFAULT 1,
    period_end REAL,
    UNIQUE (app_id, order_id)
);
CREATE INDEX IF NOT EXISTS purchases_owner ON purchases (app_id, user_id, product_id, state);
CREATE INDEX IF NOT EXISTS purchases_due ON purchases (due_at);
CREATE TABLE IF NOT EXISTS transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purchase_id TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    cause TEXT NOT NULL,
    virtual_time REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS transitions_purchase ON transitions (purchase_id);
CREATE TABLE IF NOT EXISTS payment_outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    method TEXT,
    user_id TEXT,
    outcome TEXT NOT NULL,
    settlement_delay REAL NOT NULL DEFAULT 0,
    sticky INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS forced_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    user_id TEXT,
    error_code INTEGER,
    simple_name TEXT,
    message TEXT,
    sticky INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS renewal_outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purchase_id TEXT,
    outcome TEXT NOT NULL,
    sticky INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    public_key_pem TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    issued_at REAL NOT NULL
);
"""


class Database:
    """One SQLite file shared by every request thread (and by a restarted sandbox)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        conn = self.connection()
        conn.execute("PRAGMA journal_mode=WAL")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` (default) or a read-only ``BEGIN``; commit on success, else roll back."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()
