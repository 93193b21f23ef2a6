"""The Lua API of ``rustorecore``/``rustorebilling`` (CONTRACT §1) on a virtual device, via a probe game."""

from __future__ import annotations

import json
import re

PROBE = "ru.rustore.harness.probe"
RECORD = """
probe.got = {}
probe.record = function(tag)
  return function(self, channel, value)
    local entry = { tag = tag, channel = channel, value = value, self_ok = type(self) == "table" }
    probe.got[#probe.got + 1] = entry
    rustorecore.log_info("ProbeCallback", tag .. " " .. channel)  -- wakes the test's logcat wait
  end
end
"""


def pcall_error(probe, call: str) -> str:
    return probe.lua(f"local ok, err = pcall(function() {call} end) return tostring(err)")


def test_arguments_are_checked_like_luaL_check(probe) -> None:
    assert pcall_error(probe, "rustorebilling.init()").endswith(
        "bad argument #1 to 'init' (string expected, got no value)"
    )
    assert pcall_error(probe, "rustorebilling.init('1', {})").endswith(
        "bad argument #2 to 'init' (string expected, got table)"
    )
    assert pcall_error(probe, "rustorebilling.purchase_product(nil)").endswith(
        "bad argument #1 to 'purchase_product' (string expected, got nil)"
    )
    assert pcall_error(probe, "rustorebilling.set_theme('dark')").endswith(
        "bad argument #1 to 'set_theme' (number expected, got string)"
    )
    assert pcall_error(probe, "rustorecore.connect('ch', 5)").endswith(
        "bad argument #2 to 'connect' (function expected, got number)"
    )
    assert pcall_error(probe, "rustorecore.log_info('tag')").endswith(
        "bad argument #2 to 'log_info' (string expected, got no value)"
    )
    # the error points at the calling line, as luaL_argerror's luaL_where(L, 1) does
    where = probe.lua(
        "local ok, err = pcall(function()\n rustorebilling.confirm_purchase(true)\n end) return err"
    )
    assert re.match(
        r"^\[string .*\]:2: bad argument #1 to 'confirm_purchase' \(string expected, got boolean\)$", where
    )
    # functions, not userdata; the module tables hold exactly the §1 API
    names = probe.lua(
        "local t = {} for k, v in pairs(rustorebilling) do t[#t+1] = k .. ':' .. type(v) end return t"
    )
    assert sorted(names.values()) == sorted(
        f"{n}:function"
        for n in (
            "init check_purchases_availability get_products purchase_product get_purchases confirm_purchase "
            "delete_purchase get_purchase_info set_theme set_error_handling"
        ).split()
    )


def test_billing_calls_before_init_are_silent_then_numbers_coerce(probe, sandbox) -> None:
    probe.lua(
        RECORD
        + """
    for _, ch in ipairs({"rustore_check_purchases_available_success",
                         "rustore_check_purchases_available_failure",
                         "rustore_on_get_products_success",
                         "rustore_on_confirm_purchase_failure"}) do
      rustorecore.connect(ch, probe.record("a"))
    end
    rustorebilling.check_purchases_availability()
    rustorebilling.get_products({"con1"})
    rustorebilling.confirm_purchase("x")
    """
    )
    mark = probe.line_mark()
    probe.dev.shell("log -t ProbeMark before-init-done")
    probe.wait_line(r"ProbeMark: before-init-done", mark)
    assert not probe.model.windows.dialogs
    assert probe.lua("return #probe.got") == 0  # no init: nothing reached the SDK, nothing came back
    assert "RuStoreBillingClient" not in "\n".join(probe.lines)
    probe.lua("rustorebilling.init(2063590001, 'probe', false)")  # a number app id is coerced to a string
    probe.wait_line(r"RuStoreBillingClient created: applicationId=2063590001 deeplinkScheme=probe")
    # get_products: only the sequence part, non-strings skipped, numbers coerced
    probe.lua("rustorebilling.get_products({'con1', 42, true, {}, 'con2', nil, 'non_con1', x = 'sub1'})")
    probe.wait(lambda: probe.lua("return #probe.got") == 1, what="products callback")
    value = probe.lua("return probe.got[1].value")
    assert [p["productId"] for p in json.loads(value)] == ["con1", "con2"]
    # not a table: an empty list is sent, no Lua error
    probe.lua("rustorebilling.get_products('con1')")
    probe.wait(lambda: probe.lua("return #probe.got") == 2, what="second products callback")
    assert probe.lua("return probe.got[2].value") == "[]"


