"""Device fixtures: the devices file, the pool, the leased device, its adb service and logcat.

Scopes are deliberate: a device is leased once per xdist worker (session) because leasing,
health checks and app installs are slow and a device holds no per-test state the harness
cannot reset; tests get isolation from function-scoped fixtures built on top (``callbacks``,
and later ``app``). In ``--device-mode each`` the session fixture ``device`` is parametrized
over the pool, so pytest swaps the lease when the device changes and test ids name the device.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import adbutils
import pytest

from harness.android.adb import AdbError
from harness.android.device import AndroidDevice
from harness.android.emulator import EmulatorError, boot_avd
from harness.android.health import DEFAULT_MIN_SDK, health_reason
from harness.android.logcat import LogcatStream
from harness.config import DevicesConfig, VirtualPool
from harness.config.models import EmulatorPool
from harness.plugin.session import HarnessSession, harness_session, worker_id
from harness.plugin.targets import DeviceTarget, emulator_serial, ensure_virtual_pool
from harness.pool import DevicePool, HealthCheck, NoDeviceAvailable
from harness.rustore.signin_probe import probe_purchases

EACH_MODE_WAIT_S = 900.0  # another worker may hold the device for its share of the tests


@pytest.fixture(scope="session")
def _harness(request: pytest.FixtureRequest) -> HarnessSession:
    return harness_session(request.config)


@pytest.fixture(scope="session")
def harness_config(_harness: HarnessSession) -> DevicesConfig:
    """The parsed devices file (``--devices-file``); secrets inside stay masked when printed."""
    return _harness.devices_config()


def attach_or_boot_emulator(session: HarnessSession, pool: EmulatorPool, avd: str) -> str | None:
    """The running emulator of ``avd``, else one booted with the SDK's emulator (once per run).

    A boot that fails leaves the device unattached, so its health check quarantines it with the reason.
    """
    with session.lock(f"emulator-{avd}"):
        serial = emulator_serial(avd, session.adb())
        if serial is not None:
            return serial
        settings = next(d.boot for d in pool.devices if d.avd == avd)
        try:
            booted = boot_avd(
                avd,
                session.adb(),
                session.run_dir / "emulators" / f"{avd}.log",
                headless=settings.headless,
                args=tuple(settings.args),
                port=settings.port,
                timeout=settings.timeout,
            )
        except EmulatorError as exc:
            session.extras.setdefault("boot_failures", {})[avd] = str(exc)
            return None
        session.record_booted_emulator(booted.serial)
        return booted.serial


@pytest.fixture(scope="session")
def device_pool(
    request: pytest.FixtureRequest, _harness: HarnessSession, harness_config: DevicesConfig
) -> DevicePool:
    """The selected pool's devices, leasable across xdist workers (a virtual pool is started once)."""
    pool = harness_config.pool(_harness.options.pool)
    specs = _harness.device_specs()
    serials: dict[str, str | None] = {}
    if isinstance(pool, VirtualPool):
        by_id = virtual_pool_serials(_harness, pool, by=worker_id(request.config))
        serials = {s.id: by_id.get(s.id) for s in specs}
    else:
        for spec in specs:
            if spec.kind == "adb":
                serials[spec.id] = spec.id
            elif spec.kind == "emulator":
                assert isinstance(pool, EmulatorPool)
                serials[spec.id] = attach_or_boot_emulator(_harness, pool, spec.id)
            else:
                serials[spec.id] = None
    _harness.extras["serials"] = serials
    _harness.extras["specs"] = {s.id: s for s in specs}
    return DevicePool([s.id for s in specs], _harness.run_dir / "pool" / _harness.pool_name)


def virtual_pool_serials(harness: HarnessSession, pool: VirtualPool, by: str) -> dict[str, str]:
    """Device id → serial of the running virtual pool, started (and recorded as the run's, to be
    stopped at its end) when none runs; one process at a time, the others find it running."""
    with harness.lock("virtual-pool"):
        running, services, started_in = ensure_virtual_pool(pool, harness.adb())
        if started_in is not None:
            harness.record_started_pool(started_in, by=by)
    harness.extras["services"] = services
    everything = harness.devices_config().devices(harness.pool_name)
    return dict(zip((s.id for s in everything), running, strict=False))


