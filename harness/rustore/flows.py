"""Billing flows (``billing``): every RuStore operation driven the way a player does it.

game (GL button tapped through the bridge + W3C tap) → RuStore's payment sheet → bank app →
return deeplink → the game's own follow-up (server validation, ``get_purchase_info``,
``confirm_purchase``). Each flow returns the typed callback event(s) from ``callbacks`` (the
recorder also checks them against the contract and feeds the state checker); when the pool
has a controllable store, the store's view of a purchase is fed to the state checker too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selenium.common.exceptions import WebDriverException

from harness.android.logcat import LogcatStream
from harness.game.sample import SampleGame
from harness.rustore.channels import Channel
from harness.rustore.pages import Banks, PaySheet
from harness.rustore.recorder import CallbackRecorder, RecordedEvent

METHODS = {"card": "CARD", "sbp": "SBP", "sberpay": "SBERPAY"}
THEMES = {"dark": 0, "light": 1}
NON_FINAL_ACTIONS = {"PAID": "confirm", "INVOICE_CREATED": "delete", "CREATED": "delete"}


class FlowError(AssertionError):
    """A flow could not be driven to its end; the message says where it stopped."""


@dataclass
class Purchase:
    """What ``buy()`` saw: the purchase result and the game's follow-up callbacks."""

    result: RecordedEvent
    info: RecordedEvent | None = None
    confirm: RecordedEvent | None = None
    return_uri_fired: str | None = None
    settling: list[RecordedEvent] = field(default_factory=list)  # INVOICE_CREATED reads before `info`

    @property
    def ok(self) -> bool:
        parsed = self.result.parsed if isinstance(self.result.parsed, dict) else {}
        success = self.result.channel == Channel.PURCHASE_PRODUCT_SUCCESS.value
        return success and parsed.get("type") == "Success"

    @property
    def purchase_id(self) -> str | None:
        data = (self.result.parsed or {}).get("data") if isinstance(self.result.parsed, dict) else None
        value = data.get("purchaseId") if isinstance(data, dict) else None
        return str(value) if value else None


@dataclass
class SweepReport:
    """What the end-of-test sweep did (listed in the test's report)."""

    actions: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.actions) or "no purchases left non-final"


