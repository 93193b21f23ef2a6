"""The RuStore sandbox service: catalog, purchases, state machines, public and control APIs.

``create_app`` and ``VirtualClock`` are loaded lazily so that importing
:mod:`harness.sim.sandbox.client` (allowed everywhere in the harness) pulls in no server code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .clock import VirtualClock

__all__ = ["VirtualClock", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "VirtualClock":
        from .clock import VirtualClock

        return VirtualClock
    raise AttributeError(name)
