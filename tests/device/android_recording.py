"""The real Android model with a log of what reached it, so tests can prove which install path ran."""

from __future__ import annotations

from harness.sim.android import AndroidDevice
from harness.sim.device_api import ShellIO


class RecordingAndroidDevice(AndroidDevice):
    """``AndroidDevice`` that remembers every shell command line and binder argv it was given."""

    def __init__(self, profile: str = "pixel-7-api-34") -> None:
        super().__init__(profile)
        self.shell_commands: list[str | None] = []
        self.binder_calls: list[list[str]] = []

    async def shell(self, command: str | None, io: ShellIO, *, pty: bool = False) -> int:
        self.shell_commands.append(command)
        return await super().shell(command, io, pty=pty)

    async def binder_command(self, argv: list[str], io: ShellIO) -> int:
        self.binder_calls.append(list(argv))
        return await super().binder_command(argv, io)
