"""The logcat frame format the sample game writes for every callback, and its reader.

Format (docs/callback-log-format.md is the reference the Lua side is written from):
every record is one logcat message under the tag ``RuStoreHarness``::

    cb seq=<seq> part=<i>/<n> off=<byte offset> len=<total bytes> crc=<crc32, 8 hex> ch=<channel> |<chunk>
    iap code=<code> name=<NAME> seq=<seq or ->

A payload is cut into chunks of at most ``MAX_CHUNK_BYTES`` raw UTF-8 bytes (never
before a UTF-8 continuation byte), and each chunk is escaped: ``\\`` → ``\\\\``,
newline → ``\\n``, carriage return → ``\\r``. Everything else, quotes and non-ASCII
included, is written as is, so ``adb logcat`` shows the JSON a human can read.
``len`` and ``crc`` (zlib CRC-32) cover the whole unescaped payload, so a reader
knows when the payload is complete and exact.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

TAG = "RuStoreHarness"
MAX_CHUNK_BYTES = 1800  # escaped ≤ 3600 bytes + header ≤ 160 < the ~4068-byte logcat entry limit
_CUT_BACKOFF = 3  # a UTF-8 sequence has at most 3 continuation bytes


# ---------------------------------------------------------------- writing (reference encoder)


def escape_chunk(raw: bytes) -> bytes:
    return raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")


def split_payload(data: bytes, max_chunk_bytes: int = MAX_CHUNK_BYTES) -> list[bytes]:
    """Cut into pieces of ≤ max bytes, moving a cut back off UTF-8 continuation bytes."""
    if not data:
        return [b""]
    pieces, start = [], 0
    while start < len(data):
        end = min(start + max_chunk_bytes, len(data))
        if end < len(data):
            back = 0
            while back < _CUT_BACKOFF and end - back > start + 1 and (data[end - back] & 0xC0) == 0x80:
                back += 1
            if (data[end - back] & 0xC0) != 0x80:
                end -= back
        pieces.append(data[start:end])
        start = end
    return pieces


def encode_callback(
    seq: int, channel: str, payload: str | bytes, max_chunk_bytes: int = MAX_CHUNK_BYTES
) -> list[str]:
    """The log messages (without logcat header) the game writes for one callback.

    Reference implementation of the format; the game's Lua does the same.
    """
    data = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
    pieces = split_payload(data, max_chunk_bytes)
    crc = zlib.crc32(data)
    lines, offset = [], 0
    for index, piece in enumerate(pieces, start=1):
        header = f"cb seq={seq} part={index}/{len(pieces)} off={offset} len={len(data)} crc={crc:08x}"
        header += f" ch={channel} |"
        lines.append(header + escape_chunk(piece).decode("utf-8", "surrogateescape"))
        offset += len(piece)
    return lines


def encode_iap(code: int, name: str, seq: int | None) -> str:
    return f"iap code={code} name={name} seq={'-' if seq is None else seq}"


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class LogLine:
    """One logcat line split into header and message (header fields None for raw messages)."""

    message: str
    tag: str | None = None
    device_time: str | None = None
    pid: int | None = None
    tid: int | None = None
    priority: str | None = None


_THREADTIME = re.compile(
    r"^(?:(?P<date>\d{4}-\d\d-\d\d|\d\d-\d\d) (?P<time>\d\d:\d\d:\d\d\.\d{3,9})\s+)"
    r"(?:(?P<uid>\S+)\s+)??(?P<pid>\d+)\s+(?P<tid>\d+)\s+(?P<prio>[VDIWEFS])\s+(?P<tag>.*?)\s*: (?P<msg>.*)$",
    re.S,
)
_BRIEF = re.compile(r"^(?P<prio>[VDIWEFS])/(?P<tag>[^(]*?)\(\s*(?P<pid>\d+)\): (?P<msg>.*)$", re.S)


def split_logcat_line(line: str) -> LogLine:
    """Parse `-v threadtime` (also `brief`); anything else is taken as a bare message."""
    line = line.rstrip("\n")
    if line.endswith("\r"):
        line = line[:-1]  # adb through a pty; the format never leaves a raw CR in a message
    m = _THREADTIME.match(line)
    if m:
        return LogLine(
            m["msg"], m["tag"], f"{m['date']} {m['time']}", int(m["pid"]), int(m["tid"]), m["prio"]
        )
    m = _BRIEF.match(line)
    if m:
        return LogLine(m["msg"], m["tag"].strip(), None, int(m["pid"]), None, m["prio"])
    return LogLine(line)


_CB = re.compile(
    r"^cb seq=(?P<seq>\d+) part=(?P<i>\d+)/(?P<n>\d+) off=(?P<off>\d+) len=(?P<len>\d+) "
    r"crc=(?P<crc>[0-9a-fA-F]{8}) ch=(?P<ch>[A-Za-z0-9_.:-]+)(?P<extra>(?: [a-z]+=\S*)*) \|(?P<chunk>.*)$",
    re.S,
)
_IAP = re.compile(r"^iap (?P<fields>(?:[a-z]+=\S+ ?)+)$")
_UNESCAPES = {b"\\": b"\\", b"n": b"\n", b"r": b"\r"}


def unescape_chunk(text: bytes) -> tuple[bytes, list[str]]:
    """Undo `escape_chunk`; returns the bytes and problems (an unknown escape is kept as is)."""
    out, problems, i = bytearray(), [], 0
    while i < len(text):
        byte = text[i : i + 1]
        if byte == b"\\":
            nxt = text[i + 1 : i + 2]
            if nxt in _UNESCAPES and nxt:
                out += _UNESCAPES[nxt]
                i += 2
                continue
            problems.append(f"bad escape {(byte + nxt)!r} at chunk byte {i}")
        out += byte
        i += 1
    return bytes(out), problems


def decode_payload(data: bytes) -> tuple[str, str | None]:
    """Text of the payload; CESU-8 surrogate pairs (JNI modified UTF-8, §1.3) are joined."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("utf-8", "surrogatepass")
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        return joined, "CESU-8 surrogate pairs joined"
    except UnicodeError:
        return data.decode("utf-8", "replace"), "invalid UTF-8 replaced with U+FFFD"


