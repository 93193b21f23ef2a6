"""From a pool's device spec to a device the tests can reach (a serial on the adb server).

- ``virtual``: the i-th device of the running virtual pool (started once per run if none runs);
- ``adb``: the serial as written;
- ``emulator``: the running emulator whose AVD name matches (fixtures_device boots it if none runs);
- ``remote``: no adb serial: the device is reached through Appium only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.android.adb import AdbError, AdbServer
from harness.android.device import AndroidDevice
from harness.config import DeviceSpec, VirtualPool


@dataclass
class DeviceTarget:
    """The leased device as tests see it: its spec and, when it has one, its adb service object."""

    spec: DeviceSpec
    serial: str | None
    android: AndroidDevice | None

    @property
    def pool(self) -> str:
        return self.spec.pool

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def name(self) -> str:
        return self.spec.label or self.spec.id

    def info(self) -> dict[str, str]:
        if self.android is not None:
            return {**self.android.info(), "id": self.spec.id, "pool": self.pool, "kind": self.kind}
        return {
            "serial": "",
            "model": self.name,
            "sdk": "",
            "pool": self.pool,
            "kind": self.kind,
            "id": self.spec.id,
        }

    def __repr__(self) -> str:
        return f"DeviceTarget({self.spec.id!r}, serial={self.serial!r}, pool={self.pool!r})"


def _farm(adb: AdbServer) -> object:
    from harness.sim.farm import Farm
    from harness.sim.state import default_state_dir

    return Farm(state_dir=default_state_dir(), adb=adb)


def virtual_serials(adb: AdbServer) -> list[str]:
    """Serials of the running virtual pool, in device order ([] when none runs)."""
    from harness.sim.farm import Farm

    farm = _farm(adb)
    assert isinstance(farm, Farm)
    state = farm.status()
    return [d.serial for d in state.devices] if state else []


def virtual_device_props(pool: VirtualPool) -> dict[str, str]:
    """The device properties through which a virtual pool's settings reach its devices."""
    props = {"rustore.harness.plugin.profile": pool.plugin, "rustore.harness.plugin.mode": pool.mode}
    return props | ({"rustore.harness.latency": pool.latency} if pool.latency != "instant" else {})


def ensure_virtual_pool(pool: VirtualPool, adb: AdbServer) -> tuple[list[str], dict[str, str], Path | None]:
    """The running pool's serials and service URLs; starts one (farm launcher) if none runs.

    The farm's own file lock makes this safe from several xdist workers at once: one starts the
    pool, the others find it. Returns the state dir when *this* call started it (the caller
    records the run as its owner), else None.
    """
    from harness.sim.farm import Farm

    farm = _farm(adb)
    assert isinstance(farm, Farm)
    state, started = farm.up(pool.count, pool.profile, device_props=virtual_device_props(pool))
    return [d.serial for d in state.devices], dict(state.services), (farm.state_dir if started else None)


def emulator_serial(avd: str, adb: AdbServer) -> str | None:
    """The serial of the running emulator booted from `avd`, if any."""
    for serial, state in adb.device_states().items():
        if not serial.startswith("emulator-") or state != "device":
            continue
        device = AndroidDevice(serial, adb)
        try:
            name = device.getprop("ro.boot.qemu.avd_name") or device.getprop("ro.kernel.qemu.avd_name")
        except (AdbError, OSError):
            continue
        if name == avd:
            return serial
    return None
