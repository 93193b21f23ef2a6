"""Look at a pytest-html report the way a person does: in Chromium, with the pixels on screen.

The report is a page that JavaScript builds from a JSON blob, so reading the HTML file proves
little: a test name can be in the blob and never shown, an image can be attached and render
blank. This opens the page in headless Chromium (Debian's ``chromium`` + ``chromium-driver``,
installed by scripts/bootstrap), expands the test's row like a click does, and checks what is
displayed: the test names, the callback timeline's channel, the device screenshot's thumbnail
(its pixels compared with the device's PNG) and the full-size screenshot a click on it opens.
"""

from __future__ import annotations

import base64
import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
    "--window-size=1400,1000",
    "--force-device-scale-factor=1",  # one CSS pixel is one screenshot pixel
)
COMMAND_TIMEOUT = 30  # seconds for one WebDriver command (selenium's default of 120 hides a hang)
# Mean absolute difference per channel (0–255) between what the browser shows and the device PNG
# scaled the same way: scaling and PNG re-encoding stay far below it, another picture goes far above.
SAME_PICTURE = 20.0
NOT_BLANK = 40.0  # how far from the page's white the thumbnail must be


def chromium_paths() -> tuple[str, str]:
    """The browser and its driver, or a failure that says how to get them (never a skip)."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if p is None)
        pytest.fail(
            f"{missing} not found: the report is checked in headless Chromium. Run ./scripts/bootstrap "
            "as root (it installs Debian's chromium and chromium-driver), or: "
            "apt-get install chromium chromium-driver",
            pytrace=False,
        )
    return browser, driver


@contextmanager
def chromium(log_file: Path) -> Iterator[WebDriver]:
    """A headless Chromium session, always quit (the driver stops the browser it started)."""
    browser, driver_path = chromium_paths()
    options = Options()
    options.binary_location = browser  # with the driver's path too, Selenium Manager never downloads
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    service = Service(executable_path=driver_path, log_output=str(log_file))
    driver = webdriver.Chrome(options=options, service=service)
    driver.command_executor.client_config.timeout = COMMAND_TIMEOUT
    driver.set_page_load_timeout(COMMAND_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per RGB channel, 0 (same) to 255."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB").resize(a.size))
    return sum(ImageStat.Stat(diff).mean) / 3


def png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


@dataclass
class Seen:
    """What the check saw, saved for people: the whole page, the test's row, the tab the thumbnail opened."""

    page: Path
    row: Path
    full_size: Path

    def files(self) -> list[Path]:
        return [self.page, self.row, self.full_size]


def _row(driver: WebDriver, test_id: str) -> WebElement:
    rows = [
        r
        for r in driver.find_elements(By.CSS_SELECTOR, "tbody.results-table-row")
        if r.get_attribute("id") == test_id
    ]
    assert rows, f"the report has no row for {test_id}"
    return rows[0]


def _full_page_png(driver: WebDriver) -> bytes:
    """The whole page as one PNG (Chromium's DevTools capture beyond the window)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    return base64.b64decode(shot["data"])


def _expand(driver: WebDriver, test_id: str) -> WebElement:
    """The test's details row, opened with a click on its result cell when the report folded it."""
    extras = _row(driver, test_id).find_element(By.CSS_SELECTOR, "tr.extras-row")
    if not extras.is_displayed():
        _row(driver, test_id).find_element(By.CSS_SELECTOR, "tr.collapsible td.col-result").click()
        extras = _row(driver, test_id).find_element(By.CSS_SELECTOR, "tr.extras-row")  # the table was redrawn
    assert extras.is_displayed(), f"a click on {test_id}'s result did not open its details"
    return extras


def _visible(element: WebElement) -> bool:
    return element.is_displayed() and element.size["width"] > 0 and element.size["height"] > 0


def look_at_report(
    driver: WebDriver,
    report: Path,
    *,
    test_ids: list[str],
    test_id: str,
    channel: str,
    device_png: Path,
    save_as: Path,
) -> Seen:
    """Fail (AssertionError) unless a person opening `report` sees what it claims to show."""
    driver.get(report.resolve().as_uri())
    for name in test_ids:
        cell = _row(driver, name).find_element(By.CSS_SELECTOR, "td.col-testId")
        assert _visible(cell) and cell.text == name, f"test {name} is not shown (cell text {cell.text!r})"

    extras = _expand(driver, test_id)
    heading = extras.find_elements(By.XPATH, f".//h1[normalize-space()='Callback timeline: {test_id}']")
    assert heading and _visible(heading[0]), f"no callback timeline shown for {test_id}"
    cells = extras.find_elements(By.XPATH, f".//div[@class='extraHTML']//td[normalize-space()='{channel}']")
    assert any(_visible(c) for c in cells), f"channel {channel} is not shown in {test_id}'s timeline"

    device = png(device_png.read_bytes())
    thumb = extras.find_element(By.CSS_SELECTOR, ".media img")
    assert _visible(thumb), f"{test_id}'s screenshot is not displayed"
    natural = driver.execute_async_script(
        "const [img, done] = arguments;"
        "img.decode().then(() => done([img.naturalWidth, img.naturalHeight]), e => done(String(e)));",
        thumb,
    )
    assert natural == [device.width, device.height], (
        f"screenshot image did not load as the device PNG: {natural}"
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", thumb)
    shown = png(thumb.screenshot_as_png)
    # pytest-html draws it with `object-fit: cover`: the device PNG scaled to fill the box, centred
    expected = ImageOps.fit(device, shown.size, method=Image.Resampling.BILINEAR)
    blank = Image.new("RGB", shown.size, "white")
    assert difference(shown, blank) > NOT_BLANK, "the screenshot thumbnail is blank"
    assert difference(shown, expected) < SAME_PICTURE, (
        f"the thumbnail does not show the device screenshot (difference {difference(shown, expected):.1f})"
    )
    page = save_as.with_suffix(".page.png")
    page.write_bytes(_full_page_png(driver))
    box = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY].map(Math.round);",
        _row(driver, test_id),
    )
    row = save_as.with_suffix(".row.png")
    Image.open(page).crop(tuple(box)).save(row)

    src = str(thumb.get_attribute("src"))
    assert not src.startswith("data:"), (
        "the screenshot is embedded as a data: URL (--self-contained-html): Chromium will not open it "
        "in a tab (Not allowed to navigate top frame to data URL), so nobody can see it full size"
    )
    report_tab = driver.current_window_handle
    thumb.click()  # pytest-html opens the image in a new tab
    tabs = [h for h in driver.window_handles if h != report_tab]
    assert tabs, "a click on the screenshot opened nothing"
    driver.switch_to.window(tabs[-1])
    full = driver.find_elements(By.TAG_NAME, "img")
    assert full and _visible(full[0]), f"the screenshot's tab shows no image ({driver.current_url})"
    opened = png(full[0].screenshot_as_png)
    assert difference(opened, device) < SAME_PICTURE, "the full-size tab does not show the device screenshot"
    full_size = save_as.with_suffix(".full-size.png")
    full_size.write_bytes(driver.get_screenshot_as_png())
    driver.close()
    driver.switch_to.window(report_tab)
    return Seen(page=page, row=row, full_size=full_size)
