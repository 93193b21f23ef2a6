"""Device commands that are not package/activity management: props, settings, wm, input,
screencap, ps/pidof/kill."""

from __future__ import annotations

import asyncio
import io
import struct
from typing import Any

from harness.sim.android.display import png_bytes
from harness.sim.android.input import parse_keycode
from harness.sim.android.settings import NAMESPACES
from harness.sim.android.shell.context import Ctx, UsageError
from harness.sim.android.shell.registry import command


# --- properties --------------------------------------------------------------------------------------
@command("getprop")
async def cmd_getprop(ctx: Ctx) -> int:
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    props = ctx.device.props
    if not args:
        await ctx.out("".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())))
        return 0
    value = props.get(args[0], args[1] if len(args) > 1 else "")
    await ctx.out(value + "\n")
    return 0


@command("setprop")
async def cmd_setprop(ctx: Ctx) -> int:
    if len(ctx.argv) != 3:
        raise UsageError("usage: setprop NAME VALUE\n\nSets an Android system property.")
    key, value = ctx.argv[1], ctx.argv[2]
    if key.startswith("ro.") and key in ctx.device.props:
        raise UsageError(f"Failed to set property '{key}' to '{value}'.\nSee dmesg for error reason.")
    ctx.device.set_prop(key, value)
    return 0


# --- settings ----------------------------------------------------------------------------------------
SETTINGS_USAGE = """Settings provider (settings) commands:
  help
      Print this help text.
  get [--user <USER_ID> | current] NAMESPACE KEY
      Retrieve the current value of KEY.
  put [--user <USER_ID> | current] NAMESPACE KEY VALUE [TAG] [default]
      Change the contents of KEY to VALUE.
  delete [--user <USER_ID> | current] NAMESPACE KEY
      Delete the entry for KEY.
  reset [--user <USER_ID> | current] NAMESPACE {PACKAGE_NAME | RESET_MODE}
      Reset the global/secure table for a package with mode.
  list [--user <USER_ID> | current] NAMESPACE
      Print all defined keys.
      NAMESPACE is one of {system, secure, global}, case-insensitive"""


@command("settings")
async def cmd_settings(ctx: Ctx) -> int:
    return await run_settings(ctx, ctx.argv[1:])


async def run_settings(ctx: Ctx, args: list[str]) -> int:
    args = list(args)
    while args and args[0] == "--user":
        args = args[2:]
    if not args or args[0] in ("help", "-h"):
        await ctx.out(SETTINGS_USAGE + "\n")
        return 0 if args else 255
    verb, rest = args[0], args[1:]
    while rest and rest[0] == "--user":
        rest = rest[2:]
    need = {"get": 2, "put": 3, "delete": 2, "list": 1, "reset": 2}.get(verb)
    if need is None or len(rest) < need or rest[0].lower() not in NAMESPACES:
        await ctx.err(("Invalid command: " + verb + "\n") if need is None else "")
        await ctx.err(SETTINGS_USAGE + "\n")
        return 255
    ns = rest[0].lower()
    store = ctx.device.settings
    if verb == "get":
        value = store.get(ns, rest[1])
        await ctx.out(("null" if value is None else value) + "\n")
    elif verb == "put":
        store.put(ns, rest[1], rest[2])
    elif verb == "delete":
        await ctx.out(f"Deleted {1 if store.delete(ns, rest[1]) else 0} rows\n")
    elif verb == "list":
        await ctx.out("".join(f"{k}={v}\n" for k, v in store.items(ns)))
    return 0


