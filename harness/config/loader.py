"""Load `devices.yaml`: YAML nodes → values with line marks → typed model, one clear error.

Every bad input raises `ConfigError` whose text is `FILE:LINE: FIELD: PROBLEM`, e.g.
`devices.yaml:7: pools.virtual.count: expected an integer >= 1, found 0`. When a file
has several problems the first one (by line) is reported: fixing files one message at a
time is what people do anyway, and one message is one thing to read.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from harness.config.models import POOL_KINDS, POOL_NAME_PATTERN, DevicesConfig, VirtualPool
from harness.config.secrets import InterpolationError, Secret, interpolate

PathKey = tuple[str | int, ...]


class ConfigError(Exception):
    """A devices file problem; `str()` is the one message users see."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


@dataclass(frozen=True)
class _Marks:
    """Line numbers (1-based) of each value and each mapping key, by path."""

    value: dict[PathKey, int]
    key: dict[PathKey, int]

    def line(self, path: PathKey, prefer_key: bool = False) -> int:
        """The best line for a path: its key or value, else the nearest ancestor's."""
        while True:
            table = (self.key, self.value) if prefer_key else (self.value, self.key)
            for marks in table:
                if path in marks:
                    return marks[path]
            if not path:
                return 1
            path = path[:-1]


def _describe(value: Any) -> str:
    if isinstance(value, Secret):
        return repr(value.template)
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return repr(value) if value else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


# Where `${ENV}` may appear: remote pool url and node_url (the pool's and its devices'),
# credentials and capabilities (any depth).
def _interpolation_allowed(path: PathKey) -> bool:
    if len(path) >= 3 and path[0] == "pools":
        rest = path[2:]
        if rest in (("url",), ("node_url",)) or (rest[0] == "credentials" and len(rest) == 2):
            return True
        if len(rest) == 3 and rest[0] == "devices" and rest[2] == "node_url":
            return True
        if rest[0] == "capabilities" or (
            len(rest) >= 3 and rest[0] == "devices" and rest[2] == "capabilities"
        ):
            return True
    return False


def _is_credential(path: PathKey) -> bool:
    return len(path) == 4 and path[0] == "pools" and path[2] == "credentials"


