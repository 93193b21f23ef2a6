"""Handing an open Appium session from the process that opened it to the one that drives it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from harness.android.session_handoff import OpenSession, SessionHandoff

SESSION = OpenSession("127.0.0.1:5555", "abc-123", {"platformName": "Android"}, 8201)


def claim_in_background(handoff: SessionHandoff, key: str, **kwargs: float) -> tuple[threading.Thread, list]:
    got: list = []
    thread = threading.Thread(target=lambda: got.append(handoff.claim(key, **kwargs)))
    thread.start()
    return thread, got


def test_nothing_reserved_is_nothing_to_claim_and_returns_at_once(tmp_path: Path) -> None:
    handoff = SessionHandoff(tmp_path / "sessions")
    started = time.monotonic()
    assert handoff.claim("virtual-1", timeout=30) is None
    assert time.monotonic() - started < 5  # it did not wait for an opener that does not exist


def test_a_claimer_waits_for_the_opener_and_takes_the_session_once(tmp_path: Path) -> None:
    handoff = SessionHandoff(tmp_path / "sessions")
    reservation = handoff.reserve("virtual-1")
    thread, got = claim_in_background(handoff, "virtual-1")
    thread.join(timeout=0.5)
    assert thread.is_alive() and got == []  # still opening: the claimer is blocked on the lock
    reservation.offer(SESSION)
    thread.join(timeout=10)
    assert got == [SESSION]
    assert handoff.claim("virtual-1") is None  # claimed: no second owner
    assert handoff.unclaimed() == []


def test_an_opener_that_gives_up_lets_the_claimer_open_its_own(tmp_path: Path) -> None:
    handoff = SessionHandoff(tmp_path / "sessions")
    reservation = handoff.reserve("virtual-1")
    thread, got = claim_in_background(handoff, "virtual-1")
    reservation.release()
    thread.join(timeout=10)
    assert got == [None]


def test_a_stuck_opener_is_waited_for_only_until_the_timeout(tmp_path: Path) -> None:
    handoff = SessionHandoff(tmp_path / "sessions")
    reservation = handoff.reserve("virtual-1")
    try:
        assert handoff.claim("virtual-1", timeout=0.2) is None
    finally:
        reservation.release()


def test_sessions_nobody_claimed_go_back_to_the_opener(tmp_path: Path) -> None:
    handoff = SessionHandoff(tmp_path / "sessions")
    other = OpenSession("127.0.0.1:5557", "def-456", {}, 8202)
    handoff.reserve("virtual-1").offer(SESSION)
    handoff.reserve("virtual-2").offer(other)
    assert handoff.claim("virtual-2") == other
    assert handoff.unclaimed() == [SESSION]
    assert handoff.unclaimed() == []  # taken back: closing it is the opener's job, once


def test_a_session_handed_back_goes_to_exactly_one_closer(tmp_path: Path) -> None:
    handoff = SessionHandoff(tmp_path / "sessions")
    handoff.reserve("virtual-1").offer(SESSION)
    assert handoff.claim("virtual-1") == SESSION
    handoff.give_back("virtual-1", SESSION)
    assert handoff.unclaimed() == []  # handed back is not unclaimed: it was used
    results: list[list[OpenSession]] = []
    closers = [threading.Thread(target=lambda: results.append(handoff.given_back())) for _ in range(4)]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(timeout=10)
    assert sorted(len(r) for r in results) == [0, 0, 0, 1] and [SESSION] in results
    assert handoff.given_back() == []
