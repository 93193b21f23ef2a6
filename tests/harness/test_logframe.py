"""The logcat frame format: reference encoder → logcat lines → FrameAssembler."""

from __future__ import annotations

import json
import random

from harness.rustore.logframe import (
    MAX_CHUNK_BYTES,
    TAG,
    CallbackEvent,
    FrameAssembler,
    IapCodeLine,
    encode_callback,
    encode_iap,
    split_logcat_line,
)

CH = "rustore_on_get_products_success"
HEADER = "11-22 02:38:00.123  4321  4350 I RuStoreHarness: "


def threadtime(message: str, pid: int = 4321, tag: str = TAG) -> str:
    return f"11-22 02:38:00.123  {pid}  {pid + 29} I {tag}: {message}\n"


def callbacks(items: list[CallbackEvent | IapCodeLine]) -> list[CallbackEvent]:
    return [i for i in items if isinstance(i, CallbackEvent)]


def big_payload(size: int = 10_240) -> str:
    products = []
    while len(json.dumps(products, ensure_ascii=False).encode()) < size:
        n = len(products)
        products.append({"productId": f"p{n}", "title": "Монеты ₽ 🪙", "priceLabel": f"{n} ₽"})
    return json.dumps(products, ensure_ascii=False, separators=(",", ":"))


def test_every_line_fits_the_logcat_entry_limit_and_is_readable_text() -> None:
    payload = big_payload() + "\\" * 3000  # worst case for escaping: every byte doubles
    lines = encode_callback(1, CH, payload)
    assert all(len(line.encode()) + len(TAG) + 3 < 4068 for line in lines)
    assert '"title":"Монеты ₽ 🪙"' in "".join(lines)  # not base64: humans read the JSON
    assert lines[0].startswith(f"cb seq=1 part=1/{len(lines)} off=0 len=")


def test_ten_kilobyte_payload_reassembles_byte_exact_from_threadtime_lines() -> None:
    payload = big_payload()
    lines = encode_callback(5, CH, payload)
    assert len(lines) >= 6
    events = callbacks(FrameAssembler().feed_all(threadtime(x) for x in lines))
    assert len(events) == 1
    event = events[0]
    assert (event.payload, event.broken, event.seq, event.channel) == (payload, False, 5, CH)
    assert (event.pid, event.device_time, event.parts) == (4321, "11-22 02:38:00.123", len(lines))


def test_multibyte_characters_at_every_chunk_boundary() -> None:
    for shift in range(4):
        payload = "x" * shift + "🪙é€" * 2000
        lines = encode_callback(2, CH, payload, max_chunk_bytes=997)
        for line in lines:
            line.encode("utf-8")  # never cut inside a UTF-8 sequence: each line is valid UTF-8
        assert callbacks(FrameAssembler().feed_all(lines))[0].payload == payload


def test_interleaved_out_of_order_and_duplicated_chunks() -> None:
    rng = random.Random(7)
    first = encode_callback(10, CH, big_payload(6000))
    second = encode_callback(11, "rustore_on_get_purchases_success", "[]")
    noise = [threadtime("Start proc 1234", tag="ActivityManager"), "--------- beginning of main\n", "garbage"]
    lines = [threadtime(x) for x in first + first[:2]] + [threadtime(x) for x in second] + noise
    rng.shuffle(lines)
    assembler = FrameAssembler()
    events = callbacks(assembler.feed_all(lines) + assembler.flush())
    assert sorted((e.seq, e.broken) for e in events) == [(10, False), (11, False)]
    assert assembler.duplicate_chunks == 2
    assert assembler.ignored_lines == 3


def test_duplicate_of_an_already_emitted_event_is_ignored() -> None:
    lines = encode_callback(3, CH, "[]")
    assembler = FrameAssembler()
    assert len(callbacks(assembler.feed_all(lines + lines))) == 1
    assert assembler.duplicate_chunks == 1


