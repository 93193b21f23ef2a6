"""Device services an adb OPEN can name, and the router from service string to handler.

A service is a coroutine over one :class:`~harness.sim.adbd.stream.AdbStream`. Opening
can fail (unknown service, ``tcp:`` port with no listener): the router then returns
``None`` and the connection answers the OPEN with CLSE, like adbd.
"""

from __future__ import annotations

from harness.sim.adbd.services import abb, admin, forward, shell, sync
from harness.sim.adbd.services.base import Service, ServiceContext
from harness.sim.latency import pause

__all__ = ["Service", "ServiceContext", "open_service"]


async def open_service(context: ServiceContext, name: str) -> Service | None:
    """Resolve an OPEN destination (``shell,v2,raw:ls``, ``sync:``, ``tcp:8080`` …) to a handler."""
    head, sep, rest = name.partition(":")
    if not sep:
        return None
    if head.split(",", 1)[0] in ("shell", "exec", "abb_exec"):
        # a phone's adbd takes ~20 ms per call (realistic); models without properties (test doubles) add none
        await pause(getattr(context.model, "props", {}), "adb")
    if head.split(",", 1)[0] == "shell":
        return shell.open_shell(context, head, rest)
    if head == "exec":
        return shell.open_exec(context, rest)
    if head == "abb_exec":
        return abb.open_abb_exec(context, rest)
    if head == "sync":
        return sync.open_sync(context)
    if head == "tcp":
        return await forward.open_tcp(context, rest)
    if head == "reverse":
        return forward.open_reverse_unsupported()
    return admin.open_admin(head)