@dataclass(frozen=True)
class CallbackEvent:
    """One callback as the game received it, reassembled from its chunks.

    `broken` events are reported, never dropped: `problems` says what was missing or wrong
    and `payload` holds what did arrive (missing byte ranges are simply absent).
    """

    seq: int
    channel: str
    payload: str
    payload_bytes: bytes
    device_time: str | None
    pid: int | None
    parts: int
    broken: bool = False
    problems: tuple[str, ...] = ()
    encoding_note: str | None = None


@dataclass(frozen=True)
class IapCodeLine:
    """The game's mapped IAP client code for an outcome (`seq` = the callback it maps, if any)."""

    code: int
    name: str
    seq: int | None
    device_time: str | None
    pid: int | None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _Chunk:
    offset: int
    data: bytes
    problems: list[str]


@dataclass
class _Pending:
    seq: int
    channel: str
    parts: int
    length: int
    crc: int
    pid: int | None
    device_time: str | None
    chunks: dict[int, _Chunk] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0
    age: int = 0  # events completed from the same process since this one started


class FrameAssembler:
    """Turns logcat lines into `CallbackEvent`s and `IapCodeLine`s.

    Not thread-safe on its own; `CallbackRecorder` serializes calls. Chunks may arrive
    interleaved with other lines, out of order, or twice. An event whose chunks stop
    coming is emitted as broken once `late_window` newer events of the same process have
    completed, or at `flush()` (end of stream / end of test).
    """

    def __init__(self, tag: str = TAG, late_window: int = 16, remember: int = 4096) -> None:
        self.tag = tag
        self.late_window = late_window
        self._pending: OrderedDict[tuple[int | None, int], _Pending] = OrderedDict()
        self._done: OrderedDict[tuple[int | None, int, int], None] = OrderedDict()  # (pid, seq, crc)
        self._remember = remember
        self.duplicate_chunks = 0
        self.ignored_lines = 0

    def feed(self, line: str | bytes) -> list[CallbackEvent | IapCodeLine]:
        if isinstance(line, bytes):
            line = line.decode("utf-8", "surrogateescape")
        parsed = split_logcat_line(line)
        if parsed.tag is not None and parsed.tag != self.tag:
            self.ignored_lines += 1
            return []
        message = parsed.message
        if message.startswith("cb "):
            return self._feed_chunk(parsed)
        if message.startswith("iap "):
            iap = self._parse_iap(parsed)
            return [iap] if iap else []
        self.ignored_lines += 1
        return []

    def feed_all(self, lines: Iterable[str | bytes]) -> list[CallbackEvent | IapCodeLine]:
        out: list[CallbackEvent | IapCodeLine] = []
        for line in lines:
            out += self.feed(line)
        return out

    def flush(self) -> list[CallbackEvent]:
        """Emit every incomplete event as broken (call at end of stream or test)."""
        out = [self._emit(p, "stream ended") for p in list(self._pending.values())]
        self._pending.clear()
        return out

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- internals

    def _parse_iap(self, line: LogLine) -> IapCodeLine | None:
        m = _IAP.match(line.message.rstrip())
        if not m:
            self.ignored_lines += 1
            return None
        fields = dict(part.split("=", 1) for part in m["fields"].split())
        try:
            code = int(fields["code"])
        except (KeyError, ValueError):
            self.ignored_lines += 1
            return None
        seq_text = fields.get("seq", "-")
        seq = int(seq_text) if seq_text.isdigit() else None
        return IapCodeLine(code, fields.get("name", ""), seq, line.device_time, line.pid, fields)

    def _feed_chunk(self, line: LogLine) -> list[CallbackEvent | IapCodeLine]:
        m = _CB.match(line.message)
        if not m:
            self.ignored_lines += 1
            return []
        seq, part, parts = int(m["seq"]), int(m["i"]), int(m["n"])
        length, crc, offset = int(m["len"]), int(m["crc"], 16), int(m["off"])
        key = (line.pid, seq)
        if (line.pid, seq, crc) in self._done:
            self.duplicate_chunks += 1
            return []
        data, problems = unescape_chunk(m["chunk"].encode("utf-8", "surrogateescape"))
        pending = self._pending.get(key)
        if pending is not None and (
            pending.crc != crc or pending.channel != m["ch"] or pending.parts != parts
        ):
            # Same (pid, seq) but another payload: the process restarted, or a header is corrupt.
            out: list[CallbackEvent | IapCodeLine] = [self._emit(pending, "superseded by another payload")]
            del self._pending[key]
            pending = None
        else:
            out = []
        if pending is None:
            pending = _Pending(seq, m["ch"], parts, length, crc, line.pid, line.device_time)
            self._pending[key] = pending
        if not 1 <= part <= parts:
            pending.problems.append(f"part {part} outside 1..{parts}")
            return out
        if part in pending.chunks:
            self.duplicate_chunks += 1
            pending.duplicates += 1
            if pending.chunks[part].data != data:
                pending.problems.append(f"part {part}/{parts} arrived twice with different bytes; first kept")
            return out
        pending.chunks[part] = _Chunk(offset, data, problems)
        if len(pending.chunks) == parts:
            del self._pending[key]
            out.append(self._emit(pending, None))
            out += self._age_others(line.pid)
        return out

    def _age_others(self, pid: int | None) -> list[CallbackEvent | IapCodeLine]:
        out: list[CallbackEvent | IapCodeLine] = []
        for key, pending in list(self._pending.items()):
            if pending.pid == pid:
                pending.age += 1
                if pending.age >= self.late_window:
                    del self._pending[key]
                    out.append(self._emit(pending, f"no more chunks after {pending.age} newer events"))
        return out

    def _join(
        self, pending: _Pending, reason: str | None, recode: Callable[[bytes], bytes]
    ) -> tuple[bytes, list[str]]:
        """Concatenate the chunks and list every integrity problem (offsets, length, CRC)."""
        problems = list(pending.problems)
        if reason:
            missing = [i for i in range(1, pending.parts + 1) if i not in pending.chunks]
            problems.append(
                f"incomplete ({reason}): missing part(s) {', '.join(map(str, missing))} of {pending.parts}"
            )
        data = bytearray()
        expected_offset = 0
        for index in sorted(pending.chunks):
            chunk = pending.chunks[index]
            piece = recode(chunk.data)
            problems += [f"part {index}: {p}" for p in chunk.problems]
            if chunk.offset != expected_offset:
                if chunk.offset > expected_offset:
                    problems.append(
                        f"bytes {expected_offset}..{chunk.offset - 1} missing before part {index}"
                    )
                else:
                    problems.append(
                        f"part {index - 1} ends at offset {expected_offset} "
                        f"but part {index} starts at offset {chunk.offset}"
                    )
            data += piece
            expected_offset = chunk.offset + len(piece)
        if not reason:
            if len(data) != pending.length:
                problems.append(
                    f"length {len(data)} bytes, header says {pending.length}: a chunk was truncated"
                )
            if zlib.crc32(data) != pending.crc:
                problems.append(
                    f"CRC mismatch: computed {zlib.crc32(data):08x}, header says {pending.crc:08x}"
                )
        elif pending.length > len(data):
            problems.append(f"{pending.length - len(data)} of {pending.length} bytes missing")
        return bytes(data), problems

    def _emit(self, pending: _Pending, reason: str | None) -> CallbackEvent:
        data, problems = self._join(pending, reason, _same)
        recoded: str | None = None
        if problems and not reason and not pending.problems:
            # The header counts the bytes the game held; a log path that re-encodes supplementary
            # characters (standard UTF-8 vs JNI's CESU-8) changes only those bytes. Accept the
            # payload when undoing exactly that makes length and CRC agree.
            for note, recode in _RECODINGS:
                alt, alt_problems = self._join(pending, None, recode)
                if not alt_problems and alt != data:
                    data, problems, recoded = alt, [], note
                    break
        self._done[(pending.pid, pending.seq, pending.crc)] = None
        while len(self._done) > self._remember:
            self._done.popitem(last=False)
        text, decode_note = decode_payload(data)
        notes = "; ".join(n for n in (recoded, decode_note) if n) or None
        return CallbackEvent(
            pending.seq,
            pending.channel,
            text,
            data,
            pending.device_time,
            pending.pid,
            pending.parts,
            bool(problems),
            tuple(problems),
            notes,
        )


