"""``app``, ``game``, ``paysheet``, ``bank``: the game installed and reset, and its page objects.

The APK is installed once per device per run (virtual pools build it from ``sample_app``
once per run, shared by the workers; other pools install the devices file's APK). Before
each test the app is reset so no state leaks between tests: the game and the bank apps are
force-stopped, the game's data wiped (``pm clear``) and the game started again, ready once
its status line says so and its RuStore init has come back to the game's activity.

Where the device has adb those steps are adb commands; on a remote pool they go through the
Appium session (``harness.android.appium_apps``: terminateApp, clearApp, startActivity,
installApp with a path on the Appium server's host). The game's bridge is ``game_bridge``:
``adb forward`` where there is adb; on a remote pool it fails with the reason unless the
user's conftest.py overrides it with an address where the bridge answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from harness.android.appium_apps import AppiumAppError, AppiumApps
from harness.android.device import AndroidDevice
from harness.android.logcat import LogcatStream
from harness.config import DevicesConfig
from harness.game.bridge import PocoBridge, remote_bridge_message
from harness.game.sample import SampleGame, wait_ready
from harness.plugin.session import HarnessSession
from harness.plugin.targets import DeviceTarget
from harness.rustore.pages import Banks, PaySheet, load_locators

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"
READY_TIMEOUT_S = 60.0


def _apk(session: HarnessSession, config: DevicesConfig) -> Path | None:
    apk = config.apk_for(session.pool_name)
    if apk != "auto":
        return apk
    out = session.run_dir / "app" / "sample_app.apk"
    with session.lock("build-app"):  # one build per run, whichever worker comes first
        if not out.is_file():
            from harness.sim.farm import build_virtual_app  # virtual pools only; phones never get here

            build_virtual_app(SAMPLE_APP, out)
    return out


class AppControl(Protocol):
    """What the app fixture needs of a device: ``AndroidDevice`` (adb) or ``AppiumApps`` (remote)."""

    def force_stop(self, package: str) -> None: ...

    def clear(self, package: str) -> None: ...

    def app_start(self, package: str, activity: str | None = None) -> None: ...


@dataclass
class App:
    """The game on the leased device: ``reset()`` gives a first start with no state left behind."""

    control: AppControl
    package: str
    activity: str
    logcat: LogcatStream
    bridge: PocoBridge
    bank_packages: tuple[str, ...]

    def stop(self) -> None:
        for package in (self.package, *self.bank_packages):
            self.control.force_stop(package)

    def reset(self) -> None:
        self.stop()
        self.control.clear(self.package)
        self.start()

    def start(self) -> None:
        mark = self.logcat.mark()
        self.control.app_start(self.package, self.activity)
        wait_ready(self.logcat, self.bridge, self.package, self.activity, mark, READY_TIMEOUT_S)


@pytest.fixture(scope="session")
def game_bridge(device: DeviceTarget) -> Iterator[PocoBridge]:
    """The game's Poco bridge: ``adb forward`` to its device port.

    A remote pool has no adb (and Appium forwards no ports), so there this fails with the way
    out: override this fixture in conftest.py to return ``PocoBridge.at(host, port)``.
    """
    if device.android is None:
        pytest.fail(remote_bridge_message(device.name, device.pool), pytrace=False)
    bridge = PocoBridge(device.android.ad)
    try:
        yield bridge
    finally:
        bridge.close()


def _install(
    control: AndroidDevice | AppiumApps, session: HarnessSession, config: DevicesConfig, where: str
) -> None:
    apk = _apk(session, config)
    if apk is not None:
        control.install(apk)
    elif not control.is_installed(config.app.package):
        pytest.fail(
            f"{config.app.package} is not on {where} and devices.yaml gives no APK "
            f"for pool {session.pool_name!r} (app.apk.{session.pool_name})",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def _installed_app(
    request: pytest.FixtureRequest,
    _harness: HarnessSession,
    harness_config: DevicesConfig,
    device: DeviceTarget,
    logcat: LogcatStream,
    locators: dict[str, Any],
    game_bridge: PocoBridge,
) -> App:
    control: AndroidDevice | AppiumApps
    if device.android is not None:
        control = device.android
    else:  # remote pool: through the Appium session
        control = request.getfixturevalue("_appium_apps")
    try:
        _install(control, _harness, harness_config, device.serial or device.name)
    except AppiumAppError as exc:
        pytest.fail(f"installing the game: {exc}", pytrace=False)
    return App(
        control,
        harness_config.app.package,
        harness_config.app.activity,
        logcat,
        game_bridge,
        tuple(b["package"] for b in locators["banks"].values()),
    )


@pytest.fixture
def app(_installed_app: App) -> App:
    """The game, reset to a first start for this test."""
    _installed_app.reset()
    return _installed_app


@pytest.fixture(scope="session")
def locators(harness_config: DevicesConfig) -> dict[str, Any]:
    """Native-screen locators: ``harness/rustore/locators.yaml`` with devices.yaml's ``locators:`` over it."""
    return load_locators(harness_config.locators_path())


@pytest.fixture
def game(app: App, appium_driver: Any, logcat: LogcatStream) -> SampleGame:
    """The sample game's page object: tap GUI nodes by id, read texts and the status line."""
    return SampleGame(appium_driver, app.bridge, logcat, app.package)


@pytest.fixture
def paysheet(appium_driver: Any, logcat: LogcatStream, locators: dict[str, Any], app: App) -> PaySheet:
    return PaySheet(appium_driver, logcat, locators, app.package)


@pytest.fixture
def bank(appium_driver: Any, logcat: LogcatStream, locators: dict[str, Any]) -> Banks:
    return Banks(appium_driver, logcat, locators)


__all__ = ["App", "DeviceTarget"]
