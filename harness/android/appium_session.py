"""Appium sessions on a device: UiAutomator2 capabilities, one session per device per run.

The same code drives a phone, an emulator or a virtual device: everything goes through a
real Appium server and the real UiAutomator2 driver. Two capability profiles:

- ``fast`` (the default): ``skipServerInstallation`` and ``skipDeviceInitialization``. The
  UiAutomator2 server packages must already be on the device, so the factory installs the
  very APKs the pinned driver ships (``adb install``) when they are missing.
- ``default``: the driver's own defaults; it checks and installs its server APKs itself.

Every session gets ``noReset`` (a run never wipes the game) and ``waitForIdleTimeout=0`` as
an initial setting (a GL game never goes idle, so UiAutomator would otherwise wait 10 s per
command). A session on this host's Appium also gets the harness's adb server port and its own
``systemPort``, so sessions on several devices never fight over the driver's local forward
port; a remote server (a farm, a grid) gets neither: its adb and its ports are its own.

Credentials for a farm travel as ``user:password@`` in the server URL given here; they are
taken out of it and sent as Basic authentication (Selenium's ``ClientConfig``), never as
part of a URL on the wire or in a message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selenium.common.exceptions import WebDriverException

from harness.android.adb import server_port
from harness.android.appium import AppiumInstallation
from harness.android.device import AndroidDevice
from harness.android.server_url import split_credentials
from harness.android.session_handoff import OpenSession, SessionHandoff
from harness.ports import free_loopback_port

if TYPE_CHECKING:  # the client is imported when a session is made: its import costs ~0.2 s
    from appium.options.android import UiAutomator2Options

SERVER_PACKAGE = "io.appium.uiautomator2.server"
SERVER_TEST_PACKAGE = "io.appium.uiautomator2.server.test"
FAST = "fast"
DEFAULT = "default"
PROFILES = (FAST, DEFAULT)

DriverFactory = Callable[[str, "UiAutomator2Options"], Any]
AdoptFactory = Callable[[str, OpenSession], Any]


def _client_config(url: str) -> tuple[str, Any]:
    from appium.webdriver.client_config import AppiumClientConfig

    bare, user, password = split_credentials(url)
    return bare, AppiumClientConfig(bare, username=user, password=password) if user is not None else None


def _remote(url: str, options: UiAutomator2Options) -> Any:
    from appium import webdriver

    bare, config = _client_config(url)
    return webdriver.Remote(bare, options=options, client_config=config)


def _adopt(url: str, session: OpenSession) -> Any:
    """A client on a session another process opened (``SessionHandoff``): its ``start_session``
    takes the given id and capabilities instead of asking the server for a new session."""
    from appium import webdriver
    from appium.options.common import AppiumOptions

    def start_session(driver: Any, capabilities: Any, browser_profile: Any = None) -> None:
        driver.session_id = session.session_id
        driver.caps = dict(session.capabilities)

    adopted = type("AdoptedRemote", (webdriver.Remote,), {"start_session": start_session})
    bare, config = _client_config(url)
    return adopted(bare, options=AppiumOptions(), client_config=config)  # options: never sent


def server_apks(installation: AppiumInstallation | None = None) -> list[Path]:
    """The UiAutomator2 server APKs the pinned driver ships (app first, then its test package).

    Installs the pinned Appium first when it is missing (or waits for the install another process
    is doing): on a fresh machine the first caller may come before anything started Appium.
    """
    inst = installation or AppiumInstallation.default()
    inst.ensure()
    home = inst.home / "node_modules"
    for base in (
        home / "appium-uiautomator2-driver" / "node_modules" / "appium-uiautomator2-server",
        home / "appium-uiautomator2-server",
    ):
        apks = sorted((base / "apks").glob("*.apk"))
        if apks:
            app = [p for p in apks if "androidTest" not in p.name]
            test = [p for p in apks if "androidTest" in p.name]
            return app + test
    raise FileNotFoundError(f"the pinned Appium install has no UiAutomator2 server APKs under {home}")


def ensure_server_installed(device: AndroidDevice, installation: AppiumInstallation | None = None) -> bool:
    """Install the driver's server APKs when missing (needed with ``skipServerInstallation``).

    Returns True if anything was installed.
    """
    if device.is_installed(SERVER_PACKAGE) and device.is_installed(SERVER_TEST_PACKAGE):
        return False
    for apk in server_apks(installation):
        device.install(apk, force=True)
    return True


def uiautomator2_options(
    udid: str,
    *,
    profile: str = FAST,
    app_package: str | None = None,
    app_activity: str | None = None,
    system_port: int | None = None,
    new_command_timeout: int = 600,
    adb_port: int | None = None,
    extra: dict[str, Any] | None = None,
    remote: bool = False,
) -> UiAutomator2Options:
    """The capabilities every harness session uses; ``extra`` (``appium:``-less names) wins.

    ``remote``: the server runs elsewhere (a farm), so this host's adb port and free ports mean
    nothing there and are not sent.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown capability profile {profile!r}; choose one of {PROFILES}")
    from appium.options.android import UiAutomator2Options

    options = UiAutomator2Options()
    options.udid = udid
    if not remote:
        # appium-adb ignores ANDROID_ADB_SERVER_PORT: without adbPort it would start a server on 5037.
        options.set_capability("appium:adbPort", adb_port or server_port())
        options.system_port = system_port or free_loopback_port()
    options.no_reset = True
    options.new_command_timeout = new_command_timeout
    options.set_capability("appium:settings", {"waitForIdleTimeout": 0})
    if app_package:
        options.app_package = app_package
    if app_activity:
        options.app_activity = app_activity
    if profile == FAST and not remote:  # a farm's devices get the driver's own server install
        options.skip_server_installation = True
        options.skip_device_initialization = True
    for name, value in (extra or {}).items():
        options.set_capability(name if ":" in name or name == "platformName" else f"appium:{name}", value)
    return options