def _health_check(session: HarnessSession) -> HealthCheck:
    serials: dict[str, str | None] = session.extras["serials"]
    specs = session.extras["specs"]

    def check(device_id: str) -> str | None:
        spec = specs[device_id]
        if spec.kind == "remote":
            return None  # reached through Appium; its session is its health check
        serial = serials.get(device_id)
        if serial is None:
            if spec.kind == "emulator":
                failure = session.extras.get("boot_failures", {}).get(device_id)
                return failure or f"AVD {device_id} is not running: start it with `emulator -avd {device_id}`"
            return f"{device_id} is not attached (the running virtual pool has fewer devices)"
        real = spec.kind in ("adb", "emulator")
        android = AndroidDevice(serial, session.adb())
        reason = health_reason(android, min_sdk=DEFAULT_MIN_SDK, real_device=real)
        if reason is not None or not real:
            return reason
        return _purchases_unavailable(session, android)

    return check


def _purchases_unavailable(session: HarnessSession, android: AndroidDevice) -> str | None:
    """A phone's RuStore sign-in, asked of the SDK through the game (``harness.rustore.signin_probe``).

    Only a definite "unavailable" takes the phone out: a probe that gets no answer says more about
    the game than the phone, so the tests run and show it with their evidence.
    """
    config = session.devices_config()
    apk = config.apk_for(session.pool_name)
    if isinstance(apk, Path) and apk.is_file():
        android.install(apk)  # once per run and device: the app fixture finds it installed
    elif not android.is_installed(config.app.package):
        return None  # nothing to ask with; the app fixture says what is missing
    try:
        return probe_purchases(android, config.app.package, config.app.activity)
    except (AssertionError, AdbError, adbutils.AdbError, OSError) as exc:
        warnings.warn(f"{android.serial}: the RuStore availability probe got no answer: {exc}", stacklevel=1)
        return None


@pytest.fixture(scope="session")
def device(
    request: pytest.FixtureRequest, _harness: HarnessSession, device_pool: DevicePool
) -> Iterator[DeviceTarget]:
    """The device this worker leased (health-checked; an unhealthy one is quarantined for the run)."""
    wanted: str | None = getattr(request, "param", None)
    check = _health_check(_harness)
    try:
        if wanted is None:
            lease = device_pool.lease(worker_id(request.config), check, timeout=0.0)
        else:
            lease = device_pool.lease_device(
                wanted, worker_id(request.config), check, timeout=EACH_MODE_WAIT_S
            )
    except NoDeviceAvailable as exc:
        pytest.fail(
            f"pool {_harness.pool_name!r}: {exc}\n(hint: run with at most as many xdist workers as devices)",
            pytrace=False,
        )
    serial = _harness.extras["serials"].get(lease.device_id)
    android = AndroidDevice(serial, _harness.adb(), pool=_harness.pool_name) if serial else None
    target = DeviceTarget(_harness.extras["specs"][lease.device_id], serial, android)
    try:
        yield target
    finally:
        lease.release()


@pytest.fixture(scope="session")
def adb_device(device: DeviceTarget) -> AndroidDevice:
    """The leased device's adb service object (skips on a remote pool, which has no adb)."""
    if device.android is None:
        pytest.skip(f"device {device.name} of pool {device.pool!r} ({device.kind}) has no adb connection")
    return device.android


@pytest.fixture(scope="session")
def logcat(request: pytest.FixtureRequest, device: DeviceTarget) -> Iterator[LogcatStream]:
    """The device's logcat from the lease on, one stream per device per run.

    Read through adb where the device has it; on a remote pool (no adb) from the Appium
    session's logcat broadcast (``fixtures_appium._appium_logcat``): the same stream either way.
    """
    if device.android is None:
        yield request.getfixturevalue("_appium_logcat")
        return
    stream = LogcatStream(device.android.ad).start()
    try:
        yield stream
    finally:
        stream.stop()
