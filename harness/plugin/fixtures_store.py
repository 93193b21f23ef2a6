"""``store``: the RuStore sandbox's control API, on pools whose store the harness controls.

Only a virtual pool has one (the sandbox decides outcomes, errors and time). On phones,
emulators and farms the real RuStore answers, so a test that needs the controls is skipped
with the reason rather than run against a store it cannot steer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from harness.android.device import AndroidDevice
from harness.plugin.session import HarnessSession
from harness.pool import DevicePool

if TYPE_CHECKING:  # imported by the fixture: only virtual pools use it, and it costs ~0.1 s at start
    from harness.sim.sandbox.client import SandboxClient


def sandbox_user_id(android: AndroidDevice) -> str:
    """The device's RuStore user in a virtual pool's sandbox (the virtual SDK's default user)."""
    return f"device-{android.getprop('ro.serialno')}"


def no_store_reason(session: HarnessSession) -> str | None:
    if session.pool_kind == "virtual":
        return None
    return (
        f"needs store controls: pool {session.pool_name!r} is {session.pool_kind}, whose store is the real "
        "RuStore; run with a virtual pool (--pool virtual)"
    )


@pytest.fixture(scope="session")
def store(_harness: HarnessSession, device_pool: DevicePool) -> Iterator[SandboxClient]:
    """SandboxClient of the virtual pool's sandbox (reset, outcomes, forced errors, clock…)."""
    reason = no_store_reason(_harness)
    if reason:
        pytest.skip(reason)
    url = _harness.extras.get("services", {}).get("sandbox_url")
    if not url:
        pytest.skip("needs store controls: the running virtual pool has no sandbox (started --devices-only)")
    from harness.sim.sandbox.client import SandboxClient

    client = SandboxClient(url)
    try:
        yield client
    finally:
        client.close()
