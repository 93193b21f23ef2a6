"""``--prewarm``: xdist's controller opens each device's Appium session while the workers start.

A worker is a Python process that imports the plugin and collects the suite before its first
test: seconds on a busy machine, while the controller waits with nothing to do. Opening a
device's first UiAutomator2 session also takes seconds, and a worker only starts it once it has
started, collected, leased its device and installed the game. With ``--prewarm`` and ``-n N``
the controller, in a background thread from the start of the session: starts (or finds) the
virtual pool and the run's Appium (installing the UiAutomator2 server on the devices meanwhile),
then opens, in parallel, one session on each device the N workers will lease first
(``harness.pool.first_choices``) and hands each over through the run directory
(``harness.android.session_handoff``). A worker's first ``appium_driver`` takes the
session of its device over, waiting while it is still being opened: still one session per
device per run. At its end the worker hands the session back, still open, and the controller
closes it while that worker's process and the others wind down (closing one takes ~0.6 s at
the realistic profile, which the last worker no longer waits for).

It does nothing without xdist, with ``--device-mode each``, on remote pools (a farm or a Grid
allocates a device per session), on emulator pools (booting an AVD is the ``device_pool``
fixture's job) and when the devices file does not load (the fixtures report that). A failure
while opening (an unreachable phone, Appium not starting) is listed in the terminal summary;
the worker then opens its own session and its test shows the real error. Sessions no worker
took over are closed at the end of the session, before the run's Appium is stopped.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.android.appium import READY_TIMEOUT_S
from harness.android.device import AndroidDevice
from harness.android.session_handoff import CLAIM_TIMEOUT_S, Reservation
from harness.config import DevicesConfig, RemotePool, VirtualPool
from harness.config.models import EmulatorPool
from harness.plugin.session import HarnessSession, harness_session
from harness.pool import first_choices


@dataclass
class Prewarm:
    """What the controller reserved, opened and could not open."""

    harness: HarnessSession
    config: DevicesConfig
    reservations: dict[str, Reservation]
    started: float = field(default_factory=time.monotonic)
    opened: dict[str, float] = field(default_factory=dict)  # device id → seconds since the start
    failures: dict[str, str] = field(default_factory=dict)
    server_url: str | None = None
    serials: dict[str, str] = field(default_factory=dict)
    unclaimed: list[str] = field(default_factory=list)  # serials
    thread: threading.Thread | None = None
    closers: list[threading.Thread] = field(default_factory=list)
    closed_after_use: list[str] = field(default_factory=list)  # serials


_PREWARM = pytest.StashKey[Prewarm]()


def xdist_workers(config: pytest.Config) -> list[str]:
    """The ids xdist gives this run's workers (gw0…), or none when the run is not distributed."""
    if not config.pluginmanager.has_plugin("dsession"):
        return []
    return [f"gw{index}" for index in range(len(config.getoption("tx") or []))]


def _plan(session: pytest.Session) -> Prewarm | None:
    harness = harness_session(session.config)
    workers = xdist_workers(session.config)
    if not harness.options.prewarm or not harness.is_controller or not workers:
        return None
    if harness.options.device_mode == "each":
        return None
    try:
        config = harness.devices_config()
        pool = config.pool(harness.options.pool)
        specs = harness.device_specs()
    except Exception:  # a bad devices file or --device: the fixtures say what is wrong
        return None
    if isinstance(pool, (RemotePool, EmulatorPool)):
        return None
    handoff = harness.session_handoff()
    chosen = first_choices([s.id for s in specs], workers)
    return Prewarm(harness, config, {device_id: handoff.reserve(device_id) for device_id in chosen})


def _serials(plan: Prewarm) -> dict[str, str]:
    harness = plan.harness
    pool = plan.config.pool(harness.options.pool)
    if isinstance(pool, VirtualPool):
        from harness.plugin.fixtures_device import virtual_pool_serials

        return virtual_pool_serials(harness, pool, by="main")
    return {device_id: device_id for device_id in plan.reservations}  # adb pools: the id is the serial


def _install_server(plan: Prewarm, serial: str) -> None:
    """The UiAutomator2 server APKs, installed while Appium boots (opening the session would
    otherwise install them first: ~0.6 s a device at the realistic profile). A failure here is
    left to opening the session, which tries again and reports it."""
    from harness.android.appium_session import ensure_server_installed

    try:
        ensure_server_installed(AndroidDevice(serial, plan.harness.adb()))
    except Exception:  # reported by _open's own attempt
        return


