"""Screen taps become Defold touch actions; screencap shows what the GUI holds."""

from __future__ import annotations

import io

from PIL import Image

from harness.sim.defold.render import render_png

from .projects import Node, ProjectBuilder

BUTTON_SCRIPT = """
function init(self)
    msg.post(".", "acquire_input_focus")
end
function on_input(self, action_id, action)
    if action_id ~= hash("touch") then return false end
    for _, id in ipairs(BUTTONS) do
        local node = gui.get_node(id)
        if gui.is_enabled(node, true) and gui.pick_node(node, action.x, action.y) then
            print(string.format("%s %s %s %s", tostring(msg.url()), id,
                action.pressed and "pressed" or "-", action.released and "released" or "-"))
            return true
        end
    end
    return false
end
"""


def two_huds() -> dict[str, bytes]:
    return (
        ProjectBuilder()
        .gui_object(
            "left",
            [
                Node("buy", 180, 640, 200, 100, color=(0.0, 0.6, 0.0)),
                Node("hidden", 180, 300, 200, 100, enabled=False),
            ],
            "BUTTONS = BUTTONS or {}\n"
            + "local mine = { 'buy', 'hidden' }\n"
            + BUTTON_SCRIPT.replace("ipairs(BUTTONS)", "ipairs(mine)"),
        )
        .gui_object(
            "right",
            [
                Node("info", 540, 640, 200, 100, color=(0.0, 0.0, 0.8)),
                Node("label", 540, 640, 200, 40, type="TYPE_TEXT", text="INFO", color=(1.0, 1.0, 1.0)),
            ],
            "local mine = { 'info' }\n" + BUTTON_SCRIPT.replace("ipairs(BUTTONS)", "ipairs(mine)"),
        )
        .build()
    )


def test_tap_at_a_button_centre_reaches_the_gui_script_that_owns_it(start_runtime):
    screen = (1080, 2400)
    rt, log = start_runtime(two_huds(), screen_size=screen)
    scenes = {s.path: s for s in rt.scenes()}
    info = scenes["main/right.gui"].by_id("info")
    rect = scenes["main/right.gui"].screen_rect(info.nid, screen)
    cx, cy = rect.center
    rt.tap(cx, screen[1] - cy)  # Android's y axis points down
    rt.step(2)
    assert log.script_lines() == [
        "url: [main:/right#gui] info pressed -",
        "url: [main:/right#gui] info - released",
    ]

    buy = scenes["main/left.gui"].by_id("buy")
    bx, by = scenes["main/left.gui"].screen_rect(buy.nid, screen).center
    rt.tap(bx, screen[1] - by)
    rt.step(2)
    assert log.script_lines()[2:] == [
        "url: [main:/left#gui] buy pressed -",
        "url: [main:/left#gui] buy - released",
    ]

    hidden = scenes["main/left.gui"].by_id("hidden")
    hx, hy = scenes["main/left.gui"].screen_rect(hidden.nid, screen).center
    rt.tap(hx, screen[1] - hy)
    rt.step(2)
    assert len(log.script_lines()) == 4, "a disabled button is not hit"


def test_screencap_draws_enabled_nodes_with_their_colours(start_runtime):
    screen = (720, 1280)
    rt, _log = start_runtime(two_huds(), screen_size=screen)
    img = Image.open(io.BytesIO(render_png(rt))).convert("RGB")
    assert img.size == screen
    assert img.getpixel((100, 640)) == (0, 153, 0), "green buy box left of centre"
    assert img.getpixel((450, 600)) == (0, 0, 204), "blue info box"
    assert img.getpixel((180, 1280 - 300)) == (0, 0, 0), "disabled node is not drawn"
    label = img.crop((440, 620, 640, 660))
    assert (255, 255, 255) in {label.getpixel((x, y)) for x in range(200) for y in range(40)}, "text drawn"

    rt.eval_in("/left#gui", 'gui.set_enabled(gui.get_node("buy"), false)')
    img = Image.open(io.BytesIO(render_png(rt))).convert("RGB")
    assert img.getpixel((100, 640)) == (0, 0, 0)


def test_alpha_and_inherited_alpha_blend_over_the_background(start_runtime):
    files = (
        ProjectBuilder()
        .gui_object(
            "hud",
            [
                Node("half", 360, 640, 200, 200, color=(1.0, 0.0, 0.0), alpha=0.5),
                Node("inner", 0, 0, 50, 50, color=(0.0, 1.0, 0.0), alpha=1.0, parent="half"),
            ],
            "function init(self) end",
        )
        .build()
    )
    rt, _log = start_runtime(files, screen_size=(720, 1280))
    img = Image.open(io.BytesIO(render_png(rt))).convert("RGB")
    assert img.getpixel((300, 640)) == (128, 0, 0), "50 % red over black"
    assert img.getpixel((360, 640)) == (64, 128, 0), "inherits the parent's 50 % alpha, over the red"
