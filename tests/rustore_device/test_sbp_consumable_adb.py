"""The full consumable path by SBP walked with plain adb, as a person would in manual QA:

game (``input tap`` at the bridge's button centres) → payment sheet and bank app (``uiautomator
dump`` + ``input tap``) → the bank opens the return deeplink → ``RuStoreIntentFilterActivity`` →
the game is brought back (``onNewIntent`` of the singleTask DefoldActivity) → ``Success`` → the
game's server validates → ``confirm_purchase`` → CONSUMED in the sandbox; the game's IAP lines
(the framed callback log, tag RuStoreHarness) in logcat.
"""

from __future__ import annotations

import re

from defold.poco_client import StdPocoClient, bounds_px, walk

from .flows import BANK_PACKAGES
from .game_device import PACKAGE, GameDevice

SHEET = f"{PACKAGE}:id/"


def bridge_centre(game: GameDevice, name: str) -> tuple[int, int]:
    """Where the game draws node ``name`` (the automation bridge, reached with adb forward)."""
    port = game.dev.forward_port(15004)
    client = StdPocoClient("127.0.0.1", port)
    try:
        screen = tuple(client.call("GetScreenSize"))
        nodes = {n["name"]: n["payload"] for n in walk(client.call("Dump", True))}
    finally:
        client.close()
    left, top, right, bottom = bounds_px(nodes[name], screen)
    return int((left + right) / 2), int((top + bottom) / 2)


def dump_centre(game: GameDevice, resource_id: str) -> tuple[int, int]:
    node = game.wait_node(resource_id)
    return node.center


def test_sbp_consumable_by_hand_with_plain_adb(game, sandbox) -> None:
    lines, mark = game.line_mark(), game.mark()
    x, y = bridge_centre(game, "btn_products")
    game.dev.shell(f"input tap {x} {y}")
    game.expect("rustore_on_get_products_success", mark)
    game.wait_line(r"RuStoreHarness: cb seq=\d+ .*ch=rustore_on_get_products_success", lines)

    buy = game.wait(lambda: _buy_node(game), what="Buy con1 in the game's product list")
    game.dev.shell(f"input tap {buy[0]} {buy[1]}")

    x, y = dump_centre(game, SHEET + "method_sbp")
    game.dev.shell(f"input tap {x} {y}")
    x, y = dump_centre(game, SHEET + "pay_button")
    game.dev.shell(f"input tap {x} {y}")

    bank = BANK_PACKAGES["SBP"]
    x, y = dump_centre(game, f"{bank}:id/pay_button")
    assert game.focused_package() == bank  # the game went to the background
    game.dev.shell(f"input tap {x} {y}")

    start = game.wait_line(
        r"START u0 \{act=android\.intent\.action\.VIEW cat=\[android\.intent\.category\.BROWSABLE\] "
        r"dat=(rustoresample://rustore\.billing\.sdk/return\?invoiceId=(\d+)) .*"
        r"cmp=ru\.rustore\.sample\.billing/ru\.rustore\.defold\.billing\.RuStoreIntentFilterActivity",
        lines,
    )
    invoice = start.group(2)
    game.wait_line(rf"Return deeplink received: invoiceId={invoice}", lines)
    game.wait_line(r"START u0 \{cmp=ru\.rustore\.sample\.billing/com\.dynamo\.android\.DefoldActivity", lines)

    success = game.expect("rustore_on_purchase_product_success", mark)
    assert success.payload.startswith('{"type":"Success","data":{"invoiceId":"' + invoice + '"')
    info = game.expect("rustore_on_get_purchase_info_success", mark)
    assert '"purchaseState":"PAID"' in info.payload
    confirmed = game.expect("rustore_on_confirm_purchase_success", mark)
    assert success.seq < info.seq < confirmed.seq
    purchase_id = re.search(r'"purchaseId":"([^"]+)"', success.payload).group(1)  # type: ignore[union-attr]
    assert confirmed.payload == '{"purchaseId": "' + purchase_id + '"}'
    game.wait(
        lambda: sandbox.purchase_info(game.user_id, purchase_id).purchaseState == "CONSUMED", what="CONSUMED"
    )
    assert game.focused_package() == PACKAGE
    status = game.engine.eval_in("/main#gui", 'return gui.get_text(gui.get_node("status"))')
    assert status.startswith("Delivered")
    # the game's IAP code lines: every callback framed in logcat, in order
    channels = re.findall(
        r"RuStoreHarness: cb seq=\d+ part=1/\d+ .*? ch=(\S+) ", "\n".join(game.lines[lines:])
    )
    core = [c for c in channels if "logger" not in c]
    assert core[-3:] == [
        "rustore_on_purchase_product_success",
        "rustore_on_get_purchase_info_success",
        "rustore_on_confirm_purchase_success",
    ]


def _buy_node(game: GameDevice) -> tuple[int, int] | None:
    try:
        return bridge_centre(game, "btn_buy_con1")
    except KeyError:
        return None
