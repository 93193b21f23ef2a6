"""GUI layout on screens whose aspect ratio differs from the project's (720x1280).

Expected rectangles are computed by hand from Defold's documented rules (see
harness/sim/defold/layout.py's docstring): reference scale r = screen/project per axis;
FIT uses min(rx, ry), ZOOM max(rx, ry), STRETCH (rx, ry); a root node's position is scaled by
its adjust scale and shifted by half of the uncovered screen, except on an anchored axis where
it is scaled by r and not shifted; a child's position and size scale by its parent's adjust
scale; the pivot decides which part of the size lies left/below the position.
"""

from __future__ import annotations

import pytest

from .projects import Node, ProjectBuilder

NODES = [
    Node("fit_center", 360, 640, 200, 100, adjust="ADJUST_MODE_FIT"),
    Node(
        "stretch_top_left",
        100,
        1180,
        100,
        50,
        adjust="ADJUST_MODE_STRETCH",
        pivot="PIVOT_SW",
        xanchor="XANCHOR_LEFT",
        yanchor="YANCHOR_TOP",
    ),
    Node(
        "zoom_bottom_right",
        620,
        100,
        80,
        80,
        adjust="ADJUST_MODE_ZOOM",
        pivot="PIVOT_NE",
        xanchor="XANCHOR_RIGHT",
        yanchor="YANCHOR_BOTTOM",
    ),
    Node("child", 50, 0, 40, 20, adjust="ADJUST_MODE_FIT", parent="fit_center"),
]

GUI_SCRIPT = """
function init(self)
    for _, id in ipairs({ "fit_center", "stretch_top_left", "zoom_bottom_right", "child" }) do
        local n = gui.get_node(id)
        local p = gui.get_screen_position(n)
        print(id, p.x, p.y)
    end
end
"""

# (screen size, {node: (x0, y0, x1, y1) in screen pixels, Defold orientation (y up)})
CASES = [
    # 1080x2400: r = (1.5, 1.875); FIT 1.5 leaves 2400 - 1920 = 480 px → 240 below
    (
        (1080, 2400),
        {
            "fit_center": (390.0, 1125.0, 690.0, 1275.0),  # centre (540, 960 + 240)
            "stretch_top_left": (150.0, 2212.5, 300.0, 2306.25),  # (100·1.5, 1180·1.875), size 150×93.75
            "zoom_bottom_right": (780.0, 37.5, 930.0, 187.5),  # (620·1.5, 100·1.875), size 150×150 to the SW
            "child": (585.0, 1185.0, 645.0, 1215.0),  # parent + 50·1.5, size 60×30
        },
    ),
    # 800x1000: r = (1.1111, 0.78125); FIT 0.78125 leaves 800 - 562.5 = 237.5 px → 118.75 left
    (
        (800, 1000),
        {
            "fit_center": (321.875, 460.9375, 478.125, 539.0625),  # centre (281.25 + 118.75, 500)
            "stretch_top_left": (111.1111, 921.875, 222.2222, 960.9375),
            "zoom_bottom_right": (600.0, -10.7639, 688.8889, 78.125),  # ZOOM 1.1111: size 88.89
            "child": (423.4375, 492.1875, 454.6875, 507.8125),  # parent + 50·0.78125, size 31.25×15.625
        },
    ),
    # 600x1280: r = (0.8333, 1.0); FIT 0.8333 leaves 1280 - 1066.67 = 213.33 px → 106.67 below
    (
        (600, 1280),
        {
            "fit_center": (216.6667, 598.3333, 383.3333, 681.6667),  # centre (300, 533.33 + 106.67)
            "stretch_top_left": (83.3333, 1180.0, 166.6667, 1230.0),
            "zoom_bottom_right": (436.6667, 20.0, 516.6667, 100.0),  # ZOOM 1.0
            "child": (325.0, 631.6667, 358.3333, 648.3333),
        },
    ),
]


@pytest.mark.parametrize(("screen", "expected"), CASES, ids=[f"{w}x{h}" for (w, h), _ in CASES])
def test_screen_bounds_match_defold_rules(start_runtime, screen, expected):
    files = ProjectBuilder().gui_object("hud", NODES, GUI_SCRIPT).build()
    rt, log = start_runtime(files, screen_size=screen)
    scene = rt.scenes()[0]
    for node_id, (x0, y0, x1, y1) in expected.items():
        node = scene.by_id(node_id)
        assert node is not None
        rect = scene.screen_rect(node.nid, screen)
        assert (rect.x0, rect.y0, rect.x1, rect.y1) == pytest.approx((x0, y0, x1, y1), abs=1e-3), node_id
    positions = {line.split("\t")[0]: tuple(map(float, line.split("\t")[1:])) for line in log.script_lines()}
    # gui.get_screen_position is the pivot point: the centre for CENTER, lower-left for SW, upper-right for NE
    x0, y0, x1, y1 = expected["fit_center"]
    assert positions["fit_center"] == pytest.approx(((x0 + x1) / 2, (y0 + y1) / 2), abs=1e-3)
    x0, y0, _, _ = expected["stretch_top_left"]
    assert positions["stretch_top_left"] == pytest.approx((x0, y0), abs=1e-3)
    _, _, x1, y1 = expected["zoom_bottom_right"]
    assert positions["zoom_bottom_right"] == pytest.approx((x1, y1), abs=1e-3)


@pytest.mark.parametrize(("screen", "expected"), CASES, ids=[f"{w}x{h}" for (w, h), _ in CASES])
def test_pick_node_uses_action_coordinates(start_runtime, screen, expected):
    """gui.pick_node takes action.x/y (project units): screen = action · screen/project per axis."""
    rx, ry = screen[0] / 720, screen[1] / 1280
    probes = []
    for node_id, (x0, y0, x1, y1) in expected.items():
        inside = ((x0 + x1) / 2 / rx, (y0 + y1) / 2 / ry)
        outside_left = ((x0 - 1) / rx, (y0 + y1) / 2 / ry)
        outside_top = ((x0 + x1) / 2 / rx, (y1 + 1) / ry)
        probes.append((node_id, inside, outside_left, outside_top))
    script = (
        "function init(self)\n"
        + "".join(
            f'  print("{nid}", gui.pick_node(gui.get_node("{nid}"), {a[0]!r}, {a[1]!r}), '
            f'gui.pick_node(gui.get_node("{nid}"), {b[0]!r}, {b[1]!r}), '
            f'gui.pick_node(gui.get_node("{nid}"), {c[0]!r}, {c[1]!r}))\n'
            for nid, a, b, c in probes
        )
        + "end\n"
    )
    files = ProjectBuilder().gui_object("hud", NODES, script).build()
    _rt, log = start_runtime(files, screen_size=screen)
    assert log.script_lines() == [f"{nid}\ttrue\tfalse\tfalse" for nid, *_ in probes]
