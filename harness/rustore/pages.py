"""Page objects of RuStore's native screens: the payment sheet and the bank apps.

Locators come from ``locators.yaml`` next to this module, overridable per project with the
devices file's ``locators:`` (RuStore changes its UI; a new layout is a YAML edit, not a code
change). Elements are looked up through Appium; waits re-look each time the device logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from harness.android.logcat import LogcatStream
from harness.game.waits import wait_until

# The locator strategies the locators file may name: the wire names of Appium's ``AppiumBy``
# (written out: importing the client's webdriver package costs every pytest process ~0.2 s).
STRATEGIES = {name: name for name in ("id", "xpath", "accessibility id", "-android uiautomator")}
METHODS = ("card", "sbp", "sberpay")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def load_locators(override: Path | None = None) -> dict[str, Any]:
    """The built-in locators, with an override file's keys merged over them."""
    text = resources.files("harness.rustore").joinpath("locators.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    if override is not None:
        extra = yaml.safe_load(override.read_text(encoding="utf-8")) or {}
        if not isinstance(extra, dict):
            raise ValueError(f"{override}: expected a mapping of screens to locators")
        data = _merge(data, extra)
    return data


@dataclass(frozen=True)
class Locator:
    by: str
    value: str

    @classmethod
    def of(cls, spec: Any, package: str) -> Locator:
        strategy, value = spec
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown locator strategy {strategy!r}; use one of {sorted(STRATEGIES)}")
        return cls(STRATEGIES[strategy], str(value).replace("{package}", package))


class NativeScreen:
    """Shared by the sheet and the banks: find by locator, wait (logcat-driven) for it."""

    name = "screen"

    def __init__(self, driver: Any, logcat: LogcatStream) -> None:
        self.driver = driver
        self.logcat = logcat

    def find(self, locator: Locator) -> Any | None:
        found = self.driver.find_elements(locator.by, locator.value)
        return found[0] if found else None

    def wait(self, locator: Locator, timeout: float = 20.0) -> Any:
        return wait_until(
            self.logcat,
            lambda: self.find(locator),
            timeout=timeout,
            what=f"{self.name}: {locator.value}",
            describe=lambda: f"foreground package {self.driver.current_package}",
        )

    def tap(self, locator: Locator, timeout: float = 20.0) -> None:
        self.wait(locator, timeout).click()


class PaySheet(NativeScreen):
    """RuStore's payment sheet (BillingClientActivity inside the game's process)."""

    name = "payment sheet"

    def __init__(self, driver: Any, logcat: LogcatStream, locators: dict[str, Any], package: str) -> None:
        super().__init__(driver, logcat)
        spec = locators["paysheet"]
        self.activity: str = spec["activity"]
        self.sheet = Locator.of(spec["sheet"], package)
        self.methods = {m: Locator.of(v, package) for m, v in spec["methods"].items()}
        self.pay_button = Locator.of(spec["pay"], package)
        self.close_button = Locator.of(spec["close"], package)
        self.result = Locator.of(spec["result"], package)
        self.done_button = Locator.of(spec["done"], package)

    def wait_open(self, timeout: float = 20.0) -> None:
        self.wait(self.pay_button, timeout)

    def choose(self, method: str) -> None:
        if method not in self.methods:
            raise ValueError(f"unknown payment method {method!r}; the sheet offers {sorted(self.methods)}")
        self.tap(self.methods[method])

    def pay(self) -> None:
        self.tap(self.pay_button)

    def close(self) -> None:
        self.tap(self.close_button)

    def result_text(self, timeout: float = 20.0) -> str:
        return str(self.wait(self.result, timeout).text)

    def done(self, timeout: float = 20.0) -> None:
        self.tap(self.done_button, timeout)


class BankApp(NativeScreen):
    """A bank app the sheet hands an SBP or SberPay payment to (a separate package)."""

    def __init__(self, driver: Any, logcat: LogcatStream, locators: dict[str, Any], method: str) -> None:
        super().__init__(driver, logcat)
        spec = locators["banks"][method]
        self.method = method
        self.package: str = spec["package"]
        self.name = f"bank app {self.package}"
        self.pay_button = Locator.of(spec["pay"], self.package)
        self.cancel_button = Locator.of(spec["cancel"], self.package)
        self.status = Locator.of(spec["status"], self.package)
        self.pending_text: str = spec.get("pending_text", "")

    def wait_open(self, timeout: float = 20.0) -> None:
        self.wait(self.pay_button, timeout)

    def pay(self) -> None:
        self.tap(self.pay_button)

    def cancel(self) -> None:
        self.tap(self.cancel_button)

    def status_text(self, timeout: float = 20.0) -> str:
        return str(self.wait(self.status, timeout).text)

    def wait_pending(self, timeout: float = 20.0) -> str:
        """The bank says it is still processing and keeps the user (it will not return by itself)."""

        def pending() -> str | None:
            element = self.find(self.status)
            text = str(element.text) if element is not None else ""
            return text if text == self.pending_text else None

        return wait_until(self.logcat, pending, timeout=timeout, what=f"{self.name}: {self.pending_text!r}")


class Banks:
    """The bank apps by payment method (``bank.sbp``, ``bank["sberpay"]``)."""

    def __init__(self, driver: Any, logcat: LogcatStream, locators: dict[str, Any]) -> None:
        self._apps = {m: BankApp(driver, logcat, locators, m) for m in locators["banks"]}

    def __getitem__(self, method: str) -> BankApp:
        return self._apps[method]

    @property
    def sbp(self) -> BankApp:
        return self._apps["sbp"]

    @property
    def sberpay(self) -> BankApp:
        return self._apps["sberpay"]
