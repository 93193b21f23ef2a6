"""App crashes read from logcat: ``FATAL EXCEPTION`` blocks of ``AndroidRuntime``, as Android logs them.

A crashed game never sends the callback a test waits for, so waiting would only end in a
timeout that hides the cause. The callback recorder feeds every logcat line here and stops a
wait at once with the crash itself: the process, the exception and its first frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.rustore.logframe import split_logcat_line

_PROCESS = re.compile(r"^Process: (?P<package>[^,]+), PID: (?P<pid>\d+)")
FRAMES_SHOWN = 8


@dataclass
class AppCrash:
    """One ``FATAL EXCEPTION``: which process died and the Java-style stack it left."""

    pid: int | None
    thread: str
    package: str | None = None
    exception: str | None = None
    frames: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """The exception line arrived (the stack may still be growing)."""
        return self.exception is not None

    def describe(self) -> str:
        who = f"{self.package or 'a process'} (pid {self.pid})"
        exception = self.exception or "(no exception line)"
        head = f"{who} crashed: FATAL EXCEPTION in thread {self.thread!r}: {exception}"
        shown = [f"    {f}" for f in self.frames[:FRAMES_SHOWN]]
        if len(self.frames) > FRAMES_SHOWN:
            shown.append(f"    … {len(self.frames) - FRAMES_SHOWN} more frame(s)")
        return "\n".join([head, *shown])


class CrashWatcher:
    """Feed it logcat lines (threadtime or brief); it collects the crashes they report."""

    def __init__(self) -> None:
        self.crashes: list[AppCrash] = []
        self._open: dict[int | None, AppCrash] = {}

    def feed(self, line: str) -> AppCrash | None:
        """The crash this line completed (its exception line), else None."""
        parsed = split_logcat_line(line)
        if parsed.tag != "AndroidRuntime":
            return None
        message = parsed.message.rstrip("\r\n")
        if message.startswith("FATAL EXCEPTION:"):
            crash = AppCrash(parsed.pid, message.partition(":")[2].strip())
            crash.lines.append(line)
            self.crashes.append(crash)
            self._open[parsed.pid] = crash
            return None
        crash_of_pid = self._open.get(parsed.pid)
        if crash_of_pid is None:
            return None
        crash = crash_of_pid
        crash.lines.append(line)
        found = _PROCESS.match(message)
        if found:
            crash.package = found.group("package")
            crash.pid = int(found.group("pid"))
        elif crash.exception is None:
            crash.exception = message.strip()
            return crash
        elif message.strip():
            crash.frames.append(message.strip())
        return None