def test_missing_chunk_is_reported_as_broken_with_what_is_missing() -> None:
    lines = encode_callback(4, CH, "a" * 5000, max_chunk_bytes=2000)
    assembler = FrameAssembler()
    assert assembler.feed_all([lines[0], lines[2]]) == []
    [event] = assembler.flush()
    assert event.broken
    assert event.problems == (
        "incomplete (stream ended): missing part(s) 2 of 3",
        "bytes 2000..3999 missing before part 3",
        "2000 of 5000 bytes missing",
    )
    assert event.payload == "a" * 3000  # what did arrive


def test_incomplete_event_is_reported_after_newer_events_complete() -> None:
    assembler = FrameAssembler(late_window=2)
    lost = encode_callback(1, CH, "b" * 3000, max_chunk_bytes=2000)[0]
    out = assembler.feed(lost)
    for seq in (2, 3):
        out += assembler.feed_all(encode_callback(seq, CH, "[]"))
    events = callbacks(out)
    assert [(e.seq, e.broken) for e in events] == [(2, False), (3, False), (1, True)]
    assert "no more chunks after 2 newer events" in events[2].problems[0]


def test_truncated_chunk_and_crc_mismatch() -> None:
    lines = encode_callback(6, CH, "c" * 3000, max_chunk_bytes=2000)
    truncated = [lines[0][:-100], lines[1]]  # logcat cut the end of the first entry
    [event] = callbacks(FrameAssembler().feed_all(truncated))
    assert event.broken
    assert "bytes 1900..1999 missing before part 2" in event.problems
    assert "length 2900 bytes, header says 3000: a chunk was truncated" in event.problems
    assert any(p.startswith("CRC mismatch") for p in event.problems)
    flipped = [lines[0].replace("ccc", "ccd", 1), lines[1]]
    [event] = callbacks(FrameAssembler().feed_all(flipped))
    assert [p for p in event.problems if p.startswith("CRC")] == [event.problems[0]]


def test_non_json_payloads_with_newlines_backslashes_and_carriage_returns() -> None:
    payload = '{"e": "{}", "message": "a\\b\nc\r\nd\\n"}'
    lines = encode_callback(8, "rustore_on_payment_logger_info", payload)
    assert len(lines) == 1 and "\n" not in lines[0] and "\r" not in lines[0]
    assert lines[0].endswith('|{"e": "{}", "message": "a\\\\b\\nc\\r\\nd\\\\n"}')
    # adb through a pty adds \r\n: still exact
    [event] = callbacks(FrameAssembler().feed(HEADER + lines[0] + "\r\n"))
    assert event.payload == payload and not event.broken


def test_empty_payload_and_cesu8_from_jni() -> None:
    [empty] = callbacks(FrameAssembler().feed_all(encode_callback(9, CH, "")))
    assert (empty.payload, empty.broken) == ("", False)
    surrogates = "\ud83e\ude99"  # U+1FA99 as JNI's modified UTF-8 carries it
    cesu = b'{"title":"' + surrogates.encode("utf-8", "surrogatepass") + b'"}'
    lines = encode_callback(12, CH, cesu)
    [event] = callbacks(FrameAssembler().feed_all(line.encode("utf-8", "surrogateescape") for line in lines))
    assert event.payload == '{"title":"🪙"}'
    assert event.encoding_note == "CESU-8 surrogate pairs joined"


def test_same_seq_from_another_process_is_another_event() -> None:
    a = encode_callback(1, CH, "[1]")
    b = encode_callback(1, CH, "[2]")
    events = callbacks(FrameAssembler().feed_all([threadtime(a[0], pid=100), threadtime(b[0], pid=200)]))
    assert [(e.pid, e.payload) for e in events] == [(100, "[1]"), (200, "[2]")]


def test_iap_code_lines() -> None:
    items = FrameAssembler().feed_all(
        [
            threadtime(encode_iap(116, "APP_STORE_REMAINS_PAYMENT", 42)),
            encode_iap(117, "IAP_IN_PROGRESS_ERROR", None),
        ]
    )
    assert [(i.code, i.name, i.seq) for i in items if isinstance(i, IapCodeLine)] == [
        (116, "APP_STORE_REMAINS_PAYMENT", 42),
        (117, "IAP_IN_PROGRESS_ERROR", None),
    ]


