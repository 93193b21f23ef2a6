"""The exact strings the RuStore Defold plugin emits on each channel (CONTRACT §2, §8, §10).

Two producers exist in the real plugin: Gson for SDK model objects, and hand-built
Kotlin string templates for the wrappers, with odd spacing and no escaping. ``faithful``
mode reproduces the templates byte for byte, defects included (raw ids that break JSON,
logger payloads that are never JSON when a throwable is present, availability failure as
a bare error). ``fixed`` mode emits the same shapes as valid JSON. Profiles: ``6.0.0``
(``sandbox`` on every PaymentResult and Purchase, no Purchase ``description``) and
``5.0.1`` (no ``sandbox``, Purchase keeps ``description``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness.sim.rustore import gson

Profile = Literal["6.0.0", "5.0.1"]
Mode = Literal["faithful", "fixed"]
PROFILES: tuple[Profile, ...] = ("6.0.0", "5.0.1")
MODES: tuple[Mode, ...] = ("faithful", "fixed")


@dataclass(frozen=True)
class SimpleError:
    """What reaches Lua of a Java throwable: ``Class.getSimpleName()`` and ``getMessage()``."""

    simple_name: str
    detail_message: str | None = None

    def json(self) -> str:
        return gson.to_json({"simpleName": self.simple_name, "detailMessage": self.detail_message})


@dataclass(frozen=True)
class PayloadWriter:
    """Builds each channel's payload string for one plugin profile and fidelity mode."""

    profile: Profile = "6.0.0"
    mode: Mode = "faithful"

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown plugin profile {self.profile!r}; expected one of {PROFILES}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; expected one of {MODES}")

    @property
    def has_sandbox_flag(self) -> bool:
        return self.profile == "6.0.0"

    def _echo(self, raw: str) -> str:
        """An id echoed into a hand-built template: raw in faithful mode (§2.14 #11), escaped when fixed."""
        return f'"{raw}"' if self.mode == "faithful" else gson.string(raw)

    # -- availability (§2.2, §2.3) ---------------------------------------------------------

    def availability_available(self) -> str:
        return '{"isAvailable": true}'

    def availability_unavailable(self, cause: SimpleError) -> str:
        return '{"isAvailable": false, "cause": ' + cause.json() + "}"

    def availability_failure(self, error: SimpleError) -> str:
        if self.mode == "faithful":
            return error.json()
        return '{"cause": ' + error.json() + "}"

    # -- bare errors on the other failure channels (§2.5, §2.9) ----------------------------

    def bare_error(self, error: SimpleError) -> str:
        return error.json()

    # -- products (§2.4) -------------------------------------------------------------------

    def products(self, products: Sequence[Mapping[str, Any]]) -> str:
        return gson.to_json(list(products))

    # -- purchase result (§2.6, §2.7) ------------------------------------------------------

    def _result(self, kind: str, data: Mapping[str, Any]) -> str:
        return '{"type":"' + kind + '","data":' + gson.to_json(data) + "}"

    def _with_sandbox(self, data: dict[str, Any], sandbox: bool) -> dict[str, Any]:
        if self.has_sandbox_flag:
            data["sandbox"] = sandbox
        return data

    def purchase_success(
        self,
        *,
        purchase_id: str,
        product_id: str,
        invoice_id: str,
        order_id: str | None,
        subscription_token: str | None,
        sandbox: bool,
    ) -> str:
        data = {
            "purchaseId": purchase_id,
            "productId": product_id,
            "invoiceId": invoice_id,
            "orderId": order_id,
            "subscriptionToken": subscription_token,
        }
        return self._result("Success", self._with_sandbox(data, sandbox))

    def purchase_cancelled(self, *, purchase_id: str, sandbox: bool) -> str:
        return self._result("Cancelled", self._with_sandbox({"purchaseId": purchase_id}, sandbox))

    def purchase_failure_result(
        self,
        *,
        sandbox: bool,
        purchase_id: str | None = None,
        invoice_id: str | None = None,
        order_id: str | None = None,
        product_id: str | None = None,
        quantity: int | None = None,
        error_code: int | None = None,
    ) -> str:
        data = {
            "purchaseId": purchase_id,
            "invoiceId": invoice_id,
            "orderId": order_id,
            "productId": product_id,
            "quantity": quantity,
            "errorCode": error_code,
        }
        return self._result("Failure", self._with_sandbox(data, sandbox))

    def purchase_invalid_state(self) -> str:
        return self._result("InvalidPaymentState", {})

    def purchase_failure(self, product_id: str, cause: SimpleError) -> str:
        return '{"productId": ' + self._echo(product_id) + ', "cause": ' + cause.json() + "}"

    # -- purchases and purchase info (§2.8, §2.12) -----------------------------------------

    def purchase_model(self, purchase: Mapping[str, Any], *, sandbox: bool) -> dict[str, Any]:
        """A Purchase as this profile's SDK class has it (sandbox flag vs description)."""
        shaped = dict(purchase)
        if self.has_sandbox_flag:
            shaped.pop("description", None)
            shaped["sandbox"] = sandbox
        else:
            shaped.pop("sandbox", None)
        return shaped

    def purchases(self, purchases: Sequence[Mapping[str, Any]], *, sandbox: bool) -> str:
        return gson.to_json([self.purchase_model(p, sandbox=sandbox) for p in purchases])

    def purchase_info(self, purchase: Mapping[str, Any], *, sandbox: bool) -> str:
        return gson.to_json(self.purchase_model(purchase, sandbox=sandbox))

    # -- confirm / delete / info wrappers (§2.10, §2.11) -----------------------------------

    def purchase_id_success(self, purchase_id: str) -> str:
        return '{"purchaseId": ' + self._echo(purchase_id) + "}"

    def purchase_id_failure(self, purchase_id: str, cause: SimpleError) -> str:
        return '{"purchaseId": ' + self._echo(purchase_id) + ', "cause": ' + cause.json() + "}"

    # -- payment logger (§2.13) ------------------------------------------------------------

    def logger(self, message: str, error: SimpleError | None = None) -> str:
        embedded = error.json() if error is not None else "{}"
        if self.mode == "faithful":
            return '{"e": "' + embedded + '", "message": "' + message + '"}'
        return '{"e": ' + gson.string(embedded) + ', "message": ' + gson.string(message) + "}"
