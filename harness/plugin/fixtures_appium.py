"""``appium_driver``: one Appium session per device for the whole run, recreated if it died.

Which server: ``--appium-url`` if given; a remote pool's own URL (with its capabilities); a
remote pool's ``credentials`` go with either, as Basic authentication;
otherwise a local Appium (the pinned install, ``harness.android.appium``) started once per
run by the first xdist worker that needs it and shared by all (one server holds every device's
session; booting a node server per worker cost each worker seconds of CPU), logging into
``<output>/appium.log``; the controller stops it at the end of the run. The session factory
(``harness.android.appium_session.AppiumSessions``) checks the session with one proxied
call before each test and makes a new one when it no longer answers.

A remote pool's device has no adb, so its logcat (``_appium_logcat``: the driver's logcat
broadcast, ``harness.android.logcat_broadcast``) and its app control (``_appium_apps``) go
through that session too. On a Selenium Grid the broadcast's websocket opens at the device's
``node_url`` (the Appium behind its node): the Grid routes only the session's HTTP commands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from harness.android.appium import (
    READY_TIMEOUT_S,
    AppiumInstallation,
    load_record,
    save_record,
    start_server,
)
from harness.android.appium_apps import AppiumApps
from harness.android.appium_session import AppiumSessions
from harness.android.logcat import LogcatStream
from harness.android.logcat_broadcast import BroadcastError, appium_logcat_stream
from harness.config import DevicesConfig, RemotePool
from harness.config.secrets import reveal
from harness.plugin.session import HarnessSession, harness_session
from harness.plugin.targets import DeviceTarget


def given_appium_url(harness: HarnessSession, config: DevicesConfig) -> str | None:
    """The Appium server the run was given: a remote pool's (or ``--appium-url``, with the pool's
    credentials too), else ``--appium-url``; None when the run's own local server is to be used."""
    pool = config.pool(harness.options.pool)
    if isinstance(pool, RemotePool):
        return pool.server_url(harness.options.appium_url)
    return harness.options.appium_url or None


def local_appium_url(harness: HarnessSession, config: DevicesConfig) -> str:
    """The run's local Appium: started by the first worker that needs it (file-locked), its
    record shared by the others; the controller stops it when the run ends."""
    AppiumInstallation.default().ensure()  # a fresh clone installs it once (file-locked)
    with harness.lock("appium"):
        record = load_record(harness.appium_dir)
        if record is None:
            log = harness.options.output / "appium.log"
            record = start_server(log, extra_args=tuple(config.appium.args))
            save_record(harness.appium_dir, record)
    return record.url


_EARLY_APPIUM = pytest.StashKey["Future[str]"]()