def test_callbacks_fire_per_channel_in_registration_order_and_unsubscribed_events_drop(probe) -> None:
    probe.lua(
        RECORD
        + """
    local ch = "rustore_check_purchases_available_success"
    rustorecore.connect(ch, probe.record("first"))
    rustorecore.connect(ch, probe.record("second"))
    probe.twice = probe.record("twice")
    rustorecore.connect(ch, probe.twice)
    rustorecore.connect(ch, probe.twice)
    rustorebilling.init("2063590001", "probe", true)
    rustorebilling.check_purchases_availability()
    """
    )
    probe.wait(lambda: probe.lua("return #probe.got") >= 4, what="availability callbacks")
    got = probe.lua(
        "local t = {} for i, g in ipairs(probe.got) do t[i] = g.tag .. '|' .. g.channel .. '|' .. "
        "tostring(g.self_ok) .. '|' .. g.value end return t"
    )
    assert list(got.values()) == [
        f'{tag}|rustore_check_purchases_available_success|true|{{"isAvailable": true}}'
        for tag in ("first", "second", "twice", "twice")
    ]
    # debug_logs was on but nobody connected a logger channel: those events were dropped, and a
    # subscriber connected later does not receive them
    probe.lua("rustorecore.connect('rustore_on_payment_logger_verbose', probe.record('late'))")
    mark = probe.line_mark()
    probe.dev.shell("log -t ProbeMark late-connected")
    probe.wait_line(r"ProbeMark: late-connected", mark)
    assert (
        probe.lua(
            "local n = 0 for _, g in ipairs(probe.got) do if g.tag == 'late' then n = n + 1 end end return n"
        )
        == 0
    )


def test_core_logs_toast_clipboard_preferences(probe) -> None:
    mark = probe.line_mark()
    probe.lua("""
    rustorecore.log_verbose("ProbeV", "v-msg"); rustorecore.log_debug("ProbeD", "d-msg")
    rustorecore.log_info("ProbeI", "i-msg"); rustorecore.log_warning("ProbeW", "w-msg")
    rustorecore.log_error("ProbeE", 404)
    rustorecore.show_toast("Hello from Lua")
    rustorecore.copy_to_clipboard("copied text")
    rustorecore.set_string_shared_preferences("probe_store", "name", "Ann")
    rustorecore.set_int_shared_preferences("probe_store", "level", "7")
    """)
    for prio, tag, msg in (
        ("V", "ProbeV", "v-msg"),
        ("D", "ProbeD", "d-msg"),
        ("I", "ProbeI", "i-msg"),
        ("W", "ProbeW", "w-msg"),
        ("E", "ProbeE", "404"),
    ):
        probe.wait_line(rf" {prio} {tag}\s*: {msg}$", mark)
    toast = probe.wait_node("android:id/message", text="Hello from Lua")
    assert toast.package == PROBE
    assert probe.lua("return rustorecore.get_from_clipboard()") == "copied text"
    assert (
        probe.lua("return rustorecore.get_string_shared_preferences('probe_store', 'name', 'none')") == "Ann"
    )
    assert probe.lua("return rustorecore.get_int_shared_preferences('probe_store', 'level', 0)") == 7
    assert probe.lua("return rustorecore.get_int_shared_preferences('probe_store', 'missing', 3)") == 3
    # apply() wrote the preferences file into the app's data directory
    path = f"/data/user/0/{PROBE}/shared_prefs/probe_store.xml"
    xml = probe.dev.shell(f"run-as {PROBE} cat {path}", encoding=None)
    assert b'<string name="name">Ann</string>' in xml and b'<int name="level" value="7" />' in xml


def test_no_logger_channels_without_debug_logs(probe) -> None:
    probe.lua(
        RECORD
        + """
    for _, level in ipairs({"debug", "error", "info", "verbose", "warning"}) do
      rustorecore.connect("rustore_on_payment_logger_" .. level, probe.record("logger"))
    end
    rustorecore.connect("rustore_on_get_products_success", probe.record("products"))
    rustorebilling.init("2063590001", "probe")
    rustorebilling.get_products({"con1"})
    """
    )
    probe.wait(lambda: probe.lua("return #probe.got") >= 1, what="products callback")
    tags = probe.lua("local t = {} for i, g in ipairs(probe.got) do t[i] = g.tag end return t")
    assert list(tags.values()) == ["products"]
    # the SDK still logged to logcat; only the logger channels are off
    assert any("RuStoreBillingClient: POST /billing/v1/products" in line for line in probe.lines)


def test_strings_cross_jni_as_modified_utf8(probe, sandbox) -> None:
    created = sandbox.create_purchase(probe.user_id, "con1", developer_payload="coins \U0001f600 ₽")
    probe.lua(
        RECORD
        + f"""
    rustorecore.connect("rustore_on_get_purchase_info_success", probe.record("info"))
    rustorebilling.init("2063590001", "probe")
    rustorebilling.get_purchase_info("{created.purchaseId}")
    """
    )
    probe.wait(lambda: probe.lua("return #probe.got") >= 1, what="info callback")
    # U+1F600 as a CESU-8 surrogate pair (ED A0 BD ED B8 80), not UTF-8 (F0 9F 98 80); ₽ stays UTF-8
    cesu = "coins \\237\\160\\189\\237\\184\\128 \\226\\130\\189"
    assert probe.lua(f"return probe.got[1].value:find('{cesu}', 1, true) ~= nil")
    assert probe.lua("return probe.got[1].value:find('\\240\\159\\152\\128', 1, true) == nil")
