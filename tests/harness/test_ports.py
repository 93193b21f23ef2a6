"""Free loopback ports are drawn below the kernel's ephemeral range, where no outgoing
connection can take them before the server they are meant for binds them."""

from __future__ import annotations

import itertools
import socket

import pytest

from harness import ports


def test_a_free_port_lies_below_the_ephemeral_range_and_can_be_bound() -> None:
    top = ports._ephemeral_start()
    for _ in range(20):
        port = ports.free_loopback_port()
        assert ports.LOWEST <= port < top
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # free indeed


def test_a_port_in_use_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        taken = int(busy.getsockname()[1])
        busy.listen()
        # Two draws of the busy port, then its neighbours upwards. Not just taken + 1: `taken` is
        # an ephemeral port, and the next one may be any process's connection at that moment.
        upcoming = itertools.chain([taken, taken], itertools.count(taken + 1))
        drawn: list[int] = []

        def draw(low: int, high: int) -> int:
            drawn.append(next(upcoming))
            return drawn[-1]

        monkeypatch.setattr(ports._draw, "randrange", draw)
        monkeypatch.setattr(ports, "LOWEST", 1024)
        monkeypatch.setattr(ports, "_ephemeral_start", lambda: 65_535)
        port = ports.free_loopback_port()
    assert drawn[:3] == [taken, taken, taken + 1]  # the busy port was drawn twice and passed over
    assert port == drawn[-1] and port > taken


def test_without_room_below_the_range_the_kernel_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_ephemeral_start", lambda: ports.LOWEST)
    port = ports.free_loopback_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
