"""The sample Defold game with RuStore, driven through real Appium: GL buttons by W3C taps at
bounds from the game's bridge, the native payment sheet by locators, the error dialog by the
alert API, and the driver's adb-side commands (deepLink, app states, logcat)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from appium.webdriver.common.appiumby import AppiumBy
from defold.poco_client import StdPocoClient, bounds_px, walk
from PIL import Image
from rustore_device.game_device import PACKAGE, GameDevice

from harness.android.appium_session import AppiumSessions
from harness.sim.rustore.config import PROP_STORE_STATE
from harness.sim.rustore.sdk import SHEET_ACTIVITY

BRIDGE_PORT = 15004
SHEET = f"{PACKAGE}:id/rustore_payment_sheet"
PAY = f"{PACKAGE}:id/pay_button"
HARNESS_TAG = "RuStoreHarness"


def bridge_bounds(game: GameDevice) -> dict[str, tuple[float, float, float, float]]:
    """Every GUI node's screen bounds, read from the game's Poco bridge through ``adb forward``."""
    local = game.dev.forward_port(BRIDGE_PORT)
    client = StdPocoClient("127.0.0.1", local)
    try:
        screen = tuple(client.call("GetScreenSize"))
        return {n["name"]: bounds_px(n["payload"], screen) for n in walk(client.call("Dump", True))}
    finally:
        client.close()
        game.adb.run("-s", game.serial, "forward", "--remove", f"tcp:{local}")


def tap_node(driver: Any, game: GameDevice, name: str) -> None:
    """A W3C pointer tap (pointerMove, down, pause, up) at the centre of a game button."""
    left, top, right, bottom = bridge_bounds(game)[name]
    driver.tap([(round((left + right) / 2), round((top + bottom) / 2))], 60)


@pytest.fixture
def game(make_game: Any) -> GameDevice:
    game: GameDevice = make_game()
    return game


def test_w3c_tap_on_game_buttons_then_pay_in_the_native_sheet(
    game: GameDevice, sessions: AppiumSessions
) -> None:
    driver = sessions.get(game.serial)
    since, lines = game.mark(), game.line_mark()
    tap_node(driver, game, "btn_products")
    game.wait_line(r"ui: click btn_products", lines)
    game.expect("rustore_on_get_products_success", since)

    lines = game.line_mark()
    tap_node(driver, game, "btn_buy_con1")
    game.wait_line(r"ui: click btn_buy_con1", lines)
    game.wait_line(rf"Displayed {re.escape(PACKAGE)}/{re.escape(SHEET_ACTIVITY)}", lines)

    by_id = driver.find_element(AppiumBy.ID, PAY)
    by_text = driver.find_element(AppiumBy.ANDROID_UIAUTOMATOR, 'new UiSelector().textStartsWith("Pay ")')
    by_xpath = driver.find_element(
        AppiumBy.XPATH, f"//*[@resource-id='{SHEET}']//android.widget.Button[@text]"
    )
    by_selector = driver.find_element(
        AppiumBy.ANDROID_UIAUTOMATOR,
        f'new UiSelector().resourceId("{SHEET}")'
        '.childSelector(new UiSelector().className("android.widget.Button").textContains("Pay"))',
    )
    assert by_id.id == by_text.id == by_xpath.id == by_selector.id
    assert by_id.text.startswith("Pay")
    source = driver.page_source
    assert f'resource-id="{SHEET}"' in source and f'resource-id="{PAY}"' in source

    since, lines = game.mark(), game.line_mark()
    by_id.click()
    game.wait_line(r"Card payment finished: Success", lines)
    done = driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/done_button")
    assert driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/result_text").text
    done.click()
    event = game.expect("rustore_on_purchase_product_success", since)
    assert "PAID" in event.payload or "purchaseId" in event.payload

    assert any(
        HARNESS_TAG in line and "rustore_on_purchase_product_success" in line
        for line in appium_logcat_through(driver, game)
    )


def appium_logcat_through(driver: Any, game: GameDevice, reads: int = 200) -> list[str]:
    """Appium's logcat buffer up to a marker logged now. Appium reads logcat with an adb process
    of its own, a few milliseconds behind the device: the callback the harness's stream has just
    delivered may not be in Appium's buffer yet, the marker logged after it says when it is."""
    marker = f"appium-logcat-sync-{game.line_mark()}"
    game.dev.shell(["log", "-t", "HarnessSync", marker])
    lines: list[str] = []
    for _ in range(reads):  # each read is a round trip to Appium: no sleep between them
        lines += [entry["message"] for entry in driver.get_log("logcat")]
        if any(marker in line for line in lines):
            return lines
    raise AssertionError(f"Appium's logcat never showed {marker!r} ({len(lines)} lines read)")


def test_error_dialog_through_the_alert_api(make_game: Any, sessions: AppiumSessions) -> None:
    game: GameDevice = make_game({PROP_STORE_STATE: "unauthorized"})
    driver = sessions.get(game.serial)
    since = game.mark()
    tap_node(driver, game, "btn_products")
    game.expect("rustore_on_get_products_failure", since)  # shown after the dialog, as the SDK does
    alert = driver.switch_to.alert
    assert "Sign in to RuStore" in alert.text
    assert driver.find_element(AppiumBy.ID, "android:id/button1").text == "OK"
    alert.accept()
    assert driver.find_elements(AppiumBy.ID, f"{PACKAGE}:id/rustore_error_dialog") == []


def test_deep_link_reaches_on_new_intent(game: GameDevice, sessions: AppiumSessions) -> None:
    driver = sessions.get(game.serial)
    lines = game.line_mark()
    driver.execute_script("mobile: deepLink", {"url": "rustoresample://pay?x=1", "package": PACKAGE})
    game.wait_line(r"Return deeplink without a pending payment: rustoresample://pay\?x=1", lines)
    assert driver.current_package == PACKAGE


def test_terminate_activate_and_query_app_state(game: GameDevice, sessions: AppiumSessions) -> None:
    driver = sessions.get(game.serial)
    assert driver.query_app_state(PACKAGE) == 4  # running in foreground
    assert driver.terminate_app(PACKAGE) is True
    assert driver.query_app_state(PACKAGE) == 1  # not running
    assert driver.terminate_app(PACKAGE) is False
    lines = game.line_mark()
    driver.activate_app(PACKAGE)
    game.wait_line(r"RuStoreBillingClient created", lines)
    assert driver.query_app_state(PACKAGE) == 4
    assert driver.query_app_state("com.example.absent") == 0  # not installed


def test_screenshot_holds_the_games_gl_frame(game: GameDevice, sessions: AppiumSessions) -> None:
    driver = sessions.get(game.serial)
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    assert image.size == (1080, 2400)
    blue = (41, 107, 219)  # the game's btn_* colour, drawn by the engine, invisible to UiAutomator
    for name in ("btn_check", "btn_products"):
        left, top, right, bottom = bridge_bounds(game)[name]
        assert image.getpixel((int(left) + 3, int(top) + 3)) == blue, name
        assert image.getpixel((int(right) - 4, int(bottom) - 4)) == blue, name
    assert "android.view.SurfaceView" in driver.page_source
