"""A crash during a wait ends the wait with the crash itself, not with a timeout that hides it."""

from __future__ import annotations

import threading

import pytest

from harness.android.crash import CrashWatcher
from harness.rustore.recorder import AppCrashed, CallbackRecorder

PID = 4242
CRASH = [
    f"11-22 10:00:00.000 10071 {PID} {PID} E AndroidRuntime: FATAL EXCEPTION: main",
    f"11-22 10:00:00.000 10071 {PID} {PID} E AndroidRuntime: Process: ru.rustore.sample.billing, PID: {PID}",
    f"11-22 10:00:00.000 10071 {PID} {PID} E AndroidRuntime: java.lang.RuntimeException: "
    "java.lang.NullPointerException: Attempt to invoke virtual method",
    f"11-22 10:00:00.000 10071 {PID} {PID} E AndroidRuntime: \tat ru.rustore.defold.billing."
    "RuStoreBilling.purchaseProduct(RuStoreBilling.kt:88)",
    f"11-22 10:00:00.001 10071 {PID} {PID} I Process : Sending signal. PID: {PID} SIG: 9",
]


def test_watcher_reads_process_exception_and_frames():
    watcher = CrashWatcher()
    completed = [c for c in (watcher.feed(line) for line in CRASH) if c is not None]
    assert len(completed) == 1 and watcher.crashes == completed
    crash = completed[0]
    assert (crash.package, crash.pid, crash.thread) == ("ru.rustore.sample.billing", PID, "main")
    assert crash.exception.startswith("java.lang.RuntimeException: java.lang.NullPointerException")
    frame = "at ru.rustore.defold.billing.RuStoreBilling.purchaseProduct(RuStoreBilling.kt:88)"
    assert crash.frames == [frame]
    assert "ru.rustore.sample.billing (pid 4242) crashed" in crash.describe()


def test_other_tags_and_pids_are_not_crashes():
    watcher = CrashWatcher()
    assert watcher.feed("11-22 10:00:00.000 1 2 2 E AndroidRuntime: Process: x, PID: 2") is None
    assert watcher.feed("11-22 10:00:00.000 1 2 2 E SomethingElse: FATAL EXCEPTION: main") is None
    assert watcher.crashes == []


def test_expect_stops_at_a_crash_with_the_cause():
    recorder = CallbackRecorder()
    recorder.start_test()
    feeder = threading.Thread(target=lambda: [recorder.feed(line) for line in CRASH])
    feeder.start()
    with pytest.raises(AppCrashed, match=r"crashed: FATAL EXCEPTION .*NullPointerException") as caught:
        recorder.expect_any("purchase_product", timeout=30)
    feeder.join()
    assert caught.value.crash.package == "ru.rustore.sample.billing"
    assert recorder.expect_crash(timeout=1) is caught.value.crash


def test_a_crash_before_the_test_does_not_fail_the_next_test():
    recorder = CallbackRecorder()
    for line in CRASH:
        recorder.feed(line)
    recorder.start_test()
    assert recorder.crashes() == []
    with pytest.raises(AssertionError, match="no app crash"):
        recorder.expect_crash(timeout=0.05)
