"""CallbackRecorder: reassembly from logcat lines, contract on every event, event-driven expect()."""

from __future__ import annotations

import json
import threading
import time

import pytest

from harness.rustore.logframe import encode_callback, encode_iap
from harness.rustore.payloads import PaymentSuccess, Product
from harness.rustore.recorder import CallbackRecorder, ContractFailure, ExpectTimeout

SUCCESS = (
    '{"type":"Success","data":{"invoiceId":"13245678","orderId":"o1","productId":"con1",'
    '"purchaseId":"pur-1","sandbox":true,"subscriptionToken":"13245678.1"}}'
)
PRODUCTS = '[{"productId":"con1","productStatus":"ACTIVE","productType":"CONSUMABLE","title":"Монеты"}]'


def lines_for(seq: int, channel: str, payload: str, pid: int = 777) -> list[str]:
    return [
        f"11-22 02:40:0{seq % 10}.000  {pid}  {pid} I RuStoreHarness: {line}\n"
        for line in encode_callback(seq, channel, payload, max_chunk_bytes=64)
    ]


def feed(recorder: CallbackRecorder, seq: int, channel: str, payload: str) -> None:
    for line in lines_for(seq, channel, payload):
        recorder.feed(line)


def test_expect_returns_a_typed_payload_and_consumes_it() -> None:
    recorder = CallbackRecorder("6.0.0", "faithful")
    feed(recorder, 1, "rustore_on_get_products_success", PRODUCTS)
    feed(recorder, 2, "rustore_on_purchase_product_success", SUCCESS)
    event = recorder.expect(
        "rustore_on_purchase_product_success", where={"data": {"productId": "con1"}}, timeout=1
    )
    assert isinstance(event.payload, PaymentSuccess)
    assert event.payload.data.purchase_id == "pur-1" and event.payload.data.sandbox is True
    products = recorder.expect("rustore_on_get_products_success", timeout=1).payload
    assert isinstance(products[0], Product) and products[0].title == "Монеты"
    with pytest.raises(ExpectTimeout):  # consumed: a second expect does not return it again
        recorder.expect("rustore_on_purchase_product_success", timeout=0.05)


def test_expect_wakes_promptly_on_an_event_fed_from_another_thread() -> None:
    recorder = CallbackRecorder()
    lines = lines_for(3, "rustore_on_confirm_purchase_success", '{"purchaseId": "pur-1"}')
    fed_at: list[float] = []

    def producer() -> None:
        for line in lines:
            recorder.feed(line)
        fed_at.append(time.monotonic())

    timer = threading.Timer(0.3, producer)  # the producer starts while expect() is already waiting
    called_at = time.monotonic()
    timer.start()
    event = recorder.expect("rustore_on_confirm_purchase_success", where=lambda e: e.seq == 3, timeout=10)
    returned_at = time.monotonic()
    timer.join()
    assert event.payload.purchase_id == "pur-1"
    assert fed_at and fed_at[0] - called_at >= 0.25  # it really waited for the producer
    assert returned_at - fed_at[0] < 0.25  # and woke at once, not at a poll interval or the timeout


