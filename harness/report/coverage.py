"""Contract coverage: which channels, error codes and state transitions a run exercised.

The suite is the definition of "our RuStore integration works", so a run must be able to say
what it did *not* touch. Every test that uses a callback recorder contributes what its
timeline shows: the channels that fired (§1.4), the RuStore `errorCode`s that came back
(§5.1, as `Failure.errorCode` or inside a `RuStorePaymentNetworkException` per §10.4), the
IAP client codes the game logged and the game server's codes it quoted (§5.3, §10), and the
purchase state transitions its samples prove (§3, per product type).

Transitions are inferred from *samples* (see `harness.rustore.states`): when a purchase is
seen in state A and then in state B, the edge A→B is credited when the table has it (samples
are taken around each operation); otherwise the edges of the path A→B are credited only when the
table has exactly one path from A to B, so a gap never claims an edge nobody could have seen.
A purchase's first sample credits its type's start edge and the one path from CREATED, if unique.

Pure data: no pytest here (the plugin side is `harness.plugin.coverage`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from harness.rustore.channels import Channel
from harness.rustore.errors import RUSTORE_ERROR_CODES, IapClientCode, IapServerCode
from harness.rustore.states import TRANSITIONS, ProductType, PurchaseStateChecker, State

START = "(none)"
INTERNAL_ERROR = "50xxx"
KINDS = ("channels", "rustore_codes", "iap_client_codes", "iap_server_codes", "transitions")
TITLES = {
    "channels": "Channel (§1.4)",
    "rustore_codes": "RuStore errorCode (§5.1)",
    "iap_client_codes": "IAP client code (§5.3, §10)",
    "iap_server_codes": "Game server code (§5.3)",
    "transitions": "State transition (§3)",
}


def transition_key(product_type: ProductType | str, src: State | str | None, dst: State | str) -> str:
    return f"{ProductType(product_type).value}: {src or START} -> {State(dst).value}"


def legal_transitions() -> list[str]:
    """Every edge of the three §3 tables (with §10.15/§10.17), plus each type's start edge."""
    out = []
    for ptype, table in TRANSITIONS.items():
        out.append(transition_key(ptype, None, State.CREATED))
        for src, dsts in table.items():
            out += [transition_key(ptype, src, dst) for dst in sorted(dsts)]
    return out


def universe() -> dict[str, list[str]]:
    """Everything a complete run must exercise, per kind, as the keys `coverage.json` uses."""
    return {
        "channels": [c.value for c in Channel],
        "rustore_codes": [str(c) for c in RUSTORE_ERROR_CODES] + [INTERNAL_ERROR],
        "iap_client_codes": [str(int(c)) for c in IapClientCode],
        "iap_server_codes": [str(int(c)) for c in IapServerCode],
        "transitions": legal_transitions(),
    }


def rustore_code_key(code: int) -> str | None:
    if code in RUSTORE_ERROR_CODES:
        return str(code)
    if 50000 <= code <= 50999:
        return INTERNAL_ERROR
    return None


def label(kind: str, key: str) -> str:
    """A readable row name: the code with its name."""
    if kind == "iap_client_codes":
        return f"{key} {IapClientCode(int(key)).name}"
    if kind == "iap_server_codes":
        return f"{key} {IapServerCode(int(key)).name}"
    if kind == "rustore_codes" and key != INTERNAL_ERROR:
        return f"{key} {RUSTORE_ERROR_CODES[int(key)].meaning}"
    if kind == "rustore_codes":
        return f"{key} Payment service internal error"
    return key


def _only_path(ptype: ProductType, src: State, dst: State) -> list[tuple[State, State]] | None:
    """The edges of the one simple path src→dst in the type's table; None when there are none or several."""
    table = TRANSITIONS[ptype]
    found: list[list[State]] = []
    todo: list[list[State]] = [[src]]
    while todo and len(found) < 2:
        path = todo.pop()
        for nxt in sorted(table.get(path[-1], ())):
            if nxt == dst:
                found.append([*path, nxt])
            elif nxt not in path:
                todo.append([*path, nxt])
    return list(zip(found[0], found[0][1:], strict=False)) if len(found) == 1 else None


