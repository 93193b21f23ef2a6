"""A sandbox restarted on the same SQLite file carries on where it stopped."""

from __future__ import annotations

from pathlib import Path

from harness.sim.sandbox import VirtualClock, create_app
from harness.sim.sandbox.client import SandboxClient
from harness.sim.sandbox.serve import ServedApp

from .conftest import START, WallClock


def test_restart_keeps_purchases_flags_settings_keys_tokens_and_virtual_time(db_path: Path) -> None:
    wall = WallClock()
    first = create_app(db_path, wall_clock=wall)  # default clock: persisted across restarts
    with ServedApp(first) as url, SandboxClient(url) as client:
        client.set_rate(0)
        key = client.create_key()
        token = client.public_token(key, now=wall.now)
        open_invoice = client.create_purchase("r1", "con1")
        paid = client.buy("r1", "con2").purchase
        sub = client.buy("r2", "sub1").purchase
        client.set_user("r3", banned=True)
        client.set_product("non_con2", status="INACTIVE")
        client.update_settings(cancelPrevious=True, autoCancelMinutes=30)
        client.next_outcome("decline", method="CARD", sticky=True)
        client.advance(minutes=5)
        clock_before = client.clock()
        audit_before = client.audit()

    second = create_app(db_path, wall_clock=wall)
    with ServedApp(second) as url, SandboxClient(url) as client:
        assert client.clock() == clock_before  # frozen rate and the jump both survived
        assert client.audit() == audit_before
        assert client.purchase_info("r1", paid.purchaseId).purchaseState == "PAID"
        assert client.availability("r3").isAvailable is False
        assert client.products("r1", ["non_con2"])[0].productStatus == "INACTIVE"
        assert client.settings().cancelPrevious is True
        assert client.public_purchase(token, paid.subscriptionToken).body["invoice_status"] == "paid"
        assert client.public_token(key, now=wall.now)
        assert client.buy("r4", "con1", "CARD").type == "Failure"  # the sticky outcome too
        # timed events continue: the renewal and the 30-minute auto-cancel
        client.advance(minutes=5)
        assert client.audit(purchase_id=sub.purchaseId).purchases[0].charges == 2
        client.advance(minutes=20)
        assert client.purchase_info("r1", open_invoice.purchaseId).purchaseState == "CANCELLED"
        new = client.create_purchase("r5", "con1")
        assert int(new.invoiceId) > int(paid.invoiceId)


def test_restart_with_an_injected_clock(db_path: Path) -> None:
    app = create_app(db_path, clock=VirtualClock(start=START, rate=0))
    with ServedApp(app) as url, SandboxClient(url) as client:
        created = client.create_purchase("r1", "con1")
    clock = VirtualClock(start=START, rate=0)
    with ServedApp(create_app(db_path, clock=clock)) as url, SandboxClient(url) as client:
        assert client.purchase_info("r1", created.purchaseId).purchaseState == "INVOICE_CREATED"
        clock.advance(20 * 60)  # jumps made on the Python object fire events too
        assert client.purchase_info("r1", created.purchaseId).purchaseState == "CANCELLED"
