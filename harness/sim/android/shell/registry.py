"""The table of emulated commands, filled by the command modules at import time."""

from __future__ import annotations

from collections.abc import Callable

from harness.sim.android.shell.context import CommandFn

COMMANDS: dict[str, CommandFn] = {}


def command(*names: str) -> Callable[[CommandFn], CommandFn]:
    """Decorator: register an ``async def cmd(ctx) -> int`` under one or more names."""

    def wrap(fn: CommandFn) -> CommandFn:
        for name in names:
            COMMANDS[name] = fn
        return fn

    return wrap
