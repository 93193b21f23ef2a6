"""Many devices at once, over real HTTP on loopback: the database serializes check-then-write."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from harness.sim.sandbox.client import SandboxAPIError, SandboxClient


def test_same_user_same_product_at_once_exactly_one_proceeds(served: str) -> None:
    rounds, racers = 8, 2
    for round_no in range(rounds):
        user = f"racer-{round_no}"
        barrier = threading.Barrier(racers)

        def attempt(_: int, user: str = user, barrier: threading.Barrier = barrier) -> str:
            with SandboxClient(served) as client:
                barrier.wait()
                try:
                    return client.create_purchase(user, "con1").purchaseState
                except SandboxAPIError as err:
                    return str(err.error_code)

        with ThreadPoolExecutor(racers) as pool:
            outcomes = Counter(pool.map(attempt, range(racers)))
        assert outcomes == Counter({"INVOICE_CREATED": 1, "40009": 1}), outcomes
    with SandboxClient(served) as client:
        audit = client.audit()
    assert len(audit.purchases) == rounds


def test_fifty_users_buying_at_once_lose_no_update(served: str) -> None:
    users = [f"crowd-{i}" for i in range(50)]
    barrier = threading.Barrier(len(users))

    def full_flow(user: str) -> tuple[str, str]:
        with SandboxClient(served) as client:
            barrier.wait()
            created = client.create_purchase(user, "con1", order_id=f"order-{user}")
            client.pay(user, created.purchaseId, "SBP")
            consumed = client.confirm(user, created.purchaseId)
            owned = client.buy(user, "non_con1")
            return consumed.invoiceId, owned.purchase.purchaseState

    with ThreadPoolExecutor(len(users)) as pool:
        results = list(pool.map(full_flow, users))
    assert len({invoice for invoice, _ in results}) == 50  # no invoice id handed out twice
    assert {state for _, state in results} == {"CONFIRMED"}
    with SandboxClient(served) as client:
        audit = client.audit()
        states = Counter((p.purchase.productId, p.purchase.purchaseState) for p in audit.purchases)
        assert states == Counter({("con1", "CONSUMED"): 50, ("non_con1", "CONFIRMED"): 50})
        # con1: start, invoice, paid, consumed; non_con1: start, invoice, confirmed
        assert len(audit.transitions) == 50 * 4 + 50 * 3
        assert len({t.id for t in audit.transitions}) == len(audit.transitions)
        for user in users[:5]:
            assert [p.productId for p in client.purchases(user)] == ["non_con1"]
