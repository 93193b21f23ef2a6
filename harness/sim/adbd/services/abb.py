"""``abb_exec:`` — Android Binder Bridge: a ``cmd``-style service call with NUL-separated argv.

Modern adb installs through it (``abb_exec:package\\0install\\0-S\\0N``): raw stream, the
APK bytes as stdin, ``Success`` back, then close.
"""

from __future__ import annotations

import logging

from harness.sim.adbd.services.base import Service, ServiceContext
from harness.sim.adbd.services.shell_io import RawShellIO
from harness.sim.adbd.stream import AdbStream

log = logging.getLogger(__name__)


def open_abb_exec(context: ServiceContext, args: str) -> Service | None:
    if "abb_exec" not in context.features:
        return None  # a device without the feature has no such service
    argv = args.split("\0")
    if argv and argv[-1] == "":
        argv.pop()

    async def run(stream: AdbStream) -> None:
        io = RawShellIO(stream)
        try:
            await context.model.binder_command(argv, io)
        except Exception as exc:
            log.exception("abb_exec %r failed", argv)
            await io.write_stderr(f"Exception occurred while executing: {exc}\n".encode())

    return run