def _same(data: bytes) -> bytes:
    return data


_UTF8_ASTRAL = re.compile(rb"[\xF0-\xF4][\x80-\xBF]{3}")
_CESU8_PAIR = re.compile(rb"\xED[\xA0-\xAF][\x80-\xBF]\xED[\xB0-\xBF][\x80-\xBF]")


def utf8_to_cesu8(data: bytes) -> bytes:
    """Supplementary characters as surrogate pairs, the way JNI's modified UTF-8 carries them."""

    def pair(m: re.Match[bytes]) -> bytes:
        units = m.group().decode("utf-8").encode("utf-16-le")
        high, low = (
            units[:2].decode("utf-16-le", "surrogatepass"),
            units[2:].decode("utf-16-le", "surrogatepass"),
        )
        return (high + low).encode("utf-8", "surrogatepass")

    return _UTF8_ASTRAL.sub(pair, data)


def cesu8_to_utf8(data: bytes) -> bytes:
    def join(m: re.Match[bytes]) -> bytes:
        text = m.group().decode("utf-8", "surrogatepass")
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le").encode("utf-8")

    return _CESU8_PAIR.sub(join, data)


_RECODINGS: tuple[tuple[str, Callable[[bytes], bytes]], ...] = (
    ("logcat carried standard UTF-8 where the game held CESU-8 (JNI modified UTF-8)", utf8_to_cesu8),
    ("logcat carried CESU-8 where the game held standard UTF-8", cesu8_to_utf8),
)
