"""Shell built-ins and the toybox text tools (echo, printf, grep, head, tail, wc, …)."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime

from harness.sim.android.shell.context import Ctx, UsageError
from harness.sim.android.shell.interpreter import SH, Shell, ShellExit
from harness.sim.android.shell.registry import COMMANDS, command
from harness.sim.android.shell.streams import BytesIn


@command("true", ":")
async def cmd_true(ctx: Ctx) -> int:
    return 0


@command("false")
async def cmd_false(ctx: Ctx) -> int:
    return 1


@command("echo")
async def cmd_echo(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    newline = True
    escapes = True  # mksh's echo interprets backslash escapes unless -E
    while args and re.fullmatch(r"-[neE]+", args[0]):
        newline = newline and "n" not in args[0]
        escapes = ("e" in args[0] or escapes) and "E" not in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = _unescape(text)
    await ctx.out(text + ("\n" if newline else ""))
    return 0


def _unescape(text: str) -> str:
    table = {
        "n": "\n",
        "t": "\t",
        "r": "\r",
        "\\": "\\",
        "a": "\a",
        "b": "\b",
        "f": "\f",
        "v": "\v",
        "0": "\0",
    }
    return re.sub(r"\\(.)", lambda m: table.get(m.group(1), "\\" + m.group(1)), text)


@command("printf")
async def cmd_printf(ctx: Ctx) -> int:
    if len(ctx.argv) < 2:
        raise UsageError("printf: Needs 1 argument")
    fmt = _unescape(ctx.argv[1])
    args = ctx.argv[2:]
    out: list[str] = []
    while True:
        consumed = 0

        def conv(m: re.Match[str], args: list[str] = args) -> str:
            nonlocal consumed
            spec = m.group(0)
            if spec == "%%":
                return "%"
            arg = args[consumed] if consumed < len(args) else ""
            consumed += 1
            kind = spec[-1]
            try:
                if kind in "di":
                    return (spec[:-1] + "d") % int(arg or 0)
                if kind in "xXo":
                    return spec % int(arg or 0)
                if kind == "c":
                    return arg[:1]
            except ValueError:
                return "0"
            return (spec[:-1] + "s") % arg

        out.append(re.sub(r"%[-+ #0]*\d*(?:\.\d+)?[sdixXoc%]", conv, fmt))
        args = args[consumed:]
        if not args or consumed == 0:
            break
    await ctx.out("".join(out))
    return 0


@command("exit")
async def cmd_exit(ctx: Ctx) -> int:
    code = ctx.shell.status
    if len(ctx.argv) > 1:
        try:
            code = int(ctx.argv[1]) & 0xFF
        except ValueError:
            raise UsageError(f"{SH}: exit: {ctx.argv[1]}: bad number") from None
    raise ShellExit(code)


@command("exec")
async def cmd_exec(ctx: Ctx) -> int:
    if len(ctx.argv) == 1:
        return 0
    code = await ctx.shell.run_argv(ctx.argv[1:], ctx.stdin, ctx.stdout, ctx.stderr, ctx.closed)
    raise ShellExit(code)


@command("export")
async def cmd_export(ctx: Ctx) -> int:
    for arg in ctx.argv[1:]:
        if arg == "-p":
            continue
        name, eq, value = arg.partition("=")
        if eq:
            ctx.env[name] = value
        else:
            ctx.env.setdefault(name, "")
    if len(ctx.argv) == 1 or ctx.argv[1:] == ["-p"]:
        for k, v in sorted(ctx.env.items()):
            await ctx.out(f"export {k}={_quote(v)}\n")
    return 0


def _quote(v: str) -> str:
    return v if re.fullmatch(r"[\w/.:,+=@%-]*", v) and v else "'" + v.replace("'", "'\\''") + "'"


@command("unset")
async def cmd_unset(ctx: Ctx) -> int:
    for name in ctx.argv[1:]:
        ctx.env.pop(name, None)
    return 0


@command("env", "printenv")
async def cmd_env(ctx: Ctx) -> int:
    if ctx.argv[0] == "printenv" and len(ctx.argv) > 1:
        value = ctx.env.get(ctx.argv[1])
        if value is None:
            return 1
        await ctx.out(value + "\n")
        return 0
    for k, v in sorted(ctx.env.items()):
        await ctx.out(f"{k}={v}\n")
    return 0


@command("cd")
async def cmd_cd(ctx: Ctx) -> int:
    target = ctx.argv[1] if len(ctx.argv) > 1 else "/"
    path = ctx.device.fs.normalize(target, ctx.shell.cwd)
    if not ctx.device.fs.is_dir(path):
        raise UsageError(f"{SH}: cd: {path} - No such file or directory", 2)
    ctx.shell.cwd = path
    return 0


@command("pwd")
async def cmd_pwd(ctx: Ctx) -> int:
    await ctx.out(ctx.shell.cwd + "\n")
    return 0


@command("which")
async def cmd_which(ctx: Ctx) -> int:
    status = 0
    for name in ctx.argv[1:]:
        if name in COMMANDS and ctx.device.fs.exists(f"/system/bin/{name}"):
            await ctx.out(f"/system/bin/{name}\n")
        else:
            status = 1
    return status


@command("type", "command")
async def cmd_type(ctx: Ctx) -> int:
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if ctx.argv[0] == "command" and "-v" not in ctx.argv:
        if not args:
            return 0
        return await ctx.shell.run_argv(args, ctx.stdin, ctx.stdout, ctx.stderr, ctx.closed)
    status = 0
    for name in args:
        if name in COMMANDS:
            await ctx.out(
                f"/system/bin/{name}\n" if ctx.argv[0] == "command" else f"{name} is /system/bin/{name}\n"
            )
        else:
            status = 1 if ctx.argv[0] == "command" else 127
            if ctx.argv[0] == "type":
                await ctx.out(f"{name} not found\n")
    return status


@command("id")
async def cmd_id(ctx: Ctx) -> int:
    uid, user = ctx.shell.uid, ctx.shell.user
    flags = "".join(a[1:] for a in ctx.argv[1:] if a.startswith("-"))
    if "u" in flags or "g" in flags:
        await ctx.out((user if "n" in flags else str(uid)) + "\n")
        return 0
    groups = (
        "groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),"
        "1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),"
        "3011(uhid),3012(readtracefs)"
    )
    await ctx.out(f"uid={uid}({user}) gid={uid}({user}) {groups} context=u:r:shell:s0\n")
    return 0


@command("whoami")
async def cmd_whoami(ctx: Ctx) -> int:
    await ctx.out(ctx.shell.user + "\n")
    return 0


@command("sleep")
async def cmd_sleep(ctx: Ctx) -> int:
    try:
        seconds = float(ctx.argv[1]) if len(ctx.argv) > 1 else None
    except ValueError:
        raise UsageError(f"sleep: invalid number '{ctx.argv[1]}'") from None
    if seconds is None:
        raise UsageError("sleep: Needs 1 argument")
    try:
        await asyncio.wait_for(ctx.closed.wait(), timeout=seconds)
        return 130
    except TimeoutError:
        return 0


@command("uptime")
async def cmd_uptime(ctx: Ctx) -> int:
    up = int(ctx.device.uptime())
    now = datetime.now(ctx.device.zone()).strftime("%H:%M:%S")
    days, rem = divmod(up, 86400)
    hours, mins = divmod(rem // 60, 60)
    await ctx.out(
        f" {now} up {days} days, {hours:2d}:{mins:02d},  0 users,  load average: 0.00, 0.00, 0.00\n"
    )
    return 0


@command("date")
async def cmd_date(ctx: Ctx) -> int:
    stamp = time.time()
    zone = UTC if "-u" in ctx.argv[1:] else ctx.device.zone()
    now = datetime.fromtimestamp(stamp, zone)
    fmt = next((a[1:] for a in ctx.argv[1:] if a.startswith("+")), "%a %b %e %H:%M:%S %Z %Y")
    # %s is seconds since the epoch (always UTC); Python's strftime would read the host's zone.
    fmt = re.sub(r"%(%|s)", lambda m: "%%" if m.group(1) == "%" else str(int(stamp)), fmt)
    await ctx.out(now.strftime(fmt) + "\n")
    return 0


@command("sh")
async def cmd_sh(ctx: Ctx) -> int:
    """``sh -c '…'`` or ``… | sh``: the text is interpreted by *this* emulated shell."""
    args = ctx.argv[1:]
    sub: Shell = ctx.shell.subshell()
    if args and args[0] == "-c":
        if len(args) < 2:
            raise UsageError(f"{SH}: -c: option requires an argument", 2)
        source = args[1]
    elif args:
        data = ctx.device.fs.read(ctx.device.fs.normalize(args[0], ctx.shell.cwd))
        if data is None:
            raise UsageError(f"{SH}: {args[0]}: No such file or directory", 127)
        source = data.decode("utf-8", "replace")
    else:
        source = (await ctx.read_all()).decode("utf-8", "replace")
    try:
        return await sub.run_source(source, BytesIn(b""), ctx.stdout, ctx.stderr, ctx.closed)
    except ShellExit as exc:
        return exc.code


# --- text tools ----------------------------------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


async def _input_of(ctx: Ctx, files: list[str]) -> bytes | None:
    if not files or files == ["-"]:
        return await ctx.read_all()
    chunks = []
    for name in files:
        data = ctx.device.fs.read(ctx.device.fs.normalize(name, ctx.shell.cwd))
        if data is None:
            await ctx.err(f"{ctx.argv[0]}: {name}: No such file or directory\n")
            return None
        chunks.append(data)
    return b"".join(chunks)


@command("grep", "egrep", "fgrep")
async def cmd_grep(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    flags: set[str] = set()
    patterns: list[str] = []
    files: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-e" and i + 1 < len(args):
            patterns.append(args[i + 1])
            i += 2
            continue
        if a.startswith("--") and len(a) > 2:
            pass  # --line-buffered, --color=…: output is unbuffered anyway
        elif a.startswith("-") and len(a) > 1 and not files and a != "-":
            flags.update(a[1:])
        elif not patterns and "e" not in flags:
            patterns.append(a)
        else:
            files.append(a)
        i += 1
    if not patterns:
        raise UsageError("usage: grep [-clinqsvwxE] PATTERN [FILE...]", 2)
    regex_flags = re.IGNORECASE if "i" in flags else 0
    if ctx.argv[0] == "fgrep" or "F" in flags:
        patterns = [re.escape(p) for p in patterns]
    if "w" in flags:
        patterns = [rf"\b(?:{p})\b" for p in patterns]
    if "x" in flags:
        patterns = [rf"(?:{p})\Z" for p in patterns]
    try:
        compiled = [re.compile(p.encode("utf-8", "surrogateescape"), regex_flags) for p in patterns]
    except re.error:
        raise UsageError("grep: bad regex", 2) from None
    matched = 0
    buffer = b""
    count_only, quiet, invert = "c" in flags, "q" in flags, "v" in flags

    async def handle(line: bytes) -> None:
        nonlocal matched
        body = line.rstrip(b"\r\n")
        hit = any(c.search(body) if "x" not in flags else c.match(body) for c in compiled)
        if hit != invert:
            matched += 1
            if not count_only and not quiet:
                await ctx.out(line if line.endswith(b"\n") else line + b"\n")

    if files:
        data = await _input_of(ctx, files)
        if data is None:
            return 2
        for line in _lines(data):
            await handle(line)
    else:
        while True:  # streaming, so `logcat | grep X` prints as lines arrive
            chunk = await ctx.stdin.read()
            if chunk is None:
                break
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for line in complete:
                await handle(line + b"\n")
                if quiet and matched:
                    return 0
        if buffer:
            await handle(buffer)
    if count_only:
        await ctx.out(f"{matched}\n")
    return 0 if matched else 1


def _count_arg(args: list[str], default: int = 10) -> tuple[int, list[str], bool]:
    n, rest, from_start = default, [], False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-n" and i + 1 < len(args):
            val = args[i + 1]
            from_start = val.startswith("+")
            n = int(val.lstrip("+"))
            i += 2
            continue
        if re.fullmatch(r"-\d+", a):
            n = int(a[1:])
        elif a.startswith("-n") and a[2:].lstrip("+").isdigit():
            from_start = a[2:].startswith("+")
            n = int(a[2:].lstrip("+"))
        else:
            rest.append(a)
        i += 1
    return n, rest, from_start


@command("head")
async def cmd_head(ctx: Ctx) -> int:
    n, files, _ = _count_arg(ctx.argv[1:])
    if files:
        data = await _input_of(ctx, files)
        if data is None:
            return 1
        await ctx.out(b"".join(_lines(data)[:n]))
        return 0
    printed, buffer = 0, b""
    while printed < n:
        chunk = await ctx.stdin.read()
        if chunk is None:
            if buffer:
                await ctx.out(buffer)
            break
        buffer += chunk
        while b"\n" in buffer and printed < n:
            line, buffer = buffer.split(b"\n", 1)
            await ctx.out(line + b"\n")
            printed += 1
    return 0


@command("tail")
async def cmd_tail(ctx: Ctx) -> int:
    n, files, from_start = _count_arg(ctx.argv[1:])
    data = await _input_of(ctx, files)
    if data is None:
        return 1
    lines = _lines(data)
    await ctx.out(b"".join(lines[n - 1 :] if from_start else lines[-n:] if n else []))
    return 0


@command("wc")
async def cmd_wc(ctx: Ctx) -> int:
    flags = "".join(a[1:] for a in ctx.argv[1:] if a.startswith("-"))
    files = [a for a in ctx.argv[1:] if not a.startswith("-")]
    data = await _input_of(ctx, files)
    if data is None:
        return 1
    counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
    chosen = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
    text = " ".join(f"{counts[k]:7d}" if len(chosen) > 1 else str(counts[k]) for k in chosen)
    await ctx.out(text + (f" {files[0]}" if files else "") + "\n")
    return 0


@command("sort")
async def cmd_sort(ctx: Ctx) -> int:
    files = [a for a in ctx.argv[1:] if not a.startswith("-")]
    data = await _input_of(ctx, files)
    if data is None:
        return 1
    lines = sorted((ln.rstrip(b"\n") for ln in _lines(data)), reverse="-r" in ctx.argv)
    await ctx.out(b"".join(ln + b"\n" for ln in lines))
    return 0


@command("test", "[")
async def cmd_test(ctx: Ctx) -> int:
    """``test``/``[``: file tests and string/integer comparisons (no -a/-o chains)."""
    args = ctx.argv[1:]
    if ctx.argv[0] == "[":
        if not args or args[-1] != "]":
            raise UsageError("[: missing ]", 2)
        args = args[:-1]
    negate = False
    if args and args[0] == "!":
        negate, args = True, args[1:]
    result = _evaluate_test(ctx, args)
    return 0 if result != negate else 1


def _evaluate_test(ctx: Ctx, args: list[str]) -> bool:
    fs = ctx.device.fs
    if not args:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, value = args
        path = fs.normalize(value, ctx.shell.cwd)
        checks = {
            "-e": lambda: fs.exists(path),
            "-f": lambda: fs.exists(path) and not fs.is_dir(path),
            "-d": lambda: fs.is_dir(path),
            "-s": lambda: bool(fs.read(path)),
            "-r": lambda: fs.exists(path),
            "-w": lambda: fs.exists(path),
            "-x": lambda: fs.exists(path),
            "-L": lambda: (node := fs.get_node(path, follow=False)) is not None and node.is_link,
            "-z": lambda: value == "",
            "-n": lambda: value != "",
        }
        if op not in checks:
            raise UsageError(f"test: unknown operator {op}", 2)
        return bool(checks[op]())
    if len(args) == 3:
        left, op, right = args
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        ints = {
            "-eq": int.__eq__,
            "-ne": int.__ne__,
            "-lt": int.__lt__,
            "-gt": int.__gt__,
            "-le": int.__le__,
            "-ge": int.__ge__,
        }
        if op in ints:
            try:
                return bool(ints[op](int(left), int(right)))
            except ValueError:
                raise UsageError(
                    f"test: {left if not left.lstrip('-').isdigit() else right}: bad number", 2
                ) from None
    raise UsageError("test: too many arguments", 2)


@command("run-as")
async def cmd_run_as(ctx: Ctx) -> int:
    """``run-as PKG [CMD…]``: run as a debuggable app, from its data directory."""
    from harness.sim.android.processes import uid_name

    args = [a for a in ctx.argv[1:] if not a.startswith("--user")]
    if not args:
        raise UsageError("usage: run-as <package-name> [--user <uid>] <command> [<args>]", 1)
    pkg = ctx.device.packages.get(args[0])
    if pkg is None:
        raise UsageError(f"run-as: unknown package: {args[0]}", 1)
    if not pkg.manifest.debuggable:
        raise UsageError(f"run-as: package not debuggable: {args[0]}", 1)
    sub: Shell = ctx.shell.subshell()
    sub.uid, sub.user = pkg.uid, uid_name(pkg.uid)
    ctx.device.fs.makedirs(pkg.data_dir)
    sub.cwd = pkg.data_dir
    command_argv = args[1:] or ["sh"]
    try:
        return await sub.run_argv(command_argv, ctx.stdin, ctx.stdout, ctx.stderr, ctx.closed)
    except ShellExit as exc:
        return exc.code
