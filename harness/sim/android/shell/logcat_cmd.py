"""``logcat`` and ``log``: the reader and writer sides of the device log, as the CLI tools behave."""

from __future__ import annotations

import re
import time
from datetime import datetime

from harness.sim.android.logcat import (
    BUFFERS,
    DEFAULT_READ_BUFFERS,
    LOGGER_ENTRY_MAX_PAYLOAD,
    LogEntry,
    LogFilter,
    LogFormat,
    format_entry,
    parse_priority,
)
from harness.sim.android.shell.context import Ctx, UsageError
from harness.sim.android.shell.registry import command

_LONG_ALIASES = {
    "--clear": "-c",
    "--dump": "-d",
    "--buffer": "-b",
    "--format": "-v",
    "--regex": "-e",
    "--max-count": "-m",
    "--buffer-size": "-g",
}


def _parse_time(text: str, zone_ctx: Ctx) -> float | None:
    m = re.fullmatch(r"(\d+)\.(\d+)", text)
    if m:
        return float(text)
    m = re.fullmatch(r"(?:(\d{4})-)?(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?", text.strip())
    if not m:
        return None
    year = int(m.group(1)) if m.group(1) else datetime.now(zone_ctx.device.zone()).year
    frac = float("0." + m.group(7)) if m.group(7) else 0.0
    moment = datetime(
        year,
        int(m.group(2)),
        int(m.group(3)),
        int(m.group(4)),
        int(m.group(5)),
        int(m.group(6)),
        tzinfo=zone_ctx.device.zone(),
    )
    return moment.timestamp() + frac


