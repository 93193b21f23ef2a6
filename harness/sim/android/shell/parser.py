"""A parser for the subset of mksh that adb clients send.

It produces a small AST; nothing here evaluates anything. Substitutions (``$(…)``, backticks)
are kept as *source text* that the interpreter parses again and runs with emulated commands only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ShellSyntaxError(Exception):
    """mksh prints ``/system/bin/sh: syntax error: …`` and exits 1 (2 for some); we use 1."""


@dataclass
class Lit:
    text: str
    quoted: bool


@dataclass
class Var:
    name: str
    quoted: bool
    op: str | None = None  # ${name<op>arg}: '#', '##', '%', '%%', ':-', '-', ':+', '+', 'len'
    arg: str = ""


@dataclass
class Subst:
    source: str
    quoted: bool


Part = Lit | Var | Subst


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.parts


@dataclass
class Redirect:
    fd: int
    op: str  # '>', '>>', '<', '>&', '<&'
    target: Word


@dataclass
class SimpleCommand:
    assignments: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Subshell:
    """``( list )``: runs in a copy of the shell, so ``cd``/variables/``exit`` stay inside."""

    body: Script
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Group:
    """``{ list; }``: runs in the current shell."""

    body: Script
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class If:
    branches: list[tuple[Script, Script]]  # (condition, body) for if and each elif
    otherwise: Script | None = None
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class For:
    var: str
    items: list[Word] | None  # None: no ``in`` (iterates the positional parameters: none here)
    body: Script
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class While:
    condition: Script
    body: Script
    until: bool = False
    redirects: list[Redirect] = field(default_factory=list)


Command = SimpleCommand | Subshell | Group | If | For | While


@dataclass
class Pipeline:
    commands: list[Command]
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]] = field(default_factory=list)  # ('&&'|'||', pipeline)


Script = list[AndOr]
RESERVED_ENDS = {"then", "elif", "else", "fi", "do", "done", "}"}

_OPERATORS = ("&&", "||", ";;", ">>", ">&", "<&", "<<", ";", "|", "&", "<", ">", "(", ")", "\n")
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + "0123456789"


@dataclass
class _Tok:
    kind: str  # 'word' | 'op' | 'io' (fd number before a redirect)
    value: str = ""
    word: Word | None = None


def _find_closing_paren(src: str, i: int) -> int:
    """Index of the ``)`` closing the ``$(`` whose body starts at ``i``; honours quotes and nesting."""
    depth = 1
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = src.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("unterminated '")
            i = j + 1
            continue
        if c == '"':
            i = _skip_double(src, i + 1)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError("unexpected EOF while looking for matching ')'")


def _skip_double(src: str, i: int) -> int:
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and src.startswith("$(", i):
            i = _find_closing_paren(src, i + 2) + 1
            continue
        i += 1
    raise ShellSyntaxError('unterminated "')


def _read_dollar(src: str, i: int, quoted: bool) -> tuple[Part, int]:
    """Parse what follows a ``$`` at ``src[i]``; returns the part and the next index."""
    nxt = src[i + 1] if i + 1 < len(src) else ""
    if nxt == "(":
        if src.startswith("$((", i):
            raise ShellSyntaxError("arithmetic expansion is not supported")
        end = _find_closing_paren(src, i + 2)
        return Subst(src[i + 2 : end], quoted), end + 1
    if nxt == "{":
        end = src.find("}", i + 2)
        if end < 0:
            raise ShellSyntaxError("missing }")
        body = src[i + 2 : end]
        if body.startswith("#") and len(body) > 1:
            if not all(c in _NAME_CHARS for c in body[1:]):
                raise ShellSyntaxError(f"${{{body}}}: bad substitution")
            return Var(body[1:], quoted, "len"), end + 1
        j = 0
        while j < len(body) and body[j] in _NAME_CHARS:
            j += 1
        name, rest = (body[:j], body[j:]) if j else (body[:1], body[1:])
        if not name or not (all(c in _NAME_CHARS for c in name) or name in ("?", "$", "#", "!", "@", "*")):
            raise ShellSyntaxError(f"${{{body}}}: bad substitution")
        if not rest:
            return Var(name, quoted), end + 1
        op = next((o for o in ("##", "%%", ":-", ":+", "#", "%", "-", "+") if rest.startswith(o)), None)
        if op is None:
            raise ShellSyntaxError(f"${{{body}}}: bad substitution")
        return Var(name, quoted, op, rest[len(op) :]), end + 1
    if nxt and nxt in "?$#!@*0123456789-":
        return Var(nxt, quoted), i + 2
    if nxt and nxt in _NAME_START:
        j = i + 1
        while j < len(src) and src[j] in _NAME_CHARS:
            j += 1
        return Var(src[i + 1 : j], quoted), j
    return Lit("$", quoted), i + 1


def _flush(word: Word, buf: list[str]) -> None:
    if buf:
        word.parts.append(Lit("".join(buf), False))
        buf.clear()


def tokenize(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c in " \t":
            i += 1
            continue
        if c == "#":
            while i < n and src[i] != "\n":
                i += 1
            continue
        if c == "\\" and i + 1 < n and src[i + 1] == "\n":
            i += 2
            continue
        op = next((o for o in _OPERATORS if src.startswith(o, i)), None)
        if op is not None:
            toks.append(_Tok("op", op))
            i += len(op)
            continue
        # a word; an all-digit word directly followed by < or > is an fd number
        word = Word()
        buf: list[str] = []

        while i < n:
            c = src[i]
            if c in " \t\n" or any(src.startswith(o, i) for o in _OPERATORS):
                break
            if c == "\\":
                _flush(word, buf)
                if i + 1 < n:
                    word.parts.append(Lit(src[i + 1], True))
                i += 2
            elif c == "'":
                _flush(word, buf)
                j = src.find("'", i + 1)
                if j < 0:
                    raise ShellSyntaxError("unterminated '")
                word.parts.append(Lit(src[i + 1 : j], True))
                if j == i + 1:
                    word.parts.append(Lit("", True))
                i = j + 1
            elif c == '"':
                _flush(word, buf)
                i = _read_double(src, i + 1, word)
            elif c == "$":
                _flush(word, buf)
                part, i = _read_dollar(src, i, False)
                word.parts.append(part)
            elif c == "`":
                _flush(word, buf)
                j = src.find("`", i + 1)
                if j < 0:
                    raise ShellSyntaxError("unterminated `")
                word.parts.append(Subst(src[i + 1 : j], False))
                i = j + 1
            else:
                buf.append(c)
                i += 1
        _flush(word, buf)
        only_digits = (
            len(word.parts) == 1
            and isinstance(word.parts[0], Lit)
            and not word.parts[0].quoted
            and word.parts[0].text.isdigit()
        )
        if only_digits and i < n and src[i] in "<>":
            toks.append(_Tok("io", word.parts[0].text))  # type: ignore[union-attr]
        else:
            toks.append(_Tok("word", word=word))
    return toks


def _read_double(src: str, i: int, word: Word) -> int:
    buf: list[str] = []
    start_parts = len(word.parts)

    def flush() -> None:
        if buf:
            word.parts.append(Lit("".join(buf), True))
            buf.clear()

    while i < len(src):
        c = src[i]
        if c == '"':
            flush()
            if len(word.parts) == start_parts:
                word.parts.append(Lit("", True))
            return i + 1
        if c == "\\" and i + 1 < len(src) and src[i + 1] in '$`"\\\n':
            if src[i + 1] != "\n":
                buf.append(src[i + 1])
            i += 2
        elif c == "$":
            flush()
            part, i = _read_dollar(src, i, True)
            word.parts.append(part)
        elif c == "`":
            flush()
            j = src.find("`", i + 1)
            if j < 0:
                raise ShellSyntaxError("unterminated `")
            word.parts.append(Subst(src[i + 1 : j], True))
            i = j + 1
        else:
            buf.append(c)
            i += 1
    raise ShellSyntaxError('unterminated "')


def _assignment(word: Word) -> tuple[str, Word] | None:
    first = word.parts[0] if word.parts else None
    if not isinstance(first, Lit) or first.quoted or "=" not in first.text:
        return None
    name, _, rest = first.text.partition("=")
    if not name or name[0] not in _NAME_START or not all(c in _NAME_CHARS for c in name):
        return None
    value = Word(([Lit(rest, False)] if rest else []) + word.parts[1:])
    return name, value


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def peek_op(self) -> str | None:
        t = self.peek()
        return t.value if t is not None and t.kind == "op" else None

    def script(self) -> Script:
        items = self.compound_list(set(), top=True)
        if self.peek() is not None:
            t = self.peek()
            shown = t.value if t is not None and t.kind == "op" else _plain(t) if t is not None else "EOF"
            raise ShellSyntaxError(f"syntax error: '{shown}' unexpected")
        return items

    def _at_word(self, words: set[str]) -> str | None:
        t = self.peek()
        word = _plain(t) if t is not None and t.kind == "word" else None
        return word if word in words else None

    def compound_list(self, stop_words: set[str], top: bool = False, stop_paren: bool = False) -> Script:
        """``and_or`` items separated by ``;``/newline/``&`` until a stop word (``then``, ``done``…)."""
        items: Script = []
        while True:
            while self.peek_op() in (";", "\n", "&"):
                if self.peek_op() in (";", "&") and not items:
                    raise ShellSyntaxError(f"syntax error: '{self.peek_op()}' unexpected")
                self.i += 1
            t = self.peek()
            if t is None:
                if not top:
                    raise ShellSyntaxError("syntax error: unexpected end of input")
                return items
            if self._at_word(stop_words) or (stop_paren and self.peek_op() == ")"):
                return items
            if self._at_word(RESERVED_ENDS) and not self._at_word(stop_words):
                raise ShellSyntaxError(f"syntax error: '{_plain(t)}' unexpected")
            items.append(self.and_or())
            op = self.peek_op()
            if op is None and self.peek() is not None:
                if self._at_word(stop_words):
                    return items
                raise ShellSyntaxError("syntax error")
            if op is not None and op not in (";", "\n", "&") and not (stop_paren and op == ")"):
                raise ShellSyntaxError(f"syntax error: '{op}' unexpected")

    def expect_word(self, word: str) -> None:
        if self._at_word({word}) is None:
            t = self.peek()
            shown = "end of input" if t is None else (t.value if t.kind == "op" else _plain(t) or "word")
            raise ShellSyntaxError(f"syntax error: '{shown}' unexpected (expecting '{word}')")
        self.i += 1

    def command(self) -> Command:
        if self.peek_op() == "(":
            self.i += 1
            body = self.compound_list(set(), stop_paren=True)
            if self.peek_op() != ")":
                raise ShellSyntaxError("syntax error: ')' expected")
            self.i += 1
            return Subshell(body, self.redirects())
        word = self._at_word({"{", "if", "for", "while", "until"})
        if word == "{":
            self.i += 1
            body = self.compound_list({"}"})
            self.expect_word("}")
            return Group(body, self.redirects())
        if word == "if":
            self.i += 1
            branches = []
            otherwise = None
            cond = self.compound_list({"then"})
            self.expect_word("then")
            branches.append((cond, self.compound_list({"elif", "else", "fi"})))
            while self._at_word({"elif"}):
                self.i += 1
                cond = self.compound_list({"then"})
                self.expect_word("then")
                branches.append((cond, self.compound_list({"elif", "else", "fi"})))
            if self._at_word({"else"}):
                self.i += 1
                otherwise = self.compound_list({"fi"})
            self.expect_word("fi")
            return If(branches, otherwise, self.redirects())
        if word == "for":
            self.i += 1
            t = self.peek()
            name = _plain(t) if t is not None and t.kind == "word" else None
            if not name or not all(c in _NAME_CHARS for c in name) or name[0] not in _NAME_START:
                raise ShellSyntaxError("syntax error: bad for loop variable")
            self.i += 1
            items: list[Word] | None = None
            while self.peek_op() == "\n":
                self.i += 1
            if self._at_word({"in"}):
                self.i += 1
                items = []
                while (t := self.peek()) is not None and t.kind == "word" and t.word is not None:
                    items.append(t.word)
                    self.i += 1
            while self.peek_op() in (";", "\n"):
                self.i += 1
            self.expect_word("do")
            body = self.compound_list({"done"})
            self.expect_word("done")
            return For(name, items, body, self.redirects())
        if word in ("while", "until"):
            self.i += 1
            cond = self.compound_list({"do"})
            self.expect_word("do")
            body = self.compound_list({"done"})
            self.expect_word("done")
            return While(cond, body, word == "until", self.redirects())
        return self.simple()

    def redirects(self) -> list[Redirect]:
        """Redirections after a compound command (``done > file``)."""
        out: list[Redirect] = []
        while (t := self.peek()) is not None and (
            t.kind == "io" or (t.kind == "op" and t.value in ("<", ">", ">>", ">&", "<&"))
        ):
            out.append(self.redirect())
        return out

    def redirect(self) -> Redirect:
        t = self.peek()
        assert t is not None
        fd: int | None = None
        if t.kind == "io":
            fd = int(t.value)
            self.i += 1
            t = self.peek()
            if t is None or t.kind != "op":
                raise ShellSyntaxError("syntax error: redirection")
        op = t.value
        if op == "<<":
            raise ShellSyntaxError("here documents are not supported")
        self.i += 1
        target = self.peek()
        if target is None or target.kind != "word" or target.word is None:
            raise ShellSyntaxError(f"syntax error: '{op}' unexpected")
        self.i += 1
        return Redirect(fd if fd is not None else (0 if op[0] == "<" else 1), op, target.word)

    def and_or(self) -> AndOr:
        node = AndOr(self.pipeline())
        while self.peek_op() in ("&&", "||"):
            op = self.peek_op()
            self.i += 1
            while self.peek_op() == "\n":
                self.i += 1
            assert op is not None
            node.rest.append((op, self.pipeline()))
        return node

    def pipeline(self) -> Pipeline:
        negate = False
        t = self.peek()
        if t is not None and t.kind == "word" and _plain(t) == "!":
            negate = True
            self.i += 1
        cmds = [self.command()]
        while self.peek_op() == "|":
            self.i += 1
            while self.peek_op() == "\n":
                self.i += 1
            cmds.append(self.command())
        return Pipeline(cmds, negate)

    def simple(self) -> SimpleCommand:
        cmd = SimpleCommand()
        while True:
            t = self.peek()
            if t is None:
                break
            if t.kind == "io" or (t.kind == "op" and t.value in ("<", ">", ">>", ">&", "<&", "<<")):
                cmd.redirects.append(self.redirect())
                continue
            if t.kind == "op":
                if t.value in ("(", ";;"):
                    raise ShellSyntaxError(f"syntax error: '{t.value}' unexpected")
                break
            assert t.word is not None
            if not cmd.words:
                assignment = _assignment(t.word)
                if assignment is not None:
                    cmd.assignments.append(assignment)
                    self.i += 1
                    continue
            cmd.words.append(t.word)
            self.i += 1
        if not cmd.words and not cmd.assignments and not cmd.redirects:
            t = self.peek()
            shown = t.value if t is not None and t.kind == "op" else "newline"
            raise ShellSyntaxError(f"syntax error: '{shown}' unexpected")
        return cmd


def _plain(t: _Tok) -> str | None:
    if t.word is None or len(t.word.parts) != 1:
        return None
    p = t.word.parts[0]
    return p.text if isinstance(p, Lit) and not p.quoted else None


def parse(src: str) -> Script:
    """Parse a command line into an AST; raises :class:`ShellSyntaxError`."""
    try:
        return _Parser(tokenize(src)).script()
    except RecursionError:
        raise ShellSyntaxError("syntax error: nesting too deep") from None
