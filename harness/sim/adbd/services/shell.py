"""``shell:`` (v1, raw), ``shell,v2,…:`` and ``exec:`` — a command line handed to the model's shell.

The model interprets the command (it never runs on the host); this module only maps
the wire forms onto :class:`~harness.sim.device_api.ShellIO` and reports the exit code.
For v2 the stream closes right after the exit packet: clients wait for that close, so
any delay there is added to every ``adb shell``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from harness.sim.adbd.services.base import Service, ServiceContext
from harness.sim.adbd.services.shell_io import RawShellIO, ShellV2IO
from harness.sim.adbd.stream import AdbStream
from harness.sim.device_api import DeviceModel, ShellIO

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShellRequest:
    """A parsed ``shell[,arg…]:command`` destination."""

    command: str | None
    v2: bool
    pty: bool
    env: tuple[tuple[str, str], ...]


def parse_shell_service(head: str, command: str) -> ShellRequest:
    """Parse like adbd: args ``v2``, ``raw``, ``pty``, ``KEY=VALUE``; default pty only without a command."""
    v2 = False
    mode: str | None = None
    env: list[tuple[str, str]] = []
    for arg in head.split(",")[1:]:
        if arg == "v2":
            v2 = True
        elif arg in ("raw", "pty"):
            mode = arg
        elif "=" in arg:
            key, _, value = arg.partition("=")
            env.append((key, value))
    pty = mode == "pty" if mode is not None else not command
    return ShellRequest(command or None, v2, pty, tuple(env))


async def _run_command(model: DeviceModel, request: ShellRequest, io: ShellIO) -> int:
    try:
        return await model.shell(request.command, io, pty=request.pty)
    except Exception as exc:
        log.exception("virtual shell failed on %r", request.command)
        await io.write_stderr(f"/system/bin/sh: internal error: {exc}\n".encode())
        return 1


def open_shell(context: ServiceContext, head: str, command: str) -> Service:
    request = parse_shell_service(head, command)

    async def run(stream: AdbStream) -> None:
        if request.v2:
            io = ShellV2IO(stream)
            code = await _run_command(context.model, request, io)
            await io.write_exit(code)
        else:
            await _run_command(context.model, request, RawShellIO(stream))

    return run


def open_exec(context: ServiceContext, command: str) -> Service:
    """``exec:`` — raw and binary-safe, no shell protocol (``adb exec-out``, streamed ``cmd package``)."""
    request = ShellRequest(command or None, v2=False, pty=False, env=())

    async def run(stream: AdbStream) -> None:
        await _run_command(context.model, request, RawShellIO(stream))

    return run
