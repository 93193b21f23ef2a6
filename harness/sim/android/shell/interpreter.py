"""Runs the parsed AST against emulated commands only.

There is deliberately no path from here to the host: a command name is looked up in
:data:`COMMANDS` (a dict of Python coroutines) and nothing else; file names are device paths in
the in-memory file system.
"""

from __future__ import annotations

import asyncio
import fnmatch
import posixpath
from typing import Any

from harness.sim.android.shell.context import Ctx, UsageError
from harness.sim.android.shell.parser import (
    AndOr,
    Command,
    For,
    Group,
    If,
    Lit,
    Pipeline,
    Redirect,
    Script,
    ShellSyntaxError,
    SimpleCommand,
    Subshell,
    Subst,
    Var,
    Word,
    parse,
)
from harness.sim.android.shell.registry import COMMANDS
from harness.sim.android.shell.streams import (
    BytesIn,
    Capture,
    EmptyIn,
    InStream,
    NullOut,
    OutStream,
    Pipe,
)

SH = "/system/bin/sh"
MAX_SUBST_DEPTH = 8


class ShellExit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class FileOut:
    """``> file`` / ``>> file``: appended to the device file as the command writes."""

    def __init__(self, shell: Shell, path: str) -> None:
        self.shell = shell
        self.path = path

    async def write(self, data: bytes) -> None:
        self.shell.device.fs.append(self.path, data)


async def _linked(parent: asyncio.Event, child: asyncio.Event) -> None:
    await parent.wait()
    child.set()


