"""Pure parts: artifact folders and reruns, retention policy, the timeline page, line decoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.android.logcat import Excerpt, decode_line
from harness.artifacts import ArtifactFolder, should_capture, should_keep, slugify
from harness.report.timeline import timeline_html
from harness.rustore.logframe import encode_callback
from harness.rustore.recorder import CallbackRecorder


def test_slugify_is_readable_safe_and_bounded() -> None:
    assert slugify("tests/test_pay.py::test_sbp[virtual-1]") == "tests-test_pay.py-test_sbp-virtual-1"
    long_id = "tests/test_x.py::test_y[" + "a" * 400 + "]"
    other = "tests/test_x.py::test_y[" + "a" * 399 + "b]"
    assert len(slugify(long_id)) <= 200 and slugify(long_id) != slugify(other)


@pytest.mark.parametrize(
    ("policy", "failed", "captured"),
    [
        ("on", False, True),
        ("on", True, True),
        ("off", True, False),
        ("retain-on-failure", False, False),
        ("retain-on-failure", True, True),
        ("only-on-failure", True, True),
        ("only-on-failure", False, False),
    ],
)
def test_policy(policy: str, failed: bool, captured: bool) -> None:
    assert should_capture(policy, failed) is captured
    assert should_keep(policy, failed, final_attempt=False) is False


def test_first_attempt_clears_an_earlier_runs_files_and_empty_folders_vanish(tmp_path: Path) -> None:
    stale = tmp_path / slugify("t.py::test_a")
    stale.mkdir()
    (stale / "screenshot.png").write_bytes(b"old run")
    folder = ArtifactFolder(tmp_path, "t.py::test_a", attempt=1)
    assert not stale.exists()
    folder.finish("passed")
    assert not folder.path.exists()


def test_reruns_keep_the_final_attempt_and_list_the_earlier(tmp_path: Path) -> None:
    first = ArtifactFolder(tmp_path, "t.py::test_a", attempt=1)
    first.write_bytes("screenshot.png", b"attempt 1")
    first.write_text("logcat.txt", "attempt 1")
    first.finish("failed")
    second = ArtifactFolder(tmp_path, "t.py::test_a", attempt=2)
    assert not (second.path / "screenshot.png").exists()
    second.write_text("logcat.txt", "attempt 2")
    attempts = second.finish("failed")
    third = ArtifactFolder(tmp_path, "t.py::test_a", attempt=3)
    third.finish("passed")
    doc = json.loads((third.path / "attempts.json").read_text())
    assert [(a["number"], a["outcome"], a["removed"], a["files"]) for a in doc["attempts"]] == [
        (1, "failed", True, ["screenshot.png", "logcat.txt"]),
        (2, "failed", True, ["logcat.txt"]),
        (3, "passed", False, []),
    ]
    assert [a.number for a in attempts] == [1, 2]
    assert sorted(p.name for p in third.path.iterdir()) == ["attempts.json"]


def test_timeline_page_escapes_device_text_and_shows_problems() -> None:
    recorder = CallbackRecorder()
    recorder.start_test()
    for line in encode_callback(
        1, "rustore_on_payment_logger_info", '{"e": "{}", "message": "<script>x</script>"}'
    ):
        recorder.feed(f"11-22 02:38:00.123  4321  4350 I RuStoreHarness: {line}")
    for line in encode_callback(2, "rustore_on_purchase_product_success", "{broken"):
        recorder.feed(f"11-22 02:38:00.124  4321  4350 I RuStoreHarness: {line}")
    page = timeline_html(recorder.timeline_json(), title="T <1>")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<title>T &lt;1&gt;</title>" in page
    assert page.count("<tr class=") == 2 and 'class="bad"' in page and "✗" in page
    assert "no callbacks" in timeline_html({"events": []})


def test_decode_line_keeps_every_byte_for_the_frame_reader() -> None:
    raw = "Привет".encode() + b"\xed\xa0\xbd\xed\xb8\x80" + b"\xff\r"  # CESU-8 emoji, a stray byte, CR
    text = decode_line(raw)
    assert text.encode("utf-8", "surrogateescape") == raw[:-1]
    payload = b'{"e": "{}", "message": "' + b"\xed\xa0\xbd\xed\xb8\x80" + b'"}'
    recorder = CallbackRecorder()
    recorder.start_test()
    for line in encode_callback(1, "rustore_on_payment_logger_info", payload):
        threadtime = f"11-22 02:38:00.123  4321  4350 I RuStoreHarness: {line}"
        recorder.feed(decode_line(threadtime.encode("utf-8", "surrogateescape")))
    event = recorder.expect("rustore_on_payment_logger_info", timeout=0)
    assert "😀" in event.raw and not event.event.broken


def test_excerpt_text_says_what_was_dropped() -> None:
    assert Excerpt(["a", "b"], dropped=3).text() == "… 3 earlier line(s) dropped from the buffer …\na\nb\n"
    assert Excerpt([], dropped=0).text() == ""
