"""A device's logcat as one live stream: fanned out to subscribers, kept for per-test excerpts.

The stream does not care where its lines come from: a ``LineSource`` delivers them and the
stream keeps the rest (fan-out, numbering, excerpts, waits). Two sources exist:

- ``AdbLogcatSource`` (the default when given an adb device): one
  ``logcat -v threadtime -T <device now>`` connection per device per run (Mobly's logcat
  service does the same). Each line is decoded with ``errors="surrogateescape"``: logcat may
  carry bytes that are not UTF-8 (CESU-8 from JNI, docs/callback-log-format.md), and
  replacing them with U+FFFD would destroy a callback payload; surrogateescape keeps every
  byte so the frame reader can recover them.
- ``harness.android.logcat_broadcast``: Appium's logcat broadcast websocket, for remote
  pools that have no adb.

Lines go to every subscriber (e.g. ``CallbackRecorder.feed``) as they arrive, and into a
bounded buffer numbered from the start of the stream, so a test can take a ``mark()`` at its
start and an ``excerpt(mark)`` at its end. Waiting for a line is a Condition, never a poll.
"""

from __future__ import annotations

import itertools
import re
import shlex
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import adbutils

from harness.android.adb_shell import shell_v1

Subscriber = Callable[[str], None]
DEFAULT_MAX_LINES = 50_000
MARK_TAG = "RuStoreHarnessMark"  # lines the harness writes to mark a test's start


def decode_line(raw: bytes) -> str:
    """Bytes → str keeping every undecodable byte (round-trips with ``surrogateescape``)."""
    return raw.decode("utf-8", errors="surrogateescape").rstrip("\r")


class LineSource(Protocol):
    """Where a stream's lines come from.

    ``open()`` connects (in the caller's thread, so a failure reaches whoever starts the
    stream); ``lines()`` then yields lines on the stream's reader thread until the source
    ends; ``close()`` (from any thread) makes ``lines()`` return. ``write_marker`` logs one
    line on the device, or returns False when this source has no way to.
    """

    name: str

    def open(self) -> None: ...

    def lines(self) -> Iterator[str]: ...

    def close(self) -> None: ...

    def write_marker(self, tag: str, text: str, timeout: float) -> bool: ...