def _open(plan: Prewarm, sessions: Any, device_id: str, serial: str, installing: Future[None]) -> None:
    reservation = plan.reservations[device_id]
    try:
        installing.result()
        sessions.get(serial, AndroidDevice(serial, plan.harness.adb()))
        reservation.offer(sessions.open_session(serial))
        sessions.forget(serial)  # the worker owns it now; unclaimed ones are closed at the end
        plan.opened[device_id] = time.monotonic() - plan.started
    except Exception as exc:  # the worker opens its own session and its test reports the error
        plan.failures[device_id] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        reservation.release()


def _run(plan: Prewarm) -> None:
    from harness.android.appium_session import AppiumSessions
    from harness.plugin.fixtures_appium import given_appium_url, local_appium_url

    try:
        serials = plan.serials = _serials(plan)
        targets = [(d, serials[d]) for d in plan.reservations if serials.get(d)]
        for device_id in plan.reservations.keys() - {d for d, _ in targets}:
            plan.failures[device_id] = "not running in the virtual pool"
        with ThreadPoolExecutor(max_workers=max(1, 2 * len(targets)), thread_name_prefix="prewarm") as pool:
            installing = {d: pool.submit(_install_server, plan, serial) for d, serial in targets}
            url = given_appium_url(plan.harness, plan.config) or local_appium_url(plan.harness, plan.config)
            plan.server_url = url
            sessions = AppiumSessions(url)
            for device_id, serial in targets:
                pool.submit(_open, plan, sessions, device_id, serial, installing[device_id])
    except Exception as exc:
        for device_id in plan.reservations:
            plan.failures.setdefault(device_id, f"{type(exc).__name__}: {exc}".splitlines()[0])
    finally:
        for reservation in plan.reservations.values():
            reservation.release()


@pytest.hookimpl(tryfirst=True)  # before xdist's own sessionstart starts the workers
def pytest_sessionstart(session: pytest.Session) -> None:
    plan = _plan(session)
    if plan is None:
        return
    session.config.stash[_PREWARM] = plan
    plan.thread = threading.Thread(target=_run, args=(plan,), name="prewarm", daemon=True)
    plan.thread.start()


def _close_given_back(plan: Prewarm) -> None:
    from harness.android.appium_session import AppiumSessions

    if plan.server_url is not None:
        sessions = AppiumSessions(plan.server_url)
        for opened in plan.harness.session_handoff().given_back():
            sessions.close_opened(opened)
            plan.closed_after_use.append(opened.udid)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: a worker is done and shuts down
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Close the session the worker handed back while its process (and the others) wind down."""
    plan = node.config.stash.get(_PREWARM, None)
    if plan is not None:
        closer = threading.Thread(target=_close_given_back, args=(plan,), name="prewarm-close", daemon=True)
        plan.closers.append(closer)
        closer.start()


def _close_the_rest(plan: Prewarm) -> None:
    from harness.android.appium_session import AppiumSessions

    if plan.thread is not None:
        plan.thread.join(timeout=READY_TIMEOUT_S + CLAIM_TIMEOUT_S)
    for closer in plan.closers:
        closer.join(timeout=READY_TIMEOUT_S)
    _close_given_back(plan)  # a worker's hand-back its own closer had not seen
    left = plan.harness.session_handoff().unclaimed()
    if plan.server_url is None or not left:
        return
    sessions = AppiumSessions(plan.server_url)
    for opened in left:
        plan.unclaimed.append(opened.udid)
        sessions.close_opened(opened)


# trylast: after xdist's own sessionfinish has told the workers to exit, so that the last sessions
# close while the workers' processes wind down (both take ~0.5 s at the realistic profile); the
# run's Appium is only stopped at unconfigure.
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    plan = session.config.stash.get(_PREWARM, None)
    if plan is not None:
        _close_the_rest(plan)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What --prewarm did: the sessions it opened (and when), those no worker took, its failures."""
    plan = config.stash.get(_PREWARM, None)
    if plan is None:
        return
    terminalreporter.section("rustore-harness: prewarm")
    for device_id in plan.reservations:
        if device_id in plan.opened:
            serial = plan.serials.get(device_id)
            if serial in plan.unclaimed:
                fate = "no worker took it over: closed"
            elif serial in plan.closed_after_use:
                fate = "taken over by its worker, closed after it"
            else:
                fate = "taken over by its worker"
            line = f"{device_id}: session open after {plan.opened[device_id]:.1f}s, {fate}"
        else:
            why = plan.failures.get(device_id, "unknown")
            line = f"{device_id}: not opened ({why}); left to its worker"
        terminalreporter.write_line(line)