class _Builder:
    """Walks YAML nodes into plain values, recording marks and interpolating `${ENV}`."""

    def __init__(self, loader: yaml.SafeLoader, filename: str, env: Mapping[str, str]) -> None:
        self.loader, self.filename, self.env = loader, filename, env
        self.marks = _Marks({}, {})

    def fail(self, line: int, path: PathKey, problem: str) -> ConfigError:
        return ConfigError(f"{self.filename}:{line}: {dotted(path)}: {problem}")

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.marks.value[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            own: dict[Any, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                    key = self.loader.construct_object(key_node)
                    if key in own:
                        raise self.fail(
                            key_node.start_mark.line + 1,
                            (*path, str(key)),
                            f"duplicate key {key!r} (first at line {own[key]})",
                        )
                    own[key] = key_node.start_mark.line + 1
            self.loader.flatten_mapping(node)  # YAML merge keys (<<: *defaults)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    raise self.fail(key_node.start_mark.line + 1, path, f"expected a text key, found {key!r}")
                self.marks.key[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self.loader.construct_object(node, deep=True)
        line = node.start_mark.line + 1
        if isinstance(value, str) and "${" in value:
            if not _interpolation_allowed(path):
                raise self.fail(
                    line,
                    path,
                    "${...} environment references are allowed only in a remote pool's url, "
                    "node_url, credentials and capabilities",
                )
            try:
                return interpolate(value, self.env)
            except InterpolationError as exc:
                raise self.fail(line, path, str(exc)) from None
        if _is_credential(path):
            raise self.fail(
                line,
                path,
                "credentials must come from the environment: write ${NAME} and export NAME "
                "(a secret written in the file would end up in version control)",
            )
        return value


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _unwrap(annotation: Any) -> list[Any]:
    """Component types of an annotation (Optional/Union/Annotated flattened)."""
    origin = get_origin(annotation)
    if origin is None:
        return [annotation]
    if str(origin) in ("typing.Annotated",) or getattr(origin, "__name__", "") == "Annotated":
        return _unwrap(get_args(annotation)[0])
    if origin in (list, dict):
        return [annotation]
    out: list[Any] = []
    for arg in get_args(annotation):
        out += _unwrap(arg)
    return out


def _model_at(path: PathKey, data: Any) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path` (None for free-form mappings)."""
    current: Any = DevicesConfig
    node = data
    for part in path:
        candidates = _unwrap(current)
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if models and isinstance(part, str):
            model = _pick_model(models, node)
            if model is None or part not in model.model_fields:
                return None
            current = model.model_fields[part].annotation
        else:
            containers = [c for c in candidates if get_origin(c) in (list, dict)]
            if not containers:
                return None
            args = get_args(containers[0])
            current = args[-1]
        node = _get(node, (part,))
    models = [c for c in _unwrap(current) if isinstance(c, type) and issubclass(c, BaseModel)]
    return _pick_model(models, node) if models else None


def _pick_model(models: list[type[BaseModel]], node: Any) -> type[BaseModel] | None:
    if len(models) == 1:
        return models[0]
    kind = node.get("kind") if isinstance(node, dict) else None
    for model in models:
        field = model.model_fields.get("kind")
        if field is not None and kind in get_args(field.annotation):
            return model
    return None


def _get(data: Any, path: PathKey) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _normalize_loc(loc: tuple[Any, ...], data: Any) -> PathKey:
    """Drop the union tag pydantic inserts into the path of a pool (`pools.usb.adb.devices`)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            len(out) == 2
            and out[0] == "pools"
            and part in POOL_KINDS
            and i == 2
            and isinstance(_get(data, tuple(out)), dict)
        ):
            continue
        out.append(part if isinstance(part, int) else str(part))
    return tuple(out)


_LITERAL_VALUES = re.compile(r"'([^']*)'|(\d+)")


def _pydantic_message(error: Any, data: Any) -> tuple[PathKey, bool, str]:
    """(path, point at the key line?, problem) for one pydantic error."""
    kind, ctx = error["type"], error.get("ctx", {})
    path = _normalize_loc(error["loc"], data)
    value = error.get("input")
    found = _describe(_get(data, path)) if kind != "missing" else ""
    if kind == "extra_forbidden":
        model = _model_at(path[:-1], data)
        allowed = _field_names(model) if model else []
        hint = did_you_mean(str(path[-1]), allowed)
        listing = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return path, True, f"unknown key {path[-1]!r}{hint}{listing}"
    if kind == "missing":
        return path, True, "missing required key"
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        return (
            (*path, "kind"),
            False,
            f"unknown kind {tag!r}{did_you_mean(str(tag), POOL_KINDS)}; "
            f"expected one of: {', '.join(POOL_KINDS)}",
        )
    if kind == "union_tag_not_found":
        return (*path, "kind"), True, f"missing required key; expected one of: {', '.join(POOL_KINDS)}"
    if kind in ("int_type", "int_parsing"):
        return path, False, f"expected an integer, found {found}"
    if kind == "string_type":
        return path, False, f"expected a string, found {found}"
    if kind == "bool_type":
        return path, False, f"expected true or false, found {found}"
    if kind == "list_type":
        return path, False, f"expected a list, found {found}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return path, False, f"expected a mapping, found {found}"
    if kind == "literal_error":
        options = [a or b for a, b in _LITERAL_VALUES.findall(str(ctx.get("expected", "")))]
        if path == ("version",):
            return path, False, f"unsupported version {found}; this harness reads version 1"
        hint = did_you_mean(str(value), options) if isinstance(value, str) else ""
        if isinstance(value, int | float) and not isinstance(value, bool) and not options[0].isdigit():
            hint = " (YAML read a number: quote the value)"
        return path, False, f"expected one of {', '.join(options)}, found {found}{hint}"
    if kind == "greater_than_equal":
        return path, False, f"expected an integer >= {ctx.get('ge')}, found {found}"
    if kind == "less_than_equal":
        return path, False, f"expected an integer <= {ctx.get('le')}, found {found}"
    if kind == "too_short":
        what = "pool" if path == ("pools",) else "item"
        return path, False, f"expected at least {ctx.get('min_length')} {what}, found none"
    if kind == "string_too_short":
        return path, False, f"expected a non-empty string, found {found}"
    if kind == "value_error":
        return path, False, str(error["msg"]).removeprefix("Value error, ")
    return path, False, f"{error['msg']}, found {found}"


def _semantic_checks(config: DevicesConfig, data: dict[str, Any], builder: _Builder) -> None:
    marks, fail = builder.marks, builder.fail
    for name in config.pools:
        if not POOL_NAME_PATTERN.fullmatch(name):
            raise fail(
                marks.line(("pools", name), prefer_key=True),
                ("pools", name),
                "pool names start with a letter and use letters, digits, - and _",
            )
    if config.default_pool not in config.pools:
        raise fail(
            marks.line(("default_pool",)),
            ("default_pool",),
            f"unknown pool {config.default_pool!r}{did_you_mean(config.default_pool, config.pools)}; "
            f"pools in this file: {', '.join(sorted(config.pools))}",
        )
    for name, pool in config.pools.items():
        field, label = {
            "adb": ("serial", "serial"),
            "emulator": ("avd", "AVD"),
            "remote": ("name", "device name"),
        }.get(pool.kind, ("", ""))
        if not field:
            continue
        seen: dict[str, int] = {}
        for i, device in enumerate(getattr(pool, "devices", [])):
            key = getattr(device, field)
            path: PathKey = ("pools", name, "devices", i, field)
            if key in seen:
                raise fail(
                    marks.line(path),
                    path,
                    f"duplicate {label} {key!r} in pool {name!r} (already at line {seen[key]})",
                )
            seen[key] = marks.line(path)
    for pool_name, apk in config.app.apk.items():
        path = ("app", "apk", pool_name)
        if pool_name not in config.pools:
            raise fail(
                marks.line(path, prefer_key=True),
                path,
                f"unknown pool {pool_name!r}{did_you_mean(pool_name, config.pools)}; "
                f"pools in this file: {', '.join(sorted(config.pools))}",
            )
        if apk == "auto" and not isinstance(config.pools[pool_name], VirtualPool):
            raise fail(
                marks.line(path),
                path,
                f"'auto' builds the APK for virtual pools only; give the path of an .apk "
                f"for pool {pool_name!r} (kind {config.pools[pool_name].kind})",
            )
        if apk != "auto" and not apk.endswith(".apk"):
            raise fail(marks.line(path), path, f"expected 'auto' or a path ending in .apk, found {apk!r}")


def parse_config(
    text: str, filename: str = "devices.yaml", env: Mapping[str, str] | None = None
) -> DevicesConfig:
    """Parse devices-file text; `filename` only labels messages."""
    env = os.environ if env is None else env
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1"
            problem = exc.problem or "invalid YAML"
            context = f" ({exc.context})" if exc.context else ""
            raise ConfigError(f"{filename}:{where}: YAML syntax error: {problem}{context}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{filename}:1: YAML error: {exc}") from None
        builder = _Builder(loader, filename, env)
        if node is None:
            raise ConfigError(
                f"{filename}:1: (top level): the file is empty; expected a mapping with "
                "default_pool, app and pools (see docs/devices-yaml.md)"
            )
        try:
            data = builder.build(node, ())
        except yaml.constructor.ConstructorError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise ConfigError(f"{filename}:{line}: YAML error: {exc.problem}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}:1: (top level): expected a mapping, found {_describe(data)}")
    try:
        config = DevicesConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            path, prefer_key, problem = _pydantic_message(error, data)
            problems.append((builder.marks.line(path, prefer_key), path, problem))
        line, path, problem = min(problems, key=lambda p: p[0])
        raise ConfigError(f"{filename}:{line}: {dotted(path)}: {problem}") from None
    _semantic_checks(config, data, builder)
    return config


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> DevicesConfig:
    """Read and validate a devices file; every problem is a ConfigError with file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (pass --devices-file, or create devices.yaml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    config = parse_config(text, str(path), env)
    config._source = path.resolve()
    return config
