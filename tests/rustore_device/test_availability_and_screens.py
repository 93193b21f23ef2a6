"""Availability causes, the error dialog, the sheet's theme, and the crash on missing params."""

from __future__ import annotations

import pytest

from harness.sim.rustore.errors import DETAIL_MESSAGES

from .flows import PURCHASE_OK, SHEET, open_sheet
from .game_device import PACKAGE

AVAILABLE = "rustore_check_purchases_available_success"


def unavailable(name: str) -> str:
    return (
        '{"isAvailable": false, "cause": {"detailMessage":"'
        + DETAIL_MESSAGES[name]
        + '","simpleName":"'
        + name
        + '"}}'
    )


@pytest.mark.parametrize(
    ("how", "name", "code"),
    [
        ("uninstall", "RuStoreNotInstalledException", 103),
        ("outdated", "RuStoreOutdatedException", 102),
        ("unauthorized", "RuStoreUserUnauthorizedException", 101),
        ("user_banned", "RuStoreUserBannedException", 101),
        ("app_banned", "RuStoreApplicationBannedException", 101),
    ],
)
def test_each_availability_cause(game, how, name, code) -> None:
    if how == "uninstall":
        assert "Success" in game.dev.shell("pm uninstall ru.vk.store")
    else:
        game.dev.shell(f"setprop rustore.harness.store.state {how}")
    lines, mark = game.line_mark(), game.mark()
    game.request("check")
    event = game.expect(AVAILABLE, mark)
    assert event.payload == unavailable(name)
    assert game.wait_code(code).seq == event.seq
    # error handling is on in the sample game: the dialog came first, then the callback
    shown = game.wait_line(rf"RuStoreBillingClient: resolveForBilling: {name}", lines)
    callback = game.wait_line(rf"ch={AVAILABLE} ", lines)
    assert game.lines.index(shown.string) < game.lines.index(callback.string)
    message = game.wait_node(f"{PACKAGE}:id/rustore_error_message")
    assert message.text == DETAIL_MESSAGES[name]
    # billing calls while unavailable fail on their failure channel with the same exception
    game.tap("android:id/button1")
    assert game.find(f"{PACKAGE}:id/rustore_error_dialog") is None
    game.request("products")
    failed = game.expect("rustore_on_get_products_failure", mark)
    assert failed.payload == '{"detailMessage":"' + DETAIL_MESSAGES[name] + '","simpleName":"' + name + '"}'


def test_outdated_by_version_and_unauthorized_by_the_sandbox(game, sandbox) -> None:
    from harness.sim.rustore.store_app import install_store_app

    game.on_loop(lambda: install_store_app(game.model, version_code=1_000_000))
    assert "versionCode=1000000" in game.dev.shell("dumpsys package ru.vk.store")
    mark = game.mark()
    game.request("check")
    assert game.expect(AVAILABLE, mark).payload == unavailable("RuStoreOutdatedException")
    game.on_loop(lambda: install_store_app(game.model))
    sandbox.set_user(game.user_id, authorized=False)
    mark = game.mark()
    game.request("check")
    assert game.expect(AVAILABLE, mark).payload == unavailable("RuStoreUserUnauthorizedException")


def test_no_dialog_when_error_handling_is_off(game) -> None:
    game.request("error_dialogs", value=False)
    game.dev.shell("setprop rustore.harness.store.state user_banned")
    lines, mark = game.line_mark(), game.mark()
    game.request("check")
    assert game.expect(AVAILABLE, mark).payload == unavailable("RuStoreUserBannedException")
    assert not any("resolveForBilling" in line for line in game.lines[lines:])
    assert game.find(f"{PACKAGE}:id/rustore_error_dialog") is None
    assert not game.model.windows.dialogs


def test_the_sheet_follows_the_theme(game) -> None:
    mark = open_sheet(game)
    assert game.find(SHEET + "rustore_payment_sheet").content_desc == "RuStore payment sheet, dark theme"
    game.tap(SHEET + "close_button")
    game.expect(PURCHASE_OK, mark)
    game.request("theme", value=1)
    open_sheet(game)
    assert game.find(SHEET + "rustore_payment_sheet").content_desc == "RuStore payment sheet, light theme"
    # a bottom sheet: the game still shows above it, the sheet hugs the bottom edge
    width, height = game.model.display.size
    sheet = game.find(SHEET + "rustore_payment_sheet")
    assert sheet.bounds[1] > height // 4 and sheet.bounds[3] == height and sheet.bounds[2] == width
    # translucent: the game's surface is still on screen under the sheet, and the game only paused
    assert any(n.cls == "android.view.SurfaceView" and n.package == PACKAGE for n in game.dump())


@pytest.mark.parametrize(
    ("params", "exception"),
    [
        ("", "java.lang.NullPointerException"),
        ("'null'", "java.lang.NullPointerException"),
        ("'{not json'", "com.google.gson.JsonSyntaxException"),
    ],
)
def test_purchase_without_valid_params_crashes_the_game_in_faithful_mode(probe, params, exception) -> None:
    probe.lua(
        "rustorecore.connect('rustore_on_purchase_product_success', function() end)\n"
        "rustorebilling.init('2063590001', 'probe', true)"
    )
    pid = probe.dev.shell("pidof ru.rustore.harness.probe").strip()
    assert pid
    lines = probe.line_mark()
    call = "rustorebilling.purchase_product('con1'" + (f", {params}" if params else "") + ")"
    probe.lua(call)
    fatal = probe.wait_line(r"E AndroidRuntime: FATAL EXCEPTION: main", lines)
    assert fatal
    crash_text = "\n".join(probe.lines[lines:])
    assert f"Process: ru.rustore.harness.probe, PID: {pid}" in crash_text
    assert exception in crash_text
    assert "at ru.rustore.defold.billing.RuStoreBilling.purchaseProduct(RuStoreBilling.kt:" in crash_text
    probe.wait_line(rf"Sending signal\. PID: {pid} SIG: 9", lines)
    assert probe.dev.shell("pidof ru.rustore.harness.probe").strip() == ""
    assert "ch=rustore_on_purchase_product" not in crash_text


def test_fixed_mode_defaults_missing_params(make_game) -> None:
    game = make_game({"rustore.harness.plugin.mode": "fixed"})
    mark = game.mark()
    game.lua("rustorebilling.purchase_product('con1')")
    game.wait_node(SHEET + "pay_button")
    game.tap(SHEET + "close_button")
    assert game.expect(PURCHASE_OK, mark).payload.startswith('{"type":"Cancelled"')
    assert game.dev.shell(f"pidof {PACKAGE}").strip()


def test_no_backend_is_a_network_exception(game) -> None:
    game.dev.shell("setprop rustore.harness.sandbox_url http://127.0.0.1:9")  # nothing listens there
    mark = game.mark()
    game.request("check")
    event = game.expect("rustore_check_purchases_available_failure", mark)
    assert event.payload.startswith('{"detailMessage":"Network error: ')
    assert event.payload.endswith('","simpleName":"RuStorePaymentNetworkException"}')
    assert game.wait_code(108).seq == event.seq  # INAPP_INITIALIZED_ERROR
    assert not game.model.windows.dialogs  # a payment error shows no resolveForBilling dialog