def test_split_logcat_line_formats() -> None:
    assert split_logcat_line("I/RuStoreHarness( 321): cb x").pid == 321
    year = split_logcat_line("2026-11-22 02:38:00.123456  10  11 W RuStoreHarness: hi")
    assert (year.tag, year.message, year.priority) == ("RuStoreHarness", "hi", "W")
    assert split_logcat_line("cb seq=1").tag is None
    assert MAX_CHUNK_BYTES * 2 + 200 < 4068


def test_log_path_that_reencodes_supplementary_characters_is_undone() -> None:
    surrogates = "\ud83e\ude99"  # the game holds CESU-8 (from JNI) and frames those bytes
    cesu = b'{"title":"coin ' + surrogates.encode("utf-8", "surrogatepass") + b'"}'
    lines = encode_callback(13, CH, cesu)
    as_utf8 = [line.encode("utf-8", "surrogateescape").replace(cesu[15:21], "🪙".encode()) for line in lines]
    [event] = callbacks(FrameAssembler().feed_all(as_utf8))
    assert (event.payload, event.broken) == ('{"title":"coin 🪙"}', False)
    assert event.encoding_note is not None and event.encoding_note.startswith("logcat carried standard UTF-8")
    # the other way round: the game held UTF-8, logcat shows modified UTF-8
    lines = encode_callback(14, CH, '{"title":"coin 🪙"}')
    as_cesu = [line.encode().replace("🪙".encode(), cesu[15:21]) for line in lines]
    [event] = callbacks(FrameAssembler().feed_all(as_cesu))
    assert (event.payload, event.broken) == ('{"title":"coin 🪙"}', False)
    # a real corruption is still reported
    [event] = callbacks(FrameAssembler().feed_all([lines[0].replace("coin", "coyn")]))
    assert event.broken and event.problems[0].startswith("CRC mismatch")


def test_the_lua_reference_in_the_doc_writes_what_the_reader_expects() -> None:
    from pathlib import Path

    from lupa import luajit21

    doc = (Path(__file__).resolve().parents[2] / "docs" / "callback-log-format.md").read_text()
    lua_source = doc.split("```lua\n")[1].split("```")[0]
    lua = luajit21.LuaRuntime(encoding=None)
    logged: list[tuple[bytes, bytes]] = []
    lua.globals().rustorecore = lua.table_from({b"log_info": lambda tag, msg: logged.append((tag, msg))})
    lua.execute(lua_source.encode())
    payloads = [
        b"",
        b'{"isAvailable": true}',
        b'{"e": "{}", "message": "a\\b\nc\r"}',
        big_payload(9000).encode(),
        ("€" * 1500 + "🪙" * 700).encode(),
        b"x" + b"\xed\xa0\xbd\xed\xb2\xa9" * 600,  # CESU-8 as JNI hands it over
    ]
    expected: list[str] = []
    for seq, payload in enumerate(payloads, start=1):
        assert lua.globals().log_callback(CH.encode(), payload) == seq
        expected += encode_callback(seq, CH, payload)
    lua.globals().log_iap(116, b"APP_STORE_REMAINS_PAYMENT", 3)
    lua.globals().log_iap(117, b"IAP_IN_PROGRESS_ERROR", None)
    expected += [
        encode_iap(116, "APP_STORE_REMAINS_PAYMENT", 3),
        encode_iap(117, "IAP_IN_PROGRESS_ERROR", None),
    ]
    assert {tag for tag, _ in logged} == {TAG.encode()}
    assert [msg.decode("utf-8", "surrogateescape") for _, msg in logged] == expected
    items = FrameAssembler().feed_all(msg for _, msg in logged)
    assert [e.payload_bytes for e in callbacks(items)] == payloads
