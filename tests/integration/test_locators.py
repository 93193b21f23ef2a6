"""The native-screen locators file: built-in values, a devices.yaml override merged over them."""

from __future__ import annotations

from pathlib import Path

import pytest
from appium.webdriver.common.appiumby import AppiumBy

from harness.rustore.pages import Locator, load_locators


def test_builtin_locators_name_the_sheet_and_both_banks() -> None:
    data = load_locators()
    pay = Locator.of(data["paysheet"]["pay"], "ru.rustore.sample.billing")
    assert pay == Locator(AppiumBy.ID, "ru.rustore.sample.billing:id/pay_button")
    assert data["paysheet"]["activity"] == "ru.rustore.sdk.billingclient.presentation.BillingClientActivity"
    assert {m: b["package"] for m, b in data["banks"].items()} == {
        "sbp": "ru.virtualbank.sbp",
        "sberpay": "ru.virtualbank.sberpay",
    }


def test_an_override_replaces_only_the_keys_it_gives(tmp_path: Path) -> None:
    override = tmp_path / "my-locators.yaml"
    override.write_text(
        "paysheet:\n  pay: [xpath, \"//*[@text='Оплатить']\"]\nbanks:\n  sbp:\n    package: ru.newbank\n"
    )
    data = load_locators(override)
    assert Locator.of(data["paysheet"]["pay"], "p") == Locator(AppiumBy.XPATH, "//*[@text='Оплатить']")
    assert data["paysheet"]["done"] == ["id", "{package}:id/done_button"]  # untouched
    assert data["banks"]["sbp"]["package"] == "ru.newbank"
    assert data["banks"]["sbp"]["pay"] == ["id", "ru.virtualbank.sbp:id/pay_button"]


def test_an_unknown_strategy_is_named() -> None:
    with pytest.raises(ValueError, match="unknown locator strategy 'css'"):
        Locator.of(["css", "#pay"], "p")
