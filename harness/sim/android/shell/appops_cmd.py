"""``appops`` and ``cmd notification``: the permission switches the Appium driver flips.

The UiAutomator2 driver runs ``appops set io.appium.settings android:mock_location allow``
(and ``PROJECT_MEDIA``) and ``cmd notification allow_listener …`` at every session; on a phone
they succeed silently, and a package that is not installed is an error.
"""

from __future__ import annotations

import weakref
from typing import Any

from harness.sim.android.shell.context import Ctx
from harness.sim.android.shell.registry import command

MODES = ("allow", "ignore", "deny", "default", "foreground")
# device → (package, OP) → mode; the ops survive while the device runs.
_OPS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], str]] = weakref.WeakKeyDictionary()


def _op_name(op: str) -> str:
    return op.split(":", 1)[1].upper() if op.startswith("android:") else op.upper()


async def run_appops(ctx: Ctx, args: list[str]) -> int:
    args = [a for i, a in enumerate(args) if a != "--user" and (i == 0 or args[i - 1] != "--user")]
    if not args or args[0] not in ("set", "get", "reset"):
        await ctx.err("usage: appops set [--user <USER_ID>] <PACKAGE | UID> <OP> <MODE>\n")
        return 255
    verb, rest = args[0], args[1:]
    if not rest:
        await ctx.err("Error: No UID specified.\n")
        return 255
    package = rest[0]
    if ctx.device.packages.get(package) is None:
        await ctx.err(f"Error: No UID for {package} in user 0\n")
        return 255
    ops = _OPS.setdefault(ctx.device, {})
    if verb == "set":
        if len(rest) < 3 or rest[2] not in MODES:
            await ctx.err(
                "Error: Mode not specified.\n" if len(rest) < 3 else f"Error: Mode {rest[2]} is not valid\n"
            )
            return 255
        ops[(package, _op_name(rest[1]))] = rest[2]
        return 0
    if verb == "reset":
        for key in [k for k in ops if k[0] == package]:
            del ops[key]
        return 0
    wanted = _op_name(rest[1]) if len(rest) > 1 else None
    shown = [(op, mode) for (pkg, op), mode in sorted(ops.items()) if pkg == package and wanted in (None, op)]
    if not shown:
        await ctx.out("No operations.\n" if wanted is None else f"{wanted}: default\n")
    for op, mode in shown:
        await ctx.out(f"{op}: {mode}\n")
    return 0


@command("appops")
async def cmd_appops(ctx: Ctx) -> int:
    return await run_appops(ctx, ctx.argv[1:])


async def run_notification(ctx: Ctx, args: list[str]) -> int:
    """``cmd notification allow_listener|disallow_listener COMPONENT``: silent success."""
    if len(args) >= 2 and args[0] in ("allow_listener", "disallow_listener"):
        return 0
    await ctx.err("usage: cmd notification [allow_listener|disallow_listener] COMPONENT\n")
    return 255
