"""``timer.delay``/``timer.cancel`` on the runtime's virtual clock."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any


@dataclass
class Timer:
    handle: int
    owner: Any  # the script instance whose `self` the callback gets
    delay: float
    repeating: bool
    callback: Any
    due: float
    last_fire: float


class TimerWheel:
    """Timers fire during the frame whose virtual time reaches their due time (like Defold's)."""

    def __init__(self) -> None:
        self._timers: dict[int, Timer] = {}
        self._handles = itertools.count(1)

    def add(self, owner: Any, delay: float, repeating: bool, callback: Any, now: float) -> int:
        handle = next(self._handles)
        self._timers[handle] = Timer(
            handle, owner, max(delay, 0.0), repeating, callback, now + max(delay, 0.0), now
        )
        return handle

    def cancel(self, handle: int) -> bool:
        return self._timers.pop(int(handle), None) is not None

    def cancel_owner(self, owner: Any) -> None:
        for handle in [h for h, t in self._timers.items() if t.owner is owner]:
            del self._timers[handle]

    def trigger(self, handle: int, now: float) -> Timer | None:
        timer = self._timers.get(int(handle))
        if timer is not None:
            timer.due = now
        return timer

    def due(self, now: float) -> list[tuple[Timer, float]]:
        """Timers due at ``now`` in handle order, with the elapsed time each callback reports."""
        fired: list[tuple[Timer, float]] = []
        for handle in sorted(self._timers):
            timer = self._timers[handle]
            if timer.due <= now + 1e-9:
                elapsed = now - timer.last_fire
                timer.last_fire = now
                if timer.repeating and timer.delay > 0:
                    while timer.due <= now + 1e-9:
                        timer.due += timer.delay
                else:
                    del self._timers[handle]
                fired.append((timer, elapsed))
        return fired

    def __len__(self) -> int:
        return len(self._timers)
