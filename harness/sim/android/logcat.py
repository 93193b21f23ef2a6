"""The device's log: ring buffers with logd's per-entry size limit, and logcat's output formats.

Writers call :meth:`Logcat.write` from anywhere (the event loop or another thread); readers in
follow mode await :meth:`Logcat.wait_for_entries_after`, which wakes on the next write rather
than polling.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

#: liblog's LOGGER_ENTRY_MAX_PAYLOAD: priority byte + tag + NUL + message + NUL must fit.
LOGGER_ENTRY_MAX_PAYLOAD = 4068
#: logd's default ring size per buffer (``logcat -g`` reports it).
DEFAULT_BUFFER_BYTES = 256 * 1024

BUFFERS = ("main", "radio", "events", "system", "crash", "stats", "security", "kernel")
DEFAULT_READ_BUFFERS = ("main", "system", "crash")

PRIORITY_LETTERS = {2: "V", 3: "D", 4: "I", 5: "W", 6: "E", 7: "F", 8: "S"}
LETTER_PRIORITIES = {v: k for k, v in PRIORITY_LETTERS.items()}


def parse_priority(text: str) -> int:
    """``i``/``I``/``4``/``info`` → 4; raises ``ValueError`` on garbage."""
    t = text.strip()
    if t.isdigit() and 2 <= int(t) <= 8:
        return int(t)
    names = {
        "verbose": 2,
        "debug": 3,
        "info": 4,
        "warn": 5,
        "warning": 5,
        "error": 6,
        "fatal": 7,
        "assert": 7,
    }
    if t.lower() in names:
        return names[t.lower()]
    if len(t) == 1 and t.upper() in LETTER_PRIORITIES:
        return LETTER_PRIORITIES[t.upper()]
    raise ValueError(text)


@dataclass(frozen=True)
class LogEntry:
    seq: int
    buffer: str
    sec: int
    nsec: int
    pid: int
    tid: int
    uid: int
    priority: int
    tag: str
    message: str  # decoded with surrogateescape: encodes back to the exact stored bytes

    @property
    def size(self) -> int:
        return 28 + len(self.tag.encode("utf-8", "surrogateescape")) + len(self.message_bytes) + 3

    @property
    def message_bytes(self) -> bytes:
        return self.message.encode("utf-8", "surrogateescape")


def truncate_payload(tag: str, message: str) -> tuple[str, str]:
    """Cut tag+message the way logd does, so the payload never exceeds 4068 bytes."""
    tag_b = tag.encode("utf-8", "surrogateescape")
    msg_b = message.encode("utf-8", "surrogateescape")
    room = LOGGER_ENTRY_MAX_PAYLOAD - 3  # priority byte and the two NULs
    if len(tag_b) > room:
        tag_b, msg_b = tag_b[:room], b""
    else:
        msg_b = msg_b[: room - len(tag_b)]
    return tag_b.decode("utf-8", "surrogateescape"), msg_b.decode("utf-8", "surrogateescape")


class Logcat:
    """All log buffers of one device."""

    def __init__(self, timezone: str = "UTC", buffer_bytes: int = DEFAULT_BUFFER_BYTES) -> None:
        self._lock = threading.Lock()
        self._buffers: dict[str, deque[LogEntry]] = {name: deque() for name in BUFFERS}
        self._bytes: dict[str, int] = dict.fromkeys(BUFFERS, 0)
        self.buffer_bytes = buffer_bytes
        self._seq = 0
        self._waiters: set[asyncio.Future[None]] = set()
        self.timezone = timezone

    # --- writers -----------------------------------------------------------------------------------

    def write(
        self,
        priority: int | str,
        tag: str,
        message: str,
        *,
        pid: int = 0,
        tid: int | None = None,
        uid: int = 0,
        buffer: str = "main",
        when: float | None = None,
    ) -> LogEntry:
        """Append one entry (thread-safe); the payload is truncated to logd's limit."""
        prio = parse_priority(priority) if isinstance(priority, str) else int(priority)
        if buffer not in self._buffers:
            raise ValueError(f"unknown log buffer {buffer!r}")
        tag, message = truncate_payload(tag, message)
        now = time.time() if when is None else when
        sec = int(now)
        with self._lock:
            self._seq += 1
            entry = LogEntry(
                self._seq,
                buffer,
                sec,
                int((now - sec) * 1e9),
                pid,
                pid if tid is None else tid,
                uid,
                prio,
                tag,
                message,
            )
            ring = self._buffers[buffer]
            ring.append(entry)
            self._bytes[buffer] += entry.size
            while self._bytes[buffer] > self.buffer_bytes and len(ring) > 1:
                self._bytes[buffer] -= ring.popleft().size
        self._notify()
        return entry

    def _notify(self) -> None:
        """Wake every follow-mode reader, each on its own loop (safe from any thread)."""
        with self._lock:
            waiters, self._waiters = self._waiters, set()
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for fut in waiters:
            loop = fut.get_loop()
            if loop is running:
                _resolve(fut)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, fut)

    def clear(self, buffers: Iterable[str] = DEFAULT_READ_BUFFERS) -> None:
        with self._lock:
            for name in buffers:
                self._buffers[name].clear()
                self._bytes[name] = 0

    # --- readers -----------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._seq

    def entries(self, buffers: Iterable[str] = DEFAULT_READ_BUFFERS, after_seq: int = 0) -> list[LogEntry]:
        """Entries of the given buffers in write order."""
        wanted = set(buffers)
        with self._lock:
            merged = [e for name in wanted for e in self._buffers[name] if e.seq > after_seq]
        merged.sort(key=lambda e: e.seq)
        return merged

    def buffer_usage(self, name: str) -> int:
        return self._bytes[name]

    async def wait_for_entries_after(self, seq: int, closed: asyncio.Event) -> bool:
        """Wait until an entry newer than ``seq`` exists (True) or ``closed`` is set (False)."""
        while True:
            if closed.is_set():
                return self._seq > seq
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            with self._lock:
                if self._seq > seq:
                    return True
                self._waiters.add(fut)
            gone: asyncio.Future[Any] = asyncio.ensure_future(closed.wait())
            pending: set[asyncio.Future[Any]] = {fut, gone}
            try:
                await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            finally:
                gone.cancel()
                fut.cancel()
                with self._lock:
                    self._waiters.discard(fut)

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except Exception:
            return ZoneInfo("UTC")


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


