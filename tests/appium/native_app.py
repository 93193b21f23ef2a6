"""A small native test app: a checkout screen (title, e-mail field, Pay) and an error dialog.

It stands in for RuStore's native screens where those are not needed: its views carry the
attributes UiAutomator reports, its buttons log what they received under ``Uia2Test``, and
"Show error" opens an AlertDialog-shaped window (``android:id/alertTitle``, ``message``,
``button1``/``button2``) for the alert API.
"""

from __future__ import annotations

from harness.sim.android.apk import (
    ACTION_MAIN,
    CATEGORY_LAUNCHER,
    RUNTIME_META_KEY,
    ActivitySpec,
    IntentFilterSpec,
    ManifestSpec,
    build_apk,
)
from harness.sim.android.intents import Intent
from harness.sim.android.runtime import Activity, AppRuntime, register_runtime
from harness.sim.ui.views import View, Window, WindowKind, column

PACKAGE = "com.example.uia2test"
ACTIVITY = f"{PACKAGE}.CheckoutActivity"
TAG = "Uia2Test"
RUNTIME = "uia2-test-native"
PAY_COLOUR = (20, 160, 80)


class CheckoutActivity(Activity):
    """Keeps one view tree for its life, so typed text stays in its field."""

    def on_create(self, intent: Intent) -> None:
        self.intent = intent
        width, height = self.device.display.size
        root = View("android.widget.FrameLayout", (0, 0, width, height), background=(255, 255, 255))
        self.title = View("android.widget.TextView", text="Checkout", resource_id=f"{PACKAGE}:id/title")
        self.email = View(
            "android.widget.EditText",
            resource_id=f"{PACKAGE}:id/email",
            hint="e-mail",
            clickable=True,
            focusable=True,
        )
        self.pay = View(
            "android.widget.Button",
            text="Pay",
            content_desc="Pay button",
            resource_id=f"{PACKAGE}:id/pay",
            clickable=True,
            focusable=True,
            background=PAY_COLOUR,
            on_click=lambda: self.log("I", f"clicked pay email={self.email.text}", tag=TAG),
        )
        self.error = View(
            "android.widget.Button",
            text="Show error",
            resource_id=f"{PACKAGE}:id/show_error",
            clickable=True,
            on_click=self.show_error,
        )
        column(
            root.bounds,
            [(self.title, 150), (self.email, 150), (self.pay, 200), (self.error, 200)],
            padding=60,
        )
        root.add(self.title, self.email, self.pay, self.error)
        self.window = Window(PACKAGE, "Checkout", root)
        self.log("I", "onCreate", tag=TAG)

    def on_new_intent(self, intent: Intent) -> None:
        self.intent = intent
        self.log("I", f"onNewIntent data={intent.data}", tag=TAG)

    def native_window(self) -> Window:
        return self.window

    def show_error(self) -> None:
        width, height = self.device.display.size
        box = (60, height // 3, width - 60, height // 3 + 600)
        panel = View(
            "android.widget.FrameLayout", box, resource_id="android:id/content", background=(240, 240, 240)
        )
        title = View("android.widget.TextView", resource_id="android:id/alertTitle", text="Payment failed")
        message = View(
            "android.widget.TextView", resource_id="android:id/message", text="Error 3001: try again"
        )
        ok = View("android.widget.Button", resource_id="android:id/button1", text="OK", clickable=True)
        cancel = View(
            "android.widget.Button", resource_id="android:id/button2", text="Cancel", clickable=True
        )
        column(box, [(title, 120), (message, 160), (ok, 120), (cancel, 120)], padding=20)
        panel.add(title, message, ok, cancel)
        dialog = Window(PACKAGE, "Payment failed", panel, kind=WindowKind.DIALOG)

        def press(label: str) -> None:
            self.log("I", f"dialog {label}", tag=TAG)
            self.device.windows.dismiss(dialog)

        ok.on_click = lambda: press("OK")
        cancel.on_click = lambda: press("Cancel")
        dialog.on_back = lambda: press("BACK")
        self.device.windows.show(dialog)
        self.log("I", "error dialog shown", tag=TAG)


class CheckoutRuntime(AppRuntime):
    activity_class = CheckoutActivity


register_runtime(RUNTIME, CheckoutRuntime)


def checkout_apk() -> bytes:
    return build_apk(
        ManifestSpec(
            package=PACKAGE,
            version_code=7,
            version_name="1.0.7",
            label="UiA2 Test",
            activities=[
                ActivitySpec(
                    ACTIVITY,
                    exported=True,
                    launch_mode="singleTask",
                    intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])],
                )
            ],
            meta_data={RUNTIME_META_KEY: RUNTIME},
        )
    )