class CoverageStates(PurchaseStateChecker):
    """A state checker that also remembers which legal edges its samples prove."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict[str, tuple[ProductType | None, State]] = {}
        self.edges: list[str] = []

    def observe(
        self,
        purchase_id: str,
        product_type: ProductType | str | None,
        state: State | str,
        where: str,
        product_id: str | None = None,
    ) -> Any:
        result = super().observe(purchase_id, product_type, state, where, product_id)
        new = State(state)
        previous = self.last.get(purchase_id)
        ptype = ProductType(product_type) if product_type else self.product_type_of(product_id)
        if ptype is None and previous is not None:
            ptype = previous[0]
        if result is None and ptype is not None:
            src = previous[1] if previous is not None else State.CREATED
            if previous is None:
                self.edges.append(transition_key(ptype, None, State.CREATED))
            if src != new and previous is not None and new in TRANSITIONS[ptype].get(src, ()):
                self.edges.append(transition_key(ptype, src, new))  # consecutive samples: the direct edge
            elif src != new:
                for a, b in _only_path(ptype, src, new) or []:
                    self.edges.append(transition_key(ptype, a, b))
        self.last[purchase_id] = (ptype, new)
        return result


_CODE_IN_TEXT = re.compile(r"\b(4\d{4}|50\d{3})\b")
_API_ERROR = re.compile(r"Payment API error (\d+)")


def _codes_in_event(channel: str, parsed: Any) -> set[str]:
    """RuStore errorCodes a callback carries (§10.3 Failure, §10.4 exception message)."""
    found: set[str] = set()
    if not isinstance(parsed, Mapping):
        return found
    if channel == Channel.PURCHASE_PRODUCT_SUCCESS and parsed.get("type") == "Failure":
        data = parsed.get("data")
        if isinstance(data, Mapping) and isinstance(data.get("errorCode"), int):
            key = rustore_code_key(data["errorCode"])
            if key:
                found.add(key)
    error = parsed.get("cause") if isinstance(parsed.get("cause"), Mapping) else parsed
    if (
        isinstance(error, Mapping)
        and error.get("simpleName") == "RuStorePaymentNetworkException"
        and isinstance(error.get("detailMessage"), str)
    ):
        # the emulator writes "Payment API error <code>: …"; elsewhere the first code-like number
        m = _API_ERROR.search(error["detailMessage"]) or _CODE_IN_TEXT.search(error["detailMessage"])
        key = rustore_code_key(int(m.group(1))) if m else None
        if key:
            found.add(key)
    return found


@dataclass
class HitsOfTest:
    """What one test exercised, per kind (sets of `universe()` keys)."""

    nodeid: str
    hits: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})

    def add(self, kind: str, key: str) -> None:
        self.hits[kind].add(key)

    def empty(self) -> bool:
        return not any(self.hits.values())


def collect_events(
    test: HitsOfTest, events: Iterable[Any], iap_lines: Iterable[Any], states: CoverageStates
) -> None:
    """Fold one test's recorder timeline (`RecordedEvent`s and `IapCodeLine`s) into `test`."""
    for event in events:
        test.add("channels", event.channel)
        parsed = event.contract.value
        for key in _codes_in_event(event.channel, parsed):
            test.add("rustore_codes", key)
        if parsed is not None:
            before = len(states.edges)
            states.observe_callback(event.channel, parsed, f"{event.channel} seq={event.seq}")
            for edge in states.edges[before:]:
                test.add("transitions", edge)
    for line in iap_lines:
        if line.code in IapClientCode._value2member_map_:
            test.add("iap_client_codes", str(line.code))
        server = line.fields.get("server", "")
        if server.isdigit() and int(server) in IapServerCode._value2member_map_:
            test.add("iap_server_codes", server)