# --- filters ---------------------------------------------------------------------------------------
class LogFilter:
    """logcat's ``tag:priority`` rules with a default for unnamed tags."""

    def __init__(self, default: int = 2) -> None:
        self.default = default
        self.rules: dict[str, int] = {}

    def add_spec(self, spec: str) -> None:
        """One filterspec such as ``ActivityManager:I`` or ``*:S``; raises ValueError when invalid."""
        if ":" in spec:
            tag, _, prio = spec.rpartition(":")
            level = parse_priority(prio)
        else:
            tag, level = spec, 2
        if tag == "*":
            self.default = level
        else:
            self.rules[tag] = level

    def add_specs(self, text: str) -> None:
        for spec in text.split():
            self.add_spec(spec)

    def accepts(self, entry: LogEntry) -> bool:
        return entry.priority >= self.rules.get(entry.tag, self.default)


# --- formatting ------------------------------------------------------------------------------------
FORMATS = ("brief", "long", "process", "raw", "tag", "thread", "threadtime", "time", "color", "epoch")
MODIFIERS = (
    "color",
    "descriptive",
    "epoch",
    "monotonic",
    "printable",
    "uid",
    "usec",
    "nsec",
    "UTC",
    "year",
    "zone",
)


@dataclass
class LogFormat:
    style: str = "threadtime"
    epoch: bool = False
    usec: bool = False
    year: bool = False
    uid: bool = False
    utc: bool = False
    zone: bool = False

    def set(self, word: str) -> None:
        """Apply one ``-v`` argument (format name or modifier); ValueError when unknown."""
        for part in re.split(r"[,\s]+", word.strip()):
            if not part:
                continue
            if part in ("brief", "long", "process", "raw", "tag", "thread", "threadtime", "time"):
                self.style = part
            elif part == "epoch":
                self.epoch = True
            elif part in ("usec", "nsec"):
                self.usec = True
            elif part == "year":
                self.year = True
            elif part == "uid":
                self.uid = True
            elif part == "UTC":
                self.utc = True
            elif part == "zone":
                self.zone = True
            elif part in MODIFIERS:
                continue
            else:
                raise ValueError(part)


def format_time(entry: LogEntry, fmt: LogFormat, zone: ZoneInfo) -> str:
    frac = f".{entry.nsec // 1000:06d}" if fmt.usec else f".{entry.nsec // 1_000_000:03d}"
    if fmt.epoch:
        return f"{entry.sec:5d}{frac}"
    moment = datetime.fromtimestamp(entry.sec, ZoneInfo("UTC") if fmt.utc else zone)
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if fmt.year else "%m-%d %H:%M:%S") + frac
    if fmt.zone:
        text += " " + moment.strftime("%z")
    return text


def format_entry(entry: LogEntry, fmt: LogFormat, zone: ZoneInfo) -> bytes:
    """Render one entry exactly as logcat's ``android_log_formatLogLine`` does (one prefix per line)."""
    p = PRIORITY_LETTERS.get(entry.priority, "?")
    tag = entry.tag
    ids = f"{entry.pid:5d}" if not fmt.uid else f"{entry.uid:5d} {entry.pid:5d}"
    style = fmt.style
    lines = entry.message.split("\n")
    if style == "long":
        head = f"[ {format_time(entry, fmt, zone)} {ids}:{entry.tid:5d} {p}/{tag:<8s} ]\n"
        body = entry.message + "\n\n"
        return (head + body).encode("utf-8", "surrogateescape")
    out: list[str] = []
    for line in lines:
        if style == "threadtime":
            prefix, suffix = f"{format_time(entry, fmt, zone)} {ids} {entry.tid:5d} {p} {tag:<8s}: ", ""
        elif style == "time":
            prefix, suffix = f"{format_time(entry, fmt, zone)} {p}/{tag:<8s}({ids}): ", ""
        elif style == "brief":
            prefix, suffix = f"{p}/{tag:<8s}({ids}): ", ""
        elif style == "process":
            prefix, suffix = f"{p}({ids}) ", f"  ({tag})"
        elif style == "tag":
            prefix, suffix = f"{p}/{tag:<8s}: ", ""
        elif style == "thread":
            prefix, suffix = f"{p}({ids}:{entry.tid:5d}) ", ""
        else:  # raw
            prefix, suffix = "", ""
        out.append(prefix + line + suffix + "\n")
    return "".join(out).encode("utf-8", "surrogateescape")
