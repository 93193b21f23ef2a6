"""Native views through real Appium: locators, element commands, source, screenshot, alerts, errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import adbutils
import pytest
from appium.webdriver.common.appiumby import AppiumBy
from native_app import ACTIVITY, PACKAGE, PAY_COLOUR, TAG, checkout_apk
from PIL import Image
from selenium.common.exceptions import (
    InvalidSelectorException,
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
)

from harness.android.appium_session import AppiumSessions
from harness.sim.host import HostedDevice

PAY_ID = f"{PACKAGE}:id/pay"


@pytest.fixture
def checkout(
    device: HostedDevice, adb_device: adbutils.AdbDevice, sessions: AppiumSessions, tmp_path: Path
) -> Any:
    """The checkout screen in front, and a session on its device."""
    apk = tmp_path / "checkout.apk"
    apk.write_bytes(checkout_apk())
    adb_device.install(str(apk), nolaunch=True, silent=True)
    assert "Status: ok" in adb_device.shell(f"am start -W -n {PACKAGE}/{ACTIVITY}")
    return sessions.get(device.serial)


def tag_lines(dev: adbutils.AdbDevice) -> list[str]:
    return [line for line in dev.shell(f"logcat -d -v brief -s {TAG}").splitlines() if TAG in line]


def test_find_pay_by_id_text_xpath_uiselector_and_accessibility_id(checkout: Any) -> None:
    driver = checkout
    found = [
        driver.find_element(AppiumBy.ID, PAY_ID),
        driver.find_element(AppiumBy.ID, "pay"),  # bare id: the server adds the package
        driver.find_element(AppiumBy.ACCESSIBILITY_ID, "Pay button"),
        driver.find_element(AppiumBy.XPATH, "//android.widget.Button[@text='Pay']"),
        driver.find_element(AppiumBy.ANDROID_UIAUTOMATOR, 'new UiSelector().text("Pay")'),
        driver.find_element(
            AppiumBy.ANDROID_UIAUTOMATOR,
            f'new UiSelector().resourceId("{PAY_ID}").className("android.widget.Button")',
        ),
        driver.find_element(
            AppiumBy.ANDROID_UIAUTOMATOR, 'new UiSelector().textContains("Pa").clickable(true)'
        ),
    ]
    assert {element.id for element in found} == {found[0].id}  # one view, one element id
    buttons = driver.find_elements(AppiumBy.CLASS_NAME, "android.widget.Button")
    assert [b.text for b in buttons] == ["Pay", "Show error"]


def test_click_reaches_the_view_and_typed_text_stays(checkout: Any, adb_device: adbutils.AdbDevice) -> None:
    driver = checkout
    email = driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/email")
    email.send_keys("buyer@example.com")
    assert email.text == "buyer@example.com"
    driver.find_element(AppiumBy.ID, PAY_ID).click()
    assert any("clicked pay email=buyer@example.com" in line for line in tag_lines(adb_device))
    email.clear()
    assert email.text == ""


def test_element_attributes_rect_and_state(checkout: Any) -> None:
    pay = checkout.find_element(AppiumBy.ID, PAY_ID)
    assert pay.get_attribute("resource-id") == PAY_ID
    assert pay.get_attribute("content-desc") == "Pay button"
    assert pay.get_attribute("clickable") == "true"
    assert pay.get_attribute("checked") == "false"
    assert pay.get_attribute("class") == "android.widget.Button"
    assert pay.is_displayed() and pay.is_enabled()
    rect = pay.rect
    assert rect["width"] > 0 and rect["height"] == 200
    assert pay.get_attribute("bounds") == (
        f"[{rect['x']},{rect['y']}][{rect['x'] + rect['width']},{rect['y'] + rect['height']}]"
    )


def test_page_source_is_uiautomator2_xml_with_the_screen(checkout: Any) -> None:
    source = checkout.page_source
    assert source.startswith("<?xml")
    assert '<hierarchy index="0" class="hierarchy"' in source
    assert f'resource-id="{PAY_ID}"' in source and "<android.widget.Button" in source


def test_screenshot_is_a_png_of_the_whole_screen(checkout: Any, adb_device: adbutils.AdbDevice) -> None:
    image = Image.open(io.BytesIO(checkout.get_screenshot_as_png()))
    assert image.format == "PNG"
    width, height = map(int, adb_device.shell("wm size").split(":")[-1].strip().split("x"))
    assert image.size == (width, height)
    rect = checkout.find_element(AppiumBy.ID, PAY_ID).rect
    assert image.convert("RGB").getpixel((rect["x"] + 10, rect["y"] + 10)) == PAY_COLOUR


def test_errors_are_w3c(checkout: Any) -> None:
    driver = checkout
    with pytest.raises(NoSuchElementException):
        driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/missing")
    assert driver.find_elements(AppiumBy.XPATH, "//android.widget.Switch") == []
    with pytest.raises(InvalidSelectorException):
        driver.find_element(AppiumBy.XPATH, "//android.widget.Button[")
    with pytest.raises(InvalidSelectorException):
        driver.find_element(AppiumBy.ANDROID_UIAUTOMATOR, "new UiSelector().bogus(1)")
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text


def test_error_dialog_through_the_alert_api(checkout: Any, adb_device: adbutils.AdbDevice) -> None:
    driver = checkout
    driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/show_error").click()
    alert = driver.switch_to.alert
    assert alert.text == "Payment failed\nError 3001: try again"
    alert.accept()
    assert any("dialog OK" in line for line in tag_lines(adb_device))
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/show_error").click()
    driver.switch_to.alert.dismiss()
    assert any("dialog Cancel" in line for line in tag_lines(adb_device))


def test_element_of_a_closed_dialog_is_stale(checkout: Any) -> None:
    driver = checkout
    driver.find_element(AppiumBy.ID, f"{PACKAGE}:id/show_error").click()
    ok = driver.find_element(AppiumBy.ID, "android:id/button1")
    driver.back()  # BACK closes the dialog
    with pytest.raises(StaleElementReferenceException):
        ok.click()
    assert driver.find_element(AppiumBy.ID, PAY_ID).is_displayed()


def test_settings_and_keys(checkout: Any, adb_device: adbutils.AdbDevice) -> None:
    driver = checkout
    assert driver.get_settings()["waitForIdleTimeout"] == 0  # the factory's initial setting
    driver.update_settings({"waitForSelectorTimeout": 500})
    assert driver.get_settings()["waitForSelectorTimeout"] == 500
    assert driver.orientation == "PORTRAIT"
    assert driver.current_package == PACKAGE
    driver.press_keycode(4)  # BACK finishes the checkout activity
    assert driver.current_package != PACKAGE
