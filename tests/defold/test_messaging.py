"""msg.post addressing and the order in which Defold delivers messages."""

from __future__ import annotations

from .projects import ProjectBuilder

RECORDER = """
function on_message(self, message_id, message, sender)
    print(string.format("%s got %s from %s at %d", tostring(msg.url()), tostring(message_id),
        tostring(sender), FRAME or -1))
end
"""


def test_messages_posted_during_a_frame_are_dispatched_in_that_frame_fifo(start_runtime):
    files = (
        ProjectBuilder()
        .script_object(
            "sender",
            """
            FRAME = 0
            function update(self, dt)
                FRAME = FRAME + 1
                if FRAME == 2 then
                    msg.post("receiver", "first")
                    msg.post("receiver#script", "second")
                    msg.post("main:/receiver#script", "third")
                end
            end
            """
            + RECORDER,
        )
        .script_object(
            "receiver",
            RECORDER
            + """
            local orig = on_message
            function on_message(self, id, message, sender)
                orig(self, id, message, sender)
                if id == hash("first") then msg.post(sender, "chained") end
            end
        """,
        )
        .build()
    )
    rt, log = start_runtime(files)
    rt.step(1)
    assert log.script_lines() == []
    rt.step(1)
    lines = [line for line in log.script_lines() if " got " in line]
    assert lines[:3] == [
        "url: [main:/receiver#script] got hash: [first] from url: [main:/sender#script] at 2",
        "url: [main:/receiver#script] got hash: [second] from url: [main:/sender#script] at 2",
        "url: [main:/receiver#script] got hash: [third] from url: [main:/sender#script] at 2",
    ]
    assert lines[3] == "url: [main:/sender#script] got hash: [chained] from url: [main:/receiver#script] at 2"
    assert rt.frame == 2


def test_addressing_forms_resolve_like_defold(start_runtime):
    files = (
        ProjectBuilder()
        .script_object(
            "a",
            """
            function init(self)
                print("self", msg.url(), "go", msg.url("."), "rel", msg.url("b#script"),
                      "abs", msg.url("/b"), "full", msg.url("main:/b#script"), "frag", msg.url("#other"))
                msg.post("#", "to_self")
                msg.post(".", "to_object")
                msg.post(msg.url("b"), "to_url")
                msg.post(hash("/b"), "to_hash")
            end
            function on_message(self, id, message, sender)
                print("a:", id, sender)
            end
            """,
        )
        .script_object("b", "function on_message(self, id, m, sender) print('b:', id, sender) end")
        .build()
    )
    _rt, log = start_runtime(files)
    lines = log.script_lines()
    assert lines[0] == (
        "self\turl: [main:/a#script]\tgo\turl: [main:/a]\trel\turl: [main:/b#script]\tabs\turl: [main:/b]\t"
        "full\turl: [main:/b#script]\tfrag\turl: [main:/a#other]"
    )
    assert lines[1:] == [
        "a:\thash: [to_self]\turl: [main:/a#script]",
        "a:\thash: [to_object]\turl: [main:/a#script]",
        "b:\thash: [to_url]\turl: [main:/a#script]",
        "b:\thash: [to_hash]\turl: [main:/a#script]",
    ]


def test_message_ordering_across_frames_and_chains(start_runtime):
    files = (
        ProjectBuilder()
        .script_object(
            "a",
            """
            local frame = 0
            function update(self, dt)
                frame = frame + 1
                if frame <= 3 then
                    msg.post("b", "tick", { n = frame, nested = { list = { frame, frame * 2 } } })
                end
            end
            function on_message(self, id, m)
                print("a", id, m.depth)
                if m.depth < 3 then msg.post("b", "ping", { depth = m.depth + 1 }) end
            end
            """,
        )
        .script_object(
            "b",
            """
            function on_message(self, id, m, sender)
                if id == hash("tick") then
                    print("b tick", m.n, m.nested.list[2])
                    if m.n == 3 then msg.post(sender, "pong", { depth = 1 }) end
                else
                    print("b", id, m.depth)
                    msg.post(sender, "pong", { depth = m.depth })
                end
            end
            """,
        )
        .build()
    )
    rt, log = start_runtime(files)
    rt.step(1)
    assert log.script_lines() == ["b tick\t1\t2"]
    rt.step(1)
    rt.step(1)
    assert log.script_lines() == [
        "b tick\t1\t2",
        "b tick\t2\t4",
        "b tick\t3\t6",
        # the whole ping-pong chain of frame 3 runs inside frame 3's dispatch pass
        "a\thash: [pong]\t1",
        "b\thash: [ping]\t2",
        "a\thash: [pong]\t2",
        "b\thash: [ping]\t3",
        "a\thash: [pong]\t3",
    ]
    rt.step(5)
    assert len(log.script_lines()) == 8


def test_message_table_is_copied_at_post_time(start_runtime):
    files = (
        ProjectBuilder()
        .script_object(
            "a",
            """
            function init(self)
                local t = { v = 1 }
                msg.post("b", "m", t)
                t.v = 2
            end
            """,
        )
        .script_object("b", "function on_message(self, id, m) print('v', m.v) end")
        .build()
    )
    _rt, log = start_runtime(files)
    assert log.script_lines() == ["v\t1"]


def test_unknown_receiver_is_logged_and_the_engine_keeps_running(start_runtime):
    files = (
        ProjectBuilder()
        .script_object(
            "a",
            """
        local n = 0
        function update(self)
            n = n + 1
            if n == 1 then msg.post("/nobody", "x") end
            if n == 3 then print("alive") end
        end
        """,
        )
        .build()
    )
    rt, log = start_runtime(files)
    rt.step(3)
    assert any("Instance '/nobody' could not be found" in e for e in log.errors())
    assert log.script_lines() == ["alive"]
