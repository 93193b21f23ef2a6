"""One background thread per SDK client: the SDK's network calls run off the game and device loops.

Tasks run in submission order (a daemon thread fed by a queue), so results reach the callback
queue in the order the game asked for them, as the real SDK's single executor does.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class SerialWorker:
    def __init__(self, name: str) -> None:
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, task: Callable[[], None]) -> None:
        self._tasks.put(task)

    def stop(self) -> None:
        self._tasks.put(None)

    def _run(self) -> None:
        while (task := self._tasks.get()) is not None:
            try:
                task()
            except Exception:  # a bug in one task must not end the SDK's executor
                log.exception("RuStore SDK task failed")
