"""``root:``, ``unroot:``, ``remount:`` — answered the way adbd on a production (user) build answers.

The virtual phones are user builds (``ro.debuggable=0``), so these only print adbd's
refusal and close; tools that probe for root see what they would see on a retail phone.
"""

from __future__ import annotations

from harness.sim.adbd.services.base import Service
from harness.sim.adbd.stream import AdbStream

_MESSAGES = {
    "root": b"adbd cannot run as root in production builds\n",
    "unroot": b"adbd not running as root\n",
    "remount": b'Not running as root. Try "adb root" first.\n',
}


def open_admin(name: str) -> Service | None:
    message = _MESSAGES.get(name)
    if message is None:
        return None

    async def run(stream: AdbStream) -> None:
        await stream.write(message)

    return run
