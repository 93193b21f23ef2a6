"""Judge one callback payload against CONTRACT.md §2 for a plugin profile and device mode.

Three outcomes per payload: fine; a *deviation* (a known defect of the official plugin,
§2.14, reproduced on purpose by a `faithful` device: reported, a failure only under
`--contract strict`); a *violation* (anything else: a wrong type, a missing field, a
wrapper whose bytes differ from the plugin's template, or a known defect on a `fixed`
device, which promised to have none). Violations point at the field with a JSON
pointer and say what was expected and what was found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from harness.rustore.channels import CATALOG, Channel, PayloadKind, UnknownChannelError, channel_info
from harness.rustore.errors import rustore_error
from harness.rustore.schemas import MODES, PROFILES, Mode, Profile, schema_for

if TYPE_CHECKING:  # jsonschema is imported with the first validator: it costs every pytest process ~60 ms
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


class KnownDefect(StrEnum):
    """Defects of the official plugin a faithful device reproduces (§2.14, §10.2)."""

    LOGGER_NOT_JSON = "logger-not-json"  # §2.13, §2.14 #9/#10
    RAW_UNESCAPED_ID = "raw-unescaped-id"  # §2.7/2.10/2.11, §2.14 #11
    AVAILABILITY_FAILURE_WITHOUT_CAUSE = "availability-failure-without-cause"  # §2.3, §2.14 #2


DEFECT_SECTIONS: dict[KnownDefect, str] = {
    KnownDefect.LOGGER_NOT_JSON: "§2.13, §2.14 #10",
    KnownDefect.RAW_UNESCAPED_ID: "§2.14 #11",
    KnownDefect.AVAILABILITY_FAILURE_WITHOUT_CAUSE: "§2.3, §2.14 #2",
}


@dataclass(frozen=True)
class Deviation:
    """A known defect seen in a payload: reported, fails the test only when strict."""

    defect_id: KnownDefect
    message: str
    pointer: str = ""
    known: bool = True

    def __str__(self) -> str:
        return f"known defect {self.defect_id} ({DEFECT_SECTIONS[self.defect_id]}): {self.message}"


@dataclass(frozen=True)
class Violation:
    """A contract break: `pointer` is a JSON pointer into the payload ('' = the whole payload)."""

    pointer: str
    expected: str
    found: str
    note: str = ""

    @property
    def message(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.pointer or '/'}: expected {self.expected}, found {self.found}{note}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ContractResult:
    channel: str
    profile: str
    mode: str
    raw: str
    is_json: bool
    json_error: str | None
    value: Any  # parsed JSON, or the value recovered from the template when the bytes were not JSON
    deviations: tuple[Deviation, ...] = ()
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        """No violations (deviations allowed)."""
        return not self.violations

    def failed(self, strict: bool = False) -> bool:
        return bool(self.violations or (strict and self.deviations))

    def problems(self, strict: bool = False) -> list[str]:
        found = [f"{self.channel}: {v}" for v in self.violations]
        if strict:
            found += [f"{self.channel}: {d}" for d in self.deviations]
        return found


@dataclass
class _Check:
    """Working state of one check."""

    channel: Channel
    mode: Mode
    raw: str
    parsed: Any = None
    is_json: bool = False
    json_error: str | None = None
    value: Any = None
    has_value: bool = False
    deviations: list[Deviation] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    def defect(self, defect: KnownDefect, message: str, pointer: str = "") -> None:
        if self.mode == "faithful":
            self.deviations.append(Deviation(defect, message, pointer))
        else:
            self.violations.append(
                Violation(pointer, "no known defect on a fixed-mode device", f"{defect}: {message}")
            )

    def set_value(self, value: Any) -> None:
        self.value, self.has_value = value, True


def _short(text: str, limit: int = 80) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} chars)"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {json.dumps(value)}"
    if isinstance(value, int | float):
        return f"{type(value).__name__ if isinstance(value, float) else 'integer'} {value}"
    if isinstance(value, str):
        return f"string {_short(value, 60)}"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:6])
        return f"an object with keys [{keys}]"
    return repr(value)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _gson_layout_problem(segment: str, pointer: str) -> Violation | None:
    """Gson output is compact (§2.0 rule 9): no whitespace between tokens.

    Key order and Gson's HTML-safe escapes are deliberately not checked (rules 7, 8).
    """
    outside_strings = _JSON_STRING.sub('""', segment)
    if re.search(r"\s", outside_strings):
        return Violation(pointer, "compact Gson output without spaces", _short(segment))
    return None


_TEMPLATES: dict[str, tuple[str, re.Pattern[str]]] = {
    "available": ('{"isAvailable": true}', re.compile(r'\{"isAvailable": true\}')),
    "unavailable": (
        '{"isAvailable": false, "cause": <SimpleError>}',
        re.compile(r'\{"isAvailable": false, "cause": (?P<cause>\{.*\})\}', re.S),
    ),
    "payment": (
        '{"type":"<simpleName>","data":<PaymentResult>}',
        re.compile(r'\{"type":"(?P<type>[A-Za-z]+)","data":(?P<data>\{.*\})\}', re.S),
    ),
    "product_failure": (
        '{"productId": "<productId>", "cause": <SimpleError>}',
        re.compile(r'\{"productId": "(?P<id>.*)", "cause": (?P<cause>\{.*\})\}', re.S),
    ),
    "purchase_id": ('{"purchaseId": "<purchaseId>"}', re.compile(r'\{"purchaseId": "(?P<id>.*)"\}', re.S)),
    "purchase_failure": (
        '{"purchaseId": "<purchaseId>", "cause": <SimpleError>}',
        re.compile(r'\{"purchaseId": "(?P<id>.*)", "cause": (?P<cause>\{.*\})\}', re.S),
    ),
    "logger": (
        '{"e": "<SimpleError JSON or {}>", "message": "<message>"}',
        re.compile(r'\{"e": "(?P<e>.*)", "message": "(?P<message>.*)"\}', re.S),
    ),
}

# Fixed mode wraps the availability failure like the plugin's other wrappers: {"cause": <SimpleError>}.
_FIXED_AVAILABILITY_FAILURE = re.compile(r'\{(?:"isAvailable": false, )?"cause": (?P<cause>\{.*\})\}', re.S)
_NEEDS_ESCAPING = re.compile(r'["\\\x00-\x1f]')


def _template_violation(name: str, raw: str, section: str) -> Violation:
    template = _TEMPLATES[name][0]
    return Violation(
        "", f"the byte-exact §{section} template {template}", _short(raw, 120), "mind the spaces"
    )


def _check_raw_id(check: _Check, match: re.Match[str], id_field: str) -> str:
    """The id as the device meant it; an unescaped special character is defect #11."""
    raw_id = match.group("id")
    if _NEEDS_ESCAPING.search(raw_id):
        if check.is_json and check.mode == "fixed":
            return str(check.parsed.get(id_field, raw_id)) if isinstance(check.parsed, dict) else raw_id
        check.defect(
            KnownDefect.RAW_UNESCAPED_ID,
            f"{id_field} {_short(raw_id)} echoed without JSON escaping"
            + ("" if check.is_json else "; the payload is not valid JSON"),
            f"/{id_field}",
        )
    return raw_id


