"""The billing SDK 6.0.0 as the Defold plugin drives it, on the virtual device, backed by the sandbox.

One :class:`BillingSdk` per game process. The Lua-facing plugin (``plugin.py``) calls it from
the game thread; network calls run on the SDK's own :class:`SerialWorker`; screens (payment
sheet, error dialogs, the bank link) are touched on the device loop; results go to the callback
hub as the exact channel strings of CONTRACT §2 (``PayloadWriter``, profile and mode read from
the device's properties at each call, so ``setprop`` switches them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from harness.sim.android.intents import FLAG_ACTIVITY_NEW_TASK, ComponentName, Intent
from harness.sim.latency import sandbox_headers
from harness.sim.rustore import errors, gson
from harness.sim.rustore.banks import BANKS, BankPayment, payment_of, register_payment
from harness.sim.rustore.config import DeviceSettings, settlement_delay
from harness.sim.rustore.dialogs import error_dialog
from harness.sim.rustore.payloads import PayloadWriter, SimpleError
from harness.sim.rustore.store_app import store_problem
from harness.sim.rustore.worker import SerialWorker
from harness.sim.sandbox.client import SandboxAPIError, SandboxClient
from harness.sim.sandbox.schemas import PayResult, Purchase

if TYPE_CHECKING:
    from harness.sim.rustore.sheet import PaymentSheetActivity

GAME_ACTIVITY = "com.dynamo.android.DefoldActivity"
DEEPLINK_ACTIVITY = "ru.rustore.defold.billing.RuStoreIntentFilterActivity"
SHEET_ACTIVITY = "ru.rustore.sdk.billingclient.presentation.BillingClientActivity"
RETURN_HOST = "rustore.billing.sdk"
RETURN_PATH = "/return"
LOG_TAG = "RuStoreBillingClient"
Emit = Callable[[str, str], None]

CH_AVAILABLE_OK = "rustore_check_purchases_available_success"
CH_AVAILABLE_FAIL = "rustore_check_purchases_available_failure"
CH_PRODUCTS_OK = "rustore_on_get_products_success"
CH_PRODUCTS_FAIL = "rustore_on_get_products_failure"
CH_PURCHASE_OK = "rustore_on_purchase_product_success"
CH_PURCHASE_FAIL = "rustore_on_purchase_product_failure"
CH_PURCHASES_OK = "rustore_on_get_purchases_success"
CH_PURCHASES_FAIL = "rustore_on_get_purchases_failure"
CH_CONFIRM_OK = "rustore_on_confirm_purchase_success"
CH_CONFIRM_FAIL = "rustore_on_confirm_purchase_failure"
CH_DELETE_OK = "rustore_on_delete_purchase_success"
CH_DELETE_FAIL = "rustore_on_delete_purchase_failure"
CH_INFO_OK = "rustore_on_get_purchase_info_success"
CH_INFO_FAIL = "rustore_on_get_purchase_info_failure"
LOGGER_CHANNELS = {
    "d": "rustore_on_payment_logger_debug",
    "e": "rustore_on_payment_logger_error",
    "i": "rustore_on_payment_logger_info",
    "v": "rustore_on_payment_logger_verbose",
    "w": "rustore_on_payment_logger_warning",
}
_LOG_PRIORITY = {"v": 2, "d": 3, "i": 4, "w": 5, "e": 6}


class JavaException(Exception):
    """A Java throwable that escapes a JNI call: the process dies with this in ``FATAL EXCEPTION``."""

    java_class = "java.lang.RuntimeException"

    def __init__(self, message: str, frames: list[str]) -> None:
        super().__init__(message + "".join(f"\n\tat {f}" for f in frames))


def java_exception(java_class: str, message: str, frames: list[str]) -> JavaException:
    """An exception whose ``traceback.format_exception_only`` reads ``java.x.Name: msg`` + ``at`` lines."""
    module, _, name = java_class.rpartition(".")
    cls = type(name, (JavaException,), {"__module__": module, "java_class": java_class})
    return cls(message, frames)


PURCHASE_FRAMES = [
    "ru.rustore.defold.billing.RuStoreBilling.purchaseProduct(RuStoreBilling.kt:131)",
    "com.dynamo.android.DefoldActivity.nativeOnDrawFrame(Native Method)",
    "com.dynamo.android.DefoldActivity$GLSurfaceRenderer.onDrawFrame(DefoldActivity.java:412)",
    "android.opengl.GLSurfaceView$GLThread.guardedRun(GLSurfaceView.java:1573)",
    "android.opengl.GLSurfaceView$GLThread.run(GLSurfaceView.java:1272)",
]


class SdkError(Exception):
    """A failure the SDK reports as an exception (``simpleName`` + ``detailMessage``)."""

    def __init__(self, error: SimpleError) -> None:
        super().__init__(error.detail_message or error.simple_name)
        self.error = error


@dataclass
class ClientConfig:
    app_id: str
    scheme: str
    debug_logs: bool


@dataclass
class PendingPurchase:
    """``purchaseProduct`` between invoice creation and its PaymentResult."""

    purchase_id: str
    invoice_id: str
    order_id: str
    product_id: str
    quantity: int | None
    subscription_token: str
    title: str
    price_label: str
    method: str = "CARD"
    state: str = "select"  # select | processing | bank | result | closed
    result: PayResult | None = None
    error: SandboxAPIError | None = None
    completed: bool = False
    sheet: PaymentSheetActivity | None = None
    return_uri: str = ""
    bank_link: str = ""
    invalid_return: bool = False  # the return deeplink did not match: InvalidPaymentState


@dataclass
class PurchaseParams:
    order_id: str | None = None
    quantity: int | None = None
    payload: str | None = None


def parse_params(raw: str, mode: str) -> PurchaseParams:
    """Gson's ``fromJson(params, ProductPurchaseParams)``; faithful mode lets its failures escape."""
    try:
        data = json.loads(raw) if raw.strip() else None
    except json.JSONDecodeError as exc:
        if mode == "fixed":
            return PurchaseParams()
        where = f"at line {exc.lineno} column {exc.colno}"
        raise java_exception(
            "com.google.gson.JsonSyntaxException",
            f"com.google.gson.stream.MalformedJsonException: {exc.msg} {where}",
            ["com.google.gson.Gson.fromJson(Gson.java:1226)", *PURCHASE_FRAMES],
        ) from None
    if not isinstance(data, dict):
        if mode == "fixed":
            return PurchaseParams()
        if data is None:
            raise java_exception(
                "java.lang.NullPointerException",
                "Attempt to invoke virtual method 'java.lang.String ru.rustore.defold.billing.model."
                "ProductPurchaseParams.getOrderId()' on a null object reference",
                PURCHASE_FRAMES,
            )
        raise java_exception(
            "com.google.gson.JsonSyntaxException",
            f"java.lang.IllegalStateException: Expected BEGIN_OBJECT but was {type(data).__name__.upper()}"
            " at line 1 column 1 path $",
            ["com.google.gson.Gson.fromJson(Gson.java:1226)", *PURCHASE_FRAMES],
        )
    quantity = data.get("quantity")
    return PurchaseParams(
        order_id=data.get("orderId") if isinstance(data.get("orderId"), str) else None,
        quantity=int(quantity)
        if isinstance(quantity, int | float) and not isinstance(quantity, bool)
        else None,
        payload=data.get("payload") if isinstance(data.get("payload"), str) else None,
    )


