"""The RuStore store app on the virtual device (``ru.vk.store``) and what the SDK reads from it.

The billing SDK asks the RuStore app whether payments work: not installed, too old, user not
signed in, user banned, application banned (CONTRACT §10.5). Installed-ness and version are the
package manager's (``adb uninstall ru.vk.store`` really removes it; :func:`install_store_app`
with a low ``version_code`` makes it outdated); the account states are the device property
``rustore.harness.store.state`` (``ready`` | ``outdated`` | ``unauthorized`` | ``user_banned`` |
``app_banned``), which ``adb shell setprop`` flips.
"""

from __future__ import annotations

from typing import Any

from harness.sim.android.apk import (
    ACTION_MAIN,
    CATEGORY_LAUNCHER,
    ActivitySpec,
    IntentFilterSpec,
    ManifestSpec,
)
from harness.sim.android.apk import build_apk as build_zip
from harness.sim.rustore import errors
from harness.sim.rustore.config import PROP_STORE_STATE

STORE_PACKAGE = "ru.vk.store"
STORE_VERSION_NAME = "1.62.0.2"
STORE_VERSION_CODE = 1620002
#: The oldest RuStore build whose payment service the billing SDK 6.0.0 accepts (emulator choice).
MIN_BILLING_VERSION_CODE = 1300000

_STATE_EXCEPTIONS = {
    "outdated": errors.OUTDATED,
    "unauthorized": errors.USER_UNAUTHORIZED,
    "user_banned": errors.USER_BANNED,
    "app_banned": errors.APP_BANNED,
}


def store_apk(version_code: int = STORE_VERSION_CODE, version_name: str = STORE_VERSION_NAME) -> bytes:
    spec = ManifestSpec(
        package=STORE_PACKAGE,
        version_code=version_code,
        version_name=version_name,
        min_sdk=24,
        target_sdk=34,
        label="RuStore",
        activities=[
            ActivitySpec(
                "ru.vk.store.app.MainActivity",
                exported=True,
                launch_mode="singleTask",
                intent_filters=[IntentFilterSpec(actions=[ACTION_MAIN], categories=[CATEGORY_LAUNCHER])],
                label="RuStore",
            )
        ],
    )
    return build_zip(spec)


def install_store_app(device: Any, *, version_code: int = STORE_VERSION_CODE) -> None:
    """Install (or replace, downgrades allowed) the RuStore app; run on the device loop."""
    device.install_apk(store_apk(version_code, f"0.{version_code}"), allow_downgrade=True)


def store_problem(device: Any) -> str | None:
    """The ``simpleName`` of why payments are unavailable because of the RuStore app, or None."""
    pkg = device.packages.get(STORE_PACKAGE)
    if pkg is None:
        return errors.NOT_INSTALLED
    if pkg.manifest.version_code < MIN_BILLING_VERSION_CODE:
        return errors.OUTDATED
    return _STATE_EXCEPTIONS.get(device.props.get(PROP_STORE_STATE, "ready"))
