"""The bridge driven by Poco's own Python client (pocoui's StdPoco), when pocoui can be imported.

pocoui cannot live in the project's environment (it needs airtest → opencv, and pins
websocket-client 0.48 while selenium/Appium need ≥ 1.8), so the suite's bridge tests use the
wire-compatible client in poco_client.py. This test runs where pocoui is importable, e.g.
``pip install --target /tmp/pocoenv pocoui`` and ``PYTHONPATH=/tmp/pocoenv pytest …``;
elsewhere it is skipped and says why.
"""

from __future__ import annotations

import threading

import pytest

from .projects import LogCapture
from .rustore_double import RuStoreDouble

std = pytest.importorskip("poco.drivers.std", reason="pocoui (with airtest) is not importable here")


class ClickWatch(LogCapture):
    def __init__(self) -> None:
        super().__init__()
        self.clicked = threading.Event()

    def __call__(self, priority: int, tag: str, message: str) -> None:
        super().__call__(priority, tag, message)
        if "ui: click btn_products" in message:
            self.clicked.set()


def test_std_poco_reads_the_tree_and_clicks(start_game):
    game = start_game(RuStoreDouble())
    watch = ClickWatch()
    game.rt._log_sink = watch
    port = int(next(m for m in game.log.script_lines() if "poco: listening" in m).rsplit(" ", 1)[1])
    stop = threading.Event()

    def frames() -> None:
        while not stop.wait(1 / 120):
            game.rt.step(1)

    driver = threading.Thread(target=frames, daemon=True)
    driver.start()
    try:
        poco = std.StdPoco(port=port, ip="127.0.0.1", use_airtest_input=False)
        assert poco.agent.get_sdk_version() == "defold-poco-std-1.0"
        assert list(poco.agent.screen.getPortSize()) == [1080, 2400]
        button = poco("btn_products")
        assert button.exists()
        assert button.get_position() == pytest.approx([0.5, 0.21875], abs=1e-6)
        assert poco("lbl_products").get_text() == "Products"
        button.click()
        assert watch.clicked.wait(10)
    finally:
        stop.set()
        driver.join()
