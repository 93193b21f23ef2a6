"""The RuStore payment sheet: a translucent activity in the game's task (CONTRACT §10.16, §10.18).

The SDK's AAR declares ``ru.rustore.sdk.billingclient.presentation.BillingClientActivity`` in the
game's merged manifest; here it is a native view tree shaped like a bottom sheet over the game
(which pauses but stays visible): product title, price, the "Test purchase" mark, the payment
methods CARD / SBP / SBERPAY, Pay and close; then a result state (card) or a "continue in your
bank app" state. Colours and the sheet's ``content-desc`` follow ``set_theme`` (dark/light).
Resource ids are the game package's (``<package>:id/…``), as merged SDK resources are.
"""

from __future__ import annotations

from typing import Any

from harness.sim.android.input import KEYCODE_BACK
from harness.sim.android.intents import Intent
from harness.sim.android.runtime import ACTION_UP, Activity
from harness.sim.defold.app import register_activity
from harness.sim.rustore.sdk import SHEET_ACTIVITY, BillingSdk, PendingPurchase
from harness.sim.ui.views import View, Window, column

METHODS = (
    ("CARD", "Bank card", "method_card"),
    ("SBP", "SBP", "method_sbp"),
    ("SBERPAY", "SberPay", "method_sberpay"),
)
THEMES = {
    "dark": {"sheet": (32, 33, 38), "text": (240, 240, 245), "muted": (160, 160, 170), "chip": (58, 60, 68)},
    "light": {
        "sheet": (255, 255, 255),
        "text": (20, 20, 25),
        "muted": (110, 110, 120),
        "chip": (232, 234, 240),
    },
}
RESULT_TEXT = {
    "Success": "Payment successful",
    "Failure": "Payment declined",
    "Cancelled": "Payment cancelled",
    "Pending": "Payment is being processed",
}


def sdk_of(runtime: Any) -> BillingSdk | None:
    from harness.sim.rustore.plugin import sdk_for_app

    return sdk_for_app(runtime)


class PaymentSheetActivity(Activity):
    translucent = True

    def __init__(self, runtime: Any, info: Any, token: str) -> None:
        super().__init__(runtime, info, token)
        self.sdk = sdk_of(runtime)
        self.pending: PendingPurchase | None = None
        self.closed = False

    def on_create(self, intent: Intent) -> None:
        self.intent = intent
        pending = self.sdk.pending if self.sdk is not None else None
        if pending is None or pending.completed:
            self.finish()
            return
        self.pending = pending
        pending.sheet = self

    def finish_if_open(self) -> None:
        if not self.closed:
            self.closed = True
            self.finish()

    def _close(self) -> None:
        if self.pending is not None and self.sdk is not None:
            if self.pending.state == "processing":
                return
            self.sdk.close_sheet(self.pending)
        self.finish_if_open()

    def _select(self, method: str) -> None:
        if self.pending is not None and self.sdk is not None and self.pending.state == "select":
            self.sdk.select_method(self.pending, method)

    def _pay(self) -> None:
        if self.pending is not None and self.sdk is not None and self.pending.state == "select":
            self.sdk.pay_in_sheet(self.pending)

    def on_key(self, keycode: int, action: str) -> bool:
        if keycode != KEYCODE_BACK:
            return False
        if action == ACTION_UP:
            self._close()
        return True

    def native_window(self) -> Window:
        pkg = self.runtime.package.name
        width, height = self.device.display.size
        theme = self.sdk.theme if self.sdk is not None else "light"
        colors = THEMES[theme]
        pending = self.pending
        root = View("android.widget.FrameLayout", (0, 0, width, height))
        top = height * 2 // 5
        sheet = View(
            "android.widget.LinearLayout",
            (0, top, width, height),
            resource_id=f"{pkg}:id/rustore_payment_sheet",
            content_desc=f"RuStore payment sheet, {theme} theme",
            background=colors["sheet"],
        )
        root.add(sheet)

        def text(rid: str, value: str, size: int = 40, muted: bool = False) -> View:
            return View(
                "android.widget.TextView",
                resource_id=f"{pkg}:id/{rid}",
                text=value,
                text_size=size,
                foreground=colors["muted" if muted else "text"],
            )

        close = View(
            "android.widget.ImageButton",
            (width - 170, top + 30, width - 40, top + 160),
            resource_id=f"{pkg}:id/close_button",
            content_desc="Close",
            clickable=True,
            focusable=True,
            enabled=pending is None or pending.state != "processing",
            background=colors["chip"],
            foreground=colors["text"],
            on_click=self._close,
        )
        rows: list[tuple[View, int]] = []
        if pending is not None:
            rows += [
                (text("product_title", pending.title, 52), 100),
                (text("product_price", pending.price_label, 64), 110),
                (text("sandbox_label", "Test purchase", 32, muted=True), 60),
            ]
            if pending.state == "select":
                rows.append((text("methods_title", "Payment method", 34, muted=True), 60))
                for method, label, rid in METHODS:
                    chosen = pending.method == method
                    rows.append(
                        (
                            View(
                                "android.widget.RadioButton",
                                resource_id=f"{pkg}:id/{rid}",
                                text=label,
                                content_desc=method,
                                clickable=True,
                                focusable=True,
                                checkable=True,
                                checked=chosen,
                                selected=chosen,
                                background=(41, 107, 219) if chosen else colors["chip"],
                                foreground=(255, 255, 255) if chosen else colors["text"],
                                on_click=lambda m=method: self._select(m),  # type: ignore[misc]
                            ),
                            110,
                        )
                    )
                rows.append(
                    (
                        View(
                            "android.widget.Button",
                            resource_id=f"{pkg}:id/pay_button",
                            text=f"Pay {pending.price_label}".strip(),
                            clickable=True,
                            focusable=True,
                            background=(41, 107, 219),
                            foreground=(255, 255, 255),
                            on_click=self._pay,
                        ),
                        140,
                    )
                )
            elif pending.state == "processing":
                rows.append(
                    (
                        View(
                            "android.widget.ProgressBar",
                            resource_id=f"{pkg}:id/progress",
                            content_desc="Processing",
                        ),
                        100,
                    )
                )
                rows.append((text("status_text", "Processing payment…"), 80))
            elif pending.state == "bank":
                rows.append((text("status_text", "Continue in your bank app"), 80))
            elif pending.state == "result":
                result = pending.result
                kind = str(result.type) if result is not None else "Error"
                message = RESULT_TEXT.get(kind, "Payment error")
                if pending.error is not None:
                    reason = pending.error.error_code or pending.error.simple_name or ""
                    message = f"Payment error: {reason}".strip()
                rows.append((text("result_text", message, 48), 100))
                rows.append(
                    (
                        View(
                            "android.widget.Button",
                            resource_id=f"{pkg}:id/done_button",
                            text="Done",
                            clickable=True,
                            focusable=True,
                            background=(41, 107, 219),
                            foreground=(255, 255, 255),
                            on_click=self._close,
                        ),
                        140,
                    )
                )
        sheet.add(*column((0, top + 40, width - 180, height), rows, padding=50, spacing=24))
        sheet.add(close)
        return Window(pkg, self.info.name, root)


register_activity(SHEET_ACTIVITY, PaymentSheetActivity)
