"""``uiautomator dump``: the native hierarchy on screen, as the real command writes it."""

from __future__ import annotations

from harness.sim.android.shell.context import Ctx
from harness.sim.android.shell.registry import command

USAGE = """Usage: uiautomator <subcommand> [options]

Available subcommands:

help: displays help message

dump: creates an XML dump of current UI hierarchy
"""
DEFAULT_DUMP = "/sdcard/window_dump.xml"


@command("uiautomator")
async def cmd_uiautomator(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if not args or args[0] in ("help", "-h", "--help"):
        await ctx.out(USAGE)
        return 0
    if args[0] != "dump":
        await ctx.err(f"Unknown command: {args[0]}\n{USAGE}")
        return 1
    files = [a for a in args[1:] if not a.startswith("--")]
    target = files[0] if files else DEFAULT_DUMP
    xml = ctx.device.windows.uiautomator_xml()
    if target in ("/dev/tty", "/dev/stdout"):
        await ctx.out(xml)
    else:
        path = ctx.device.fs.normalize(target, ctx.shell.cwd)
        if not ctx.device.fs.is_dir(ctx.device.fs.normalize(path + "/..")):
            await ctx.err(f"ERROR: could not write to {target}\n")
            return 1
        ctx.device.fs.write(path, xml.encode("utf-8"))
    # The real tool prints this line, typo included; scripts look for it.
    await ctx.err(f"UI hierchary dumped to: {target}\n")
    return 0
