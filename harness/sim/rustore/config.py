"""Per-device settings of the RuStore emulation, read from system properties (``adb shell setprop``).

Every setting is a property so a test (or a person with plain adb) flips it per device; the
defaults are CONTRACT §10's. docs/rustore-emulation.md documents each one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.sim.rustore.payloads import MODES, PROFILES, Mode, Profile

PROP_SANDBOX_URL = "rustore.harness.sandbox_url"
PROP_PROFILE = "rustore.harness.plugin.profile"  # 6.0.0 | 5.0.1
PROP_MODE = "rustore.harness.plugin.mode"  # faithful | fixed
PROP_USER_ID = "rustore.harness.user_id"  # default: "device-" + ro.serialno
PROP_STORE_STATE = "rustore.harness.store.state"  # ready | outdated | unauthorized | user_banned | app_banned
PROP_SETTLEMENT_DELAY = "rustore.harness.bank.settlement_delay"  # seconds; ".<METHOD>" suffix per method

STORE_STATES = ("ready", "outdated", "unauthorized", "user_banned", "app_banned")


@dataclass(frozen=True)
class DeviceSettings:
    sandbox_url: str | None
    profile: Profile
    mode: Mode
    user_id: str
    store_state: str

    @classmethod
    def read(cls, props: Mapping[str, str], serial: str) -> DeviceSettings:
        profile = props.get(PROP_PROFILE, "6.0.0")
        mode = props.get(PROP_MODE, "faithful")
        state = props.get(PROP_STORE_STATE, "ready")
        return cls(
            sandbox_url=props.get(PROP_SANDBOX_URL) or None,
            profile=profile if profile in PROFILES else "6.0.0",
            mode=mode if mode in MODES else "faithful",
            user_id=props.get(PROP_USER_ID) or f"device-{props.get('ro.serialno', serial)}",
            store_state=state if state in STORE_STATES else "ready",
        )


def settlement_delay(props: Mapping[str, str], method: str) -> float:
    """§10.8: seconds a bank payment stays INVOICE_CREATED after the return (per method, then global)."""
    raw = props.get(f"{PROP_SETTLEMENT_DELAY}.{method}", props.get(PROP_SETTLEMENT_DELAY, "0"))
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 0.0
