"""Logcat: payload limit, formats, filters, buffers, ANDROID_LOG_TAGS quoting and follow mode."""

from __future__ import annotations

import asyncio
import re
import threading

import pytest

from harness.sim.android.logcat import LOGGER_ENTRY_MAX_PAYLOAD

from .conftest import FakeIO


async def wait_for_text(io: FakeIO, text: str) -> None:
    """Event-driven: wake on each write until ``text`` shows up."""

    async def loop() -> None:
        while text not in io.out:
            io.wrote.clear()
            await io.wrote.wait()

    await asyncio.wait_for(loop(), 5.0)


def test_payload_is_truncated_to_logger_entry_max_payload(device):
    tag = "BillingLog"
    entry = device.logcat.write("I", tag, "x" * 10_000, pid=42)
    payload = 1 + len(tag) + 1 + len(entry.message.encode()) + 1
    assert payload == LOGGER_ENTRY_MAX_PAYLOAD
    assert len(entry.message) == LOGGER_ENTRY_MAX_PAYLOAD - 3 - len(tag)


def test_payload_limit_counts_utf8_bytes(device):
    entry = device.logcat.write("I", "T", "я" * 3000, pid=1)  # 2 bytes each
    assert len(entry.message_bytes) == LOGGER_ENTRY_MAX_PAYLOAD - 3 - 1
    short = device.logcat.write("I", "T", "fits", pid=1)
    assert short.message == "fits"


def test_threadtime_format(run, device):
    device.logcat.clear()
    device.logcat.write("W", "Pay", "hello", pid=1234, tid=1250)
    out = run(lambda r: r.sh("logcat -d -v threadtime")).out
    assert out.splitlines()[0] == "--------- beginning of main"
    assert re.fullmatch(r"\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  1234  1250 W Pay     : hello", out.splitlines()[1])


@pytest.mark.parametrize(
    ("fmt", "pattern"),
    [
        ("brief", r"I/Game    \(  777\): one"),
        ("tag", r"I/Game    : one"),
        ("process", r"I\(  777\) one  \(Game\)"),
        ("raw", r"one"),
        ("time", r"\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} I/Game    \(  777\): one"),
        ("epoch", r"\d{10}\.\d{3}   777   778 I Game    : one"),
        ("thread", r"I\(  777:  778\) one"),
    ],
)
def test_formats(run, device, fmt, pattern):
    device.logcat.clear()
    device.logcat.write("I", "Game", "one", pid=777, tid=778)
    lines = [
        ln for ln in run(lambda r: r.sh(f"logcat -d -v {fmt}")).out.splitlines() if not ln.startswith("---")
    ]
    assert len(lines) == 1 and re.fullmatch(pattern, lines[0]), lines


def test_long_format_and_multiline_messages(run, device):
    device.logcat.clear()
    device.logcat.write("E", "Game", "line1\nline2", pid=5, tid=6)
    out = run(lambda r: r.sh("logcat -d -v brief")).out
    assert "E/Game    (    5): line1\nE/Game    (    5): line2\n" in out
    long = run(lambda r: r.sh("logcat -d -v long")).out
    assert re.search(r"\[ \d\d-\d\d [\d:.]+     5:    6 E/Game     \]\nline1\nline2\n\n", long)


def test_timestamps_use_device_time_zone(run):
    from harness.sim.android import AndroidDevice

    from .conftest import Runner

    utc = AndroidDevice(timezone="UTC")
    vladivostok = AndroidDevice(timezone="Asia/Vladivostok")
    when = 1_700_000_000.25
    for dev in (utc, vladivostok):
        dev.logcat.clear()
        dev.logcat.write("I", "T", "m", pid=1, when=when)
    a = asyncio.run(Runner(utc).sh("logcat -d -v time")).out
    b = asyncio.run(Runner(vladivostok).sh("logcat -d -v time")).out
    assert "11-14 22:13:20.250 I/T" in a
    assert "11-15 08:13:20.250 I/T" in b


