"""The shell language: quoting, operators, variables, redirections, pipes and unknown commands."""

from __future__ import annotations

import pytest


def test_echo_with_adbutils_exit_suffix(run):
    r = run(lambda r: r.sh("echo hi; echo X4EXIT:$?"))
    assert r.out == "hi\nX4EXIT:0\n"
    assert r.code == 0


def test_unknown_command_answers_like_mksh(run):
    r = run(lambda r: r.sh("frobnicate --now; echo X4EXIT:$?"))
    assert r.err == "/system/bin/sh: frobnicate: inaccessible or not found\n"
    assert r.out == "X4EXIT:127\n"


def test_unknown_command_exit_code(run):
    assert run(lambda r: r.sh("nosuchthing")).code == 127


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("echo 'a  b' \"c  d\" e\\ f", "a  b c  d e f\n"),
        ("A=1; export B=2; echo $A ${B} \"$A$B\" '$A'", "1 2 12 $A\n"),
        ("false || echo alt && echo and", "alt\nand\n"),
        ("true && false; echo $?", "1\n"),
        ("echo $(echo inner) `echo back`", "inner back\n"),
        ("printf '%s-%d\\n' x 5", "x-5\n"),
        ("echo one two | wc -w", "2\n"),
        ("printf 'a\\nb\\nc\\n' | tail -n 1", "c\n"),
        ("printf 'a\\nb\\nc\\n' | head -2", "a\nb\n"),
        ("printf 'foo\\nbar\\n' | grep -v foo", "bar\n"),
        ("which getprop ls", "/system/bin/getprop\n/system/bin/ls\n"),
        ("whoami; id -u 2>/dev/null | head -c 0", "shell\n"),
    ],
)
def test_language(run, line, expected):
    r = run(lambda r: r.sh(line))
    assert r.out == expected, r.err


def test_exit_code_and_exit_builtin(run):
    r = run(lambda r: r.sh("echo a; exit 7; echo never"))
    assert (r.code, r.out) == (7, "a\n")


def test_stderr_redirections(run):
    r = run(lambda r: r.sh("cat /nope 2>/dev/null; echo rc=$?"))
    assert (r.out, r.err) == ("rc=1\n", "")
    r = run(lambda r: r.sh("cat /nope 2>&1"))
    assert r.out == "cat: /nope: No such file or directory\n" and r.err == ""


def test_pty_mode_translates_newlines(run):
    r = run(lambda r: r.sh("echo a; echo b", pty=True))
    assert r.raw == b"a\r\nb\r\n"


def test_interactive_shell_prompts_and_runs_lines(run):
    r = run(lambda r: r.sh(None, stdin=b"echo hello\nexit 4\n"))
    assert r.out.startswith("panther:/ $ ")
    assert "hello\n" in r.out
    assert r.code == 4


def test_syntax_error_is_reported_not_run(run):
    r = run(lambda r: r.sh("echo a |"))
    assert r.code != 0 and "syntax error" in r.err


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[ -d /sdcard ] && echo dir", "dir\n"),
        ("[ -e /nope ] || echo missing", "missing\n"),
        ("test -f /system/etc/hosts && echo file", "file\n"),
        ("[ 3 -gt 2 ] && [ a = a ] && [ ! a != a ] && echo cmp", "cmp\n"),
        ("[ -z '' ] && [ -n x ] && echo strings", "strings\n"),
        ("id -u; id -un", "2000\nshell\n"),
        ("echo $$ | wc -c", "6\n"),
    ],
)
def test_test_builtin_and_id(run, line, expected):
    assert run(lambda r: r.sh(line)).out == expected


def test_interactive_pty_echoes_and_edits(run):
    r = run(lambda r: r.sh(None, stdin=b"echo abX\x7fc\rexit 3\r", pty=True))
    assert r.code == 3
    assert r.raw.startswith(b"panther:/ $ echo abX\b \bc\r\nabc\r\npanther:/ $ exit 3\r\n")


def test_interactive_prompt_follows_cd(run):
    r = run(lambda r: r.sh(None, stdin=b"cd /data/local/tmp\npwd\n"))
    assert "panther:/data/local/tmp $ " in r.out and "/data/local/tmp\n" in r.out


def test_echo_interprets_escapes_like_mksh(run):
    assert run(lambda r: r.sh("echo 'a\\tb'")).out == "a\tb\n"
    assert run(lambda r: r.sh("echo -E 'a\\tb'")).out == "a\\tb\n"
    assert run(lambda r: r.sh("echo -n x")).out == "x"


def test_ls_inside_a_symlinked_directory_lists_its_contents(run):
    out = run(lambda r: r.sh("cd /sdcard && ls -la")).out.splitlines()
    assert out[1].startswith("d") and out[1].endswith(" .")
    assert any(line.endswith(" Download") for line in out)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("for i in 1 2 3; do echo n$i; done", "n1\nn2\nn3\n"),
        ("for x in a b\ndo\n  echo $x\ndone", "a\nb\n"),
        ("if [ -d /sdcard ]; then echo yes; else echo no; fi", "yes\n"),
        ("if false; then echo a; elif true; then echo b; fi", "b\n"),
        ("i=x; while [ $i != xxx ]; do echo w$i; i=${i}x; done", "wx\nwxx\n"),
        ("until true; do echo never; done; echo after", "after\n"),
        ("echo a && (echo b; cd /data; pwd); pwd", "a\nb\n/data\n/\n"),
        ("{ echo g1; echo g2; } | wc -l", "2\n"),
        ("(exit 4); echo $?", "4\n"),
        (
            "for f in /system/etc/*; do echo $f; done > /data/local/tmp/l; cat /data/local/tmp/l",
            "/system/etc/hosts\n",
        ),
        ("echo done fi then", "done fi then\n"),
    ],
)
def test_compound_commands(run, line, expected):
    r = run(lambda r: r.sh(line))
    assert r.out == expected, r.err


@pytest.mark.parametrize(
    "line", ["if true; then echo x", "fi", "for 1x in a; do :; done", "( echo a", "done"]
)
def test_compound_syntax_errors(run, line):
    r = run(lambda r: r.sh(line))
    assert r.code == 2 and "syntax error" in r.err


def test_endless_loop_stops_when_the_client_leaves(device):
    import asyncio

    from .conftest import FakeIO

    async def scenario() -> int:
        io = FakeIO()
        task = asyncio.ensure_future(device.shell("while true; do echo tick; sleep 0.01; done", io))
        while "tick" not in io.out:
            io.wrote.clear()
            await asyncio.wait_for(io.wrote.wait(), 5)
        io.closed.set()
        return await asyncio.wait_for(task, 5)

    assert asyncio.run(scenario()) in (0, 130)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("p=package:com.x; echo ${p#package:}", "com.x\n"),
        ("f=/a/b/c.apk; echo ${f##*/} ${f%/*} ${f%.apk}", "c.apk /a/b /a/b/c\n"),
        ("x=a.b.c; echo ${x%%.*} ${x#*.}", "a b.c\n"),
        ("echo ${unset:-fallback} ${#HOME}", "fallback 1\n"),
        ("v=1; echo ${v:+set}${none:+never}", "set\n"),
    ],
)
def test_parameter_expansion_operators(run, line, expected):
    assert run(lambda r: r.sh(line)).out == expected