def _check_wrapper(check: _Check, kind: PayloadKind, section: str) -> None:
    """Hand-built wrappers: template bytes, raw ids, embedded Gson parts."""
    raw = check.raw
    if kind is PayloadKind.AVAILABILITY_RESULT:
        if raw == _TEMPLATES["available"][0]:
            check.set_value(check.parsed)
            return
        m = _TEMPLATES["unavailable"][1].fullmatch(raw)
        if not m:
            check.violations.append(
                Violation(
                    "",
                    '{"isAvailable": true} or {"isAvailable": false, "cause": <SimpleError>} byte for byte',
                    _short(raw, 120),
                )
            )
        else:
            _add_layout(check, m.group("cause"), "/cause")
        if check.is_json:
            check.set_value(check.parsed)
        return
    if kind is PayloadKind.PAYMENT_RESULT:
        m = _TEMPLATES["payment"][1].fullmatch(raw)
        if not m:
            check.violations.append(_template_violation("payment", raw, section))
        else:
            _add_layout(check, m.group("data"), "/data")
        if check.is_json:
            check.set_value(check.parsed)
        return
    name = {
        PayloadKind.PRODUCT_FAILURE: "product_failure",
        PayloadKind.PURCHASE_ID: "purchase_id",
        PayloadKind.PURCHASE_FAILURE: "purchase_failure",
    }[kind]
    id_field = "productId" if kind is PayloadKind.PRODUCT_FAILURE else "purchaseId"
    m = _TEMPLATES[name][1].fullmatch(raw)
    if not m:
        check.violations.append(_template_violation(name, raw, section))
        if check.is_json:
            check.set_value(check.parsed)
        return
    the_id = _check_raw_id(check, m, id_field)
    value: dict[str, Any] = {id_field: the_id}
    if "cause" in m.groupdict():
        _add_layout(check, m.group("cause"), "/cause")
        try:
            value["cause"] = json.loads(m.group("cause"))
        except json.JSONDecodeError as exc:
            check.violations.append(Violation("/cause", "a SimpleError JSON object", f"invalid JSON ({exc})"))
            return
    raw_id_defect = any(d.defect_id is KnownDefect.RAW_UNESCAPED_ID for d in check.deviations)
    if raw_id_defect:
        # What the device meant, even when the unescaped id happened to make other valid JSON
        # (an id like `a", "x": "b` parses as an object with an extra key).
        check.set_value(value)
    elif check.is_json:
        check.set_value(check.parsed)
    elif not check.violations:
        check.set_value(value)


