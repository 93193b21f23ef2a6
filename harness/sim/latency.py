"""Latency profiles of a virtual device: ``instant`` (no added delay) or ``realistic`` (a phone's).

A virtual device answers far faster than a phone, so a suite that is fast (and race-free) here can
still be slow or flaky on a farm. The ``realistic`` profile adds, on the device side and with
asyncio delays, what a phone typically costs: ~100 ms per Appium command at the UiAutomator2
server, ~20 ms per adb shell/exec call at adbd, ~150 ms per RuStore backend call the device's SDK
makes. Each device reads its own profile from the ``rustore.harness.latency`` property, so one pool
can mix them (devices.yaml ``latency:``, or ``--prop rustore.harness.latency=realistic``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger(__name__)

PROP_LATENCY = "rustore.harness.latency"
#: The device's SDK names its profile to the sandbox with each call, so the sandbox can play the
#: network's part for that device only (the harness's own control calls carry no such header).
SANDBOX_HEADER = "x-rustore-harness-latency"

Kind = Literal["appium", "adb", "sandbox"]


@dataclass(frozen=True)
class LatencyProfile:
    appium: float  # seconds added to every request at the device's UiAutomator2 server
    adb: float  # seconds added when adbd opens a shell, exec or abb_exec service
    sandbox: float  # seconds added to every RuStore backend call of the device's SDK


PROFILES: dict[str, LatencyProfile] = {
    "instant": LatencyProfile(appium=0.0, adb=0.0, sandbox=0.0),
    "realistic": LatencyProfile(appium=0.100, adb=0.020, sandbox=0.150),
}
DEFAULT = "instant"


def profile_name(props: Mapping[str, str]) -> str:
    """The device's profile name; an unknown value counts as ``instant`` (and is logged once per call)."""
    name = props.get(PROP_LATENCY, "") or DEFAULT
    if name not in PROFILES:
        log.warning(
            "%s=%r is not a latency profile (%s); using %s", PROP_LATENCY, name, ", ".join(PROFILES), DEFAULT
        )
        return DEFAULT
    return name


def delay_of(props: Mapping[str, str], kind: Kind) -> float:
    return float(getattr(PROFILES[profile_name(props)], kind))


async def pause(props: Mapping[str, str], kind: Kind) -> None:
    """Wait as long as the device's profile says this kind of call takes (nothing when instant)."""
    seconds = delay_of(props, kind)
    if seconds > 0:
        await asyncio.sleep(seconds)


def sandbox_headers(props: Mapping[str, str]) -> dict[str, str]:
    """Headers the device's SDK sends with its sandbox calls (none when instant)."""
    name = profile_name(props)
    return {} if name == DEFAULT else {SANDBOX_HEADER: name}


def sandbox_delay(scope: Mapping[str, Any]) -> float:
    """The delay one sandbox request asks for through `SANDBOX_HEADER` (ASGI scope headers)."""
    for key, value in scope.get("headers", ()):
        if key == SANDBOX_HEADER.encode():
            return PROFILES.get(value.decode("latin-1"), PROFILES[DEFAULT]).sandbox
    return 0.0


ASGIApp = Callable[[Mapping[str, Any], Any, Any], Awaitable[None]]


class LatencyMiddleware:
    """ASGI middleware that holds each HTTP request for ``delay(scope)`` seconds before serving it."""

    def __init__(self, app: ASGIApp, delay: Callable[[Mapping[str, Any]], float]) -> None:
        self.app = app
        self.delay = delay

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            seconds = self.delay(scope)
            if seconds > 0:
                await asyncio.sleep(seconds)
        await self.app(scope, receive, send)
