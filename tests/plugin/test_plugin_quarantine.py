"""A phone pool where one device is unfit: it is quarantined with the reason and the worker
takes the fit one. The "phone" is a virtual device attached like a Wi-Fi phone; it has the RuStore app, so it
passes the real-device health check."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_devices

from harness.android.adb import AdbServer
from harness.android.device import AndroidDevice
from harness.android.health import RUSTORE_PACKAGE
from harness.pool.leasing import _worker_index
from harness.sim.android.apk import ManifestSpec, build_apk
from harness.sim.farm import build_virtual_app
from harness.sim.state import SimState

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"
STORE_STATE = "rustore.harness.store.state"  # the virtual device's RuStore app: ready, unauthorized…


def with_rustore(serial: str, adb: AdbServer, tmp_path: Path) -> str:
    """The virtual device as a phone with the RuStore app (older pools came without it)."""
    device = AndroidDevice(serial, adb)
    if not device.is_installed(RUSTORE_PACKAGE):
        apk = tmp_path / f"rustore-standin-{serial.replace(':', '-')}.apk"
        apk.write_bytes(build_apk(ManifestSpec(package=RUSTORE_PACKAGE, version_code=1, version_name="1.0")))
        device.install(apk)
    assert device.is_installed(RUSTORE_PACKAGE)
    return serial


@pytest.fixture
def phone_with_rustore(virtual_env: SimState, adb_env: AdbServer, tmp_path: Path) -> str:
    return with_rustore(virtual_env.devices[1].serial, adb_env, tmp_path)


def test_an_unfit_phone_is_quarantined_and_the_fit_one_leased(
    pytester: pytest.Pytester, phone_with_rustore: str
) -> None:
    unfit = "    - {serial: NOPHONE123, label: unplugged}\n"
    fit = f'    - {{serial: "{phone_with_rustore}", label: on-desk}}\n'
    first_tried = _worker_index("main") % 2  # the pool spreads workers; make the unfit one come first
    devices = [fit, unfit] if first_tried else [unfit, fit]
    pool = "usb:\n  kind: adb\n  devices:\n" + "".join(devices)
    write_devices(pytester, pool, "usb")
    pytester.makepyfile(
        test_phone="""
        def test_on_phone(device):
            print("LEASED", device.name, device.serial)
            assert device.kind == "adb"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            f"*LEASED on-desk {phone_with_rustore}*",
            "*rustore-harness: quarantined devices*",
            "usb/NOPHONE123: adb state: adb state is 'absent'*(by main)",
        ]
    )


SIGNED_OUT_TEST = """
def test_products(device, billing):
    print("LEASED", device.name)
    assert billing.products().channel == "rustore_on_get_products_success"
"""


@pytest.fixture
def two_phones(
    virtual_env: SimState, adb_env: AdbServer, phone_with_rustore: str, tmp_path: Path
) -> list[str]:
    """Both virtual devices as Wi-Fi phones with the RuStore app."""
    return [with_rustore(virtual_env.devices[0].serial, adb_env, tmp_path), phone_with_rustore]


def test_a_phone_whose_rustore_user_is_signed_out_is_quarantined_at_lease(
    pytester: pytest.Pytester, two_phones: list[str], adb_env: AdbServer
) -> None:
    """Sign-in cannot be read over adb: the lease asks the SDK through the game, and the worker
    takes the other phone."""
    fit, signed_out = two_phones
    first_tried = _worker_index("main") % 2  # make the signed-out phone the one tried first
    phones = [(signed_out, "signed-out"), (fit, "on-desk")]
    if first_tried:
        phones.reverse()
    apk = build_virtual_app(SAMPLE_APP, pytester.path / "game.apk")
    listed = "".join(f'      - {{serial: "{serial}", label: {label}}}\n' for serial, label in phones)
    pytester.makefile(
        ".yaml",
        devices=(
            "version: 1\ndefault_pool: usb\napp:\n  package: ru.rustore.sample.billing\n"
            f"  deeplink_scheme: rustoresample\n  apk: {{usb: {apk}}}\n"
            f"pools:\n  usb:\n    kind: adb\n    devices:\n{listed}"
        ),
    )
    pytester.makepyfile(test_signed_out=SIGNED_OUT_TEST)
    phone = AndroidDevice(signed_out, adb_env)
    before = phone.getprop(STORE_STATE)
    phone.shell(["setprop", STORE_STATE, "unauthorized"])
    try:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s", "--output", "out")
    finally:
        phone.shell(["setprop", STORE_STATE, before])
    result.assert_outcomes(passed=1)
    reason = (
        "RuStore purchases are unavailable (RuStoreUserUnauthorizedException): "
        "the user is not signed in: open RuStore on the device and sign in"
    )
    result.stdout.fnmatch_lines(
        [
            "*LEASED on-desk*",
            "*rustore-harness: quarantined devices*",
            f"usb/{signed_out}: {reason} (by main)",
        ]
    )