def _check_logger(check: _Check) -> None:
    m = _TEMPLATES["logger"][1].fullmatch(check.raw)
    if check.mode == "fixed":
        if not check.is_json:
            check.violations.append(Violation("", "valid JSON on a fixed-mode device", f"{check.json_error}"))
            return
        check.set_value(check.parsed)
        return
    if not m:
        check.violations.append(_template_violation("logger", check.raw, "2.13"))
        if check.is_json:
            check.set_value(check.parsed)
        return
    if check.is_json:
        check.set_value(check.parsed)
        return
    why = (
        "a throwable is embedded in `e`"
        if m.group("e") != "{}"
        else "the message holds characters JSON escapes"
    )
    check.defect(KnownDefect.LOGGER_NOT_JSON, f"payment logger payload is not JSON: {why}")
    # Best effort for humans; not schema-checked (the schema describes the JSON case only).
    check.value = {"e": m.group("e"), "message": m.group("message")}


def _add_layout(check: _Check, segment: str, pointer: str) -> None:
    problem = _gson_layout_problem(segment, pointer)
    if problem:
        check.violations.append(problem)


@cache
def _validator(channel: Channel, profile: Profile, mode: Mode) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema_for(channel, profile, mode))


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


_BRANCHES: dict[PayloadKind, tuple[str, list[Any]]] = {
    PayloadKind.PAYMENT_RESULT: ("type", ["Success", "Cancelled", "Failure", "InvalidPaymentState"]),
    PayloadKind.AVAILABILITY_RESULT: ("isAvailable", [True, False]),
}


def _schema_violations(
    error: ValidationError, kind: PayloadKind, value: Any, profile: Profile
) -> list[Violation]:
    """Turn jsonschema errors into field-level violations; `oneOf` is resolved by its tag."""
    if error.validator == "oneOf" and kind in _BRANCHES and isinstance(value, dict) and not error.path:
        tag, options = _BRANCHES[kind]
        if value.get(tag) not in options:
            shown = " | ".join(json.dumps(o) for o in options)
            found = _describe(value[tag]) if tag in value else "nothing (the field is missing)"
            return [Violation(f"/{tag}", f"one of {shown}", found)]
        branch = options.index(value[tag])
        out: list[Violation] = []
        for sub in error.context or []:
            if sub.relative_schema_path and sub.relative_schema_path[0] == branch:
                out += _schema_violations(sub, kind, value, profile)
        return out or [Violation("", "a valid " + kind.value, _describe(value))]
    where = _pointer(error.absolute_path)
    instance = error.instance
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        note = ""
        if "sandbox" in missing:
            note = "plugin 6.0.0 emits sandbox on every PaymentResult variant"
        return [
            Violation(f"{where}/{m}", "a required field", "nothing (the field is missing)", note)
            for m in missing
        ]
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in instance if k not in allowed]
        out = []
        for key in extra:
            note = ""
            if key == "sandbox" and profile == "5.0.1":
                note = "sandbox exists only from plugin/SDK 6.0.0"
            elif key == "description" and profile == "6.0.0":
                note = "Purchase.description was removed in SDK 6.0.0"
            expected = "no such field (allowed: " + ", ".join(allowed) + ")" if allowed else "no fields"
            out.append(Violation(f"{where}/{key}", expected, f"field {key!r}", note))
        return out
    if error.validator == "type":
        return [Violation(where, f"a {error.validator_value}", _describe(instance))]
    if error.validator == "enum":
        return [Violation(where, "one of " + ", ".join(map(str, error.validator_value)), _describe(instance))]
    if error.validator == "const":
        return [Violation(where, json.dumps(error.validator_value), _describe(instance))]
    return [Violation(where, error.message, _describe(instance))]