def sdk_purchase(purchase: Purchase, device: Any) -> dict[str, Any]:
    """The sandbox's purchase as the SDK's Purchase object (Gson date in the device's zone, §10.10)."""
    data = purchase.model_dump()
    data.pop("paymentMethod", None)
    data["purchaseState"] = str(purchase.purchaseState)
    moment = datetime.fromisoformat(purchase.purchaseTime).astimezone(device.zone())
    data["purchaseTime"] = gson.date(moment, narrow_space_before_meridiem=device.profile.sdk >= 34)
    return data


class BillingSdk:
    """The plugin's ``RuStoreBilling`` object plus the SDK client it creates on ``init``."""

    def __init__(self, app: Any, emit: Emit) -> None:
        self.app = app
        self.device = app.device
        self.package = app.package.name
        self.emit = emit
        self.client: ClientConfig | None = None
        self.theme = "light"  # set_theme: 0 → dark, anything else → light (§1.1); default light
        self.error_handling = False
        self.pending: PendingPurchase | None = None
        self._trampolined = False
        self._sandbox: SandboxClient | None = None
        self._sandbox_headers: dict[str, str] = {}
        self._sandbox_url: str | None = None
        self.worker = SerialWorker(f"rustore-sdk-{self.package}")

    # ---- plumbing ------------------------------------------------------------------------------
    @property
    def settings(self) -> DeviceSettings:
        return DeviceSettings.read(self.device.props, self.device.serial)

    @property
    def writer(self) -> PayloadWriter:
        settings = self.settings
        return PayloadWriter(settings.profile, settings.mode)

    def on_device(self, fn: Callable[[], None]) -> None:
        self.app.on_device_loop(fn)

    def sandbox(self) -> SandboxClient:
        url = self.settings.sandbox_url
        if url is None:
            raise SdkError(SimpleError(errors.NETWORK, errors.network_message(None, "no RuStore backend")))
        headers = sandbox_headers(self.device.props)  # the device's latency profile (harness.sim.latency)
        if self._sandbox is None or self._sandbox_url != url or self._sandbox_headers != headers:
            self._sandbox = SandboxClient(
                url, app_id=self.client.app_id if self.client else "", timeout=15, headers=headers
            )
            self._sandbox_url, self._sandbox_headers = url, headers
        return self._sandbox

    def close(self) -> None:
        self.worker.stop()
        if self._sandbox is not None:
            self._sandbox.close()

    def logcat(self, priority: str, message: str) -> None:
        self.device.logcat.write(
            priority.upper(), LOG_TAG, message, pid=self.app.process.pid, uid=self.app.process.uid
        )

    def log(self, level: str, message: str, error: SimpleError | None = None) -> None:
        """The SDK's payment logger: logcat always, the logger channel only with ``debug_logs``."""
        self.logcat(
            level, message if error is None else f"{message}: {error.simple_name}: {error.detail_message}"
        )
        if self.client is not None and self.client.debug_logs:
            self.emit(LOGGER_CHANNELS[level], self.writer.logger(message, error))

    def fail(self, channel: str, payload: str, error: SimpleError) -> None:
        """A failure callback; with error handling on, a resolvable exception shows its dialog first."""
        if self.error_handling and errors.is_resolvable(error.simple_name):
            package = self.package

            def show_then_emit() -> None:
                self.logcat("i", f"resolveForBilling: {error.simple_name}")
                self.device.windows.show(error_dialog(self.device, package, error))
                self.emit(channel, payload)

            self.on_device(show_then_emit)
            return
        self.emit(channel, payload)

    def exception_of(self, exc: BaseException) -> SimpleError:
        """What the SDK raises for a failed backend call (§10.4, §10.5)."""
        props = self.device.props
        if isinstance(exc, SdkError):
            return exc.error
        if isinstance(exc, SandboxAPIError):
            if exc.simple_name:
                return SimpleError(
                    exc.simple_name, errors.detail_message(exc.simple_name, props) or exc.message
                )
            return SimpleError(errors.NETWORK, errors.network_message(exc.error_code, exc.message))
        if isinstance(exc, httpx.HTTPError):
            return SimpleError(errors.NETWORK, errors.network_message(None, str(exc) or type(exc).__name__))
        return SimpleError(errors.COMMON, str(exc) or errors.detail_message(errors.COMMON))

    def check_store(self) -> None:
        problem = store_problem(self.device)
        if problem is not None:
            raise SdkError(errors.error(problem, self.device.props))

    def run(self, task: Callable[[], None], on_error: Callable[[SimpleError], None]) -> None:
        """Run ``task`` on the worker; a failure becomes the operation's exception callback."""

        def guarded() -> None:
            try:
                task()
            except (SdkError, SandboxAPIError, httpx.HTTPError) as exc:
                error = self.exception_of(exc)
                self.log("e", "Request failed", error)
                on_error(error)

        self.worker.submit(guarded)

    def _user(self) -> str:
        return self.settings.user_id

    def _app_id(self) -> str:
        assert self.client is not None
        return self.client.app_id

    def crash(self, exc: JavaException) -> None:
        """An exception escaping the JNI call: the game process dies, no callback (§9.11)."""
        package = self.package
        self.on_device(lambda: self.device.activities.crash(package, exc))

    # ---- the Lua API (game thread) -------------------------------------------------------------
    def init(self, app_id: str, scheme: str, debug_logs: bool) -> None:
        self.client = ClientConfig(app_id, scheme, debug_logs)
        self.logcat("i", f"RuStoreBillingClient created: applicationId={app_id} deeplinkScheme={scheme}")
        if not self._trampolined:
            self._trampolined = True
            self.on_device(self._trampoline)

    def _trampoline(self) -> None:
        """First init: start RuStoreIntentFilterActivity with an empty intent (CONTRACT §7.2)."""
        game = self._game_record()
        intent = Intent(component=ComponentName(self.package, DEEPLINK_ACTIVITY))
        self.device.activities.request_start(
            intent, caller_uid=self.app.process.uid, caller_token=game.token if game else None
        )

    def _game_record(self) -> Any:
        return next(
            (
                r
                for r in self.device.activities.records()
                if r.package.name == self.package and r.info.name == GAME_ACTIVITY
            ),
            None,
        )

    def check_purchases_availability(self) -> None:
        if self.client is None:
            return
        writer = self.writer

        def task() -> None:
            self.log("v", "POST /billing/v1/availability")
            problem = store_problem(self.device)
            if problem is not None:
                cause = errors.error(problem, self.device.props)
                self.fail(CH_AVAILABLE_OK, writer.availability_unavailable(cause), cause)
                return
            result = self.sandbox().availability(self._user(), app_id=self._app_id())
            if result.isAvailable:
                self.emit(CH_AVAILABLE_OK, writer.availability_available())
                return
            name = result.cause.simpleName if result.cause else errors.FEATURE_UNAVAILABLE
            detail = errors.detail_message(name, self.device.props)
            cause = SimpleError(name, detail or (result.cause.detailMessage if result.cause else None))
            self.fail(CH_AVAILABLE_OK, writer.availability_unavailable(cause), cause)

        self.run(task, lambda e: self.fail(CH_AVAILABLE_FAIL, writer.availability_failure(e), e))

    def get_products(self, product_ids: list[str]) -> None:
        if self.client is None:
            return
        writer = self.writer

        def task() -> None:
            self.check_store()
            self.log("v", f"POST /billing/v1/products ids={','.join(product_ids)}")
            products = self.sandbox().products(self._user(), product_ids, app_id=self._app_id())
            self.emit(CH_PRODUCTS_OK, writer.products([p.model_dump() for p in products]))

        self.run(task, lambda e: self.fail(CH_PRODUCTS_FAIL, writer.bare_error(e), e))

    def get_purchases(self) -> None:
        if self.client is None:
            return
        writer = self.writer

        def task() -> None:
            self.check_store()
            self.log("v", "GET /billing/v1/purchases")
            found = self.sandbox().purchases(self._user(), app_id=self._app_id())
            self.emit(
                CH_PURCHASES_OK, writer.purchases([sdk_purchase(p, self.device) for p in found], sandbox=True)
            )

        self.run(task, lambda e: self.fail(CH_PURCHASES_FAIL, writer.bare_error(e), e))

    def get_purchase_info(self, purchase_id: str) -> None:
        if self.client is None:
            return
        writer = self.writer

        def task() -> None:
            self.check_store()
            self.log("v", f"GET /billing/v1/purchases/{purchase_id}")
            found = self.sandbox().purchase_info(self._user(), purchase_id, app_id=self._app_id())
            self.emit(CH_INFO_OK, writer.purchase_info(sdk_purchase(found, self.device), sandbox=True))

        self.run(task, lambda e: self.fail(CH_INFO_FAIL, writer.purchase_id_failure(purchase_id, e), e))

    def confirm_purchase(self, purchase_id: str) -> None:
        if self.client is None:
            return
        writer = self.writer

        def task() -> None:
            self.check_store()
            self.log("v", f"POST /billing/v1/purchases/{purchase_id}/confirm")
            self.sandbox().confirm(self._user(), purchase_id, app_id=self._app_id())
            self.log("i", f"Purchase confirmed: purchaseId={purchase_id}")
            self.emit(CH_CONFIRM_OK, writer.purchase_id_success(purchase_id))

        self.run(task, lambda e: self.fail(CH_CONFIRM_FAIL, writer.purchase_id_failure(purchase_id, e), e))

    def delete_purchase(self, purchase_id: str) -> None:
        if self.client is None:
            return
        writer = self.writer

        def task() -> None:
            self.check_store()
            self.log("v", f"POST /billing/v1/purchases/{purchase_id}/delete")
            self.sandbox().delete(self._user(), purchase_id, app_id=self._app_id())
            self.emit(CH_DELETE_OK, writer.purchase_id_success(purchase_id))

        self.run(task, lambda e: self.fail(CH_DELETE_FAIL, writer.purchase_id_failure(purchase_id, e), e))

    def set_theme(self, code: int) -> None:
        self.theme = "dark" if code == 0 else "light"

    def set_error_handling(self, flag: bool) -> None:
        self.error_handling = flag

    # ---- purchase ------------------------------------------------------------------------------
    def purchase_product(self, product_id: str, params_json: str) -> None:
        """``purchaseProduct``: faithful mode crashes the game on params Gson cannot read (§9.11)."""
        if self.client is None:
            return
        writer = self.writer
        try:
            params = parse_params(params_json, writer.mode)
        except JavaException as exc:
            self.crash(exc)
            return

        def task() -> None:
            self.check_store()
            self.log("d", f"purchaseProduct: productId={product_id}")
            if self.pending is not None and not self.pending.completed:
                self.log("w", f"A payment is already in progress: invoiceId={self.pending.invoice_id}")
            sandbox = self.sandbox()
            self.log("v", "POST /billing/v1/purchases")
            try:
                created = sandbox.create_purchase(
                    self._user(),
                    product_id,
                    order_id=params.order_id,
                    quantity=params.quantity,
                    developer_payload=params.payload,
                    app_id=self._app_id(),
                )
            except SandboxAPIError as exc:
                if exc.simple_name is None and exc.error_code is not None and 40000 <= exc.error_code < 40100:
                    # §10.3: a server rejection is a Failure result on the success channel, no sheet
                    self.log("w", f"Purchase rejected by RuStore: errorCode={exc.error_code}")
                    self.emit(
                        CH_PURCHASE_OK,
                        writer.purchase_failure_result(
                            sandbox=True,
                            order_id=params.order_id,
                            product_id=product_id,
                            quantity=params.quantity,
                            error_code=exc.error_code,
                        ),
                    )
                    return
                raise
            self.log("i", f"Invoice created: invoiceId={created.invoiceId}")
            title, price = product_id, ""
            try:
                found = sandbox.products(self._user(), [product_id], app_id=self._app_id())
                if found:
                    title, price = found[0].title or product_id, found[0].priceLabel or ""
            except (SandboxAPIError, httpx.HTTPError):
                pass
            pending = PendingPurchase(
                purchase_id=created.purchaseId,
                invoice_id=created.invoiceId,
                order_id=created.orderId,
                product_id=product_id,
                quantity=created.quantity,
                subscription_token=created.subscriptionToken,
                title=title,
                price_label=price,
            )
            self.pending = pending
            self.on_device(lambda: self._open_sheet(pending))

        self.run(task, lambda e: self.fail(CH_PURCHASE_FAIL, writer.purchase_failure(product_id, e), e))

    def _open_sheet(self, pending: PendingPurchase) -> None:
        game = self._game_record()
        intent = Intent(component=ComponentName(self.package, SHEET_ACTIVITY))
        intent.extras = {"invoiceId": pending.invoice_id}
        self.device.activities.request_start(
            intent, caller_uid=self.app.process.uid, caller_token=game.token if game else None
        )
        self.log("i", f"Payment sheet opened: productId={pending.product_id}")

    # called by the sheet (device loop) ----------------------------------------------------------
    def select_method(self, pending: PendingPurchase, method: str) -> None:
        pending.method = method
        self.log("d", f"Payment method selected: {method}")

    def pay_in_sheet(self, pending: PendingPurchase) -> None:
        """The sheet's Pay: a card pays here (two-stage); SBP/SberPay leave for the bank app."""
        if pending.method == "CARD":
            pending.state = "processing"

            def task() -> None:
                self._pay(pending, None)
                self.on_device(lambda: self._card_done(pending))

            self.worker.submit(task)
            return
        self._open_bank(pending)

    def _card_done(self, pending: PendingPurchase) -> None:
        pending.state = "result"
        result = pending.result
        self.log("i", f"Card payment finished: {result.type if result else 'error'}")

    def _pay(self, pending: PendingPurchase, outcome: str | None) -> None:
        """One ``/pay`` call; the answer (or refusal) is kept on the pending purchase."""
        try:
            self.log("v", f"POST /billing/v1/purchases/{pending.purchase_id}/pay method={pending.method}")
            pending.result = self.sandbox().pay(
                self._user(),
                pending.purchase_id,
                pending.method,
                outcome=outcome,
                settlement_delay_seconds=settlement_delay(self.device.props, pending.method)
                if outcome is None
                else None,
                app_id=self._app_id(),
            )
            pending.error = None
        except (SandboxAPIError, httpx.HTTPError, SdkError) as exc:
            pending.result = None
            pending.error = (
                exc if isinstance(exc, SandboxAPIError) else SandboxAPIError(0, None, str(exc), None)
            )

    def return_uri(self, pending: PendingPurchase) -> str:
        """§10.7: ``<scheme>://rustore.billing.sdk/return?invoiceId=<id>``."""
        assert self.client is not None
        return f"{self.client.scheme}://{RETURN_HOST}{RETURN_PATH}?invoiceId={pending.invoice_id}"

    def _open_bank(self, pending: PendingPurchase) -> None:
        bank = BANKS[pending.method]
        pending.state = "bank"
        pending.return_uri = self.return_uri(pending)
        pending.bank_link = (
            f"{bank.scheme}://pay?invoiceId={pending.invoice_id}"
            f"&amount={quote(pending.price_label)}&returnUrl={quote(pending.return_uri, safe='')}"
        )
        register_payment(
            self.device,
            BankPayment(
                invoice_id=pending.invoice_id,
                purchase_id=pending.purchase_id,
                app_id=self._app_id(),
                user_id=self._user(),
                method=pending.method,
                title=pending.title,
                amount_label=pending.price_label,
                return_uri=pending.return_uri,
                sandbox_url=self.settings.sandbox_url or "",
            ),
        )
        self.log("i", f"Opening bank app for {pending.method}: invoiceId={pending.invoice_id}")
        intent = Intent(
            "android.intent.action.VIEW",
            ["android.intent.category.BROWSABLE"],
            data=pending.bank_link,
            flags=FLAG_ACTIVITY_NEW_TASK,
        )
        caller = pending.sheet.token if pending.sheet is not None else None
        self.device.activities.request_start(intent, caller_uid=self.app.process.uid, caller_token=caller)

    def close_sheet(self, pending: PendingPurchase) -> None:
        """The sheet closed by the user (close, Done, BACK): deliver what happened."""
        if pending.completed:
            return
        if pending.state == "result":
            self._complete(pending)
            return
        if pending.state == "processing":
            return  # a card payment is running; the sheet stays until it answers
        self.log("i", "Payment sheet closed by user")

        def task() -> None:
            self._pay(pending, "user_cancel")
            self._complete(pending)

        self.worker.submit(task)

    # ---- the return deeplink (device loop, from RuStoreIntentFilterActivity) ---------------------
    def on_new_intent(self, intent: Intent) -> None:
        if self.client is None:
            return
        if intent.data is None:
            self.log("d", "onNewIntent: no deeplink data")
            return
        pending = self.pending
        if pending is None or pending.completed:
            self.log("w", f"Return deeplink without a pending payment: {intent.data}")
            return
        parts = urlsplit(intent.data)
        invoice = parse_qs(parts.query).get("invoiceId", [""])[0]
        if (
            parts.scheme.lower() != self.client.scheme.lower()
            or (parts.hostname or "") != RETURN_HOST
            or parts.path != RETURN_PATH
            or invoice != pending.invoice_id
        ):
            self.log("w", f"Return deeplink does not match the pending payment: {intent.data}")
            pending.result, pending.error = None, None
            pending.invalid_return = True
            self.worker.submit(lambda: self._complete(pending))
            return
        self.log("d", f"Return deeplink received: invoiceId={invoice}")
        bank = payment_of(self.device, invoice)

        def task() -> None:
            if (
                bank is not None
                and (bank.result is not None or bank.error is not None)
                and not (bank.result is not None and str(bank.result.type) == "Pending")
            ):
                pending.result, pending.error = bank.result, bank.error
            else:  # the bank never said (or said "pending"): ask RuStore to settle the invoice now
                self._pay(pending, None)
            self._complete(pending)

        self.worker.submit(task)

    # ---- the PaymentResult -----------------------------------------------------------------------
    def _complete(self, pending: PendingPurchase) -> None:
        """Emit the PaymentResult (success channel) or the exception (failure channel); worker thread."""
        if pending.completed:
            return
        pending.completed = True
        writer = self.writer
        sheet = pending.sheet
        if sheet is not None:
            self.on_device(sheet.finish_if_open)
        if pending.invalid_return:
            self.emit(CH_PURCHASE_OK, writer.purchase_invalid_state())
            return
        result = pending.result
        if result is None:
            exc = pending.error or SandboxAPIError(0, None, "no result", None)
            if exc.simple_name is None and exc.error_code is not None and 40000 <= exc.error_code < 40100:
                self.emit(
                    CH_PURCHASE_OK,
                    writer.purchase_failure_result(
                        sandbox=True,
                        purchase_id=pending.purchase_id,
                        invoice_id=pending.invoice_id,
                        order_id=pending.order_id,
                        product_id=pending.product_id,
                        quantity=pending.quantity,
                        error_code=exc.error_code,
                    ),
                )
                return
            error = self.exception_of(exc)
            self.log("e", "Payment failed", error)
            self.fail(CH_PURCHASE_FAIL, writer.purchase_failure(pending.product_id, error), error)
            return
        purchase = result.purchase
        kind = str(result.type)
        self.log("i", f"Payment result: {kind} invoiceId={pending.invoice_id}")
        if kind == "Success":
            self.emit(
                CH_PURCHASE_OK,
                writer.purchase_success(
                    purchase_id=purchase.purchaseId,
                    product_id=purchase.productId,
                    invoice_id=purchase.invoiceId,
                    order_id=purchase.orderId,
                    subscription_token=purchase.subscriptionToken,
                    sandbox=purchase.sandbox,
                ),
            )
        elif kind == "Cancelled":
            self.emit(
                CH_PURCHASE_OK,
                writer.purchase_cancelled(purchase_id=purchase.purchaseId, sandbox=purchase.sandbox),
            )
        elif kind == "Failure":
            self.emit(
                CH_PURCHASE_OK,
                writer.purchase_failure_result(
                    sandbox=purchase.sandbox,
                    purchase_id=purchase.purchaseId,
                    invoice_id=purchase.invoiceId,
                    order_id=purchase.orderId,
                    product_id=purchase.productId,
                    quantity=purchase.quantity,
                ),
            )
        else:  # Pending after a return: the invoice is still open
            self.emit(CH_PURCHASE_OK, writer.purchase_invalid_state())
