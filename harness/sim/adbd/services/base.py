"""Types every service shares (kept apart from the router to avoid import cycles)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from harness.sim.adbd.stream import AdbStream
from harness.sim.device_api import DeviceModel

#: A running service: a coroutine over its stream. The connection closes the stream after it.
Service = Callable[[AdbStream], Awaitable[None]]


@dataclass(frozen=True)
class ServiceContext:
    """What every service may use: the model behind the device and the advertised features."""

    model: DeviceModel
    features: tuple[str, ...]