@dataclass
class _Entry:
    driver: Any
    system_port: int
    handoff_key: str | None = None  # set when the session was taken over from another process


@dataclass
class AppiumSessions:
    """One Appium session per device for a whole run: reused while alive, recreated if it died.

    ``server_url`` is an Appium server (``harness.android.appium.start_server`` or a user's
    own, a grid, a farm), with ``user:password@`` when it wants them. ``remote``: the server
    and its devices are elsewhere, so no local adb port, ``systemPort`` or server install.
    ``get(udid)`` is thread-safe per device. With a ``handoff``, a device's first ``get`` takes
    over the session another process opened for it (``--prewarm``), when there is one.
    """

    server_url: str
    profile: str = FAST
    app_package: str | None = None
    app_activity: str | None = None
    new_command_timeout: int = 600
    extra: dict[str, Any] = field(default_factory=dict)
    remote: bool = False
    driver_factory: DriverFactory = _remote
    handoff: SessionHandoff | None = None
    adopt_factory: AdoptFactory = _adopt
    _entries: dict[str, _Entry] = field(default_factory=dict, init=False, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    created: int = field(default=0, init=False)
    adopted: int = field(default=0, init=False)

    def _lock(self, udid: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(udid, threading.Lock())

    def get(self, udid: str, device: AndroidDevice | None = None, handoff_key: str | None = None) -> Any:
        """The device's session; created on first use and again if the old one no longer answers.

        ``handoff_key``: the name the device's session may be waiting under in ``handoff``
        (the device's id in the pool; default: `udid`).
        """
        with self._lock(udid):
            entry = self._entries.get(udid)
            if entry is not None and self._alive(entry.driver):
                return entry.driver
            if entry is not None:
                self._quit_quietly(entry.driver)
                del self._entries[udid]
            elif self.handoff is not None:
                driver = self._take_over(udid, handoff_key or udid)
                if driver is not None:
                    return driver
            if self.profile == FAST and not self.remote:
                ensure_server_installed(device or AndroidDevice(udid))
            # A fresh free port: a dead session may have left its forward listening on the old one.
            port = 0 if self.remote else free_loopback_port()
            options = uiautomator2_options(
                udid,
                profile=self.profile,
                app_package=self.app_package,
                app_activity=self.app_activity,
                system_port=port,
                new_command_timeout=self.new_command_timeout,
                extra=self.extra,
                remote=self.remote,
            )
            driver = self.driver_factory(self.server_url, options)
            self.created += 1
            self._entries[udid] = _Entry(driver, port)
            return driver

    def _take_over(self, udid: str, key: str) -> Any:
        """The session opened for `udid` elsewhere, if there is one and it still answers."""
        assert self.handoff is not None
        opened = self.handoff.claim(key)
        if opened is None:
            return None
        driver = self.adopt_factory(self.server_url, opened)
        if opened.udid != udid or not self._alive(driver):  # another device (a restarted pool)
            self._quit_quietly(driver)
            return None
        self.adopted += 1
        self._entries[udid] = _Entry(driver, opened.system_port, key)
        return driver

    def open_session(self, udid: str) -> OpenSession:
        """The device's live session as another process can take it over (``SessionHandoff``)."""
        entry = self._entries[udid]
        return OpenSession(udid, str(entry.driver.session_id), dict(entry.driver.caps), entry.system_port)

    def give_back(self) -> None:
        """Hand the sessions taken over back to the process that opened them, without closing
        them: it closes them while this one shuts down (``--prewarm``)."""
        assert self.handoff is not None
        for udid, entry in list(self._entries.items()):
            if entry.handoff_key is not None:
                self.handoff.give_back(entry.handoff_key, self.open_session(udid))
                self.forget(udid)

    def close_opened(self, opened: OpenSession) -> None:
        """Close a session another process opened and nobody took over."""
        self._quit_quietly(self.adopt_factory(self.server_url, opened))

    def forget(self, udid: str) -> None:
        """Drop the device's session without closing it: another process owns it now."""
        with self._lock(udid):
            self._entries.pop(udid, None)

    @staticmethod
    def _alive(driver: Any) -> bool:
        """A call the driver proxies to the device's server (settings are answered by Appium itself),
        so it fails when the Appium session, the server or its instrumentation is gone."""
        try:
            _ = driver.orientation
        except WebDriverException:
            return False
        return True

    @staticmethod
    def _quit_quietly(driver: Any) -> None:
        try:
            driver.quit()
        except WebDriverException:
            pass

    def quit(self, udid: str) -> None:
        with self._lock(udid):
            entry = self._entries.pop(udid, None)
            if entry is not None:
                self._quit_quietly(entry.driver)

    def quit_all(self, udids: Iterable[str] | None = None) -> None:
        for udid in list(udids if udids is not None else self._entries):
            self.quit(udid)

    def __enter__(self) -> AppiumSessions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.quit_all()