class Shell:
    """One shell session: variables, ``$?`` and the working directory."""

    def __init__(self, device: Any, *, uid: int = 2000, user: str = "shell", depth: int = 0) -> None:
        self.device = device
        self.uid = uid
        self.user = user
        self.depth = depth
        self.status = 0
        self.cwd = "/"
        self.stdin_leftover = b""
        self.env: dict[str, str] = {
            "PATH": "/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:"
            "/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin",
            "HOME": "/",
            "SHELL": SH,
            "USER": user,
            "LOGNAME": user,
            "HOSTNAME": device.profile.device,
            "TMPDIR": "/data/local/tmp",
            "ANDROID_DATA": "/data",
            "ANDROID_ROOT": "/system",
            "EXTERNAL_STORAGE": "/sdcard",
        }

    # --- entry points ----------------------------------------------------------------------------
    async def run_source(
        self, source: str, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        try:
            script = parse(source)
        except ShellSyntaxError as exc:
            await stderr.write(f"{SH}: {exc}\n".encode())
            self.status = 1 if "syntax error" not in str(exc) else 2
            return self.status
        return await self.run_script(script, stdin, stdout, stderr, closed)

    async def run_script(
        self, script: Script, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        for item in script:
            if closed.is_set():
                break
            self.status = await self.run_and_or(item, stdin, stdout, stderr, closed)
        return self.status

    async def run_command(
        self, cmd: Command, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        """One pipeline element: a simple command or a compound one (if/for/while/( )/{ })."""
        if isinstance(cmd, SimpleCommand):
            return await self.run_simple(cmd, stdin, stdout, stderr, closed)
        try:
            stdin, stdout, stderr = await self._open_redirects(cmd.redirects, stdin, stdout, stderr, closed)
        except UsageError as exc:
            await stderr.write((str(exc) + "\n").encode())
            return 1
        if isinstance(cmd, Subshell):
            sub = self.subshell()
            try:
                return await sub.run_script(cmd.body, stdin, stdout, stderr, closed)
            except ShellExit as exc:
                return exc.code
        if isinstance(cmd, Group):
            return await self.run_script(cmd.body, stdin, stdout, stderr, closed)
        if isinstance(cmd, If):
            for condition, body in cmd.branches:
                if await self.run_script(condition, stdin, stdout, stderr, closed) == 0:
                    return await self.run_script(body, stdin, stdout, stderr, closed)
            if cmd.otherwise is not None:
                return await self.run_script(cmd.otherwise, stdin, stdout, stderr, closed)
            return 0
        if isinstance(cmd, For):
            values: list[str] = []
            for word in cmd.items or []:
                values.extend(await self.expand_word(word, closed))
            status = 0
            for value in values:
                if closed.is_set():
                    break
                self.env[cmd.var] = value
                status = await self.run_script(cmd.body, stdin, stdout, stderr, closed)
                await asyncio.sleep(0)  # let other sessions run between iterations
            return status
        status = 0
        while not closed.is_set():  # While/until: ends with its condition or when the client leaves
            ok = await self.run_script(cmd.condition, stdin, stdout, stderr, closed) == 0
            if ok == cmd.until:
                break
            status = await self.run_script(cmd.body, stdin, stdout, stderr, closed)
            await asyncio.sleep(0)
        return status

    async def run_and_or(
        self, node: AndOr, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        status = await self.run_pipeline(node.first, stdin, stdout, stderr, closed)
        for op, pipeline in node.rest:
            self.status = status
            if (op == "&&" and status == 0) or (op == "||" and status != 0):
                status = await self.run_pipeline(pipeline, stdin, stdout, stderr, closed)
        return status

    async def run_pipeline(
        self, node: Pipeline, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        if len(node.commands) == 1:
            status = await self.run_command(node.commands[0], stdin, stdout, stderr, closed)
        else:
            status = await self._run_stages(node.commands, stdin, stdout, stderr, closed)
        if node.negate:
            status = 0 if status else 1
        self.status = status
        return status

    async def _run_stages(
        self,
        commands: list[Command],
        stdin: InStream,
        stdout: OutStream,
        stderr: OutStream,
        closed: asyncio.Event,
    ) -> int:
        pipes = [Pipe() for _ in commands[:-1]]
        stage_closed = [asyncio.Event() for _ in commands]
        links: list[asyncio.Task[None]] = []
        for i, ev in enumerate(stage_closed):
            links.append(asyncio.ensure_future(_linked(closed, ev)))
            if i < len(pipes):
                links.append(asyncio.ensure_future(_linked(pipes[i].reader_gone, ev)))

        async def stage(i: int, cmd: Command) -> int:
            s_in: InStream = stdin if i == 0 else pipes[i - 1]
            s_out: OutStream = stdout if i == len(commands) - 1 else pipes[i]
            sub = self.subshell()
            try:
                return await sub.run_command(cmd, s_in, s_out, stderr, stage_closed[i])
            except ShellExit as exc:
                return exc.code
            finally:
                if i < len(pipes):
                    pipes[i].close_writer()
                if i > 0:
                    pipes[i - 1].reader_gone.set()

        try:
            results = await asyncio.gather(*(stage(i, c) for i, c in enumerate(commands)))
        finally:
            for task in links:
                task.cancel()
        return results[-1]

    def subshell(self) -> Shell:
        sub = Shell(self.device, uid=self.uid, user=self.user, depth=self.depth + 1)
        sub.env = dict(self.env)
        sub.status = self.status
        sub.cwd = self.cwd
        return sub

    # --- expansion -------------------------------------------------------------------------------
    async def expand_word(self, word: Word, closed: asyncio.Event, split: bool = True) -> list[str]:
        """Expand one word into fields (variables, substitutions, field splitting, globbing)."""
        fields: list[str] = []
        current: list[str] = []
        have = False  # a quoted empty string still makes a field
        globbable = False
        for part in word.parts:
            if isinstance(part, Lit):
                current.append(part.text)
                have = True
                if not part.quoted and any(c in part.text for c in "*?["):
                    globbable = True
                continue
            value = self.expand_var(part) if isinstance(part, Var) else await self.substitute(part, closed)
            if part.quoted or not split:
                current.append(value)
                have = True
                continue
            pieces = value.split()
            if not pieces:
                continue
            if value[:1].isspace() and (current or have):
                fields.append("".join(current))
                current, have = [], False
            for j, piece in enumerate(pieces):
                if j > 0:
                    fields.append("".join(current))
                    current = []
                current.append(piece)
                have = True
            if value[-1:].isspace():
                fields.append("".join(current))
                current, have = [], False
        if current or have:
            fields.append("".join(current))
        if globbable and split:
            globbed: list[str] = []
            for f in fields:
                globbed.extend(self.glob(f))
            return globbed
        return fields

    def glob(self, pattern: str) -> list[str]:
        """Expand ``*``/``?`` in the last path component against the device file system."""
        fs = self.device.fs
        absolute = pattern.startswith("/")
        directory, base = posixpath.split(pattern)
        if any(c in directory for c in "*?["):
            return [pattern]
        listing = fs.listdir(fs.normalize(directory or ".", self.cwd))
        if not listing:
            return [pattern]
        names = sorted(n for n, _ in listing if fnmatch.fnmatchcase(n, base) and not n.startswith("."))
        if not names:
            return [pattern]
        if directory:
            return [posixpath.join(directory, n) for n in names]
        return names if not absolute else [posixpath.join("/", n) for n in names]

    def expand_var(self, var: Var) -> str:
        """``$x`` and ``${x#pat}``, ``${x%pat}``, ``${x:-word}``, ``${#x}`` (patterns are globs)."""
        value = self.lookup(var.name)
        is_set = var.name in self.env or var.name in ("?", "$", "#", "!", "@", "*", "0")
        if var.op is None:
            return value
        if var.op == "len":
            return str(len(value))
        if var.op in (":-", "-"):
            return var.arg if (not value if var.op == ":-" else not is_set) else value
        if var.op in (":+", "+"):
            return var.arg if (value if var.op == ":+" else is_set) else ""
        candidates = range(len(value) + 1)
        if var.op in ("#", "##"):
            order = candidates if var.op == "#" else reversed(candidates)
            cut = next((n for n in order if fnmatch.fnmatchcase(value[:n], var.arg)), None)
            return value if cut is None else value[cut:]
        order = reversed(candidates) if var.op == "%" else candidates
        cut = next((n for n in order if fnmatch.fnmatchcase(value[n:], var.arg)), None)
        return value if cut is None else value[:cut]

    def lookup(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.device.shell_pid())
        if name in ("#", "!"):
            return "0"
        if name in ("@", "*"):
            return ""
        if name == "0":
            return SH
        return self.env.get(name, "")

    async def substitute(self, part: Subst, closed: asyncio.Event) -> str:
        """``$(…)``/backticks: run the text with *emulated* commands and capture stdout."""
        if self.depth >= MAX_SUBST_DEPTH:
            return ""
        sub = self.subshell()
        capture = Capture()
        try:
            await sub.run_source(part.source, EmptyIn(), capture, NullOut(), closed)
        except ShellExit:
            pass
        self.status = sub.status
        return capture.value.decode("utf-8", "surrogateescape").rstrip("\n")

    # --- simple commands -------------------------------------------------------------------------
    async def _open_redirects(
        self,
        redirects: list[Redirect],
        stdin: InStream,
        stdout: OutStream,
        stderr: OutStream,
        closed: asyncio.Event,
    ) -> tuple[InStream, OutStream, OutStream]:
        fs = self.device.fs
        for r in redirects:
            words = await self.expand_word(r.target, closed, split=False)
            target = words[0] if words else ""
            if r.op in (">&", "<&"):
                if target == "1":
                    stream = stdout
                elif target == "2":
                    stream = stderr
                elif target == "-":
                    stream = NullOut()
                else:
                    raise UsageError(f"{SH}: {target}: bad file descriptor")
                if r.fd == 1:
                    stdout = stream
                elif r.fd == 2:
                    stderr = stream
                continue
            path = fs.normalize(target, self.cwd)
            if r.op == "<":
                if path == "/dev/null":
                    stdin = EmptyIn()
                    continue
                data = fs.read(path)
                if data is None:
                    raise UsageError(f"{SH}: can't open {target}: No such file or directory")
                stdin = BytesIn(data)
                continue
            out: OutStream
            if path in ("/dev/null", "/dev/zero"):
                out = NullOut()
            else:
                if fs.is_dir(path):
                    raise UsageError(f"{SH}: can't create {target}: Is a directory")
                parent = posixpath.dirname(path)
                if not fs.is_dir(parent):
                    raise UsageError(f"{SH}: can't create {target}: No such file or directory")
                if r.op == ">":
                    fs.write(path, b"")
                elif not fs.exists(path):
                    fs.write(path, b"")
                out = FileOut(self, path)
            if r.fd == 1:
                stdout = out
            elif r.fd == 2:
                stderr = out
        return stdin, stdout, stderr

    async def run_simple(
        self, cmd: SimpleCommand, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        argv: list[str] = []
        for word in cmd.words:
            argv.extend(await self.expand_word(word, closed))
        assigned = {
            name: " ".join(await self.expand_word(value, closed, split=False))
            for name, value in cmd.assignments
        }
        try:
            stdin, stdout, stderr = await self._open_redirects(cmd.redirects, stdin, stdout, stderr, closed)
        except UsageError as exc:
            await stderr.write((str(exc) + "\n").encode())
            return 1
        if not argv:
            self.env.update(assigned)
            return (
                self.status
                if cmd.assignments and any(isinstance(p, Subst) for _, w in cmd.assignments for p in w.parts)
                else 0
            )
        saved = dict(self.env)
        self.env.update(assigned)
        try:
            return await self.run_argv(argv, stdin, stdout, stderr, closed)
        finally:
            if assigned and argv[0] not in ("export",):
                for name in assigned:
                    if name in saved:
                        self.env[name] = saved[name]
                    else:
                        self.env.pop(name, None)

    async def run_argv(
        self, argv: list[str], stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
    ) -> int:
        name = argv[0]
        fn = COMMANDS.get(posixpath.basename(name)) if self._resolvable(name) else None
        if fn is None:
            return await self._not_found(name, stderr)
        ctx = Ctx(self, argv, stdin, stdout, stderr, closed)
        try:
            return await fn(ctx)
        except UsageError as exc:
            if str(exc):
                await ctx.err(str(exc).rstrip("\n") + "\n")
            return exc.code

    def _resolvable(self, name: str) -> bool:
        """A bare name, or a path to one of the emulated binaries (``/system/bin/ls``)."""
        if "/" not in name:
            return True
        path = self.device.fs.normalize(name, self.cwd)
        return posixpath.dirname(path) in (
            "/system/bin",
            "/system/xbin",
            "/vendor/bin",
        ) and self.device.fs.exists(path)

    async def _not_found(self, name: str, stderr: OutStream) -> int:
        fs = self.device.fs
        if "/" in name and fs.exists(fs.normalize(name, self.cwd)):
            await stderr.write(f"{SH}: {name}: can't execute: Permission denied\n".encode())
            return 126
        if "/" in name:
            await stderr.write(f"{SH}: {name}: not found\n".encode())
            return 127
        await stderr.write(f"{SH}: {name}: inaccessible or not found\n".encode())
        return 127


async def run_line(
    shell: Shell, line: str, stdin: InStream, stdout: OutStream, stderr: OutStream, closed: asyncio.Event
) -> int:
    """Run one command line; ``exit``/``exec`` end it with their code."""
    try:
        return await shell.run_source(line, stdin, stdout, stderr, closed)
    except ShellExit as exc:
        shell.status = exc.code
        raise


__all__ = ["SH", "Shell", "ShellExit", "run_line"]