def test_filters_and_silence(run, device):
    device.logcat.clear()
    for prio, tag in (("D", "Noise"), ("I", "Pay"), ("V", "Pay"), ("E", "Other")):
        device.logcat.write(prio, tag, f"{prio}{tag}", pid=1)
    body = lambda out: [ln.split(": ", 1)[1] for ln in out.splitlines() if not ln.startswith("---")]  # noqa: E731
    assert body(run(lambda r: r.sh("logcat -d Pay:I *:S")).out) == ["IPay"]
    assert body(run(lambda r: r.sh("logcat -d -s Pay")).out) == ["IPay", "VPay"]
    assert body(run(lambda r: r.sh("logcat -d *:E")).out) == ["EOther"]
    assert body(run(lambda r: r.sh("logcat -d -e ^[DE]")).out) == ["DNoise", "EOther"]
    assert body(run(lambda r: r.sh("ANDROID_LOG_TAGS='Pay:I *:S' logcat -d")).out) == ["IPay"]


@pytest.mark.parametrize(
    "line",
    [
        "export ANDROID_LOG_TAGS=\"''\"; exec logcat '-d'",
        "export ANDROID_LOG_TAGS=''; exec logcat '-d'",
    ],
)
def test_adb_client_quoting_shows_everything(run, device, line):
    device.logcat.clear()
    device.logcat.write("V", "Quiet", "verbose entry", pid=3)
    r = run(lambda r: r.sh(line))
    assert r.code == 0 and "V Quiet   : verbose entry" in r.out


def test_tail_count_and_clear(run, device):
    device.logcat.clear()
    for i in range(5):
        device.logcat.write("I", "N", f"n{i}", pid=1)
    out = run(lambda r: r.sh("logcat -t 2 -v raw")).out
    assert out == "n3\nn4\n"
    assert run(lambda r: r.sh("logcat --clear")).code == 0
    assert run(lambda r: r.sh("logcat -d -v raw")).out == ""


def test_buffers(run, device):
    device.logcat.clear(["main", "system", "crash", "events"])
    device.logcat.write("I", "Main", "m", pid=1)
    device.logcat.write("I", "Sys", "s", pid=1, buffer="system")
    device.logcat.write("I", "Ev", "e", pid=1, buffer="events")
    assert run(lambda r: r.sh("logcat -d -b system -v raw")).out == "s\n"
    assert run(lambda r: r.sh("logcat -d -b events -v raw")).out == "e\n"
    default = run(lambda r: r.sh("logcat -d -v tag")).out
    assert "I/Main" in default and "I/Sys" in default and "I/Ev" not in default
    assert "--------- beginning of system" in default
    size = run(lambda r: r.sh("logcat -g -b main")).out
    assert "max payload is 4068 B" in size


def test_bad_arguments(run):
    assert run(lambda r: r.sh("logcat -v nonsense -d")).code != 0
    assert run(lambda r: r.sh("logcat -d Tag:Q")).code != 0


def test_log_command_writes_to_main(run, device):
    run(lambda r: r.sh("log -t HarnessTag -p w 'hello from shell'"))
    entry = device.logcat.entries()[-1]
    assert (entry.tag, entry.priority, entry.message) == ("HarnessTag", 5, "hello from shell")


def test_follow_streams_new_entries_until_client_leaves(device):
    async def scenario() -> tuple[int, str]:
        device.logcat.clear()
        device.logcat.write("I", "Old", "before", pid=1)
        io = FakeIO()
        task = asyncio.ensure_future(device.shell("exec logcat -v threadtime", io, pty=False))
        await wait_for_text(io, "before")
        device.logcat.write("I", "New", "after-1", pid=2)
        await wait_for_text(io, "after-1")
        device.logcat.write("D", "New", "after-2", pid=2)
        await wait_for_text(io, "after-2")
        assert not task.done()
        io.closed.set()
        code = await asyncio.wait_for(task, 5)
        return code, io.out

    code, out = asyncio.run(scenario())
    assert code == 0
    assert out.index("before") < out.index("after-1") < out.index("after-2")


