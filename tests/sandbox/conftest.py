"""Fixtures: a sandbox per test on its own SQLite file, frozen virtual clock, injectable wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from harness.sim.sandbox import VirtualClock, create_app
from harness.sim.sandbox.client import SandboxClient
from harness.sim.sandbox.serve import ServedApp

APP_ID = "2063590001"
START = datetime(2026, 11, 22, 5, 0, 0, tzinfo=UTC)


@dataclass
class WallClock:
    """The sandbox's REAL clock as tests see it: moved by hand, never by sleeping."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sandbox.db"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START, rate=0.0)


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def app(db_path: Path, clock: VirtualClock, wall: WallClock) -> FastAPI:
    return create_app(db_path, clock=clock, wall_clock=wall)


@pytest.fixture
def http(app: FastAPI) -> Iterator[TestClient]:
    """In-process HTTP (ASGI) for the bulk of the tests."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def sandbox(http: TestClient) -> Iterator[SandboxClient]:
    """The typed client over the in-process app."""
    client = SandboxClient("http://sandbox", transport=_TestTransport(http))
    yield client
    client.close()


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The same app on a real loopback socket (uvicorn)."""
    with ServedApp(app) as url:
        yield url


@pytest.fixture
def remote(served: str) -> Iterator[SandboxClient]:
    """The typed client over real HTTP on 127.0.0.1."""
    with SandboxClient(served) as client:
        yield client


class _TestTransport(httpx.BaseTransport):
    """Routes the typed client's requests into a TestClient (same ASGI app, no socket)."""

    def __init__(self, client: TestClient) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._client.request(
            request.method,
            request.url.raw_path.decode(),
            content=request.read(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)