@command("logcat")
async def cmd_logcat(ctx: Ctx) -> int:
    log = ctx.device.logcat
    args = ctx.argv[1:]
    buffers: list[str] = []
    fmt = LogFormat()
    flt = LogFilter()
    specs: list[str] = []
    dump = clear = silent = size_query = False
    tail_count: int | None = None
    since: float | None = None
    max_count: int | None = None
    regex: re.Pattern[str] | None = None
    pid: int | None = None
    out_file: str | None = None
    i = 0

    def value() -> str:
        nonlocal i
        if "=" in args[i] and args[i].startswith("--"):
            return args[i].split("=", 1)[1]
        if len(args[i]) > 2 and not args[i].startswith("--"):
            return args[i][2:]
        i += 1
        if i >= len(args):
            raise UsageError(f"logcat: option requires an argument -- '{args[i - 1].lstrip('-')[:1]}'")
        return args[i]

    while i < len(args):
        raw = args[i]
        head = raw.split("=", 1)[0]
        opt = _LONG_ALIASES.get(head, raw[:2] if raw.startswith("-") and not raw.startswith("--") else head)
        if opt == "-d":
            dump = True
        elif opt == "-c":
            clear = True
        elif opt == "-s":
            silent = True
        elif opt == "-g":
            size_query = True
        elif opt == "-b":
            for name in value().split(","):
                if name == "all":
                    buffers.extend(BUFFERS)
                elif name == "default":
                    buffers.extend(DEFAULT_READ_BUFFERS)
                elif name in BUFFERS:
                    buffers.append(name)
                else:
                    raise UsageError(f"logcat: unknown buffer '{name}'")
        elif opt == "-v":
            word = value()
            try:
                fmt.set(word)
            except ValueError:
                raise UsageError(f'logcat: Invalid parameter "{word}" to -v.') from None
        elif opt in ("-t", "-T"):
            word = value()
            if word.isdigit():
                tail_count = int(word)
            else:
                since = _parse_time(word, ctx)
                if since is None:
                    raise UsageError(f'logcat: -{opt[1]} "{word}" not in time format')
            dump = dump or opt == "-t"
        elif opt == "-m":
            max_count = int(value())
        elif opt == "-e":
            try:
                regex = re.compile(value())
            except re.error:
                raise UsageError("logcat: invalid regex") from None
        elif head == "--pid":
            pid = int(value())
        elif opt == "-f" or head == "--file":
            out_file = value()
        elif opt in ("-B", "-S", "-D", "-L", "-P", "-n", "-r"):
            if opt in ("-n", "-r", "-P"):
                value()
        elif raw.startswith("-"):
            raise UsageError(f"logcat: invalid option -- '{raw.lstrip('-')}'")
        else:
            specs.append(raw)
        i += 1

    chosen = list(dict.fromkeys(buffers or DEFAULT_READ_BUFFERS))
    if clear:
        log.clear(chosen)
        return 0
    if size_query:
        for name in chosen:
            await ctx.out(
                f"{name}: ring buffer is {log.buffer_bytes // 1024} KiB "
                f"({log.buffer_usage(name) // 1024} KiB consumed), "
                f"max entry is 5120 B, max payload is {LOGGER_ENTRY_MAX_PAYLOAD} B\n"
            )
        return 0
    if silent:
        flt.default = 8
    try:
        if specs:
            for spec in specs:
                flt.add_spec(spec)
        else:
            env_tags = ctx.env.get("ANDROID_LOG_TAGS", "")
            flt.add_specs(env_tags)
    except ValueError:
        raise UsageError("logcat: Invalid filter expression") from None

    zone = ctx.device.zone()

    def wanted(e: LogEntry) -> bool:
        if not flt.accepts(e):
            return False
        if pid is not None and e.pid != pid:
            return False
        if since is not None and e.sec + e.nsec / 1e9 < since:
            return False
        return regex is None or regex.search(e.message) is not None

    target = ctx.device.fs.normalize(out_file, ctx.shell.cwd) if out_file is not None else None
    if target is not None and not ctx.device.fs.is_dir(ctx.device.fs.normalize(target + "/..")):
        raise UsageError(f"logcat: couldn't open output file: No such file or directory: {out_file}")

    async def write(data: bytes) -> None:
        """stdout, or with ``-f FILE`` the device file."""
        if target is None:
            await ctx.out(data)
        else:
            ctx.device.fs.append(target, data)

    printed = 0
    last_buffer: str | None = None
    seen_buffers: set[str] = set()

    async def emit(entries: list[LogEntry]) -> bool:
        """Write the entries as one chunk (logcat's stdout is buffered: a burst the reader wakes
        up to goes out in one write, not one adb packet per line)."""
        nonlocal printed, last_buffer
        chunk: list[bytes] = []
        more = True
        for e in entries:
            if max_count is not None and printed >= max_count:
                more = False
                break
            if e.buffer != last_buffer and fmt.style != "raw":
                word = "switch to" if e.buffer in seen_buffers else "beginning of"
                chunk.append(f"--------- {word} {e.buffer}\n".encode())
                seen_buffers.add(e.buffer)
                last_buffer = e.buffer
            chunk.append(format_entry(e, fmt, zone))
            printed += 1
        if chunk:
            await write(b"".join(chunk))
        return more and (max_count is None or printed < max_count)  # -m N: quit after the Nth line

    last = log.last_seq
    backlog = [e for e in log.entries(chosen) if e.seq <= last and wanted(e)]
    if tail_count is not None:
        backlog = backlog[-tail_count:] if tail_count else []
    if not await emit(backlog):
        return 0
    if dump:
        return 0
    while not ctx.closed.is_set():  # follow mode: woken by each write, ends when the client leaves
        if not await log.wait_for_entries_after(last, ctx.closed):
            break
        fresh = log.entries(chosen, after_seq=last)
        last = max((e.seq for e in fresh), default=log.last_seq)
        if not await emit([e for e in fresh if wanted(e)]):
            break
    return 0


@command("log")
async def cmd_log(ctx: Ctx) -> int:
    """toolbox ``log [-p PRIORITY] [-t TAG] MESSAGE…`` (buffer main, the shell's pid)."""
    args = ctx.argv[1:]
    tag, prio = "log", 4
    buffer = "main"
    words: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-t", "-p", "-b") and i + 1 < len(args):
            if a == "-t":
                tag = args[i + 1]
            elif a == "-p":
                try:
                    prio = parse_priority(args[i + 1])
                except ValueError:
                    raise UsageError(f"log: bad priority '{args[i + 1]}'") from None
            else:
                buffer = args[i + 1]
            i += 2
            continue
        words.append(a)
        i += 1
    message = " ".join(words)
    if not words:
        message = (await ctx.read_all()).decode("utf-8", "surrogateescape").rstrip("\n")
    ctx.device.logcat.write(
        prio, tag, message, pid=ctx.device.shell_pid(), uid=2000, buffer=buffer, when=time.time()
    )
    return 0
