"""Assembles the sandbox service: storage, clock, scheduler and the three APIs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from harness.sim.latency import LatencyMiddleware, sandbox_delay

from . import billing_api, control_api, public_api
from .auth import PublicAuth
from .catalog import read_catalog
from .clock import VirtualClock
from .control_store import Sandbox
from .db import Database
from .errors import SandboxError
from .scheduler import Scheduler

log = logging.getLogger(__name__)

DESCRIPTION = """A controllable RuStore billing sandbox for tests.

* **billing** (`/billing/v1`): what the virtual RuStore SDK calls for each SDK operation.
* **public API** (`/public`): RuStore's server API (auth, purchase by token, subscription state).
* **control** (`/control/v1`): outcomes, forced errors, virtual clock, refunds, flags, audit.

Everything it produces is a sandbox purchase (`sandbox: true`). See docs/sandbox.md.
"""


def _restore_clock(db: Database) -> VirtualClock:
    """A restarted sandbox continues the virtual time it had (jumps included)."""
    with db.transaction(immediate=False) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key='clock'").fetchone()
    if row is None:
        return VirtualClock()
    saved = json.loads(row["value"])
    real_elapsed = max(0.0, datetime.now(UTC).timestamp() - saved["wall"])
    start = datetime.fromtimestamp(saved["virtual"], UTC) + timedelta(seconds=real_elapsed * saved["rate"])
    return VirtualClock(start=start, rate=saved["rate"])


def _persist_clock(db: Database, clock: VirtualClock) -> None:
    value = json.dumps(
        {"virtual": clock.timestamp(), "wall": datetime.now(UTC).timestamp(), "rate": clock.rate}
    )
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('clock', ?) "
            "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
            (value,),
        )


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """Missing attributes -> 40014, malformed ones -> 40001 (CONTRACT §5.1), not FastAPI's 422."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    missing = [e for e in errors if e.get("type") == "missing"]
    chosen = missing[0] if missing else errors[0]
    where = ".".join(str(p) for p in chosen.get("loc", ()) if p != "body")
    code = 40014 if missing else 40001
    return JSONResponse(
        status_code=400,
        content={"errorCode": code, "message": f"{where}: {chosen.get('msg')}", "simpleName": None},
    )


def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug or a storage failure: logged here, answered like RuStore's internal error (50000)."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        status_code=500,
        content={"errorCode": 50000, "message": "Payment service internal error", "simpleName": None},
    )


def _sandbox_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SandboxError)
    return JSONResponse(status_code=exc.status, content=exc.body())


def create_app(
    db_path: Path,
    catalog_path: Path | None = None,
    *,
    clock: VirtualClock | None = None,
    wall_clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The sandbox as an ASGI app; state lives in ``db_path`` (shared with any restarted instance).

    ``wall_clock`` is the REAL clock the public API checks auth timestamps and token lifetimes
    against; tests inject one to expire tokens without sleeping.
    """
    db = Database(Path(db_path))
    clock = clock or _restore_clock(db)
    wall = wall_clock or (lambda: datetime.now(UTC))
    sandbox = Sandbox(db, clock, read_catalog(catalog_path), wall)
    auth = PublicAuth(db, wall)
    scheduler = Scheduler(sandbox)
    unsubscribe_persist = clock.subscribe(lambda: _persist_clock(db, clock))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        sandbox.process_due()
        scheduler.arm()
        try:
            yield
        finally:
            scheduler.close()
            unsubscribe_persist()
            db.close()

    app = FastAPI(title="RuStore sandbox", version="1.0", description=DESCRIPTION, lifespan=lifespan)
    app.add_middleware(LatencyMiddleware, delay=sandbox_delay)  # a device's realistic profile: ~150 ms
    app.state.sandbox = sandbox
    app.state.auth = auth
    app.state.clock = clock
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SandboxError, _sandbox_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.include_router(billing_api.build_router(sandbox))
    app.include_router(public_api.build_router(sandbox, auth))
    app.include_router(control_api.build_router(sandbox, auth))
    return app
