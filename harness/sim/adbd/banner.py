"""The CNXN banner: who the device is and which adb features it really implements.

Advertising a feature changes what clients send (``shell_v2`` → exit codes, ``abb_exec``
→ streamed install …), so only features with a working service behind them are listed.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.sim.device_api import DeviceIdentity

#: Everything this adbd implements. Deliberately absent: ``delayed_ack`` (we ack every WRTE),
#: ``sendrecv_v2`` (compressed sync), ``abb`` (interactive binder shell), ``track_app``.
IMPLEMENTED_FEATURES: tuple[str, ...] = (
    "shell_v2",
    "cmd",
    "stat_v2",
    "ls_v2",
    "fixed_push_mkdir",
    "abb_exec",
)


def select_features(identity: DeviceIdentity, requested: Iterable[str] | None = None) -> tuple[str, ...]:
    """The features to advertise: ``requested`` (or the profile's list, or all we implement), never more.

    ``requested`` lets a test play an older device (``()`` = legacy push+pm install, no shell v2).
    """
    wanted = tuple(requested) if requested is not None else identity.features or IMPLEMENTED_FEATURES
    unknown = sorted(set(wanted) - set(IMPLEMENTED_FEATURES))
    if requested is not None and unknown:
        raise ValueError(f"features not implemented by the virtual adbd: {', '.join(unknown)}")
    return tuple(f for f in IMPLEMENTED_FEATURES if f in wanted)


def device_banner(identity: DeviceIdentity, features: Iterable[str]) -> bytes:
    fields = [
        f"ro.product.name={identity.product_name}",
        f"ro.product.model={identity.model}",
        f"ro.product.device={identity.device}",
        f"features={','.join(features)}",
    ]
    return ("device::" + ";".join(fields)).encode()