def test_timeout_message_lists_what_did_arrive() -> None:
    recorder = CallbackRecorder()
    feed(recorder, 1, "rustore_on_get_products_success", PRODUCTS)
    feed(
        recorder,
        2,
        "rustore_on_purchase_product_success",
        '{"type":"Cancelled","data":{"purchaseId":"p","sandbox":true}}',
    )
    recorder.feed(lines_for(3, "rustore_on_get_purchases_success", "[" + "x" * 200 + "]")[0])
    started = time.monotonic()
    with pytest.raises(ExpectTimeout) as info:
        recorder.expect("rustore_on_purchase_product_success", where={"type": "Success"}, timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 1.5
    message = str(info.value)
    assert message.splitlines()[0] == (
        'no rustore_on_purchase_product_success event matching {"type": "Success"} within 0.2s; '
        "2 event(s) arrived since the mark:"
    )
    assert "#0 seq=1 rustore_on_get_products_success: [{" in message
    assert '#1 seq=2 rustore_on_purchase_product_success: {"type":"Cancelled"' in message
    assert "plus 1 event(s) still missing chunks" in message


def test_every_event_is_checked_even_if_the_test_never_looks() -> None:
    recorder = CallbackRecorder("6.0.0", "faithful")
    feed(recorder, 1, "rustore_check_purchases_available_failure", '{"simpleName":"RuStoreException"}')
    feed(recorder, 2, "rustore_on_payment_logger_error", '{"e": "{"simpleName":"X"}", "message": "m"}')
    feed(recorder, 3, "rustore_on_get_purchases_success", '[{"productId":"con1","purchaseState":"GONE"}]')
    assert [d.defect_id.value for _, d in recorder.deviations] == [
        "availability-failure-without-cause",
        "logger-not-json",
    ]
    assert [v.message for _, v in recorder.violations] == [
        "/0/purchaseState: expected one of CREATED, INVOICE_CREATED, CONFIRMED, PAID, CANCELLED, CONSUMED, "
        "CLOSED, PAUSED, TERMINATED, found string 'GONE'"
    ]
    with pytest.raises(ContractFailure, match="GONE"):
        recorder.assert_clean()
    assert len(recorder.problems(strict=True)) == 3


def test_mark_start_test_and_events() -> None:
    recorder = CallbackRecorder()
    feed(recorder, 1, "rustore_on_get_purchases_success", "[]")
    recorder.start_test()
    assert recorder.events() == []
    feed(recorder, 2, "rustore_on_get_purchases_success", "[]")
    mark = recorder.mark()
    feed(recorder, 3, "rustore_on_get_purchases_success", "[]")
    assert [e.seq for e in recorder.events("rustore_on_get_purchases_success")] == [2, 3]
    assert recorder.expect("rustore_on_get_purchases_success", since=mark, timeout=0).seq == 3
    assert recorder.expect("rustore_on_get_purchases_success", timeout=0).seq == 2


def test_timeline_json_has_iap_codes_and_problems() -> None:
    recorder = CallbackRecorder()
    failure = '{"type":"Failure","data":{"errorCode":40010,"productId":"con1","sandbox":true}}'
    feed(recorder, 4, "rustore_on_purchase_product_success", failure)
    recorder.feed(
        f"11-22 02:40:05.000  777  777 I RuStoreHarness: {encode_iap(116, 'APP_STORE_REMAINS_PAYMENT', 4)}"
    )
    timeline = json.loads(recorder.timeline_json())
    [event] = timeline["events"]
    assert event["iap"] == [{"code": 116, "name": "APP_STORE_REMAINS_PAYMENT"}]
    assert event["parsed"]["data"]["errorCode"] == 40010 and event["violations"] == []
    assert timeline["iap_codes"][0]["seq"] == 4
    assert recorder.problems() == []


def test_iap_code_outside_the_mapping_table_is_a_problem() -> None:
    recorder = CallbackRecorder()
    feed(
        recorder,
        5,
        "rustore_on_purchase_product_success",
        '{"type":"Cancelled","data":{"purchaseId":"p","sandbox":true}}',
    )
    recorder.feed(
        f"11-22 02:40:05.000  777  777 I RuStoreHarness: {encode_iap(109, 'INAPP_PURCHASE_ERROR', 5)}"
    )
    assert recorder.problems() == [
        "#0 seq=5 rustore_on_purchase_product_success: game mapped it to IAP 109 INAPP_PURCHASE_ERROR; "
        "the §10 table allows 104 USER_CANCEL"
    ]


def test_broken_frames_and_state_violations_reach_the_problems() -> None:
    recorder = CallbackRecorder()
    lines = lines_for(6, "rustore_on_get_purchases_success", '[{"productId":"' + "c" * 100 + '"}]')
    recorder.feed(lines[0])
    recorder.flush()
    [broken] = recorder.events()
    assert broken.event.broken and broken.contract.violations == ()
    assert recorder.problems() == [
        "#0 seq=6 rustore_on_get_purchases_success: broken frame: incomplete (stream ended): "
        "missing part(s) 2 of 2",
        "#0 seq=6 rustore_on_get_purchases_success: broken frame: 54 of 118 bytes missing",
    ]
    feed(
        recorder,
        7,
        "rustore_on_get_purchase_info_success",
        '{"productId":"c","productType":"CONSUMABLE","purchaseId":"p9","purchaseState":"CONSUMED"}',
    )
    feed(
        recorder,
        8,
        "rustore_on_get_purchase_info_success",
        '{"productId":"c","productType":"CONSUMABLE","purchaseId":"p9","purchaseState":"PAID"}',
    )
    assert (
        "purchase p9 (CONSUMABLE): CONSUMED (seen at rustore_on_get_purchase_info_success seq=7 "
        "@ 11-22 02:40:07.000)" in recorder.problems()[-1]
    )


def test_feed_from_many_threads_is_safe() -> None:
    recorder = CallbackRecorder()
    threads = [
        threading.Thread(target=feed, args=(recorder, seq, "rustore_on_get_purchases_success", "[]"))
        for seq in range(1, 41)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e.seq for e in recorder.events()) == list(range(1, 41))


def test_expect_iap_code_and_typed_payload_despite_a_violation() -> None:
    recorder = CallbackRecorder()
    feed(recorder, 9, "rustore_on_purchase_product_success", '{"type":"Cancelled","data":{"purchaseId":"p"}}')
    event = recorder.expect("rustore_on_purchase_product_success", timeout=0)
    assert event.contract.violations[0].pointer == "/data/sandbox"  # 6.0.0 requires it
    assert event.payload.data.purchase_id == "p"  # the rest is still usable
    timer = threading.Timer(0.1, recorder.feed, args=(encode_iap(104, "USER_CANCEL", 9),))
    timer.start()
    line = recorder.expect_iap(104, timeout=5, seq=9)
    timer.join()
    assert (line.name, line.seq) == ("USER_CANCEL", 9)
    with pytest.raises(
        ExpectTimeout, match=r"no IAP code 104 within 0s; logged since the test start: 104 USER_CANCEL"
    ):
        recorder.expect_iap(104, timeout=0)
