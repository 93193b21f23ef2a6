"""DeviceHost: virtual devices served from one asyncio loop in a background thread.

Synchronous callers (the sim daemon, pytest fixtures, benchmarks) get real TCP device
ports without running an event loop themselves; every device's adbd and Android model
live on the host's loop, and :meth:`DeviceHost.call` runs any coroutine there.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from harness.sim.adbd import AdbdServer
from harness.sim.device_api import DeviceModel

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PROFILE = "pixel-7-api-34"
#: Upper bound for one operation on the host loop (starting a device, closing it …).
CALL_TIMEOUT = 60.0


@dataclass(frozen=True)
class HostedDevice:
    """One running virtual device: attach it with ``adb connect <serial>``."""

    port: int
    serial: str
    model: DeviceModel
    profile: str
    server: AdbdServer = field(repr=False, compare=False)


def _android_device(profile: str) -> DeviceModel:
    # Imported late: the Android model is heavy and tests may host fake models only.
    from harness.sim.android import AndroidDevice
    from harness.sim.uia2 import attach as attach_uiautomator2_server

    device = AndroidDevice(profile)
    attach_uiautomator2_server(device)  # `am instrument` of the Appium UiAutomator2 server
    return device


async def _maybe_await(obj: object, method: str) -> None:
    """Call ``obj.method()`` if the model has such a lifecycle hook (start/close are optional)."""
    hook = getattr(obj, method, None)
    if callable(hook):
        result = hook()
        if inspect.isawaitable(result):
            await result


class DeviceHost:
    """Runs N virtual devices (AdbdServer + model each) on a private event loop thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run_loop, name="sim-device-host", daemon=True)
        self._devices: dict[str, HostedDevice] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._thread.start()
        self._ready.wait()

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Schedule ``coro`` on the host loop and return a concurrent future."""
        if self._closed:
            coro.close()
            raise RuntimeError("DeviceHost is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = CALL_TIMEOUT) -> T:
        """Run ``coro`` on the host loop and wait for its result (thread-safe, not from the loop itself)."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("DeviceHost.call() from the host loop would deadlock; await instead")
        return self.submit(coro).result(timeout)

    def add_device(
        self,
        profile: str = DEFAULT_PROFILE,
        *,
        model_factory: Callable[[str], DeviceModel] | None = None,
        features: Iterable[str] | None = None,
        port: int = 0,
    ) -> HostedDevice:
        """Start one device and return where it listens.

        ``model_factory`` replaces :class:`harness.sim.android.AndroidDevice` (tests use
        small fakes); ``features`` restricts what the banner advertises.
        """
        factory = model_factory or _android_device
        wanted = tuple(features) if features is not None else None
        device = self.call(self._start_device(profile, factory, wanted, port))
        with self._lock:
            self._devices[device.serial] = device
        return device

    async def _start_device(
        self,
        profile: str,
        factory: Callable[[str], DeviceModel],
        features: tuple[str, ...] | None,
        port: int,
    ) -> HostedDevice:
        model = factory(profile)
        await _maybe_await(model, "start")
        server = AdbdServer(model, "127.0.0.1", port, features=features)
        await server.start()
        serial = f"127.0.0.1:{server.port}"
        log.info("virtual device %s (%s) listening", serial, profile)
        return HostedDevice(server.port, serial, model, profile, server)

    def remove_device(self, device: HostedDevice | str) -> None:
        """Stop one device: its port closes and adb sees it go offline."""
        serial = device if isinstance(device, str) else device.serial
        with self._lock:
            hosted = self._devices.pop(serial, None)
        if hosted is not None:
            self.call(self._stop_device(hosted))

    @staticmethod
    async def _stop_device(device: HostedDevice) -> None:
        await device.server.close()
        await _maybe_await(device.model, "close")

    @property
    def devices(self) -> list[HostedDevice]:
        with self._lock:
            return list(self._devices.values())

    def close(self) -> None:
        """Stop every device, then the loop and its thread. Idempotent."""
        if self._closed:
            return
        for device in self.devices:
            try:
                self.remove_device(device)
            except Exception:
                log.exception("stopping %s failed", device.serial)
        try:
            self.call(self._cancel_leftovers())
        except Exception:
            log.exception("cancelling leftover tasks failed")
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CALL_TIMEOUT)

    @staticmethod
    async def _cancel_leftovers() -> None:
        """Cancel work models left running (background tasks), so nothing is destroyed while pending."""
        current = asyncio.current_task()
        leftovers = [task for task in asyncio.all_tasks() if task is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        await asyncio.get_running_loop().shutdown_asyncgens()

    def __enter__(self) -> DeviceHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
