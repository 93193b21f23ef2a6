"""hash, json, timer, sys, print and error handling as Defold scripts see them."""

from __future__ import annotations

import json

import pytest

from .projects import ProjectBuilder


def one_script(source: str) -> dict[str, bytes]:
    return ProjectBuilder().script_object("main", source).build()


def test_hash_identity_and_table_keys(start_runtime):
    _rt, log = start_runtime(
        one_script("""
        function init(self)
            local t = { [hash("coins")] = 10 }
            print(hash("a") == hash("a"), hash("a") ~= hash("b"), rawequal(hash("a"), hash("a")),
                  t[hash("coins")], type(hash("a")), tostring(hash("coins")), hash(hash("x")) == hash("x"))
            local hex = hash_to_hex(hash("a"))
            print(#hex, hex == hash_to_hex(hash("a")), hex ~= hash_to_hex(hash("b")))
            print(hash(1976) == hash("1976"), hash(3.14) == hash("3.14"), hash_to_hex(hash("")),
                  "hash: " .. hash("cat"))
        end
    """)
    )
    assert log.script_lines() == [
        "true\ttrue\ttrue\t10\tuserdata\thash: [coins]\ttrue",
        "16\ttrue\ttrue",
        "true\ttrue\t0000000000000000\thash: hash: [cat]",
    ]


def test_vmath_vectors(start_runtime):
    _rt, log = start_runtime(
        one_script("""
        function init(self)
            local a = vmath.vector3(1, 2, 3)
            local b = vmath.vector3(10)
            local c = a + b * 2
            c.x = c.x + 0.5
            print(c, -a, a == vmath.vector3(1, 2, 3), vmath.vector3(), vmath.vector4(1, 2, 3, 4).w,
                  vmath.length(vmath.vector3(3, 4, 0)))
        end
    """)
    )
    assert log.script_lines() == [
        "vmath.vector3(21.5, 22, 23)\tvmath.vector3(-1, -2, -3)\ttrue\tvmath.vector3(0, 0, 0)\t4\t5"
    ]


def test_json_round_trips_nested_arrays_and_unicode(start_runtime):
    source = """
        function init(self)
            local value = {
                list = { 1, 2, { 3, { 4, 5 } }, { a = "b" } },
                text = "Привет ₽ 😀 \\"quoted\\" back\\\\slash / tab\\t",
                flag = true, num = 0.25, neg = -3, empty = {},
            }
            local encoded = json.encode(value)
            print(encoded)
            local back = json.decode(encoded)
            print(back.list[3][2][2], back.list[4].a, back.text == value.text, back.flag, back.num, back.neg)
            local d = json.decode('[1,null,3,{"k":null},"\\\\u0416\\\\ud83d\\\\ude00"]')
            print(d[1], d[2], d[3], next(d[4]), d[5])
            local n = json.decode('{"v":null}', { decode_null_as_userdata = true })
            print(n.v == json.null, json.encode({ json.null, 1 }))
            print(pcall(json.decode, '{"a":'))
            print(json.encode({ [1] = "a", [2] = "b" }), json.encode({ [1] = "a", [3] = "c" }),
                  json.encode({}))
        end
    """
    _rt, log = start_runtime(one_script(source))
    lines = log.script_lines()
    decoded = json.loads(lines[0])
    assert decoded == {
        "list": [1, 2, [3, [4, 5]], {"a": "b"}],
        "text": 'Привет ₽ 😀 "quoted" back\\slash / tab\t',
        "flag": True,
        "num": 0.25,
        "neg": -3,
        "empty": {},
    }
    assert "Привет ₽ 😀" in lines[0], "non-ASCII stays raw UTF-8 like lua-cjson"
    assert "\\/" in lines[0], "lua-cjson escapes the solidus"
    assert lines[1] == "5\tb\ttrue\ttrue\t0.25\t-3"
    assert lines[2] == "1\tnil\t3\tnil\tЖ😀"
    assert lines[3] == "true\t[null,1]"
    assert lines[4].startswith("false\t") and "character" in lines[4]
    assert lines[5] == '["a","b"]\t["a",null,"c"]\t{}'


def test_timers_on_the_virtual_clock(start_runtime):
    rt, log = start_runtime(
        one_script("""
        function init(self)
            self.once = timer.delay(0.1, false, function(self, handle, elapsed)
                print("once", handle == self.once, string.format("%.4f", elapsed))
            end)
            self.rep = timer.delay(1/30, true, function(self, handle, elapsed)
                self.count = (self.count or 0) + 1
                print("rep", self.count)
                if self.count == 3 then print("cancel", timer.cancel(handle), timer.cancel(handle)) end
            end)
            self.never = timer.delay(0.05, false, function() print("never") end)
            print("cancelled", timer.cancel(self.never))
        end
    """)
    )
    rt.step(5)
    assert log.script_lines() == ["cancelled\ttrue", "rep\t1", "rep\t2"]
    rt.step(1)  # t = 0.1 s: frame 6
    # both due at frame 6: they fire in creation order
    assert log.script_lines()[3:] == ["once\ttrue\t0.1000", "rep\t3", "cancel\ttrue\tfalse"]
    rt.step(30)
    assert len(log.script_lines()) == 6


