"""Steps the flow tests share that ``billing.buy()`` does in one go: stopping half-way through a purchase."""

from __future__ import annotations

from typing import Any

from harness.rustore.flows import METHODS, Billing
from harness.rustore.recorder import Mark, RecordedEvent

#: Device properties with this prefix override game.project values (the virtual device's games).
CONFIG_PROP = "rustore.harness.config."


def open_sheet(billing: Billing, product: str) -> Mark:
    """Products screen → Buy ``product`` → the payment sheet is open. Returns the mark before the tap."""
    billing.products()
    mark = billing.callbacks.mark()
    billing.game.tap(f"btn_buy_{product}")
    billing.paysheet.wait_open()
    return mark


def tap_buy(
    billing: Billing, product: str, *, refresh: bool = True, timeout: float | None = None
) -> RecordedEvent:
    """Buy ``product`` when RuStore refuses at once (no sheet opens): the purchase result.

    ``refresh=False`` taps Buy on the products screen as it is shown (the catalogue may have
    changed since it was listed)."""
    if refresh:
        billing.products()
    mark = billing.callbacks.mark()
    billing.game.tap(f"btn_buy_{product}")
    return billing.callbacks.expect_any("purchase_product", timeout or billing.timeout, mark)


def pay_by_card(billing: Billing, product: str) -> Mark:
    """Buy ``product`` by card through the sheet (Pay, then Done); returns the mark before the tap."""
    mark = open_sheet(billing, product)
    billing.paysheet.choose("card")
    billing.paysheet.pay()
    billing.paysheet.done()
    return mark


def leave_for_bank(billing: Billing, product: str, method: str = "sbp", outcome: str | None = None) -> Any:
    """Buy with a bank method up to the bank app, tap Pay there; returns (mark, logcat mark, bank).

    With ``outcome="bank_never_returns"`` the bank shows "being processed" and stays on top.
    """
    if outcome is not None:
        assert billing.store is not None, "queuing an outcome needs store controls"
        billing.store.next_outcome(outcome, method=METHODS[method], user_id=billing.user_id)
    mark = open_sheet(billing, product)
    billing.paysheet.choose(method)
    lines = billing.logcat.mark()
    billing.paysheet.pay()
    bank = billing.bank[method]
    bank.wait_open()
    bank.pay()
    return mark, lines, bank