# --- window manager ----------------------------------------------------------------------------------
@command("wm")
async def cmd_wm(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    disp = ctx.device.display
    if not args:
        await ctx.out(
            "Window manager (window) commands:\n  help\n  size [reset|WxH|WdpxHdp]\n"
            "  density [reset|DENSITY]\n"
        )
        return 0
    verb = args[0]
    value = args[1] if len(args) > 1 else None
    if verb == "size":
        if value is None:
            await ctx.out(f"Physical size: {disp.physical_width}x{disp.physical_height}\n")
            if disp.override_size:
                await ctx.out(f"Override size: {disp.override_size[0]}x{disp.override_size[1]}\n")
            return 0
        if value == "reset":
            disp.override_size = None
            return 0
        w, sep, h = value.partition("x")
        if not sep or not w.isdigit() or not h.isdigit() or int(w) <= 0 or int(h) <= 0:
            raise UsageError(f"Error: bad size {value}", 255)
        disp.override_size = (int(w), int(h))
        return 0
    if verb == "density":
        if value is None:
            await ctx.out(f"Physical density: {disp.physical_density}\n")
            if disp.override_density:
                await ctx.out(f"Override density: {disp.override_density}\n")
            return 0
        if value == "reset":
            disp.override_density = None
            return 0
        if not value.isdigit() or int(value) < 72:
            raise UsageError(
                f"Error: bad number {value}" if not value.isdigit() else "Error: density must be >= 72", 255
            )
        disp.override_density = int(value)
        return 0
    raise UsageError(f"Unknown command: {verb}", 255)


# --- input -------------------------------------------------------------------------------------------
INPUT_USAGE = (
    "Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n\n"
    "The commands and default sources are:\n"
    "      text <string> (Default: keyboard)\n"
    "      keyevent [--longpress|--duration <duration to hold key down in ms>] [--doubletap] [--async]"
    " [--delay <duration between keycodes in ms>] <key code number or name> ... (Default: keyboard)\n"
    "      tap <x> <y> (Default: touchscreen)\n"
    "      swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)\n"
    "      draganddrop <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)\n"
    "      press (Default: trackball)\n"
    "      roll <dx> <dy> (Default: trackball)\n"
    "      motionevent <DOWN|UP|MOVE|CANCEL> <x> <y> (Default: touchscreen)\n"
)
_SOURCES = {
    "keyboard",
    "touchscreen",
    "touchpad",
    "mouse",
    "stylus",
    "trackball",
    "dpad",
    "gamepad",
    "joystick",
    "touchnavigation",
    "rotaryencoder",
    "keyboard_mouse",
}


def _nums(values: list[str], n: int) -> list[float]:
    if len(values) < n:
        raise ValueError
    return [float(v) for v in values[:n]]


@command("input")
async def cmd_input(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if args and args[0] in _SOURCES:
        args = args[1:]
    if len(args) >= 2 and args[0] == "-d":
        args = args[2:]
    if not args:
        await ctx.err(INPUT_USAGE)
        return 1
    verb, rest = args[0], args[1:]
    dispatcher = ctx.device.input
    try:
        if verb == "tap":
            x, y = _nums(rest, 2)
            dispatcher.tap(int(x), int(y))
        elif verb in ("swipe", "draganddrop"):
            x1, y1, x2, y2 = _nums(rest, 4)
            duration = float(rest[4]) if len(rest) > 4 else 300.0
            steps = max(2, min(20, int(duration // 16) or 2))
            dispatcher.touch(int(x1), int(y1), "down")
            for i in range(1, steps + 1):
                await asyncio.sleep(duration / 1000 / steps)
                dispatcher.move(int(x1 + (x2 - x1) * i / steps), int(y1 + (y2 - y1) * i / steps))
            dispatcher.touch(int(x2), int(y2), "up")
        elif verb == "motionevent":
            action = rest[0].lower() if rest else ""
            x, y = _nums(rest[1:], 2)
            if action not in ("down", "up", "move", "cancel"):
                raise ValueError
            dispatcher.touch(int(x), int(y), action)
        elif verb == "keyevent":
            codes = [a for a in rest if not a.startswith("--")]
            if not codes:
                raise ValueError
            for word in codes:
                code = parse_keycode(word)
                if code is None:
                    await ctx.err(f"Error: Unknown keycode: {word}\n")
                    return 1
                dispatcher.key(code)
        elif verb == "text":
            if not rest:
                raise ValueError
            dispatcher.text(" ".join(rest).replace("%s", " "))
        elif verb in ("press", "roll"):
            return 0
        else:
            await ctx.err(f"Error: Unknown command: {verb}\n{INPUT_USAGE}")
            return 1
    except ValueError:
        await ctx.err(f"Error: Invalid arguments for command: {verb}\n{INPUT_USAGE}")
        return 1
    return 0


# --- screencap ---------------------------------------------------------------------------------------
@command("screencap")
async def cmd_screencap(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    png = "-p" in args
    files = [a for a in args if not a.startswith("-")]
    if "-h" in args:
        await ctx.err(
            "usage: screencap [-hp] [-d display-id] [FILENAME]\n   -h: this message\n"
            "   -p: save the file as a png.\n"
        )
        return 0
    frame = ctx.device.screenshot()
    if files and files[0].endswith(".png"):
        png = True
    if png:
        data = png_bytes(frame)
    else:
        rgba = frame.convert("RGBA")
        header = struct.pack("<III", rgba.width, rgba.height, 1)
        if ctx.device.profile.sdk >= 28:
            header += struct.pack("<I", 0)
        buf = io.BytesIO()
        buf.write(header)
        buf.write(rgba.tobytes())
        data = buf.getvalue()
    if files:
        path = ctx.device.fs.normalize(files[0], ctx.shell.cwd)
        if not ctx.device.fs.is_dir(ctx.device.fs.normalize(path + "/..")):
            await ctx.err(f"Error opening file: {files[0]} (No such file or directory)\n")
            return 1
        ctx.device.fs.write(path, data)
        return 0
    await ctx.out(data)
    return 0


# --- processes ---------------------------------------------------------------------------------------
PS_HELP = """usage: ps [-AadefLlnwZ] [-gG GROUP,] [-k FIELD,] [-o FIELD,] [-p PID,] [-t TTY,] [-uU USER,]

List processes.

Which processes to show (-gGuUpPt selections may be comma separated lists):

-A  All					-a  Has terminal not session leader
-d  All but session leaders		-e  Synonym for -A
-g  In GROUPs				-G  In real GROUPs (before sgid)
-p  PIDs (--pid)			-P  Parent PIDs (--ppid)
-s  In session IDs			-t  Attached to selected TTYs
-T  Show threads also			-u  Owned by selected USERs
-U  Real USERs (before suid)

Output modifiers:

-k  Sort FIELDs (-FIELD to reverse)	-M  Measure/pad future field widths
-n  Show numeric USER and GROUP		-w  Wide output (don't truncate fields)

Which FIELDs to show. (-o HELP for list, default = -o PID,TTY,TIME,CMD)

-f  Full listing (-o USER:12=UID,PID,PPID,C,STIME,TTY,TIME,ARGS=CMD)
-l  Long listing (-o F,S,UID,PID,PPID,C,PRI,NI,ADDR,SZ,WCHAN,TTY,TIME,CMD)
-o  Output FIELDs instead of defaults, each with optional :size and =title
-O  Add FIELDS to defaults
-Z  Include LABEL
"""

PS_HEADER = "USER           PID  PPID        VSZ    RSS WCHAN            ADDR S NAME                       \n"


def _ps_line(p: Any) -> str:
    user = p.user
    return (
        f"{user:<12s} {p.pid:>5d} {p.ppid:>5d} {p.vsz:>10d} {p.rss:>6d} "
        f"{p.wchan:<16s} {0:>4d} {p.state} {p.name}\n"
    )


_PS_FIELDS: dict[str, tuple[str, int]] = {  # name → (attribute, width; negative = left-aligned)
    "USER": ("user", -12),
    "UID": ("user", -12),
    "PID": ("pid", 5),
    "PPID": ("ppid", 5),
    "VSZ": ("vsz", 10),
    "RSS": ("rss", 6),
    "WCHAN": ("wchan", -16),
    "ADDR": ("addr", 4),
    "S": ("state", 1),
    "NAME": ("name", 0),
    "CMD": ("name", 0),
    "CMDLINE": ("name", 0),
    "ARGS": ("name", 0),
    "COMM": ("name", 0),
}


def _option_value(args: list[str], option: str) -> str | None:
    if option in args:
        i = args.index(option)
        return args[i + 1] if i + 1 < len(args) else None
    return None


@command("ps")
async def cmd_ps(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if "--help" in args or "-h" in args:
        await ctx.out(PS_HELP)
        return 0
    table = ctx.device.process_table
    procs: list[Any] = table.all()
    valued = {v for opt in ("-p", "-o", "-u", "-k") if (v := _option_value(args, opt)) is not None}
    flags = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))
    names = [a for a in args if not a.startswith("-") and a not in valued]
    pid_text = _option_value(args, "-p")
    pids = [int(x) for x in pid_text.split(",") if x.isdigit()] if pid_text else []
    if pids:
        procs = [p for p in procs if p.pid in pids]
    elif names:
        procs = [p for p in procs if p.name in names or str(p.pid) in names]
    elif not ({"A", "e"} & set(flags)):
        shell_pid = ctx.device.shell_pid()
        procs = [
            _Fake(2000, shell_pid, table.pid_of("adbd") or 470, "sh"),
            _Fake(2000, shell_pid + 1, shell_pid, "ps"),
        ]
    fields_text = _option_value(args, "-o")
    if fields_text is None:
        await ctx.out(PS_HEADER + "".join(_ps_line(p) for p in procs))
        return 0
    fields = [f.split("=")[0].split(":")[0].upper() for f in fields_text.split(",") if f]
    unknown = [f for f in fields if f not in _PS_FIELDS]
    if unknown:
        raise UsageError(f"ps: bad -o {unknown[0]}")

    def cell(name: str, value: Any) -> str:
        width = _PS_FIELDS[name][1]
        text = str(value)
        return text.ljust(-width) if width < 0 else text.rjust(width)

    lines = [" ".join(cell(f, f) for f in fields).rstrip() + "\n"]
    for p in procs:
        values = {f: getattr(p, _PS_FIELDS[f][0], 0) for f in fields}
        lines.append(" ".join(cell(f, values[f]) for f in fields).rstrip() + "\n")
    await ctx.out("".join(lines))
    return 0


@command("pgrep")
async def cmd_pgrep(ctx: Ctx) -> int:
    """toybox ``pgrep [-flx] PATTERN``: regex over process names; exit 1 when nothing matches."""
    import re

    args = ctx.argv[1:]
    flags = "".join(a[1:] for a in args if a.startswith("-"))
    patterns = [a for a in args if not a.startswith("-")]
    if not patterns:
        raise UsageError("pgrep: Need 1 argument", 2)
    try:
        regex = re.compile(patterns[0])
    except re.error:
        raise UsageError(f"pgrep: bad regex '{patterns[0]}'", 2) from None
    hits = [
        p
        for p in ctx.device.process_table.all()
        if (regex.fullmatch(p.name) if "x" in flags else regex.search(p.name))
    ]
    if not hits:
        return 1
    await ctx.out("".join(f"{p.pid} {p.name}\n" if "l" in flags else f"{p.pid}\n" for p in hits))
    return 0


class _Fake:
    """The shell's own processes, which only exist while the command runs."""

    def __init__(self, uid: int, pid: int, ppid: int, name: str) -> None:
        from harness.sim.android.processes import uid_name

        self.user, self.pid, self.ppid, self.name = uid_name(uid), pid, ppid, name
        self.vsz, self.rss, self.wchan, self.state = 10_884_204, 3_412, "0", "R" if name == "ps" else "S"


@command("pidof")
async def cmd_pidof(ctx: Ctx) -> int:
    pids = [
        p.pid
        for name in ctx.argv[1:]
        if not name.startswith("-")
        for p in ctx.device.process_table.by_name(name)
    ]
    if not pids:
        return 1
    await ctx.out(" ".join(str(p) for p in sorted(pids, reverse=True)) + "\n")
    return 0


@command("kill")
async def cmd_kill(ctx: Ctx) -> int:
    targets = [a for a in ctx.argv[1:] if not a.startswith("-")]
    status = 0
    for word in targets:
        proc = ctx.device.process_table.by_pid(int(word)) if word.isdigit() else None
        if proc is None:
            await ctx.err(
                f"kill: No such process ({word})\n" if word.isdigit() else f"kill: bad pid '{word}'\n"
            )
            status = 1
            continue
        if proc.uid != 2000:
            await ctx.err(f"kill: pid {word}: Operation not permitted\n")
            status = 1
    return status
