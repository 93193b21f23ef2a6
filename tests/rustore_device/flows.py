"""Steps of a purchase on the virtual device, with plain adb on native screens (shared by the tests)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .game_device import PACKAGE, GameDevice

SHEET = f"{PACKAGE}:id/"
METHOD_IDS = {"CARD": "method_card", "SBP": "method_sbp", "SBERPAY": "method_sberpay"}
BANK_PACKAGES = {"SBP": "ru.virtualbank.sbp", "SBERPAY": "ru.virtualbank.sberpay"}
PURCHASE_OK = "rustore_on_purchase_product_success"


def open_sheet(game: GameDevice, product: str = "con1") -> int:
    """Ask the game to buy ``product``; returns the callback mark taken before the request."""
    mark = game.mark()
    game.request("buy", product)
    game.wait_node(SHEET + "pay_button")
    return mark


def pay_in_sheet(game: GameDevice, method: str) -> None:
    game.tap(SHEET + METHOD_IDS[method])
    assert game.wait_node(SHEET + METHOD_IDS[method]).checked
    game.tap(SHEET + "pay_button")


def bank_link(game: GameDevice, method: str, since: int = 0) -> str:
    """The VIEW link that started the bank app, as ``ActivityTaskManager: START`` logged it."""
    pkg = BANK_PACKAGES[method]
    line = game.wait_line(
        rf"START u0 \{{act=android\.intent\.action\.VIEW .*dat=(\S+) .*cmp={re.escape(pkg)}/", since
    )
    return line.group(1)


def return_uri_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["returnUrl"][0]


def in_bank(game: GameDevice, method: str, button: str) -> None:
    """Wait for the bank app's screen and tap Pay or Cancel on it."""
    pkg = BANK_PACKAGES[method]
    node = game.wait_node(f"{pkg}:id/pay_button")
    assert node.package == pkg
    game.tap(f"{pkg}:id/{button}")
