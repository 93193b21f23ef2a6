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


@pytest.fixture
def phone_with_rustore(virtual_env: SimState, adb_env: AdbServer, tmp_path: Path) -> str:
    serial = virtual_env.devices[1].serial
    device = AndroidDevice(serial, adb_env)
    if not device.is_installed(RUSTORE_PACKAGE):  # older pools came without the RuStore app
        apk = tmp_path / "rustore-standin.apk"
        apk.write_bytes(build_apk(ManifestSpec(package=RUSTORE_PACKAGE, version_code=1, version_name="1.0")))
        device.install(apk)
    assert device.is_installed(RUSTORE_PACKAGE)
    return serial


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


SIGNED_OUT_TESTS = """
def test_buy(billing):
    billing.buy("con1", method="card")


def test_products(billing):
    billing.products()
"""


def test_a_phone_whose_rustore_user_is_signed_out_is_quarantined_with_the_fix(
    pytester: pytest.Pytester, phone_with_rustore: str, adb_env: AdbServer
) -> None:
    """Sign-in cannot be read over adb: the first billing test asks the SDK, once per device."""
    apk = build_virtual_app(SAMPLE_APP, pytester.path / "game.apk")
    pytester.makefile(
        ".yaml",
        devices=f"""\
version: 1
default_pool: usb
app:
  package: ru.rustore.sample.billing
  deeplink_scheme: rustoresample
  apk: {{usb: {apk}}}
pools:
  usb:
    kind: adb
    devices:
      - {{serial: "{phone_with_rustore}", label: on-desk}}
""",
    )
    pytester.makepyfile(test_signed_out=SIGNED_OUT_TESTS)
    phone = AndroidDevice(phone_with_rustore, adb_env)
    before = phone.getprop(STORE_STATE)
    phone.shell(["setprop", STORE_STATE, "unauthorized"])
    try:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out")
    finally:
        phone.shell(["setprop", STORE_STATE, before])
    result.assert_outcomes(errors=2)  # the device is unfit: an error at setup, not a test verdict
    reason = (
        "RuStore purchases are unavailable (RuStoreUserUnauthorizedException): "
        "the user is not signed in: open RuStore on the device and sign in"
    )
    result.stdout.fnmatch_lines(
        [
            f"*device on-desk: {reason}*",
            "*rustore-harness: quarantined devices*",
            f"usb/{phone_with_rustore}: {reason} (by main)",
        ]
    )
    assert result.stdout.str().count(f"device on-desk: {reason}") >= 2  # both tests, one probe
    assert "purchase_product" not in result.stdout.str(), "no purchase was attempted on the unfit phone"
