"""``python -m harness.sim.sandbox`` runs the service on loopback with its state in --db."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.sim.sandbox.client import SandboxClient
from harness.sim.sandbox.serve import bind_loopback


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db = tmp_path / "standalone.db"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.sim.sandbox",
            "--port",
            "0",
            "--db",
            str(db),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()  # printed once the socket listens
        url = banner.split()[3]
        yield url, db
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_standalone_service_on_loopback(standalone: tuple[str, Path]) -> None:
    url, db = standalone
    assert url.startswith("http://127.0.0.1:")
    with SandboxClient(url) as client:
        bought = client.buy("cli-user", "con1", "SBP")
        assert bought.purchase.purchaseState == "PAID" and bought.purchase.sandbox is True
        assert client.clock().rate == 1.0  # a standalone sandbox runs in real time until told otherwise
    assert db.exists()


SERVER_PACKAGES = ("fastapi", "uvicorn", "starlette", "yaml")
CLIENT_MODULES = ("client", "schemas", "signing")


def server_modules_loaded_by(statement: str) -> list[str]:
    probe = (
        f"import sys; {statement}; "
        f"print(','.join(m for m in sys.modules if m.split('.')[0] in {SERVER_PACKAGES!r} "
        f"or (m.startswith('harness.sim.sandbox.') and m.rsplit('.', 1)[1] not in {CLIENT_MODULES!r})))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_client_imports_no_server_code() -> None:
    """The harness may import the client anywhere; it must not drag the service in with it."""
    assert server_modules_loaded_by("import harness.sim.sandbox.client") == []
    assert "fastapi" in server_modules_loaded_by("import harness.sim.sandbox.app")  # the probe can fail


def test_loopback_socket_is_tcp_so_responses_are_not_nagled() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; 0 cost ~40 ms per keep-alive call."""
    sock = bind_loopback(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
