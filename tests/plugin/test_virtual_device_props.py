"""A virtual pool's plugin profile and mode from devices.yaml become the devices' properties."""

from __future__ import annotations

from harness.config import parse_config
from harness.config.models import VirtualPool
from harness.plugin.targets import virtual_device_props

DEVICES = """
version: 1
default_pool: legacy
app:
  package: ru.rustore.sample.billing
  activity: com.dynamo.android.DefoldActivity
  deeplink_scheme: rustoresample
pools:
  legacy:
    kind: virtual
    count: 1
    plugin: "5.0.1"
    mode: fixed
"""


def test_pool_settings_map_to_the_props_the_sdk_emulation_reads() -> None:
    pool = parse_config(DEVICES, "devices.yaml", {}).pool("legacy")
    assert isinstance(pool, VirtualPool)
    assert virtual_device_props(pool) == {
        "rustore.harness.plugin.profile": "5.0.1",
        "rustore.harness.plugin.mode": "fixed",
    }