@dataclass
class CoverageData:
    """Per-test hits of a whole run; merges across xdist workers as plain JSON."""

    tests: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def add_test(self, test: HitsOfTest) -> None:
        mine = self.tests.setdefault(test.nodeid, {k: set() for k in KINDS})
        for kind, keys in test.hits.items():
            mine[kind] |= keys

    def to_json(self) -> dict[str, Any]:
        return {nodeid: {k: sorted(v) for k, v in hits.items()} for nodeid, hits in self.tests.items()}

    def merge_json(self, data: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        for nodeid, hits in data.items():
            test = HitsOfTest(nodeid)
            for kind in KINDS:
                for key in hits.get(kind, ()):
                    test.add(kind, key)
            self.add_test(test)

    def table(self) -> dict[str, dict[str, list[str]]]:
        """kind → key → the tests that exercised it (every key of the universe, hit or not)."""
        out: dict[str, dict[str, list[str]]] = {}
        for kind, keys in universe().items():
            rows: dict[str, list[str]] = {key: [] for key in keys}
            for nodeid, hits in sorted(self.tests.items()):
                for key in hits.get(kind, ()):
                    if key in rows:
                        rows[key].append(nodeid)
            out[kind] = rows
        return out

    def missing(self) -> dict[str, list[str]]:
        return {kind: [k for k, tests in rows.items() if not tests] for kind, rows in self.table().items()}

    def report(self) -> dict[str, Any]:
        """The `coverage.json` document."""
        table, missing = self.table(), self.missing()
        return {
            "version": 1,
            "summary": {
                kind: {"total": len(rows), "exercised": len(rows) - len(missing[kind])}
                for kind, rows in table.items()
            },
            "missing": missing,
            "coverage": table,
            "tests": self.to_json(),
        }


def missing_message(missing: Mapping[str, list[str]]) -> str:
    """One line per kind that has gaps, naming each gap (for the final check)."""
    lines = []
    for kind, keys in missing.items():
        if keys:
            lines.append(
                f"{TITLES[kind]} not exercised ({len(keys)}): " + ", ".join(label(kind, k) for k in keys)
            )
    return "\n".join(lines)


def render_html(report: Mapping[str, Any], standalone: bool = True) -> str:
    """Item × test matrices (channels, the three code groups, transitions) with a test legend.

    Columns are numbered tests (T1…, the legend below names them) so a wide run stays readable;
    a row nobody exercised is red and says so.
    """
    tests = sorted(report["tests"])
    column = {nodeid: n for n, nodeid in enumerate(tests, start=1)}
    heads = "".join(f'<th title="{escape(t)}">T{column[t]}</th>' for t in tests)
    parts = ['<div class="contract-coverage"><h2>Contract coverage</h2>']
    for kind in KINDS:
        rows = report["coverage"][kind]
        summary = report["summary"][kind]
        parts.append(f"<h3>{escape(TITLES[kind])}: {summary['exercised']}/{summary['total']}</h3>")
        table = '<div style="overflow-x:auto"><table class="coverage">'
        parts.append(f"{table}<tr><th>item</th><th>tests</th>{heads}</tr>")
        for key, hit_by in rows.items():
            hit = set(hit_by)
            style = "" if hit else ' style="background:#fdd"'
            count = str(len(hit)) if hit else "<b>0: not exercised</b>"
            cells = "".join(f"<td>{'&#10003;' if t in hit else ''}</td>" for t in tests)
            parts.append(f"<tr{style}><td>{escape(label(kind, key))}</td><td>{count}</td>{cells}</tr>")
        parts.append("</table></div>")
    legend = "".join(f"<li>T{column[t]}: {escape(t)}</li>" for t in tests)
    parts.append(f'<h3>Tests</h3><ol class="coverage-tests">{legend}</ol></div>')
    body = "\n".join(parts)
    if not standalone:
        return body
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Contract coverage</title>'
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;"
        "font:13px sans-serif;vertical-align:top}</style></head><body>" + body + "</body></html>"
    )


def dumps(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)
