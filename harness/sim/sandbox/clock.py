"""The sandbox's virtual clock: purchase times, auto-cancel deadlines and renewals all read it.

Tests need hours of subscription life in milliseconds, so virtual time runs at a settable rate
over the real monotonic clock and can jump forward. Nothing polls it: whoever cares about a jump
subscribes, and the sandbox's scheduler fires the events that became due.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Listener = Callable[[], None]


class VirtualClock:
    """Virtual time = anchor + (real elapsed since the anchor) x rate, plus explicit jumps."""

    def __init__(
        self,
        start: datetime | None = None,
        rate: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must be >= 0")
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._anchor_virtual = (start or datetime.now(UTC)).astimezone(UTC)
        self._anchor_real = monotonic()
        self._rate = float(rate)
        self._listeners: list[Listener] = []

    @property
    def rate(self) -> float:
        return self._rate

    def now(self) -> datetime:
        """The current virtual time (UTC, aware)."""
        with self._lock:
            return self._now_locked()

    def timestamp(self) -> float:
        """The current virtual time as epoch seconds (what the database stores)."""
        return self.now().timestamp()

    def _now_locked(self) -> datetime:
        elapsed = (self._monotonic() - self._anchor_real) * self._rate
        return self._anchor_virtual + timedelta(seconds=elapsed)

    def _reanchor_locked(self) -> None:
        self._anchor_virtual = self._now_locked()
        self._anchor_real = self._monotonic()

    def advance(self, duration: timedelta | float) -> datetime:
        """Jump forward; events that fall inside the jump fire (in order) before this returns."""
        seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
        if seconds < 0:
            raise ValueError("the virtual clock never runs backwards")
        with self._lock:
            self._reanchor_locked()
            self._anchor_virtual += timedelta(seconds=seconds)
            now = self._anchor_virtual
        self._notify()
        return now

    def set_rate(self, rate: float) -> None:
        """Virtual seconds per real second from now on (0 freezes time)."""
        if rate < 0:
            raise ValueError("rate must be >= 0")
        with self._lock:
            self._reanchor_locked()
            self._rate = float(rate)
        self._notify()

    def seconds_until(self, virtual_epoch: float) -> float | None:
        """Real seconds until a virtual instant is reached by the running clock (None if frozen)."""
        with self._lock:
            remaining = virtual_epoch - self._now_locked().timestamp()
            if remaining <= 0:
                return 0.0
            if self._rate == 0:
                return None
            return remaining / self._rate

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every jump or rate change; returns an unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
