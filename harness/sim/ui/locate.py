"""Finding native views the way the UiAutomator2 server does: id, accessibility id, class, XPath, UiSelector.

XPath runs over exactly the page source Appium users see (lxml, XPath 1.0), with each
element mapped back to its view. ``-android uiautomator`` selectors are parsed — never
evaluated as code — into a chain of predicates: ``new UiSelector().text("Pay")
.className("android.widget.Button").childSelector(new UiSelector().index(0))``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from harness.sim.ui.hierarchy_xml import uia2_page_source
from harness.sim.ui.views import View, Window


class InvalidSelector(ValueError):
    """The locator cannot be parsed (the server answers `invalid selector`)."""


@dataclass(frozen=True)
class Found:
    window: Window
    view: View


def _visible_views(windows: Sequence[Window]) -> list[Found]:
    found: list[Found] = []

    def visit(window: Window, view: View) -> None:
        if not view.visible:
            return
        found.append(Found(window, view))
        for child in view.children:
            visit(window, child)

    for window in windows:
        visit(window, window.root)
    return found


def by_id(windows: Sequence[Window], selector: str, default_package: str = "") -> list[Found]:
    """``resource-id`` equality; a bare id gets the app package prefix like the real server adds."""
    wanted = {selector}
    if ":id/" not in selector:
        for w in windows:
            wanted.add(f"{w.package}:id/{selector}")
        if default_package:
            wanted.add(f"{default_package}:id/{selector}")
    return [f for f in _visible_views(windows) if f.view.resource_id in wanted]


def by_accessibility_id(windows: Sequence[Window], selector: str) -> list[Found]:
    return [f for f in _visible_views(windows) if f.view.content_desc == selector]


def by_class_name(windows: Sequence[Window], selector: str) -> list[Found]:
    return [f for f in _visible_views(windows) if f.view.class_name == selector]


def by_xpath(windows: Sequence[Window], expression: str, width: int, height: int) -> list[Found]:
    """XPath over the UiAutomator2 page source; results in document order."""
    source = uia2_page_source(windows, width, height)
    doc = etree.fromstring(source.encode("utf-8"))
    ordered = [f for f in _visible_views(windows)]
    elements = [el for el in doc.iter() if el is not doc]
    if len(elements) != len(ordered):  # the source and the view walk must agree one to one
        raise RuntimeError("page source and view tree disagree")
    mapping = {id(el): found for el, found in zip(elements, ordered, strict=True)}
    try:
        result = doc.xpath(expression)
    except etree.XPathError as exc:
        raise InvalidSelector(f"Unable to locate element: invalid XPath {expression!r}: {exc}") from exc
    if not isinstance(result, list):
        raise InvalidSelector(f"XPath {expression!r} does not select elements")
    return [mapping[id(el)] for el in result if isinstance(el, etree._Element) and id(el) in mapping]


# -- UiSelector ---------------------------------------------------------------------------

Predicate = Callable[[View, int], bool]  # view, index among its parent's visible children


@dataclass
class UiSelector:
    predicates: list[Predicate] = field(default_factory=list)
    instance: int | None = None
    child: UiSelector | None = None
    from_parent: UiSelector | None = None


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<new>new\s+UiSelector\s*\(\s*\))
      | (?P<dot>\.)
      | (?P<name>[A-Za-z_]\w*)
      | (?P<lp>\()
      | (?P<rp>\))
      | (?P<str>"(?:[^"\\]|\\.)*")
      | (?P<num>-?\d+)
      | (?P<semi>;)
    )""",
    re.VERBOSE,
)

_TEXT_PREDICATES: dict[str, Callable[[str, str], bool]] = {
    "": lambda have, want: have == want,
    "Contains": lambda have, want: want in have,
    "StartsWith": lambda have, want: have.startswith(want),
    "Matches": lambda have, want: re.fullmatch(want, have) is not None,
}
_TEXT_FIELDS: dict[str, Callable[[View], str]] = {
    "text": lambda v: v.text,
    "description": lambda v: v.content_desc,
    "resourceId": lambda v: v.resource_id,
    "className": lambda v: v.class_name,
}
_BOOL_FIELDS: dict[str, Callable[[View], bool]] = {
    "clickable": lambda v: v.clickable,
    "enabled": lambda v: v.enabled,
    "checked": lambda v: v.checked,
    "checkable": lambda v: v.checkable,
    "focusable": lambda v: v.focusable,
    "focused": lambda v: v.focused,
    "selected": lambda v: v.selected,
    "scrollable": lambda v: v.scrollable,
    "longClickable": lambda v: v.long_clickable,
}


