"""``am instrument``: a hook where a later component (the UiAutomator2-compatible server) plugs in.

A handler is ``async def handler(run: InstrumentationRun) -> int``. It runs inside the target
package's process (visible in ``ps``) and should return when ``run.stopped`` is set — the client
went away (``am instrument -w`` was killed) or someone force-stopped the package.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.sim.android.intents import ComponentName

if TYPE_CHECKING:
    from harness.sim.android.processes import Process


@dataclass
class InstrumentationRun:
    device: Any
    component: ComponentName
    target_package: str
    args: dict[str, str]
    process: Process
    write: Callable[[str], Awaitable[None]]
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    killed: bool = False  # the package was force-stopped or died (not a normal end)
    on_finish: Callable[[], None] | None = None  # set by ``am instrument``: ends the run's process

    def finish_process(self) -> None:
        """End the target's process now, before the handler reports its result: on a phone the
        activity manager kills it as it tells the ``am instrument`` client, so a ``ps`` run
        after the result never sees it (the UiAutomator2 driver polls ``ps`` until it is gone)."""
        if self.on_finish is not None:
            self.on_finish()


InstrumentationHandler = Callable[[InstrumentationRun], Awaitable[int]]

_HANDLERS: dict[str, InstrumentationHandler] = {}


def register_instrumentation(component: str, handler: InstrumentationHandler) -> None:
    """Run ``handler`` for ``am instrument … component`` on every virtual device (``pkg/class``)."""
    parsed = ComponentName.parse(component)
    if parsed is None:
        raise ValueError(f"not a component name: {component!r}")
    _HANDLERS[parsed.flatten()] = handler


class Instrumentation:
    """Per-device view: device-local handlers override the global ones; tracks running runs."""

    def __init__(self) -> None:
        self.handlers: dict[str, InstrumentationHandler] = {}
        self.running: list[InstrumentationRun] = []

    def register(self, component: str, handler: InstrumentationHandler) -> None:
        parsed = ComponentName.parse(component)
        if parsed is None:
            raise ValueError(f"not a component name: {component!r}")
        self.handlers[parsed.flatten()] = handler

    def handler_for(self, component: ComponentName) -> InstrumentationHandler | None:
        return self.handlers.get(component.flatten()) or _HANDLERS.get(component.flatten())

    def package_stopped(self, package: str) -> None:
        for run in self.running:
            if package in (run.component.package, run.target_package):
                run.killed = True
                run.stopped.set()

    def package_died(self, package: str) -> None:
        self.package_stopped(package)
