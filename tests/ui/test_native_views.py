"""Native view trees: both XML shapes, every locator strategy, hit testing and drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from harness.sim.ui import locate
from harness.sim.ui.hierarchy_xml import uia2_page_source, uiautomator_dump
from harness.sim.ui.render import compose
from harness.sim.ui.views import View, Window, WindowKind, column

PKG = "ru.rustore.sdk.billing"
GREEN = (0, 160, 90)


def sheet(clicks: list[str]) -> Window:
    root = View("android.widget.FrameLayout", (0, 0, 1080, 2400))
    panel = View("android.widget.LinearLayout", (0, 1400, 1080, 2400), resource_id=f"{PKG}:id/sheet")
    title = View("android.widget.TextView", text="Coins <x100> & more", resource_id=f"{PKG}:id/title")
    methods = View("android.widget.LinearLayout", resource_id=f"{PKG}:id/methods")
    card = View("android.widget.RadioButton", text="Card", checkable=True, checked=True, clickable=True)
    sbp = View(
        "android.widget.RadioButton", text="SBP", checkable=True, clickable=True, content_desc="pay-sbp"
    )
    pay = View(
        "android.widget.Button",
        text="Pay 49 ₽",
        resource_id=f"{PKG}:id/pay",
        clickable=True,
        background=GREEN,
        foreground=(255, 255, 255),
        on_click=lambda: clicks.append("pay"),
    )
    hidden = View("android.widget.TextView", text="secret", visible=False)
    column(panel.bounds, [(title, 100), (methods, 200), (pay, 150), (hidden, 10)], padding=20)
    column(methods.bounds, [(card, 90), (sbp, 90)])
    methods.add(card, sbp)
    panel.add(title, methods, pay, hidden)
    root.add(panel)
    return Window(PKG, "PaymentSheet", root, kind=WindowKind.DIALOG)


def test_uiautomator_dump_has_android_attributes_and_escapes_text() -> None:
    xml = uiautomator_dump([sheet([])])
    assert xml.startswith(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    )
    doc = ET.fromstring(xml.split("?>", 1)[1])
    nodes = list(doc.iter("node"))
    pay = next(n for n in nodes if n.get("resource-id") == f"{PKG}:id/pay")
    assert pay.attrib["class"] == "android.widget.Button"
    assert pay.attrib["clickable"] == "true" and pay.attrib["package"] == PKG
    assert pay.attrib["bounds"] == "[20,1720][1060,1870]"
    assert any(n.get("text") == "Coins <x100> & more" for n in nodes)
    assert not any(n.get("text") == "secret" for n in nodes)


def test_uia2_page_source_names_elements_after_their_class() -> None:
    xml = uia2_page_source([sheet([])], 1080, 2400)
    doc = ET.fromstring(xml.split("?>", 1)[1])
    assert doc.tag == "hierarchy" and doc.attrib["width"] == "1080" and doc.attrib["height"] == "2400"
    buttons = list(doc.iter("android.widget.Button"))
    assert len(buttons) == 1 and buttons[0].attrib["displayed"] == "true"


@pytest.mark.parametrize(
    ("strategy", "selector"),
    [
        ("id", f"{PKG}:id/pay"),
        ("id", "pay"),
        ("xpath", "//android.widget.Button[@text='Pay 49 ₽']"),
        ("xpath", "//*[contains(@resource-id, ':id/pay')]"),
        ("uiautomator", 'new UiSelector().text("Pay 49 ₽")'),
        ("uiautomator", 'new UiSelector().textContains("Pay").className("android.widget.Button")'),
        ("uiautomator", f'new UiSelector().resourceId("{PKG}:id/pay")'),
        ("uiautomator", 'new UiSelector().resourceIdMatches(".*:id/pa.")'),
        ("class name", "android.widget.Button"),
    ],
)
def test_every_strategy_finds_the_pay_button(strategy: str, selector: str) -> None:
    windows = [sheet([])]
    if strategy == "id":
        found = locate.by_id(windows, selector)
    elif strategy == "xpath":
        found = locate.by_xpath(windows, selector, 1080, 2400)
    elif strategy == "uiautomator":
        found = locate.by_ui_selector(windows, selector)
    else:
        found = locate.by_class_name(windows, selector)
    assert [f.view.resource_id for f in found] == [f"{PKG}:id/pay"]


def test_ui_selector_chains_instances_and_accessibility_ids() -> None:
    windows = [sheet([])]
    second = locate.by_ui_selector(
        windows, f'new UiSelector().resourceId("{PKG}:id/methods").childSelector(new UiSelector().index(1))'
    )
    assert [f.view.text for f in second] == ["SBP"]
    radios = locate.by_ui_selector(
        windows, 'new UiSelector().className("android.widget.RadioButton").instance(0)'
    )
    assert [f.view.text for f in radios] == ["Card"]
    checked = locate.by_ui_selector(windows, "new UiSelector().checked(true)")
    assert [f.view.text for f in checked] == ["Card"]
    assert [f.view.text for f in locate.by_accessibility_id(windows, "pay-sbp")] == ["SBP"]
    assert locate.by_ui_selector(windows, 'new UiSelector().text("Nope")') == []


@pytest.mark.parametrize(
    "bad",
    [
        "new UiSelector().text(",
        'UiSelector().text("x")',
        'new UiSelector().explode("x")',
        "new UiSelector().text(1)",
    ],
)
def test_malformed_selectors_are_invalid_not_executed(bad: str) -> None:
    with pytest.raises(locate.InvalidSelector):
        locate.by_ui_selector([sheet([])], bad)


def test_invalid_xpath_is_reported() -> None:
    with pytest.raises(locate.InvalidSelector):
        locate.by_xpath([sheet([])], "//*[", 1080, 2400)


def test_tap_hits_the_front_most_clickable_view() -> None:
    clicks: list[str] = []
    window = sheet(clicks)
    pay = window.root.find(f"{PKG}:id/pay")
    assert pay is not None
    assert window.tap(*pay.center) is True
    assert clicks == ["pay"]
    assert window.tap(5, 5) is False
    assert clicks == ["pay"]


def test_render_draws_views_at_their_bounds() -> None:
    window = sheet([])
    pay = window.root.find(f"{PKG}:id/pay")
    assert pay is not None
    image = compose(Image.new("RGB", (1080, 2400), (255, 255, 255)), [window])
    assert image.size == (1080, 2400)
    left, top, _, _ = pay.bounds
    assert image.getpixel((left + 3, top + 3)) == GREEN
    assert image.getpixel((5, 5)) != (255, 255, 255)  # the dialog dims what is behind it