def _text_predicate(
    getter: Callable[[View], str], compare: Callable[[str, str], bool], want: str
) -> Predicate:
    return lambda view, _index: compare(getter(view), want)


def _bool_predicate(getter: Callable[[View], bool], want: bool) -> Predicate:
    return lambda view, _index: getter(view) == want


def _index_predicate(want: int) -> Predicate:
    return lambda _view, index: index == want


def _tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise InvalidSelector(f"cannot parse UiSelector {text!r} at position {pos}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def fail(self, what: str) -> InvalidSelector:
        return InvalidSelector(f"invalid UiSelector {self.text!r}: {what}")

    def take(self, kind: str) -> str:
        if self.i >= len(self.toks) or self.toks[self.i][0] != kind:
            got = self.toks[self.i][1] if self.i < len(self.toks) else "end of input"
            raise self.fail(f"expected {kind}, found {got!r}")
        self.i += 1
        return self.toks[self.i - 1][1]

    def peek(self) -> str:
        return self.toks[self.i][0] if self.i < len(self.toks) else ""

    def selector(self) -> UiSelector:
        self.take("new")
        sel = UiSelector()
        while self.peek() == "dot":
            self.take("dot")
            method = self.take("name")
            self.take("lp")
            self.apply(sel, method)
            self.take("rp")
        return sel

    def argument(self) -> str | int | bool:
        kind = self.peek()
        if kind == "str":
            raw = self.take("str")[1:-1]
            return re.sub(r"\\(.)", r"\1", raw)
        if kind == "num":
            return int(self.take("num"))
        if kind == "name":
            word = self.take("name")
            if word in ("true", "false"):
                return word == "true"
        raise self.fail("expected a string, number or boolean argument")

    def apply(self, sel: UiSelector, method: str) -> None:
        if method in ("childSelector", "fromParent"):
            nested = self.selector()
            if method == "childSelector":
                sel.child = nested
            else:
                sel.from_parent = nested
            return
        arg = self.argument()
        for field_name, getter in _TEXT_FIELDS.items():
            for suffix, compare in _TEXT_PREDICATES.items():
                if method == field_name + suffix:
                    if not isinstance(arg, str):
                        raise self.fail(f"{method} takes a string")
                    sel.predicates.append(_text_predicate(getter, compare, arg))
                    return
        if method in _BOOL_FIELDS:
            if not isinstance(arg, bool):
                raise self.fail(f"{method} takes true or false")
            sel.predicates.append(_bool_predicate(_BOOL_FIELDS[method], arg))
            return
        if method == "index" and isinstance(arg, int):
            sel.predicates.append(_index_predicate(arg))
            return
        if method == "instance" and isinstance(arg, int):
            sel.instance = arg
            return
        raise self.fail(f"unsupported method {method}")


def parse_ui_selector(text: str) -> UiSelector:
    parser = _Parser(text.strip().rstrip(";"))
    sel = parser.selector()
    if parser.i != len(parser.toks):
        raise parser.fail("unexpected text after the selector")
    return sel


def _matches(
    sel: UiSelector, scope: list[tuple[Found, int, Found | None]]
) -> list[tuple[Found, int, Found | None]]:
    hits = [entry for entry in scope if all(p(entry[0].view, entry[1]) for p in sel.predicates)]
    if sel.instance is not None:
        hits = hits[sel.instance : sel.instance + 1]
    return hits


def _descendants(root: Found) -> list[tuple[Found, int, Found | None]]:
    out: list[tuple[Found, int, Found | None]] = []

    def visit(parent: Found) -> None:
        visible = [c for c in parent.view.children if c.visible]
        for i, child in enumerate(visible):
            found = Found(parent.window, child)
            out.append((found, i, parent))
            visit(found)

    visit(root)
    return out


def by_ui_selector(windows: Sequence[Window], text: str) -> list[Found]:
    sel = parse_ui_selector(text)
    scope: list[tuple[Found, int, Found | None]] = []
    for i, window in enumerate(windows):
        if window.root.visible:
            top = Found(window, window.root)
            scope.append((top, i, None))
            scope.extend(_descendants(top))
    hits = _matches(sel, scope)
    while sel.child is not None or sel.from_parent is not None:
        if sel.child is not None:
            sel = sel.child
            hits = _matches(sel, [d for h in hits for d in _descendants(h[0])])
        elif sel.from_parent is not None:
            sel = sel.from_parent
            parents = [h[2] for h in hits if h[2] is not None]
            hits = _matches(sel, [d for p in parents for d in _descendants(p)])
    seen: set[int] = set()
    unique: list[Found] = []
    for found, _i, _p in hits:
        if id(found.view) not in seen:
            seen.add(id(found.view))
            unique.append(found)
    return unique