def start_appium_early(session: pytest.Session) -> None:
    """After collection: when a collected test needs Appium and the server is the run's local one,
    start (or find) it in the background, so its boot overlaps the first test's lease, install
    and game start instead of following them. Failures surface in ``appium_url``, as before."""
    if session.config.option.collectonly:
        return
    if not any("appium_driver" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    harness = harness_session(session.config)
    try:
        config = harness.devices_config()
        if given_appium_url(harness, config) is not None:
            return
    except Exception:  # a bad devices file is reported by the fixtures, with its message
        return
    future: Future[str] = Future()

    def run() -> None:
        try:
            future.set_result(local_appium_url(harness, config))
        except BaseException as exc:  # handed to appium_url, which raises it in the test
            future.set_exception(exc)

    session.config.stash[_EARLY_APPIUM] = future
    threading.Thread(target=run, name="appium-early-start", daemon=True).start()


def pytest_collection_finish(session: pytest.Session) -> None:
    start_appium_early(session)


@pytest.hookimpl(tryfirst=True)  # before the plugin's own unconfigure, which stops the recorded server
def pytest_unconfigure(config: pytest.Config) -> None:
    """A process whose tests all ended before its early start did waits for it: the server's
    record must be saved for the controller to stop it, or it would outlive the run."""
    early = config.stash.get(_EARLY_APPIUM, None)
    if early is not None:
        try:
            early.result(timeout=READY_TIMEOUT_S)
        except Exception:  # its failure was the tests' to report
            pass


@pytest.fixture(scope="session")
def appium_url(
    request: pytest.FixtureRequest, _harness: HarnessSession, harness_config: DevicesConfig
) -> Iterator[str]:
    """The Appium server this worker talks to (started here, once, when none was given)."""
    given = given_appium_url(_harness, harness_config)
    if given is not None:
        yield given
        return
    early = request.config.stash.get(_EARLY_APPIUM, None)
    yield early.result() if early is not None else local_appium_url(_harness, harness_config)


@pytest.fixture(scope="session")
def appium_sessions(
    appium_url: str, _harness: HarnessSession, harness_config: DevicesConfig
) -> Iterator[AppiumSessions]:
    """The session factory of this worker: one session per device, reused, recreated if it died."""
    pool = harness_config.pool(_harness.options.pool)
    remote = isinstance(pool, RemotePool)
    # No appPackage: the session belongs to the device (``app`` installs, resets and starts the game);
    # with one the driver would resolve and launch the app whenever a session is (re)made.
    # A local pool's device may have a session the controller opened for it (--prewarm).
    handoff = None if remote else _harness.session_handoff()
    sessions = AppiumSessions(appium_url, remote=remote, handoff=handoff)
    try:
        yield sessions
    finally:
        if handoff is not None:
            sessions.give_back()  # the controller closes those while this worker shuts down
        sessions.quit_all()


def _udid_and_caps(device: DeviceTarget, harness_config: DevicesConfig) -> tuple[str, dict[str, Any]]:
    pool = harness_config.pool(device.pool)
    if isinstance(pool, RemotePool):
        caps: dict[str, Any] = reveal(pool.capabilities_for(device.spec.id))
        return str(caps.get("appium:udid") or caps.get("udid") or device.spec.id), caps
    assert device.serial is not None
    return device.serial, {}


def device_session(
    device: DeviceTarget, sessions: AppiumSessions, harness_config: DevicesConfig
) -> Callable[[], Any]:
    """The device's current session, on demand: the live one, or a new one if it died."""
    udid, caps = _udid_and_caps(device, harness_config)
    extra = {k: v for k, v in caps.items() if k not in ("udid", "appium:udid")}

    def session() -> Any:
        if extra:
            sessions.extra = extra
        return sessions.get(udid, device.android, handoff_key=device.spec.id)

    return session


@pytest.fixture
def appium_driver(
    device: DeviceTarget, appium_sessions: AppiumSessions, harness_config: DevicesConfig
) -> Any:
    """The device's Appium WebDriver (UiAutomator2); the same session test after test."""
    return device_session(device, appium_sessions, harness_config)()


def broadcast_server(device: DeviceTarget, appium_url: str, pool: Any, appium_url_given: bool) -> str:
    """Where the device's logcat broadcast websocket is opened: the Appium server behind its
    Grid node (``node_url``) on a Selenium Grid pool, else the server its sessions go to."""
    if isinstance(pool, RemotePool) and not appium_url_given:
        return pool.node_url_for(device.spec.id) or appium_url
    return appium_url


def _no_logcat_hint(pool: Any, server_url: str) -> str:
    if isinstance(pool, RemotePool) and pool.server == "selenium-grid" and server_url == pool.server_url():
        return (
            "a Selenium Grid routes Appium's HTTP commands but not its /ws/ paths: give the device "
            "(or the pool) node_url: the Appium server behind its Grid node (docs/devices-yaml.md)"
        )
    return "the harness reads a remote device's logcat from Appium's logcat broadcast websocket"


@pytest.fixture(scope="session")
def _appium_logcat(
    device: DeviceTarget,
    appium_url: str,
    appium_sessions: AppiumSessions,
    harness_config: DevicesConfig,
    _harness: HarnessSession,
) -> Iterator[LogcatStream]:
    """A remote device's logcat: its session's logcat broadcast, for the whole run."""
    pool = harness_config.pool(device.pool)
    server = broadcast_server(device, appium_url, pool, bool(_harness.options.appium_url))
    session = device_session(device, appium_sessions, harness_config)
    stream = appium_logcat_stream(server, session, name=device.spec.id)
    try:
        stream.start()
    except BroadcastError as exc:
        hint = _no_logcat_hint(pool, server)
        pytest.fail(
            f"device {device.name} of pool {device.pool!r}: no logcat: {exc}\n({hint})",
            pytrace=False,
        )
    try:
        yield stream
    finally:
        stream.stop()


@pytest.fixture(scope="session")
def _appium_apps(
    device: DeviceTarget, appium_sessions: AppiumSessions, harness_config: DevicesConfig
) -> AppiumApps:
    """A remote device's app control (install, force-stop, clear, start) through its session."""
    return AppiumApps(device_session(device, appium_sessions, harness_config), device.name)
