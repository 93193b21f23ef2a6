"""The game's callback log: a 10 KB payload crosses logcat intact through the chunking."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from harness.rustore.logframe import CallbackEvent, FrameAssembler, encode_callback
from harness.sim.android.logcat import Logcat, LogFormat, format_entry

from .rustore_double import RuStoreDouble


def big_products_payload() -> str:
    products = [
        {
            "currency": "RUB",
            "description": f'Набор №{i}: монеты, "кавычки", обратный \\ слэш\nи перевод строки 😀',
            "price": 4900 + i,
            "priceLabel": f"{49 + i} ₽",
            "productId": f"con{i}",
            "productStatus": "ACTIVE",
            "productType": "CONSUMABLE",
            "title": f"Монеты {i}",
        }
        for i in range(40)
    ]
    return json.dumps(products, ensure_ascii=False, separators=(",", ":"))


def test_ten_kilobyte_payload_survives_logcat_chunking(start_game):
    payload = big_products_payload()
    raw = payload.encode()
    assert len(raw) > 10_000
    not_json = '{"e": "{"detailMessage":"x","simpleName":"Y"}", "message": "line one\r\nline \\two"}'
    plugin = RuStoreDouble()
    plugin.script["get_products"] = [
        ("rustore_on_get_products_success", payload),
        ("rustore_on_payment_logger_error", not_json),
    ]
    game = start_game(plugin)
    game.request("products")
    game.run(lambda: len([m for m in game.harness_lines() if "ch=rustore_on_payment_logger_error" in m]) == 1)

    lines = game.harness_lines()
    # the Lua writer produces exactly what the format's reference writer produces
    assert lines == encode_callback(1, "rustore_on_get_products_success", payload) + encode_callback(
        2, "rustore_on_payment_logger_error", not_json
    )
    assert len(lines) > 6 and all("\n" not in m and "\r" not in m for m in lines)

    # through a real logcat ring (logd's entry limit) and threadtime formatting, then reassembled
    logcat = Logcat("UTC")
    for message in lines:
        logcat.write(4, "RuStoreHarness", message, pid=4321)
        logcat.write(4, "Noise", "interleaved line", pid=99)
    fmt = LogFormat()
    fmt.set("threadtime")
    text = b"".join(format_entry(e, fmt, ZoneInfo("UTC")) for e in logcat.entries()).decode()
    events = FrameAssembler().feed_all(text.splitlines())
    callbacks = [e for e in events if isinstance(e, CallbackEvent)]
    assert [(c.seq, c.channel, c.broken) for c in callbacks] == [
        (1, "rustore_on_get_products_success", False),
        (2, "rustore_on_payment_logger_error", False),
    ]
    assert callbacks[0].payload_bytes == raw
    assert callbacks[0].parts == len(encode_callback(1, "x", payload))
    assert callbacks[1].payload == not_json
