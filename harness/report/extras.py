"""Evidence into the reports people open: JUnit properties, pytest-html extras, Allure attachments.

pytest-html and allure-pytest are optional: each function does nothing when its plugin is absent.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import pytest

from harness.config import mask

JUNIT_KEYS = ("serial", "model", "sdk", "pool")


def junit_properties(item: pytest.Item, device_info: Mapping[str, str]) -> None:
    """Device facts as `<property>`s of the test case (what `record_property` does)."""
    for key in JUNIT_KEYS:
        value = device_info.get(key)
        if value:
            item.user_properties.append((f"device.{key}", str(mask(value))))


def _html_extras() -> Any | None:
    try:
        return importlib.import_module("pytest_html.extras")
    except ImportError:
        return None


def html_extras(files: Mapping[str, Path], attempts_note: str = "") -> list[Any]:
    """pytest-html extras for a test's kept artifacts (screenshot inline, the rest as text/HTML)."""
    extras = _html_extras()
    if extras is None:
        return []
    out: list[Any] = []
    if "screenshot" in files:
        data = base64.b64encode(files["screenshot"].read_bytes()).decode()
        out.append(extras.png(data, name="screenshot"))
    if "timeline_html" in files:
        out.append(extras.html(files["timeline_html"].read_text(encoding="utf-8")))
    if "logcat" in files:
        text = files["logcat"].read_text(encoding="utf-8", errors="replace")
        out.append(
            extras.html(f"<details><summary>logcat excerpt</summary><pre>{escape(text)}</pre></details>")
        )
    if "ui_tree" in files:
        out.append(extras.text(files["ui_tree"].read_text(encoding="utf-8"), name="UI tree"))
    if attempts_note:
        out.append(extras.html(f"<p>{escape(attempts_note)}</p>"))
    return out


def allure_attach(files: Mapping[str, Path]) -> None:
    """Attach the kept artifacts to the Allure result when allure-pytest is installed."""
    try:
        allure = importlib.import_module("allure")
    except ImportError:
        return
    kinds = {
        "screenshot": allure.attachment_type.PNG,
        "timeline_html": allure.attachment_type.HTML,
        "timeline_json": allure.attachment_type.JSON,
        "logcat": allure.attachment_type.TEXT,
        "ui_tree": allure.attachment_type.XML,
    }
    for key, path in files.items():
        if key in kinds:
            allure.attach.file(str(path), name=path.name, attachment_type=kinds[key])