def test_follow_with_tail_and_filter_and_thread_writer(device):
    async def scenario() -> str:
        device.logcat.clear()
        for i in range(4):
            device.logcat.write("I", "Seed", f"seed{i}", pid=1)
        io = FakeIO()
        task = asyncio.ensure_future(device.shell("logcat -T 1 -v raw Seed:I Thread:I *:S", io))
        await wait_for_text(io, "seed3")
        writer = threading.Thread(target=lambda: device.logcat.write("I", "Thread", "from-thread", pid=9))
        writer.start()
        writer.join()
        await wait_for_text(io, "from-thread")
        device.logcat.write("I", "Ignored", "filtered-out", pid=9)
        device.logcat.write("I", "Seed", "last", pid=9)
        await wait_for_text(io, "last")
        io.closed.set()
        await asyncio.wait_for(task, 5)
        return io.out

    out = asyncio.run(scenario())
    assert out == "seed3\nfrom-thread\nlast\n"


def test_follow_through_a_pipe(device):
    async def scenario() -> str:
        device.logcat.clear()
        io = FakeIO()
        task = asyncio.ensure_future(device.shell("logcat -v raw | grep --line-buffered Buy", io))
        await asyncio.sleep(0)
        device.logcat.write("I", "G", "Sell 1", pid=1)
        device.logcat.write("I", "G", "Buy 2", pid=1)
        await wait_for_text(io, "Buy 2")
        io.closed.set()
        await asyncio.wait_for(task, 5)
        return io.out

    assert asyncio.run(scenario()) == "Buy 2\n"


def test_follow_works_on_successive_event_loops(device):
    """A device outlives loops in tests; waiting readers must never bind to a stale loop."""
    for round_ in range(3):

        async def scenario(n: int = round_) -> str:
            io = FakeIO()
            task = asyncio.ensure_future(device.shell("logcat -v raw -T 1", io))
            device.logcat.write("I", "Loop", f"round-{n}", pid=1)
            await wait_for_text(io, f"round-{n}")
            io.closed.set()
            await asyncio.wait_for(task, 5)
            return io.out

        assert f"round-{round_}" in asyncio.run(scenario())


def test_since_time_forms(run, device):
    device.logcat.clear()
    device.logcat.write("I", "T", "old", pid=1, when=1_700_000_000.0)
    device.logcat.write("I", "T", "new", pid=1, when=1_700_000_100.5)
    # 1_700_000_050 is 11-15 01:14:10 in Europe/Moscow
    assert run(lambda r: r.sh("logcat -v raw -t '2023-11-15 01:14:10.000'")).out == "new\n"
    assert run(lambda r: r.sh("logcat -v raw -t 1700000050.0")).out == "new\n"
    assert run(lambda r: r.sh("logcat -v raw -t 'yesterday'")).code != 0


def test_ring_buffer_drops_oldest(device):
    device.logcat.buffer_bytes = 4096
    device.logcat.clear()
    for i in range(200):
        device.logcat.write("I", "Ring", f"entry-{i:03d}", pid=1)
    kept = [e.message for e in device.logcat.entries(["main"])]
    assert kept[-1] == "entry-199" and "entry-000" not in kept
    assert device.logcat.buffer_usage("main") <= 4096


def test_max_count_pid_and_file_output(run, device):
    device.logcat.clear()
    for i in range(4):
        device.logcat.write("I", "M", f"m{i}", pid=100 + i % 2)
    assert run(lambda r: r.sh("logcat -d -v raw -m 2")).out == "m0\nm1\n"
    assert run(lambda r: r.sh("logcat -d -v raw --pid=101")).out == "m1\nm3\n"
    r = run(lambda r: r.sh("logcat -d -v raw -f /data/local/tmp/log.txt"))
    assert r.out == "" and device.fs.read("/data/local/tmp/log.txt") == b"m0\nm1\nm2\nm3\n"


def test_max_count_quits_after_the_nth_line_even_in_follow_mode(run) -> None:
    """``logcat -m 1`` (no -d) must exit once one matching line is printed, without waiting for more."""
    import asyncio

    async def scenario(r):  # type: ignore[no-untyped-def]
        return await asyncio.wait_for(r.sh("logcat -b events -m 1 -s boot_progress_enable_screen"), 5)

    result = run(scenario)
    assert result.code == 0
    assert result.out.count("boot_progress_enable_screen") == 1
