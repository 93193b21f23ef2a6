"""The callback recorder: every callback the game logs, checked and waitable.

A logcat stream thread calls `feed(line)`; the recorder reassembles frames
(`logframe`), checks each payload against the contract for the device's plugin profile
and mode, feeds the purchase state checker, and wakes whoever waits in `expect()`.
Waiting is a `threading.Condition`: `feed` notifies, `expect` sleeps until notified or
its deadline passes, so nothing polls.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.android.crash import AppCrash, CrashWatcher
from harness.rustore.channels import Channel, Outcome, channel_info
from harness.rustore.contract import ContractResult, Deviation, Violation, check_payload
from harness.rustore.errors import allowed_iap_codes
from harness.rustore.logframe import CallbackEvent, FrameAssembler, IapCodeLine
from harness.rustore.payloads import typed_payload
from harness.rustore.schemas import Mode, Profile
from harness.rustore.states import PurchaseStateChecker, StateViolation

Where = Callable[["RecordedEvent"], bool] | Mapping[str, Any] | None


@dataclass
class RecordedEvent:
    """One callback on the timeline."""

    index: int
    host_time: float  # time.time() when it was assembled
    event: CallbackEvent
    contract: ContractResult
    payload: Any  # a model from harness.rustore.payloads, or None when it does not fit
    iap_codes: list[IapCodeLine] = field(default_factory=list)
    consumed: bool = False

    @property
    def channel(self) -> str:
        return self.event.channel

    @property
    def seq(self) -> int:
        return self.event.seq

    @property
    def raw(self) -> str:
        return self.event.payload

    @property
    def parsed(self) -> Any:
        return self.contract.value

    def describe(self, limit: int = 160) -> str:
        text = self.raw if len(self.raw) <= limit else self.raw[:limit] + "…"
        flags = " [consumed]" if self.consumed else ""
        flags += " [broken]" if self.event.broken else ""
        return f"#{self.index} seq={self.seq} {self.channel}{flags}: {text}"

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "host_time": self.host_time,
            "device_time": self.event.device_time,
            "seq": self.seq,
            "pid": self.event.pid,
            "channel": self.channel,
            "payload": self.raw,
            "parsed": self.contract.value,
            "is_json": self.contract.is_json,
            "broken": self.event.broken,
            "frame_problems": list(self.event.problems),
            "deviations": [str(d) for d in self.contract.deviations],
            "violations": [str(v) for v in self.contract.violations],
            "iap": [{"code": c.code, "name": c.name} for c in self.iap_codes],
            "consumed": self.consumed,
        }


@dataclass(frozen=True)
class Mark:
    """A point on the timeline; `expect(since=mark)` looks only at later events."""

    index: int


class AppCrashed(AssertionError):
    """The app died while a test waited for its callback (no callback will ever come)."""

    def __init__(self, crash: AppCrash) -> None:
        super().__init__(crash.describe())
        self.crash = crash


class ExpectTimeout(AssertionError):
    """`expect()` found no matching event in time; the message lists what did arrive."""


class ContractFailure(AssertionError):
    """Events broke the contract (or, under strict, showed known defects)."""


def _matches_subset(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(value, Mapping) and all(
            k in value and _matches_subset(value[k], v) for k, v in wanted.items()
        )
    return bool(value == wanted)


class CallbackRecorder:
    """Feed it logcat lines; ask it for callbacks."""

    def __init__(
        self,
        profile: Profile = "6.0.0",
        mode: Mode = "faithful",
        *,
        strict: bool = False,
        states: PurchaseStateChecker | None = None,
        assembler: FrameAssembler | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.profile, self.mode, self.strict = profile, mode, strict
        self.states = states if states is not None else PurchaseStateChecker()
        self._assembler = assembler or FrameAssembler()
        self._clock = clock
        self._cond = threading.Condition()
        self._events: list[RecordedEvent] = []
        self._iap: list[IapCodeLine] = []
        self._by_seq: dict[tuple[int | None, int], RecordedEvent] = {}
        self._test_start = Mark(0)
        self._iap_start = 0
        self._state_start = 0
        self._iap_consumed: set[int] = set()
        self._crash_watcher = CrashWatcher()
        self._crashes: list[AppCrash] = []
        self._crash_start = 0

    # ------------------------------------------------------------ input (any thread)

    def feed(self, line: str | bytes) -> None:
        with self._cond:
            items = self._assembler.feed(line)
            if items:
                self._take(items)
            text = line.decode("utf-8", "surrogateescape") if isinstance(line, bytes) else line
            if "AndroidRuntime" in text:
                crash = self._crash_watcher.feed(text)
                if crash is not None:
                    self._crashes.append(crash)
                    self._cond.notify_all()

    def flush(self) -> None:
        """Emit incomplete events as broken (end of stream, or before judging a test)."""
        with self._cond:
            items = self._assembler.flush()
            if items:
                self._take(list(items))

    def _take(self, items: list[CallbackEvent | IapCodeLine]) -> None:
        for item in items:
            if isinstance(item, IapCodeLine):
                self._iap.append(item)
                target = self._by_seq.get((item.pid, item.seq)) if item.seq is not None else None
                if target is not None:
                    target.iap_codes.append(item)
                continue
            if item.broken:
                # An incomplete payload is judged as a broken frame, not as a second, noisier JSON error.
                contract = ContractResult(
                    item.channel, self.profile, self.mode, item.payload, False, None, None
                )
            else:
                contract = check_payload(item.channel, item.payload, self.profile, self.mode)
            payload = None
            if contract.value is not None:
                # Typed even when a field is off: the violation is reported once, by the contract,
                # and the test still gets the fields that are right.
                try:
                    payload = typed_payload(item.channel, contract.value)
                except ValueError:
                    payload = None
            recorded = RecordedEvent(len(self._events), self._clock(), item, contract, payload)
            self._events.append(recorded)
            self._by_seq[(item.pid, item.seq)] = recorded
            if contract.value is not None:
                where = f"{item.channel} seq={item.seq}" + (
                    f" @ {item.device_time}" if item.device_time else ""
                )
                self.states.observe_callback(item.channel, contract.value, where)
        self._cond.notify_all()

    # ------------------------------------------------------------ test scope

    def start_test(self) -> Mark:
        """New test: `expect()` and the timeline look only at events from here on."""
        with self._cond:
            self._test_start = Mark(len(self._events))
            self._iap_start = len(self._iap)
            self._state_start = len(self.states.violations)
            self._crash_start = len(self._crashes)
            return self._test_start

    def mark(self) -> Mark:
        with self._cond:
            return Mark(len(self._events))

    # ------------------------------------------------------------ queries

    def events(self, channel: Channel | str | None = None, since: Mark | None = None) -> list[RecordedEvent]:
        """Events since the test start (or `since`), optionally on one channel; consumed ones included."""
        with self._cond:
            start = (since or self._test_start).index
            return [e for e in self._events[start:] if channel is None or e.channel == str(channel)]

    def iap_codes(self) -> list[IapCodeLine]:
        """IAP code lines the game logged since the test start (with or without a callback)."""
        with self._cond:
            return list(self._iap[self._iap_start :])

    def crashes(self) -> list[AppCrash]:
        """App crashes (``FATAL EXCEPTION``) logged since the test start."""
        with self._cond:
            return list(self._crashes[self._crash_start :])

    def _raise_if_crashed(self, expecting_crash: bool) -> None:
        if not expecting_crash and len(self._crashes) > self._crash_start:
            raise AppCrashed(self._crashes[-1])

    def expect_crash(self, timeout: float = 30.0) -> AppCrash:
        """The first app crash since the test start (for tests that provoke one on purpose)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._crashes) <= self._crash_start:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExpectTimeout(f"no app crash (FATAL EXCEPTION) within {timeout:g}s")
                self._cond.wait(remaining)
            return self._crashes[self._crash_start]

    def state_violations(self) -> list[StateViolation]:
        """Purchase state violations revealed since the test start."""
        with self._cond:
            return list(self.states.violations[self._state_start :])

    @property
    def deviations(self) -> list[tuple[RecordedEvent, Deviation]]:
        return [(e, d) for e in self.events() for d in e.contract.deviations]

    @property
    def violations(self) -> list[tuple[RecordedEvent, Violation]]:
        return [(e, v) for e in self.events() for v in e.contract.violations]

    def problems(self, strict: bool | None = None) -> list[str]:
        """Everything that should fail the current test: contract, broken frames, states, IAP codes."""
        strict = self.strict if strict is None else strict
        out: list[str] = []
        for e in self.events():
            out += [f"#{e.index} seq={e.seq} {p}" for p in e.contract.problems(strict)]
            out += [f"#{e.index} seq={e.seq} {e.channel}: broken frame: {p}" for p in e.event.problems]
            allowed = allowed_iap_codes(e.channel, e.contract.value)
            for line in e.iap_codes:
                if allowed and line.code not in allowed:
                    names = ", ".join(f"{c.value} {c.name}" for c in sorted(allowed))
                    out.append(
                        f"#{e.index} seq={e.seq} {e.channel}: game mapped it to IAP {line.code} {line.name}; "
                        f"the §10 table allows {names}"
                    )
        out += [str(v) for v in self.state_violations()]
        return out

    def assert_clean(self, strict: bool | None = None) -> None:
        problems = self.problems(strict)
        if problems:
            raise ContractFailure("callback contract problems:\n  " + "\n  ".join(problems))

    # ------------------------------------------------------------ waiting

    def expect(
        self,
        channel: Channel | str,
        where: Where = None,
        timeout: float = 30.0,
        since: Mark | None = None,
    ) -> RecordedEvent:
        """The first unconsumed event on `channel` since the test start (or `since`) that matches.

        `where` is a callable on the event, or a dict matched as a subset of the parsed JSON
        (`{"type": "Success", "data": {"productId": "con1"}}`). The event is consumed, so two
        `expect()` calls return two different events.
        """
        info = channel_info(channel)
        start = (since or self._test_start).index
        deadline = time.monotonic() + timeout

        def find() -> RecordedEvent | None:
            for event in self._events[start:]:
                if event.consumed or event.channel != info.channel.value:
                    continue
                if where is None or (
                    where(event) if callable(where) else _matches_subset(event.contract.value, where)
                ):
                    return event
            return None

        with self._cond:
            while True:
                found = find()
                if found is not None:
                    found.consumed = True
                    return found
                self._raise_if_crashed(False)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExpectTimeout(self._timeout_message(info.channel.value, where, timeout, start))
                self._cond.wait(remaining)

    def expect_any(self, operation: str, timeout: float = 30.0, since: Mark | None = None) -> RecordedEvent:
        """Whichever outcome of an operation comes first (its success or failure channel)."""
        from harness.rustore.channels import channels_of

        names = {c.value for c in channels_of(operation)}
        if not names:
            raise ValueError(f"unknown operation {operation!r}")
        start = (since or self._test_start).index
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self._events[start:]:
                    if not event.consumed and event.channel in names:
                        event.consumed = True
                        return event
                self._raise_if_crashed(False)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExpectTimeout(
                        self._timeout_message(" or ".join(sorted(names)), None, timeout, start)
                    )
                self._cond.wait(remaining)

    def expect_iap(self, code: int, timeout: float = 30.0, seq: int | None = None) -> IapCodeLine:
        """The first unconsumed IAP code line with `code` (and callback `seq`) since the test start."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for index in range(self._iap_start, len(self._iap)):
                    line = self._iap[index]
                    if (
                        index not in self._iap_consumed
                        and line.code == code
                        and (seq is None or line.seq == seq)
                    ):
                        self._iap_consumed.add(index)
                        return line
                self._raise_if_crashed(False)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [f"{c.code} {c.name} (seq={c.seq})" for c in self._iap[self._iap_start :]]
                    raise ExpectTimeout(
                        f"no IAP code {code}{'' if seq is None else f' for seq={seq}'} within {timeout:g}s; "
                        f"logged since the test start: {', '.join(seen) or 'none'}"
                    )
                self._cond.wait(remaining)

    def _timeout_message(self, channel: str, where: Where, timeout: float, start: int) -> str:
        cond = ""
        if where is not None:
            cond = f" matching {json.dumps(where)}" if isinstance(where, Mapping) else f" matching {where!r}"
        arrived = self._events[start:]
        lines = [
            f"no {channel} event{cond} within {timeout:g}s; {len(arrived)} event(s) arrived since the mark:"
        ]
        lines += [f"  {e.describe()}" for e in arrived] or ["  (none)"]
        if self._assembler.pending:
            lines.append(f"  plus {self._assembler.pending} event(s) still missing chunks")
        return "\n".join(lines)

    # ------------------------------------------------------------ reports

    def timeline(self) -> list[dict[str, Any]]:
        with self._cond:
            return [e.to_json() for e in self._events[self._test_start.index :]]

    def timeline_json(self, indent: int | None = 2) -> str:
        return json.dumps(
            {
                "profile": self.profile,
                "mode": self.mode,
                "strict": self.strict,
                "events": self.timeline(),
                "iap_codes": [
                    {"code": c.code, "name": c.name, "seq": c.seq, "device_time": c.device_time}
                    for c in self.iap_codes()
                ],
                "state_violations": [str(v) for v in self.state_violations()],
            },
            ensure_ascii=False,
            indent=indent,
        )


__all__ = [
    "CallbackRecorder",
    "ContractFailure",
    "ExpectTimeout",
    "Mark",
    "Outcome",
    "RecordedEvent",
]
