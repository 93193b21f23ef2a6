"""Command-line options and ini keys of the plugin, and the typed view the fixtures read.

Named like pytest-playwright's (``--output``, ``--screenshot on|off|only-on-failure``,
``--tracing on|off|retain-on-failure``) so a team that knows one knows the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.artifacts.policy import CAPTURE_CHOICES, SCREENSHOT_CHOICES

GROUP = "rustore-harness"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "RuStore payments harness")
    group.addoption("--devices-file", default=None, help="device pool configuration (default: devices.yaml)")
    group.addoption("--pool", default=None, help="pool from the devices file (default: its default_pool)")
    group.addoption(
        "--device",
        action="append",
        default=[],
        dest="harness_devices",
        metavar="SERIAL",
        help="use only this device (serial, device id or label); repeatable",
    )
    group.addoption(
        "--device-mode",
        choices=("shard", "each"),
        default=None,
        help="shard: each test once on any device (default); each: every test on every device",
    )
    group.addoption("--appium-url", default=None, help="Appium server URL (default: from the devices file)")
    group.addoption("--output", default=None, help="artifacts folder (default: test-results)")
    group.addoption("--screenshot", choices=SCREENSHOT_CHOICES, default=None, help="default: only-on-failure")
    group.addoption(
        "--logcat", choices=CAPTURE_CHOICES, default=None, help="logcat excerpt; default: retain-on-failure"
    )
    group.addoption(
        "--ui-tree", choices=CAPTURE_CHOICES, default=None, help="UI hierarchy; default: retain-on-failure"
    )
    group.addoption(
        "--timeline",
        choices=CAPTURE_CHOICES,
        default=None,
        help="callback timeline; default: retain-on-failure",
    )
    group.addoption(
        "--contract",
        choices=("strict", "report"),
        default=None,
        help="report (default): known plugin defects are reported; strict: they fail the test",
    )
    group.addoption(
        "--prewarm",
        action="store_true",
        default=None,
        help="with -n: while the workers start, start the pool and Appium and open the Appium session "
        "of each device a worker will lease (virtual and adb pools); the worker takes it over",
    )
    group.addoption(
        "--slowest-first",
        action="store_true",
        default=None,
        help="with -n: start the tests that took longest in earlier runs first (times from pytest's "
        "cache), so the workers finish together",
    )
    parser.addini("harness_devices_file", "devices file (like --devices-file)", default="devices.yaml")
    parser.addini("harness_pool", "pool name (like --pool)", default="")
    parser.addini("harness_device_mode", "shard or each (like --device-mode)", default="shard")
    parser.addini("harness_output", "artifacts folder (like --output)", default="test-results")
    parser.addini("harness_screenshot", "like --screenshot", default="only-on-failure")
    parser.addini("harness_logcat", "like --logcat", default="retain-on-failure")
    parser.addini("harness_ui_tree", "like --ui-tree", default="retain-on-failure")
    parser.addini("harness_timeline", "like --timeline", default="retain-on-failure")
    parser.addini("harness_contract", "strict or report (like --contract)", default="report")
    parser.addini("harness_prewarm", "like --prewarm", type="bool", default=False)
    parser.addini("harness_slowest_first", "like --slowest-first", type="bool", default=False)


@dataclass(frozen=True)
class HarnessOptions:
    devices_file: Path
    pool: str | None
    device_filter: tuple[str, ...]
    device_mode: str
    appium_url: str | None
    output: Path
    screenshot: str
    logcat: str
    ui_tree: str
    timeline: str
    contract: str
    prewarm: bool = False
    slowest_first: bool = False

    @property
    def strict(self) -> bool:
        return self.contract == "strict"


def _choice(value: str, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise pytest.UsageError(f"ini {key} = {value!r}: expected one of {', '.join(allowed)}")
    return value


def read_options(config: pytest.Config) -> HarnessOptions:
    """Command line first, then the ini file, then the defaults; paths resolved against rootdir."""

    def pick(option: str, ini: str) -> str:
        value = config.getoption(option)
        return str(value) if value is not None else str(config.getini(ini))

    root = config.rootpath
    devices_file = Path(pick("devices_file", "harness_devices_file"))
    output = Path(pick("output", "harness_output"))
    return HarnessOptions(
        devices_file=devices_file if devices_file.is_absolute() else Path.cwd() / devices_file,
        pool=pick("pool", "harness_pool") or None,
        device_filter=tuple(config.getoption("harness_devices") or ()),
        device_mode=_choice(
            pick("device_mode", "harness_device_mode"), ("shard", "each"), "harness_device_mode"
        ),
        appium_url=config.getoption("appium_url"),
        output=output if output.is_absolute() else root / output,
        screenshot=_choice(
            pick("screenshot", "harness_screenshot"), SCREENSHOT_CHOICES, "harness_screenshot"
        ),
        logcat=_choice(pick("logcat", "harness_logcat"), CAPTURE_CHOICES, "harness_logcat"),
        ui_tree=_choice(pick("ui_tree", "harness_ui_tree"), CAPTURE_CHOICES, "harness_ui_tree"),
        timeline=_choice(pick("timeline", "harness_timeline"), CAPTURE_CHOICES, "harness_timeline"),
        contract=_choice(pick("contract", "harness_contract"), ("strict", "report"), "harness_contract"),
        prewarm=bool(config.getoption("prewarm") or config.getini("harness_prewarm")),
        slowest_first=bool(config.getoption("slowest_first") or config.getini("harness_slowest_first")),
    )
