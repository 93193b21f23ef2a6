"""`devices.yaml` v1: pools of devices, the app under test, Appium settings (docs/devices-yaml.md)."""

from harness.config.loader import ConfigError, load_config, parse_config
from harness.config.models import (
    AdbDevice,
    AdbPool,
    AppiumSection,
    AppSection,
    Credentials,
    DevicesConfig,
    DeviceSpec,
    EmulatorDevice,
    EmulatorPool,
    RemoteDevice,
    RemotePool,
    VirtualPool,
)
from harness.config.secrets import Secret, mask, reveal

__all__ = [
    "AdbDevice",
    "AdbPool",
    "AppSection",
    "AppiumSection",
    "ConfigError",
    "Credentials",
    "DeviceSpec",
    "DevicesConfig",
    "EmulatorDevice",
    "EmulatorPool",
    "RemoteDevice",
    "RemotePool",
    "Secret",
    "VirtualPool",
    "load_config",
    "mask",
    "parse_config",
    "reveal",
]
