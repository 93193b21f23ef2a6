"""The automation bridge (sample_app/bridge, Lua) speaking Poco's std protocol over real sockets."""

from __future__ import annotations

import base64
import io
import threading

import pytest
from PIL import Image

from .poco_client import PocoRpcError, StdPocoClient, bounds_px, walk
from .rustore_double import RuStoreDouble


class FrameDriver:
    """Steps the game while a blocking client waits for its answer (the bridge runs in update())."""

    def __init__(self, game) -> None:
        self.game = game
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(1 / 240):
            self.game.rt.step(1)

    def __enter__(self) -> FrameDriver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def bridge_port(game) -> int:
    line = next(m for m in game.log.script_lines() if m.startswith("poco: listening on port "))
    return int(line.rsplit(" ", 1)[1])


@pytest.mark.parametrize("screen", [(1080, 2400), (800, 1000)], ids=["1080x2400", "800x1000"])
def test_dump_matches_the_engine_layout_and_the_picture(start_game, screen):
    plugin = RuStoreDouble()
    plugin.script["get_products"] = [
        (
            "rustore_on_get_products_success",
            '[{"productId":"con1","priceLabel":"49 ₽","productStatus":"ACTIVE"}]',
        )
    ]
    game = start_game(plugin, screen=screen)
    scene = game.rt.scenes()[0]
    button = scene.by_id("btn_products")
    cx, cy = scene.screen_rect(button.nid, screen).center
    game.rt.tap(cx, screen[1] - cy)  # the Products screen, as a player opens it
    game.settle(4)
    with FrameDriver(game):
        client = StdPocoClient("127.0.0.1", bridge_port(game))
        try:
            assert client.call("GetSDKVersion") == "defold-poco-std-1.0"
            assert client.call("GetScreenSize") == list(screen)
            tree = client.call("Dump", True)
            b64, fmt = client.call("Screenshot", 720)
            with pytest.raises(PocoRpcError):
                client.call("NoSuchMethod")
        finally:
            client.close()
    assert tree["name"] == "<Root>" and tree["children"][0]["name"] == "root"
    nodes = {n["name"]: n["payload"] for n in walk(tree)}
    assert {
        "btn_check",
        "btn_products",
        "btn_purchases",
        "btn_theme",
        "btn_errors",
        "status",
        "product_row_con1",
        "product_label_con1",
        "btn_buy_con1",
    } <= set(nodes)
    assert "panel_purchases" not in nodes, "disabled subtrees are left out of a visible-only dump"
    assert nodes["btn_buy_con1"]["type"] == "Button" and nodes["btn_buy_con1"]["enabled"] is True
    assert nodes["lbl_products"]["text"] == "Products"
    assert nodes["status"]["type"] == "Text"

    by_id = {n.id: n for n in scene.nodes.values()}
    picture = Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")
    assert fmt == "png" and picture.size == screen
    for name in ("btn_check", "btn_products", "btn_theme", "btn_buy_con1", "panel_products", "status"):
        left, top, right, bottom = bounds_px(nodes[name], screen)
        rect = scene.screen_rect(by_id[name].nid, screen)
        assert (left, top, right, bottom) == pytest.approx(
            (rect.x0, screen[1] - rect.y1, rect.x1, screen[1] - rect.y0), abs=0.01
        ), name
    for name in ("btn_check", "btn_products", "btn_buy_con1"):
        left, top, right, bottom = bounds_px(nodes[name], screen)
        color = by_id[name].props["color"]
        expected = tuple(round(c * 255) for c in color[:3])
        # inside the box near its edges: the button colour; just outside: something else
        assert picture.getpixel((int(left) + 2, int(top) + 2)) == expected, name
        assert picture.getpixel((int(right) - 3, int(bottom) - 3)) == expected, name
        assert picture.getpixel((int(left) - 2, int(top) + 2)) != expected, name


def test_click_rpc_presses_the_button_under_the_point(start_game):
    plugin = RuStoreDouble()
    game = start_game(plugin, screen=(1080, 2400))
    with FrameDriver(game):
        client = StdPocoClient("127.0.0.1", bridge_port(game))
        try:
            nodes = {n["name"]: n["payload"] for n in walk(client.call("Dump", True))}
            x, y = nodes["btn_check"]["pos"]
            assert client.call("Click", x, y) is True
            assert client.call("Click", 0.01, 0.99) is False
        finally:
            client.close()
    game.settle(2)
    assert "ui: click btn_check" in game.log.script_lines()
    assert [c[0] for c in plugin.calls][-1] == "check_purchases_availability"
