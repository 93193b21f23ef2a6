"""Is a device fit to run payment tests? Each check answers with a reason a person can act on.

The pool quarantines a device whose check fails (harness/pool) and the `devices`/`doctor`
commands print the same checks, so "why was my phone skipped" has one answer everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import adbutils

from harness.android.adb import AdbError
from harness.android.device import AndroidDevice

RUSTORE_PACKAGE = "ru.vk.store"
DEFAULT_MIN_SDK = 24  # RuStore billing SDK's minSdk


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def adb_state(device: AndroidDevice) -> CheckResult:
    state = device.state()
    if state == "device":
        return CheckResult("adb state", True, "device")
    hints = {
        "unauthorized": "accept the USB debugging prompt on the phone",
        "offline": "replug the cable or run `adb reconnect`",
        "absent": "connect it (USB, or `adb connect HOST:PORT`) and check `adb devices -l`",
    }
    return CheckResult("adb state", False, f"adb state is {state!r}: {hints.get(state, 'reboot the device')}")


def boot_completed(device: AndroidDevice) -> CheckResult:
    value = device.getprop("sys.boot_completed")
    if value == "1":
        return CheckResult("boot", True, "sys.boot_completed=1")
    return CheckResult("boot", False, f"still booting (sys.boot_completed={value!r}); wait and retry")


def sdk_level(device: AndroidDevice, min_sdk: int) -> CheckResult:
    sdk = device.sdk
    if sdk >= min_sdk:
        return CheckResult("sdk", True, f"API {sdk}")
    return CheckResult("sdk", False, f"API {sdk} is below the minimum API {min_sdk}")


def rustore_installed(device: AndroidDevice) -> CheckResult:
    if device.is_installed(RUSTORE_PACKAGE):
        return CheckResult("RuStore app", True, f"{RUSTORE_PACKAGE} installed")
    return CheckResult(
        "RuStore app",
        False,
        f"{RUSTORE_PACKAGE} is not installed: install RuStore from https://www.rustore.ru and sign in",
    )


def app_installed(device: AndroidDevice, package: str) -> CheckResult:
    if device.is_installed(package):
        return CheckResult("game", True, f"{package} installed")
    return CheckResult(
        "game", False, f"{package} is not installed: the harness installs it at the first test"
    )


def run_checks(
    device: AndroidDevice, *, min_sdk: int = DEFAULT_MIN_SDK, real_device: bool = True
) -> list[CheckResult]:
    """Every check in order; stops after adb state fails (nothing else can answer then).

    `real_device` adds the RuStore app check: a virtual device's store is the sandbox, so it
    has no RuStore app to look for.
    """
    checks: list[Callable[[], CheckResult]] = [
        lambda: boot_completed(device),
        lambda: sdk_level(device, min_sdk),
    ]
    if real_device:
        checks.append(lambda: rustore_installed(device))
    first = adb_state(device)
    results = [first]
    if not first.ok:
        return results
    for check in checks:
        try:
            results.append(check())
        except (AdbError, adbutils.AdbError, OSError, RuntimeError) as exc:
            results.append(CheckResult("adb", False, f"{type(exc).__name__}: {exc}"))
            break
    return results


def health_reason(
    device: AndroidDevice, *, min_sdk: int = DEFAULT_MIN_SDK, real_device: bool = True
) -> str | None:
    """None when the device is fit; else the reasons, for `DevicePool.lease(health_check=…)`."""
    failed = [r for r in run_checks(device, min_sdk=min_sdk, real_device=real_device) if not r.ok]
    return "; ".join(f"{r.name}: {r.detail}" for r in failed) or None
