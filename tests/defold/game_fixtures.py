"""Running the real sample game in the engine with a test-double RuStore plugin and game server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.sim.defold.addressing import Url
from harness.sim.defold.build import project_files
from harness.sim.defold.runtime import DefoldRuntime

from .projects import LogCapture
from .rustore_double import RuStoreDouble

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"
IAP_TAG = "RuStoreHarness"


@dataclass
class GameServerDouble:
    """Answers /v1/purchases/validate and /v1/purchases/consume as scripted; records requests."""

    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    def ok(self) -> None:
        self.answers["/v1/purchases/validate"] = (200, {"code": 0, "type": "OK", "alreadyGranted": False})
        self.answers["/v1/purchases/consume"] = (200, {"code": 0, "type": "OK", "alreadyConsumed": False})


@pytest.fixture
def game_server() -> Iterator[GameServerDouble]:
    double = GameServerDouble()
    double.ok()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            double.requests.append((self.path, json.loads(body or b"{}")))
            status, answer = double.answers.get(self.path, (404, {"code": 9004, "type": "NOT_FOUND"}))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield double
    server.shutdown()
    server.server_close()


class Game:
    """The sample game in the engine, driven by messages to its IAP script."""

    def __init__(self, rt: DefoldRuntime, log: LogCapture, plugin: RuStoreDouble) -> None:
        self.rt = rt
        self.log = log
        self.plugin = plugin

    def request(self, action: str, id: str | None = None, value: Any = None) -> None:
        message: dict[str, Any] = {"action": action}
        if id is not None:
            message["id"] = id
        if value is not None:
            message["value"] = value
        self.rt.post(Url(self.rt.socket_name, "/main", "script"), "iap_request", message)

    def run(self, until: Callable[[], bool], max_frames: int = 300) -> None:
        """Step frames (letting HTTP finish between them) until ``until()`` holds."""
        for _ in range(max_frames):
            self.rt.step(1)
            if until():
                return
            self.rt.wait_io_idle(10)
        raise AssertionError(
            f"condition not reached in {max_frames} frames; log tail: {self.log.entries[-8:]}"
        )

    def settle(self, frames: int = 60) -> None:
        for _ in range(frames):
            self.rt.step(1)
            self.rt.wait_io_idle(10)

    def harness_lines(self) -> list[str]:
        return [m for _, t, m in self.log.entries if t == IAP_TAG]

    def iap_lines(self) -> list[str]:
        return [m for m in self.harness_lines() if m.startswith("iap ")]

    def status(self) -> str:
        return self.rt.eval_in("/main#gui", 'return gui.get_text(gui.get_node("status"))')


@pytest.fixture
def start_game(game_server: GameServerDouble) -> Iterator[Callable[..., Game]]:
    games: list[Game] = []

    def start(
        plugin: RuStoreDouble | None = None,
        *,
        screen: tuple[int, int] = (1080, 2400),
        extensions: dict[str, Any] | None = None,
        config: dict[str, str] | None = None,
    ) -> Game:
        plugin = plugin or RuStoreDouble()
        log = LogCapture()
        cfg = {"rustore_harness.game_server_url": game_server.url, "rustore_harness.bridge_port": "0"}
        cfg.update(config or {})
        rt = DefoldRuntime(
            project_files(SAMPLE_APP),
            screen_size=screen,
            log=log,
            config=cfg,
            extensions=plugin.extensions() if extensions is None else extensions,
        )
        rt.start()
        game = Game(rt, log, plugin)
        games.append(game)
        return game

    yield start
    for game in games:
        game.rt.stop()