def test_lua_error_is_logged_like_defold_and_the_engine_keeps_running(start_runtime):
    rt, log = start_runtime(
        one_script("""
        local frames = 0
        function update(self, dt)
            frames = frames + 1
            if frames == 1 then
                local missing = nil
                return missing.field
            end
            if frames == 3 then print("still running", frames) end
        end
    """)
    )
    rt.step(3)
    errors = log.errors()
    assert len(errors) == 1
    assert errors[0].startswith(
        "ERROR:SCRIPT: main/main.script:7: attempt to index local 'missing' (a nil value)"
    )
    assert "stack traceback:" in errors[0] and "main/main.script:7" in errors[0].split("stack traceback:")[1]
    assert log.script_lines() == ["still running\t3"]


def test_sys_config_injected_and_sys_info(start_runtime):
    _rt, log = start_runtime(
        one_script("""
            function init(self)
                print(sys.get_config("project.title"), sys.get_config("game.server_url", "none"),
                      sys.get_config("missing.key", "dflt"), sys.get_sys_info().system_name)
            end
        """),
        config={"game.server_url": "http://127.0.0.1:1/"},
    )
    assert log.script_lines() == ["engine-test\thttp://127.0.0.1:1/\tdflt\tAndroid"]


def test_require_loads_project_modules_once(start_runtime):
    files = (
        ProjectBuilder()
        .module(
            "lib/counter.lua",
            "local M = { loads = (COUNTER_LOADS or 0) + 1 }\nCOUNTER_LOADS = M.loads\nreturn M\n",
        )
        .script_object("a", 'local c = require "lib.counter"\nfunction init(self) print("a", c.loads) end')
        .script_object("b", 'local c = require("lib.counter")\nfunction init(self) print("b", c.loads) end')
        .build()
    )
    _rt, log = start_runtime(files)
    assert log.script_lines() == ["a\t1", "b\t1"]


def test_host_escape_hatches_are_closed(start_runtime):
    _rt, log = start_runtime(
        one_script("""
        function init(self) print(os.execute, io, loadfile, package.loadlib, os.time ~= nil) end
    """)
    )
    assert log.script_lines() == ["nil\tnil\tnil\tnil\ttrue"]


def test_gui_nodes_animate_clone_and_delete(start_runtime):
    from .projects import Node

    files = (
        ProjectBuilder()
        .gui_object(
            "hud",
            [Node("box", 100, 100, 50, 50), Node("child", 10, 0, 10, 10, parent="box")],
            """
        function init(self)
            local box = gui.get_node("box")
            gui.animate(box, "position.x", 200, gui.EASING_LINEAR, 0.5, 0, function(self, node)
                print("done", gui.get_position(node).x, node == box)
            end)
            local copy = gui.clone_tree(box)
            gui.set_id(copy[hash("box")], "box2")
            print("clone", gui.get_node("box2") == copy[hash("box")],
                  gui.get_parent(copy[hash("child")]) == copy[hash("box")])
            gui.delete_node(copy[hash("box")])
            print("deleted", pcall(gui.get_node, "box2"))
            local n = gui.new_text_node(vmath.vector3(1, 2, 0), "hi")
            print("new", gui.get_text(n), gui.get_type(n) == gui.TYPE_TEXT)
        end
        function update(self) end
        """,
        )
        .build()
    )
    rt, log = start_runtime(files)
    assert log.script_lines()[0] == "clone\ttrue\ttrue"
    assert (
        log.script_lines()[1].startswith("deleted\tfalse\t") and "No such node: box2" in log.script_lines()[1]
    )
    assert log.script_lines()[2] == "new\thi\ttrue"
    rt.step(15)  # half way through the 0.5 s animation
    x = rt.eval_in("/hud#gui", 'return gui.get_position(gui.get_node("box")).x')
    assert x == pytest.approx(150.0)
    rt.step(15)
    assert log.script_lines()[3:] == ["done\t200\ttrue"]


def test_a_script_that_does_not_compile_is_reported_and_the_others_run(start_runtime):
    files = (
        ProjectBuilder()
        .script_object("broken", "function init(self)\n  local x = = 1\nend\n")
        .script_object("fine", "function init(self) print('fine') end\nfunction update(self) end")
        .build()
    )
    rt, log = start_runtime(files)
    rt.step(2)
    assert log.script_lines() == ["fine"]
    (err,) = log.errors()
    assert err.startswith("ERROR:SCRIPT: main/broken.script:2: unexpected symbol near '='")


def test_window_events_and_iconified_engine(start_runtime):
    rt, log = start_runtime(
        one_script("""
        function init(self)
            window.set_listener(function(self, event, data)
                print("window", event == window.WINDOW_EVENT_FOCUS_LOST and "focus_lost"
                    or event == window.WINDOW_EVENT_ICONFIED and "iconified"
                    or event == window.WINDOW_EVENT_DEICONIFIED and "deiconified" or tostring(event))
            end)
        end
    """)
    )
    rt.window_event(0)
    rt.window_event(3)
    rt.iconified = True
    assert rt.should_step(), "queued window events still get a frame"
    rt.step(1)
    assert log.script_lines() == ["window\tfocus_lost", "window\ticonified"]
    assert not rt.should_step(), "an iconified game runs no frames (engine.run_while_iconified = 0)"
    rt.iconified = False
    rt.window_event(4)
    assert rt.should_step()
    rt.step(1)
    assert log.script_lines()[-1] == "window\tdeiconified"