class AdbLogcatSource:
    """``adb shell logcat`` from the device's current time on (old entries are not replayed)."""

    def __init__(self, device: adbutils.AdbDevice, args: str = "-v threadtime") -> None:
        self.device = device
        self.args = args
        self.name = f"logcat-{device.serial}"
        self._conn: adbutils.AdbConnection | None = None

    def open(self) -> None:
        since = self._device_now()
        command = f"logcat {self.args}" + (f" -T {since}" if since else " -T 1")
        conn = self.device.shell(command, stream=True)
        assert isinstance(conn, adbutils.AdbConnection)
        self._conn = conn

    def lines(self) -> Iterator[str]:
        assert self._conn is not None, "open() first"
        pending = b""
        while True:
            chunk = self._conn.conn.recv(65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                yield decode_line(raw)
        if pending:
            yield decode_line(pending)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def write_marker(self, tag: str, text: str, timeout: float) -> bool:
        try:
            shell_v1(self.device, shlex.join(["log", "-t", tag, text]), timeout)
        except (adbutils.AdbError, OSError):
            return False
        return True

    def _device_now(self) -> str | None:
        """Device local time, quoted for ``logcat -T``; None if ``date`` cannot say.

        The ``MM-DD hh:mm:ss.mmm`` form is read in the device's zone by logcat itself, so it
        does not depend on how ``date +%s`` treats zones.
        """
        try:
            out = str(self.device.shell("date '+%m-%d %H:%M:%S'", timeout=10.0)).strip()
        except adbutils.AdbError:
            return None
        return f"'{out}.000'" if re.fullmatch(r"\d\d-\d\d \d\d:\d\d:\d\d", out) else None


@dataclass(frozen=True)
class LogMark:
    """A position in the stream: the number of lines read before it."""

    index: int


@dataclass(frozen=True)
class Excerpt:
    lines: list[str]
    dropped: int  # lines since the mark that no longer fit in the buffer

    def text(self) -> str:
        head = f"… {self.dropped} earlier line(s) dropped from the buffer …\n" if self.dropped else ""
        body = "\n".join(
            line.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for line in self.lines
        )
        return head + body + ("\n" if self.lines else "")


class LogcatStream:
    """Follow one device's logcat from now on, in a background thread.

    ``LogcatStream(adb_device)`` reads it through adb; ``LogcatStream(source=…)`` from any
    other ``LineSource`` (e.g. Appium's broadcast on a remote pool).
    """

    def __init__(
        self,
        device: adbutils.AdbDevice | None = None,
        *,
        args: str = "-v threadtime",
        max_lines: int = DEFAULT_MAX_LINES,
        source: LineSource | None = None,
    ) -> None:
        if source is None:
            if device is None:
                raise TypeError("LogcatStream needs an adb device or a line source")
            source = AdbLogcatSource(device, args)
        self.device = device
        self.source = source
        self._buffer: deque[str] = deque(maxlen=max_lines)
        self._count = 0  # lines read since the stream started
        self._cond = threading.Condition()
        self._subscribers: list[Subscriber] = []
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.ended = threading.Event()
        self.error: BaseException | None = None
        self.subscriber_errors: list[str] = []
        self._tokens = itertools.count(1)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> LogcatStream:
        """Open the source and read it on a background thread."""
        if self._thread is not None:
            return self
        self.source.open()
        self._thread = threading.Thread(target=self._run, name=self.source.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close the source; the reader thread sees its end and finishes."""
        self._stopping.set()
        self.source.close()
        if self._thread is not None:
            self._thread.join(timeout)
        self.ended.set()
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> LogcatStream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ reading

    def _run(self) -> None:
        try:
            for line in self.source.lines():
                self._publish(line)
        except Exception as exc:  # a source's failure ends the stream; waiters see it at once
            if not self._stopping.is_set():
                self.error = exc
        finally:
            self.ended.set()
            with self._cond:
                self._cond.notify_all()

    def _publish(self, line: str) -> None:
        with self._cond:
            self._buffer.append(line)
            self._count += 1
            subscribers = list(self._subscribers)
            self._cond.notify_all()
        for subscriber in subscribers:
            try:
                subscriber(line)
            except Exception as exc:  # one broken consumer must not stop the others
                self.subscriber_errors.append(f"{subscriber!r}: {type(exc).__name__}: {exc}")

    # ------------------------------------------------------------ consumers

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Receive every new line (on the reader thread); returns the function that unsubscribes."""
        with self._cond:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._cond:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def mark(self) -> LogMark:
        with self._cond:
            return LogMark(self._count)

    def sync_mark(self, label: str = "", timeout: float = 10.0) -> LogMark:
        """A mark after everything the device logged before this call, not just what was read.

        Lines written just before a plain `mark()` may still be in flight to the reader, and
        would then land in the next test's excerpt. This writes a unique line with
        ``log -t MARK_TAG`` and waits (on the stream's Condition) until it arrives: logcat
        delivers in order, so everything earlier has been read by then. The mark is at that
        line, so an excerpt starts with it. Falls back to `mark()` if the source cannot write
        a line or it never arrives.
        """
        token = f"{label} #{next(self._tokens)}-{id(self):x}".strip()
        before = self.mark()
        try:
            if not self.source.write_marker(MARK_TAG, token, timeout):
                return self.mark()
            self.wait_for(re.escape(f"{MARK_TAG}: {token}"), before, timeout=timeout)
        except TimeoutError:
            return self.mark()
        with self._cond:
            first_kept = self._count - len(self._buffer)
            lines = list(self._buffer)
            for index in range(max(before.index, first_kept), self._count):
                if lines[index - first_kept].endswith(f"{MARK_TAG}: {token}"):
                    return LogMark(index)
        return self.mark()

    def excerpt(self, since: LogMark) -> Excerpt:
        """Lines read since `since` (those still in the buffer)."""
        with self._cond:
            first_kept = self._count - len(self._buffer)
            start = max(since.index, first_kept)
            lines = list(self._buffer)[start - first_kept :]
            return Excerpt(lines, dropped=start - since.index)

    def wait_for(
        self, pattern: str | re.Pattern[str], since: LogMark | None = None, timeout: float = 30.0
    ) -> str:
        """The first line since `since` that matches (``re.search``); TimeoutError otherwise."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        start = (since or self.mark()).index
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                first_kept = self._count - len(self._buffer)
                for line in list(self._buffer)[max(start - first_kept, 0) :]:
                    if regex.search(line):
                        return line
                start = max(start, self._count)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ended.is_set():
                    why = "stream ended" if self.ended.is_set() else f"{timeout:g}s passed"
                    if self.ended.is_set() and self.error is not None:
                        why += f": {type(self.error).__name__}: {self.error}"
                    raise TimeoutError(f"no logcat line matching {regex.pattern!r} ({why})")
                self._cond.wait(remaining)
