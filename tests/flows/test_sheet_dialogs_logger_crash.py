"""The payment sheet's theme, RuStore's error dialog (set_error_handling), the payment logger channels
in both plugin modes (§2.13, §10.2), and the crash on missing purchase params (§9.11)."""

from __future__ import annotations

import pytest

from harness.rustore.channels import Channel
from harness.rustore.pages import Locator
from harness.rustore.recorder import AppCrashed

from .steps import open_sheet

LOGGER_PREFIX = "rustore_on_payment_logger_"
LOGGERS = [
    Channel.PAYMENT_LOGGER_VERBOSE,
    Channel.PAYMENT_LOGGER_DEBUG,
    Channel.PAYMENT_LOGGER_INFO,
    Channel.PAYMENT_LOGGER_WARNING,
    Channel.PAYMENT_LOGGER_ERROR,
]


@pytest.mark.parametrize(
    ("theme", "label", "described"), [(0, "Theme: Dark", "dark"), (1, "Theme: Light", "light")]
)
def test_theme_of_the_payment_sheet(billing, callbacks, theme, label, described):
    assert billing.set_theme(theme) == label
    mark = open_sheet(billing, "con1")
    sheet = billing.paysheet.wait(billing.paysheet.sheet)
    assert sheet.get_attribute("content-desc") == f"RuStore payment sheet, {described} theme"
    billing.paysheet.close()
    assert callbacks.expect_any("purchase_product", 30, mark).parsed["type"] == "Cancelled"


def _locator(package, view_id):
    return Locator.of(("id", f"{package}:id/{view_id}"), package)


def test_error_dialog_shown_before_the_callback_when_handling_is_on(billing, callbacks, device_props):
    device_props({"rustore.harness.store.state": "unauthorized"})
    assert billing.set_error_handling(True) == "Error dialogs: on"
    mark = callbacks.mark()
    billing.game.tap("btn_check")
    screen = billing.paysheet
    pkg = billing.game.package
    dialog = screen.wait(_locator(pkg, "rustore_error_dialog"))
    assert dialog.is_displayed()
    message = screen.wait(_locator(pkg, "rustore_error_message")).text
    assert message == "User is not authorized in RuStore"
    screen.tap(_locator("android", "button1"))
    event = callbacks.expect_any("check_purchases_availability", 30, mark)
    assert event.parsed["cause"]["simpleName"] == "RuStoreUserUnauthorizedException", event.raw
    assert screen.find(_locator(pkg, "rustore_error_dialog")) is None


def test_no_error_dialog_when_handling_is_off(billing, callbacks, device_props):
    device_props({"rustore.harness.store.state": "user_banned"})
    assert billing.set_error_handling(False) == "Error dialogs: off"
    event = billing.availability()
    assert event.parsed["cause"]["simpleName"] == "RuStoreUserBannedException", event.raw
    assert billing.paysheet.find(_locator(billing.game.package, "rustore_error_dialog")) is None


def all_logger_channels(billing, store, user):
    """Drive the SDK so each of the five logger channels speaks; returns the logger events."""
    mark = billing.callbacks.mark()
    assert billing.buy("con1", method="sbp").ok  # verbose (backend calls), debug, info
    store.create_purchase(user, "con2")  # an unpaid invoice: buying con2 again is refused (warning)
    billing.products()
    billing.game.tap("btn_buy_con2")
    refused = billing.callbacks.expect(Channel.PURCHASE_PRODUCT_SUCCESS, {"type": "Failure"}, 30, mark)
    assert refused.parsed["data"]["errorCode"] == 40009, refused.raw
    store.force_error("purchases", error_code=50003, message="list failed", user_id=user)  # error
    assert billing.purchases().channel == Channel.GET_PURCHASES_FAILURE.value
    return {c: billing.callbacks.events(c, mark) for c in LOGGERS}


@pytest.mark.slow
def test_payment_logger_faithful_reports_the_plugin_defects(billing, callbacks, store, user):
    events = all_logger_channels(billing, store, user)
    assert all(events[c] for c in LOGGERS), {c.value: len(e) for c, e in events.items()}
    logger_deviations = [
        d for e, d in callbacks.deviations if e.channel.startswith("rustore_on_payment_logger")
    ]
    assert logger_deviations, (
        "faithful mode reproduces the logger's invalid JSON (§2.13): reported as deviations"
    )
    assert callbacks.violations == []


@pytest.mark.slow
def test_payment_logger_fixed_is_valid_json(billing, callbacks, store, user, plugin_mode):
    plugin_mode("fixed")
    events = all_logger_channels(billing, store, user)
    assert all(events[c] for c in LOGGERS), {c.value: len(e) for c, e in events.items()}
    for channel in LOGGERS:
        for event in events[channel]:
            assert isinstance(event.parsed, dict) and event.contract.is_json, event.raw
    assert [d for e, d in callbacks.deviations if e.channel.startswith(LOGGER_PREFIX)] == []


def test_purchase_without_params_crashes_the_game_and_is_reported(
    billing, callbacks, game_config, adb_device
):
    game_config({"rustore_harness.purchase_params": "omit"})
    billing.products()
    mark = callbacks.mark()
    billing.game.tap("btn_buy_con1")
    with pytest.raises(AppCrashed) as crashed:
        callbacks.expect_any("purchase_product", 30, mark)
    crash = crashed.value.crash
    assert crash.package == billing.game.package
    assert "NullPointerException" in crash.exception or "JsonSyntaxException" in crash.exception
    assert any("purchaseProduct" in frame for frame in crash.frames), crash.frames
    assert f"{billing.game.package} (pid {crash.pid}) crashed" in str(crashed.value)
    assert adb_device.shell(["pidof", billing.game.package]).strip() == ""
    assert callbacks.events(Channel.PURCHASE_PRODUCT_SUCCESS, mark) == []  # no callback, ever
