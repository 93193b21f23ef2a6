"""Fires the sandbox's timed events (auto-cancel, settlement, renewals) without polling.

Two triggers: a clock jump or rate change (the clock notifies us), and one ``threading.Timer``
armed for the real moment the running virtual clock reaches the next due event. Requests also
fire anything due before they read state, so an answer never shows an overdue purchase.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from .store import SandboxCore

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, sandbox: SandboxCore) -> None:
        self.sandbox = sandbox
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False
        sandbox.on_change(self.arm)
        self._unsubscribe = sandbox.clock.subscribe(self._on_clock)

    def _on_clock(self) -> None:
        self.sandbox.process_due()
        self.arm()

    def arm(self) -> None:
        """(Re)start the one timer for the next due event, if the clock is running."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._closed:
                return
            due = self.sandbox.next_due()
            if due is None:
                return
            delay = self.sandbox.clock.seconds_until(due)
            if delay is None:
                return
            self._timer = threading.Timer(max(delay, 0.0) + 0.001, self._on_timer)
            self._timer.daemon = True
            self._timer.start()

    def _on_timer(self) -> None:
        if self._closed:
            return
        try:
            self.sandbox.process_due()
        except sqlite3.Error:
            log.exception("timed events failed; they fire again on the next request")
        self.arm()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        self._unsubscribe()
