"""``python -m game_server`` as a real process: flags, environment, loopback only."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fake_rustore_public_api import FakePurchase, pkcs8_pem
from game_server_fixtures import KEY_ID, PACKAGE, claim

Buy = Callable[..., FakePurchase]
SERVER_DIR = Path(__file__).resolve().parents[2] / "sample_app" / "server"


@contextmanager
def running(args: list[str], env: dict[str, str]) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "game_server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SERVER_DIR), **env},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server announces its bound URL
        assert line.startswith("game_server listening on http://127.0.0.1:"), (line, process.stderr)
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_flags_run_a_working_server(
    tmp_path: Path, fake_api: tuple[object, str], private_key: object, buy: Buy
) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_text(pkcs8_pem(private_key))  # type: ignore[arg-type]
    args = ["--port", "0", "--db", str(tmp_path / "gs.db"), "--rustore-url", fake_api[1]]
    args += ["--key-id", KEY_ID, "--private-key", str(key_file), "--package", PACKAGE]
    purchase = buy("NON_CONSUMABLE")
    with running(args, {}) as url:
        answer = httpx.post(f"{url}/v1/purchases/validate", json=claim(purchase), timeout=30).json()
    assert (answer["code"], answer["alreadyGranted"]) == (0, False)
    assert (tmp_path / "gs.db").exists()


def test_environment_variables_configure_it(
    tmp_path: Path, fake_api: tuple[object, str], private_key: object, buy: Buy
) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_text(pkcs8_pem(private_key))  # type: ignore[arg-type]
    env = {
        "GAME_SERVER_PORT": "0",
        "GAME_SERVER_DB": str(tmp_path / "env.db"),
        "RUSTORE_PUBLIC_API_URL": fake_api[1],
        "RUSTORE_KEY_ID": KEY_ID,
        "RUSTORE_PRIVATE_KEY_FILE": str(key_file),
        "GAME_SERVER_PACKAGE": PACKAGE,
    }
    purchase = buy("CONSUMABLE")
    with running([], env) as url:
        answer = httpx.post(f"{url}/v1/purchases/validate", json=claim(purchase), timeout=30).json()
    assert answer["code"] == 0


def test_missing_settings_are_reported_not_crashed(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "game_server", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("RUSTORE_", "GAME_SERVER_"))}
        | {"PYTHONPATH": str(SERVER_DIR)},
        timeout=60,
    )
    assert result.returncode == 2
    assert "--key-id" in result.stderr and "--private-key" in result.stderr
