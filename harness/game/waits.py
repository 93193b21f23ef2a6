"""Waits driven by the device's logcat: re-check a condition each time new lines arrive.

Screens change as the app logs (the SDK, the bank app, the game all write a line when they
draw or act), so a condition is re-read when the stream says something happened — never on
a fixed sleep. ``idle_recheck`` bounds the wait for one line, so a screen that changes
without logging is still seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.android.logcat import LogcatStream

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """The condition did not hold within the time; the message says what was awaited."""


def wait_until(
    logcat: LogcatStream,
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    idle_recheck: float = 1.0,
    describe: Callable[[], str] | None = None,
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        mark = logcat.mark()
        found = probe()
        if found is not None and found is not False:
            return found
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            extra = f"; {describe()}" if describe is not None else ""
            raise WaitTimeout(f"{what} not seen within {timeout:g}s{extra}")
        try:
            logcat.wait_for(r"", mark, timeout=min(remaining, idle_recheck))
        except TimeoutError:
            if logcat.ended.is_set():
                raise WaitTimeout(f"{what}: the device's logcat stream ended") from None