def check_payload(
    channel: Channel | str, raw: str, profile: Profile = "6.0.0", mode: Mode = "faithful"
) -> ContractResult:
    """Parse, validate and classify one payload exactly as the game received it."""
    if profile not in PROFILES or mode not in MODES:
        raise ValueError(
            f"profile must be one of {PROFILES} and mode one of {MODES}; got {profile!r}, {mode!r}"
        )
    try:
        info = channel_info(channel)
    except UnknownChannelError as exc:
        return ContractResult(str(channel), profile, mode, raw, False, None, None, (),
                              (Violation("", "one of the 19 channels of §1.4", str(exc)),))  # fmt: skip
    check = _Check(info.channel, mode, raw)
    try:
        check.parsed, check.is_json = json.loads(raw), True
    except json.JSONDecodeError as exc:
        check.json_error = f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    kind = info.payload_kind

    if kind is PayloadKind.LOGGER:
        _check_logger(check)
    elif info.hand_built:
        _check_wrapper(check, kind, info.section)
        if not check.is_json and not check.has_value and not check.violations:
            check.violations.append(Violation("", "valid JSON", str(check.json_error)))
    elif not check.is_json:
        check.violations.append(Violation("", "valid JSON (Gson output)", str(check.json_error)))
    else:
        check.set_value(check.parsed)
        fixed_wrapper = _FIXED_AVAILABILITY_FAILURE.fullmatch(raw)
        if mode == "fixed" and info.channel is Channel.CHECK_PURCHASES_AVAILABLE_FAILURE and fixed_wrapper:
            _add_layout(check, fixed_wrapper.group("cause"), "/cause")  # hand-built wrapper, Gson inside
        else:
            _add_layout(check, raw, "")

    if (
        info.channel is Channel.CHECK_PURCHASES_AVAILABLE_FAILURE
        and check.has_value
        and isinstance(check.value, dict)
        and "cause" not in check.value
    ):
        if mode == "faithful":
            check.defect(
                KnownDefect.AVAILABILITY_FAILURE_WITHOUT_CAUSE,
                "bare SimpleError without the `cause` wrapper the example script reads",
                "/cause",
            )
        else:
            check.violations.append(
                Violation(
                    "/cause", "a `cause` wrapper (fixed mode)", "a bare SimpleError", "known defect fixed"
                )
            )
            check.has_value = False  # the fixed schema would repeat the same complaint

    if check.has_value:
        validator = _validator(info.channel, profile, mode)
        if (
            mode == "faithful"
            and info.channel is Channel.CHECK_PURCHASES_AVAILABLE_FAILURE
            and isinstance(check.value, dict)
            and "cause" in check.value
        ):
            check.violations.append(
                Violation(
                    "", "a bare SimpleError (faithful plugin)", "a `cause` wrapper", "that is the fixed shape"
                )
            )
        else:
            for error in sorted(validator.iter_errors(check.value), key=lambda e: list(map(str, e.path))):
                check.violations += _schema_violations(error, kind, check.value, profile)
        check.violations += _semantic_violations(kind, check.value)
    return ContractResult(
        info.channel.value,
        profile,
        mode,
        raw,
        check.is_json,
        check.json_error,
        check.value if check.has_value or check.value is not None else None,
        tuple(check.deviations),
        tuple(check.violations),
    )


def _semantic_violations(kind: PayloadKind, value: Any) -> list[Violation]:
    """Rules a schema cannot say: a Failure's errorCode must be one of §5.1."""
    if kind is PayloadKind.PAYMENT_RESULT and isinstance(value, dict) and value.get("type") == "Failure":
        data = value.get("data")
        code = data.get("errorCode") if isinstance(data, dict) else None
        if isinstance(code, int) and not isinstance(code, bool) and rustore_error(code) is None:
            return [
                Violation("/data/errorCode", "a RuStore error code of §5.1 (400xx–408xx or 50xxx)", str(code))
            ]
    return []


def known_channels() -> list[str]:
    return [c.value for c in CATALOG]
