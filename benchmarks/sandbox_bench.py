"""Complete purchase flows per second through the RuStore sandbox and the game's own server.

Starts two real services on loopback, each in its own process (so both cores can work):
``python -m harness.sim.sandbox`` and ``python -m game_server`` (credentials issued by the
sandbox's control API). Clients then run complete flows, each the way the sample game does it:

* consumable ``con1``:   create → pay (CARD) → validate (game server) → confirm → consume (game server)
* non-consumable ``non_con1`` for a fresh user: create → pay → validate (game server)

The seed's flow validates BEFORE confirming (a consumable is granted while PAID; CONFIRM makes it
CONSUMED), so that is the order used. Every answer is checked (a wrong code aborts the run) and the
game server's entitlement count is compared with the flows completed.

    .venv/bin/python benchmarks/sandbox_bench.py [--seconds 5] [--concurrency 1 8]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from harness.sim.sandbox.client import SandboxClient

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def service(
    args: list[str], announce: str, log_file: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run ``python <args>``; yield the URL it prints on its first stdout line; stop it after."""
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, *args],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # blocks until the socket is bound and listening
            if announce not in line:
                raise RuntimeError(f"{args[1]} did not start: {line!r}; see {log_file}")
            yield next(word for word in line.split() if word.startswith("http://"))
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Run:
    flows: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def expect_ok(response: httpx.Response, what: str, **fields: object) -> dict[str, object]:
    body = response.json()
    if (
        response.status_code != 200
        or body.get("code") != 0
        or any(body.get(k) != v for k, v in fields.items())
    ):
        raise RuntimeError(f"{what}: HTTP {response.status_code} {body}")
    return dict(body)


def consumable_flow(store: SandboxClient, game: httpx.Client, user: str) -> None:
    created = store.create_purchase(user, "con1")
    paid = store.pay(user, created.purchaseId, "CARD")
    if paid.type != "Success":
        raise RuntimeError(f"pay: {paid}")
    claim = {
        "purchaseId": created.purchaseId,
        "productId": "con1",
        "subscriptionToken": created.subscriptionToken,
    }
    expect_ok(game.post("/v1/purchases/validate", json=claim), "validate", alreadyGranted=False)
    store.confirm(user, created.purchaseId)
    expect_ok(game.post("/v1/purchases/consume", json=claim), "consume", alreadyConsumed=False)


def non_consumable_flow(store: SandboxClient, game: httpx.Client, user: str) -> None:
    created = store.create_purchase(user, "non_con1")
    store.pay(user, created.purchaseId, "SBP")
    claim = {
        "purchaseId": created.purchaseId,
        "productId": "non_con1",
        "subscriptionToken": created.subscriptionToken,
    }
    expect_ok(game.post("/v1/purchases/validate", json=claim), "validate", alreadyGranted=False)


Flow = Callable[[SandboxClient, httpx.Client, str], None]


def run_clients(
    sandbox_url: str, game_url: str, flow: Flow, fresh_user: bool, clients: int, seconds: float, tag: str
) -> tuple[Run, float, list[str]]:
    """``clients`` threads, each with its own connections and user(s), for ``seconds``."""
    run = Run()
    users: list[str] = []
    deadline = [0.0]
    began = [0.0]

    def open_the_gate() -> None:  # runs once, when every client is warm, before any is released
        began[0] = time.perf_counter()
        deadline[0] = began[0] + seconds

    start_together = threading.Barrier(clients, action=open_the_gate)
    failures: list[BaseException] = []

    def client(index: int) -> None:
        ids = itertools.count()
        with SandboxClient(sandbox_url) as store, httpx.Client(base_url=game_url, timeout=30) as game:
            flow(store, game, f"warmup-{tag}-{index}")  # connections open, code paths warm
            start_together.wait()
            while time.perf_counter() < deadline[0]:
                user = f"{tag}-{index}-{next(ids)}" if fresh_user else f"{tag}-{index}"
                began = time.perf_counter()
                try:
                    flow(store, game, user)
                except BaseException as exc:
                    failures.append(exc)
                    return
                with run.lock:
                    run.flows += 1
                    run.latencies_ms.append((time.perf_counter() - began) * 1000)
                    if user not in users:
                        users.append(user)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began[0]
    if failures:
        raise RuntimeError(f"{tag}: a flow failed") from failures[0]
    return run, elapsed, users


def count_entitlements(game_url: str, users: list[str]) -> int:
    with httpx.Client(base_url=game_url, timeout=30) as game:
        return sum(
            len(game.get("/v1/entitlements", params={"userId": user}).json()["entitlements"])
            for user in users
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per figure")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        sandbox_url = stack.enter_context(
            service(
                [
                    "-m",
                    "harness.sim.sandbox",
                    "--port",
                    "0",
                    "--db",
                    str(work / "sandbox.db"),
                    "--log-level",
                    "warning",
                ],
                "RuStore sandbox on",
                work / "sandbox.log",
            )
        )
        with SandboxClient(sandbox_url) as store:
            key = store.issue_key()
        (work / "key.pem").write_text(key["privateKeyPem"])
        game_url = stack.enter_context(
            service(
                [
                    "-m",
                    "game_server",
                    "--port",
                    "0",
                    "--db",
                    str(work / "game.db"),
                    "--rustore-url",
                    sandbox_url,
                    "--key-id",
                    key["keyId"],
                    "--private-key",
                    str(work / "key.pem"),
                ],
                "game_server listening on",
                work / "game_server.log",
                env={"PYTHONPATH": str(ROOT / "sample_app" / "server")},
            )
        )
        print(f"sandbox {sandbox_url}, game server {game_url} (separate processes, {os.cpu_count()} CPUs)")
        print(f"{'flow':<44} {'clients':>7} {'flows':>6} {'flows/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
        kinds: list[tuple[str, Flow, bool]] = [
            ("con1: create→pay→validate→confirm→consume", consumable_flow, False),
            ("non_con1: create→pay→validate (new user)", non_consumable_flow, True),
        ]
        for label, flow, fresh_user in kinds:
            for clients in args.concurrency:
                tag = f"{flow.__name__[:3]}{clients}"
                run, elapsed, users = run_clients(
                    sandbox_url, game_url, flow, fresh_user, clients, args.seconds, tag
                )
                granted = count_entitlements(game_url, users)
                if granted != run.flows:
                    raise RuntimeError(f"{label}: {run.flows} flows but {granted} entitlements")
                ordered = sorted(run.latencies_ms)
                p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
                print(
                    f"{label:<44} {clients:>7} {run.flows:>6} {run.flows / elapsed:>8.1f} "
                    f"{statistics.median(ordered):>7.1f} {p95:>7.1f}"
                )
        print("every answer checked; entitlements recorded == flows completed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
