"""Bank apps on the virtual device: where SBP and SberPay payments leave the game (CONTRACT §10.7, §10.16).

Each bank is its own package with its own native activity (``singleTask``, its own task), opened
by the SDK with a ``VIEW`` intent on the bank's scheme. The link carries the invoice and the
game's return URI (``returnUrl``, url-encoded); ``ActivityTaskManager: START`` shows it in logcat.
The bank shows Pay / Cancel. Pay asks the sandbox to pay (the outcome the control API queued:
approve, decline, user_cancel, bank_never_returns); Cancel pays with ``user_cancel``. Then the
bank opens the return URI (``device.open_uri``) — unless the outcome was ``bank_never_returns``,
when it shows "processing" and never returns (a test fires the URI itself with ``am start``).

| method | package | scheme |
|---|---|---|
| SBP | ``ru.virtualbank.sbp`` ("SBP Bank") | ``sbpvirtualbank`` |
| SBERPAY | ``ru.virtualbank.sberpay`` ("SberPay") | ``sberpayvirtual`` |
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from harness.sim.android.apk import (
    ACTION_VIEW,
    CATEGORY_BROWSABLE,
    CATEGORY_DEFAULT,
    RUNTIME_META_KEY,
    ActivitySpec,
    DataSpec,
    IntentFilterSpec,
    ManifestSpec,
)
from harness.sim.android.apk import build_apk as build_zip
from harness.sim.android.intents import Intent
from harness.sim.android.runtime import Activity, AppRuntime, register_runtime
from harness.sim.sandbox.client import SandboxAPIError, SandboxClient
from harness.sim.sandbox.schemas import PayResult
from harness.sim.ui.views import View, Window, column

RUNTIME_NAME = "rustore-bank"


@dataclass(frozen=True)
class Bank:
    method: str
    package: str
    label: str
    scheme: str

    @property
    def activity(self) -> str:
        return f"{self.package}.PaymentActivity"


BANKS = {
    "SBP": Bank("SBP", "ru.virtualbank.sbp", "SBP Bank", "sbpvirtualbank"),
    "SBERPAY": Bank("SBERPAY", "ru.virtualbank.sberpay", "SberPay", "sberpayvirtual"),
}


@dataclass
class BankPayment:
    """What the bank knows of one invoice (registered by the SDK as it opens the bank)."""

    invoice_id: str
    purchase_id: str
    app_id: str
    user_id: str
    method: str
    title: str
    amount_label: str
    return_uri: str
    sandbox_url: str
    result: PayResult | None = None
    error: SandboxAPIError | None = None


_PAYMENTS: weakref.WeakKeyDictionary[Any, dict[str, BankPayment]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def register_payment(device: Any, payment: BankPayment) -> None:
    with _LOCK:
        _PAYMENTS.setdefault(device, {})[payment.invoice_id] = payment


def payment_of(device: Any, invoice_id: str) -> BankPayment | None:
    with _LOCK:
        return _PAYMENTS.get(device, {}).get(invoice_id)


def bank_apk(bank: Bank) -> bytes:
    spec = ManifestSpec(
        package=bank.package,
        version_code=1,
        version_name="1.0",
        min_sdk=24,
        target_sdk=34,
        label=bank.label,
        meta_data={RUNTIME_META_KEY: RUNTIME_NAME},
        activities=[
            ActivitySpec(
                bank.activity,
                exported=True,
                launch_mode="singleTask",
                label=bank.label,
                intent_filters=[
                    IntentFilterSpec(
                        actions=[ACTION_VIEW],
                        categories=[CATEGORY_DEFAULT, CATEGORY_BROWSABLE],
                        data=[DataSpec(scheme=bank.scheme)],
                    )
                ],
            )
        ],
    )
    return build_zip(spec)


class BankActivity(Activity):
    """The bank's payment screen: merchant, amount, Pay, Cancel; then back to the game."""

    runtime: BankRuntime

    def __init__(self, runtime: AppRuntime, info: Any, token: str) -> None:
        super().__init__(runtime, info, token)
        self.bank = next(b for b in BANKS.values() if b.package == runtime.package.name)
        self.payment: BankPayment | None = None
        self.state = "unknown"  # ready | processing | pending | done | unknown
        self.loop: asyncio.AbstractEventLoop | None = None

    def on_create(self, intent: Intent) -> None:
        self._open(intent)

    def on_new_intent(self, intent: Intent) -> None:
        self._open(intent)

    def _open(self, intent: Intent) -> None:
        self.intent = intent
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        query = parse_qs(urlsplit(intent.data or "").query)
        invoice = query.get("invoiceId", [""])[0]
        self.payment = payment_of(self.device, invoice)
        self.state = "ready" if self.payment is not None else "unknown"
        self.log("I", f"Payment request invoiceId={invoice} state={self.state}", tag="VirtualBank")

    def _on_loop(self, fn: Any) -> None:
        if self.loop is None:
            fn()
        else:
            self.loop.call_soon_threadsafe(fn)

    def _pay(self, outcome: str | None) -> None:
        payment = self.payment
        if payment is None or self.state != "ready":
            return
        self.state = "processing"
        from harness.sim.rustore.config import settlement_delay

        delay = settlement_delay(self.device.props, payment.method) if outcome is None else None

        def work() -> None:
            try:
                with SandboxClient(payment.sandbox_url, app_id=payment.app_id, timeout=15) as sandbox:
                    payment.result = sandbox.pay(
                        payment.user_id,
                        payment.purchase_id,
                        payment.method,
                        outcome=outcome,
                        settlement_delay_seconds=delay,
                    )
            except SandboxAPIError as exc:
                payment.error = exc
            except httpx.HTTPError as exc:
                payment.error = SandboxAPIError(0, None, str(exc), None)
            self._on_loop(self._paid)

        threading.Thread(target=work, name=f"bank-{payment.invoice_id}", daemon=True).start()

    def _paid(self) -> None:
        payment = self.payment
        assert payment is not None
        result = payment.result
        kind = str(result.type) if result is not None else "Error"
        # the screen changes before the line is logged, so whoever waits for the line sees it
        self.state = "pending" if kind == "Pending" else "done"
        self.log("I", f"Bank answered {kind} for invoiceId={payment.invoice_id}", tag="VirtualBank")
        if kind == "Pending":  # bank_never_returns: the user is left in the bank app
            return
        self.device.open_uri(payment.return_uri, from_package=self.bank.package)

    def native_window(self) -> Window:
        pkg = self.bank.package
        width, height = self.device.display.size
        root = View("android.widget.FrameLayout", (0, 0, width, height), background=(245, 247, 250))
        payment = self.payment
        header = View(
            "android.widget.TextView",
            resource_id=f"{pkg}:id/bank_title",
            text=self.bank.label,
            text_size=56,
            background=(20, 160, 90) if self.bank.method == "SBP" else (33, 160, 56),
            foreground=(255, 255, 255),
        )
        rows: list[tuple[View, int]] = [(header, 200)]
        if payment is None:
            rows.append(
                (View("android.widget.TextView", resource_id=f"{pkg}:id/status", text="Unknown payment"), 120)
            )
        else:
            rows += [
                (
                    View(
                        "android.widget.TextView",
                        resource_id=f"{pkg}:id/merchant",
                        text=f"RuStore: {payment.title}",
                    ),
                    110,
                ),
                (
                    View(
                        "android.widget.TextView",
                        resource_id=f"{pkg}:id/amount",
                        text=payment.amount_label,
                        text_size=64,
                    ),
                    140,
                ),
                (
                    View(
                        "android.widget.TextView",
                        resource_id=f"{pkg}:id/invoice",
                        text=f"Invoice {payment.invoice_id}",
                    ),
                    90,
                ),
            ]
            status = {
                "ready": "Confirm the payment",
                "processing": "Processing…",
                "pending": "Payment is being processed by the bank",
                "done": "Returning to the app…",
            }.get(self.state, "")
            rows.append((View("android.widget.TextView", resource_id=f"{pkg}:id/status", text=status), 110))
            ready = self.state == "ready"
            rows.append(
                (
                    View(
                        "android.widget.Button",
                        resource_id=f"{pkg}:id/pay_button",
                        text=f"Pay {payment.amount_label}",
                        clickable=True,
                        focusable=True,
                        enabled=ready,
                        background=(20, 160, 90),
                        foreground=(255, 255, 255),
                        on_click=lambda: self._pay(None),
                    ),
                    150,
                )
            )
            rows.append(
                (
                    View(
                        "android.widget.Button",
                        resource_id=f"{pkg}:id/cancel_button",
                        text="Cancel",
                        clickable=True,
                        focusable=True,
                        enabled=ready,
                        background=(220, 220, 225),
                        on_click=lambda: self._pay("user_cancel"),
                    ),
                    150,
                )
            )
        root.add(*column(root.bounds, rows, padding=60, spacing=30))
        return Window(pkg, self.info.name, root)


class BankRuntime(AppRuntime):
    activity_class = BankActivity


register_runtime(RUNTIME_NAME, BankRuntime)
