"""Device leasing across pytest-xdist worker processes (see harness/pool/leasing.py)."""

from harness.pool.leasing import (
    DevicePool,
    HealthCheck,
    Lease,
    Mode,
    NoDeviceAvailable,
    QuarantineRecord,
    device_params,
    first_choices,
    xdist_group,
)

__all__ = [
    "DevicePool",
    "HealthCheck",
    "Lease",
    "Mode",
    "NoDeviceAvailable",
    "QuarantineRecord",
    "device_params",
    "first_choices",
    "xdist_group",
]