class Billing:
    """The billing flows of the sample game on one device."""

    def __init__(
        self,
        game: SampleGame,
        paysheet: PaySheet,
        bank: Banks,
        callbacks: CallbackRecorder,
        logcat: LogcatStream,
        *,
        store: Any | None = None,
        user_id: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.game, self.paysheet, self.bank = game, paysheet, bank
        self.callbacks, self.logcat = callbacks, logcat
        self.store, self.user_id = store, user_id
        self.timeout = timeout
        # The console app the game is pointed at when it is not the store's default one (a test
        # on an app of its own): the store's answers about purchases are read there.
        self.store_app_id: str | None = None

    # ------------------------------------------------------------ simple operations
    def availability(self) -> RecordedEvent:
        mark = self.callbacks.mark()
        self.game.tap("btn_check")
        return self.callbacks.expect_any("check_purchases_availability", self.timeout, mark)

    def products(self, ids: list[str] | None = None) -> RecordedEvent:
        """Open the products screen (the game asks for its catalogue); ``ids`` must all be listed."""
        mark = self.callbacks.mark()
        self.game.tap("btn_products")
        event = self.callbacks.expect_any("get_products", self.timeout, mark)
        if ids and event.channel == Channel.GET_PRODUCTS_SUCCESS.value:
            listed = {str(p.get("productId")) for p in event.parsed or [] if isinstance(p, dict)}
            missing = [i for i in ids if i not in listed]
            if missing:
                raise FlowError(f"products {missing} not in the store's answer (listed: {sorted(listed)})")
            for name in ids:
                self.game.wait_node(f"btn_buy_{name}")
        return event

    def purchases(self) -> RecordedEvent:
        """Open the purchases screen; every listed purchase goes to the state checker (§3.4)."""
        mark = self.callbacks.mark()
        self.game.tap("btn_purchases")
        event = self.callbacks.expect_any("get_purchases", self.timeout, mark)
        if event.channel == Channel.GET_PURCHASES_SUCCESS.value:
            for p in event.parsed or []:
                if isinstance(p, dict):
                    self.callbacks.states.observe_listing(p, f"get_purchases seq={event.seq}")
        return event

    def _purchase_row(self, button: str, purchase_id: str, refresh: bool) -> None:
        if refresh:
            self.purchases()
        self.game.tap(f"{button}_{purchase_id}")

    # ``refresh=False`` taps the row of the purchases screen as it is shown, without asking RuStore
    # again: the way to act on a purchase whose state changed since (a player's stale screen).
    def confirm(self, purchase_id: str, *, refresh: bool = True) -> RecordedEvent:
        """Confirm from the purchases screen (the game validates on its server first)."""
        mark = self.callbacks.mark()
        self._purchase_row("btn_confirm", purchase_id, refresh)
        return self.callbacks.expect_any("confirm_purchase", self.timeout, mark)

    def delete(self, purchase_id: str, *, refresh: bool = True) -> RecordedEvent:
        mark = self.callbacks.mark()
        self._purchase_row("btn_delete", purchase_id, refresh)
        return self.callbacks.expect_any("delete_purchase", self.timeout, mark)

    def info(self, purchase_id: str, *, refresh: bool = True) -> RecordedEvent:
        mark = self.callbacks.mark()
        self._purchase_row("btn_info", purchase_id, refresh)
        return self.callbacks.expect_any("get_purchase_info", self.timeout, mark)

    def set_theme(self, theme: str | int) -> str:
        """Dark (0) or light (1) payment sheet; returns the game's label once it shows the choice."""
        value = THEMES[theme] if isinstance(theme, str) else int(theme)
        label = "Theme: Dark" if value == 0 else "Theme: Light"
        if self.game.text("lbl_theme") != label:
            self.game.tap("btn_theme")
        return self.game.wait_text("lbl_theme", lambda t: t == label)

    def set_error_handling(self, enabled: bool) -> str:
        """Whether the SDK shows its own error dialogs; returns the game's label once it shows it."""
        label = "Error dialogs: on" if enabled else "Error dialogs: off"
        if self.game.text("lbl_errors") != label:
            self.game.tap("btn_errors")
        return self.game.wait_text("lbl_errors", lambda t: t == label)

    # ------------------------------------------------------------ buying
    def buy(self, product: str, method: str = "card", outcome: str | None = None) -> Purchase:
        """Buy ``product`` with ``method`` through the sheet and the bank; ``outcome`` (approve,
        decline, user_cancel, bank_never_returns) is set in the store first (needs store controls,
        except ``user_cancel``, which the bank's Cancel button gives on any device)."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {sorted(METHODS)}, not {method!r}")
        if outcome is not None and outcome != "user_cancel":
            if self.store is None:
                raise FlowError(f"outcome={outcome!r} needs store controls (a virtual pool's sandbox)")
            self.store.next_outcome(outcome, method=METHODS[method], user_id=self.user_id)
        self.products()
        mark = self.callbacks.mark()
        self.game.tap(f"btn_buy_{product}")
        self.paysheet.wait_open()
        self.paysheet.choose(method)
        lines = self.logcat.mark()
        self.paysheet.pay()
        fired = None
        if method == "card":
            self.paysheet.done()
        else:
            bank = self.bank[method]
            bank.wait_open()
            if outcome == "user_cancel":
                bank.cancel()
            else:
                bank.pay()
            if outcome == "bank_never_returns":
                bank.wait_pending()
                fired = self.fire_return(bank.package, lines)
        result = self.callbacks.expect_any("purchase_product", self.timeout, mark)
        bought = Purchase(result, return_uri_fired=fired)
        pid = bought.purchase_id
        if bought.ok and pid:
            # A bank may settle after the return (§10.8): the game re-reads the purchase until it is
            # no longer INVOICE_CREATED; `info` is the read the game acted on.
            bought.info = self.callbacks.expect(
                Channel.GET_PURCHASE_INFO_SUCCESS, {"purchaseId": pid}, self.timeout, mark
            )
            while (bought.info.parsed or {}).get("purchaseState") == "INVOICE_CREATED":
                bought.settling.append(bought.info)
                bought.info = self.callbacks.expect(
                    Channel.GET_PURCHASE_INFO_SUCCESS, {"purchaseId": pid}, self.timeout, mark
                )
            if (bought.info.parsed or {}).get("purchaseState") == "PAID":
                bought.confirm = self.callbacks.expect(
                    Channel.CONFIRM_PURCHASE_SUCCESS, {"purchaseId": pid}, self.timeout, mark
                )
            self.observe_store(pid)
        return bought

    def fire_return(self, bank_package: str, since: Any) -> str:
        """The bank never came back: fire the return URI it was given, as the bank would have."""
        uri = self.return_uri(bank_package, since)
        self.open_uri(uri)
        return uri

    def return_uri(self, bank_package: str, since: Any) -> str:
        """The return URI the SDK gave the bank, from the ``START … dat=…`` line that opened it."""
        line = self.logcat.wait_for(
            rf"START u0 \{{act=android\.intent\.action\.VIEW .*dat=(\S+) .*cmp={re.escape(bank_package)}/",
            since,
            timeout=self.timeout,
        )
        found = re.search(r"dat=(\S+)", line)
        if found is None:
            raise FlowError(f"no dat= in the bank's START line: {line}")
        query = parse_qs(urlsplit(found.group(1)).query)
        if "returnUrl" not in query:
            raise FlowError(f"the bank link carries no returnUrl: {found.group(1)}")
        return query["returnUrl"][0]

    def open_uri(self, uri: str) -> None:
        """Open a deeplink on the device (``mobile: deepLink``; ``am start`` where that is missing)."""
        try:
            self.game.driver.execute_script("mobile: deepLink", {"url": uri, "package": self.game.package})
        except WebDriverException:  # a server without the deepLink extension: the adb way
            self.game.driver.execute_script(
                "mobile: shell",
                {"command": "am", "args": ["start", "-a", "android.intent.action.VIEW", "-d", uri]},
            )

    def observe_store(self, purchase_id: str) -> str | None:
        """The store's state of a purchase, fed to the state checker (virtual pools only)."""
        if self.store is None or self.user_id is None:
            return None
        purchase = self.store.purchase_info(self.user_id, purchase_id, app_id=self.store_app_id)
        self.callbacks.states.observe(
            purchase_id, purchase.productType, purchase.purchaseState, "sandbox", purchase.productId
        )
        return str(purchase.purchaseState)

    # ------------------------------------------------------------ cleaning up
    def store_says_clean(self) -> bool:
        """True when a controllable store reports no non-final purchase for the device's user,
        so a sweep has nothing to do (False when there is no store to ask)."""
        if self.store is None or self.user_id is None:
            return False
        apps = {None, self.store_app_id}
        listed = [p for app in apps for p in self.store.purchases(self.user_id, app_id=app)]
        return not any(p.purchaseState in NON_FINAL_ACTIONS for p in listed)

    def sweep(self, *, store_asked: bool = False) -> SweepReport:
        """Leave no purchase non-final: confirm each PAID one, delete each unpaid one.

        A controllable store is asked first (nothing to do: no game calls), unless the caller
        just did (``store_asked``)."""
        report = SweepReport()
        if not store_asked and self.store_says_clean():
            return report
        listing = self.purchases()
        if listing.channel != Channel.GET_PURCHASES_SUCCESS.value:
            report.actions.append(f"get_purchases failed: {listing.raw[:200]}")
            return report
        for p in listing.parsed or []:
            action = NON_FINAL_ACTIONS.get(str(p.get("purchaseState")))
            if action is None:
                continue
            pid = str(p["purchaseId"])
            event = self.confirm(pid) if action == "confirm" else self.delete(pid)
            report.actions.append(
                f"{action} {pid} ({p.get('productId')}, {p.get('purchaseState')}): {event.channel}"
            )
        return report
