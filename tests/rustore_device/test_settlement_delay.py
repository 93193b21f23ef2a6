"""A bank payment that settles late (CONTRACT §4, §10 #8): the game waits for PAID before validation.

After the bank's Pay the SDK returns ``Success`` while the purchase is still INVOICE_CREATED; the
game must refetch ``get_purchase_info`` (bounded retries on ``timer.delay``) instead of asking its
server to validate an unpaid purchase (which answers 5000 NOT_PAID, the game's 107).
"""

from __future__ import annotations

import pytest

from .flows import PURCHASE_OK, in_bank, open_sheet, pay_in_sheet

INFO_OK = "rustore_on_get_purchase_info_success"


def buy_with_a_late_bank(make_game, sandbox, delay: str, method: str = "SBP"):
    game = make_game({f"rustore.harness.bank.settlement_delay.{method}": delay})
    mark = open_sheet(game)
    pay_in_sheet(game, method)
    in_bank(game, method, "pay_button")
    success = game.expect(PURCHASE_OK, mark)
    assert success.payload.startswith('{"type":"Success"')
    (entry,) = sandbox.audit(user_id=game.user_id).purchases
    return game, success, entry.purchase.purchaseId


@pytest.mark.parametrize("method", ["SBP", "SBERPAY"])
def test_the_game_refetches_until_paid_then_validates_and_consumes(make_game, sandbox, method) -> None:
    game, _, purchase_id = buy_with_a_late_bank(make_game, sandbox, "30", method)
    # the game looks again and again while the bank has not settled (no validation, no IAP code yet)
    game.wait(
        lambda: len([e for e in game.callbacks(INFO_OK) if '"INVOICE_CREATED"' in e.payload]) >= 2,
        what="two INVOICE_CREATED samples",
    )
    assert not game.codes, [f"{c.code} {c.name}" for c in game.codes]
    assert sandbox.purchase_info(game.user_id, purchase_id).purchaseState == "INVOICE_CREATED"
    sandbox.advance(seconds=31)  # the bank settles (the sandbox's virtual clock)
    game.expect("rustore_on_confirm_purchase_success")
    game.wait(
        lambda: sandbox.purchase_info(game.user_id, purchase_id).purchaseState == "CONSUMED", what="CONSUMED"
    )
    assert [t.toState for t in sandbox.audit(purchase_id=purchase_id).transitions] == [
        "CREATED",
        "INVOICE_CREATED",
        "PAID",
        "CONSUMED",
    ]
    game.wait_line(r"RuStoreHarness: .*ch=rustore_on_confirm_purchase_success")
    assert not game.codes, "no 107 (server said not paid) and no 109: the purchase settled in time"


def test_a_bank_that_never_settles_ends_the_retries_with_109(make_game, sandbox) -> None:
    game, _, purchase_id = buy_with_a_late_bank(make_game, sandbox, "100000")
    code = game.wait_code(109, timeout=40)  # 20 looks 0.5 s apart, then the game gives up
    assert code.fields.get("state") == "INVOICE_CREATED"
    samples = [e for e in game.callbacks(INFO_OK) if '"INVOICE_CREATED"' in e.payload]
    assert len(samples) == 21  # the first look and 20 bounded retries
    assert [c.code for c in game.codes] == [109], "never validated with the server (no 107)"
    assert not game.callbacks("rustore_on_confirm_purchase_failure")
    assert sandbox.purchase_info(game.user_id, purchase_id).purchaseState == "INVOICE_CREATED"
