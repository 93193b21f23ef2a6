"""A virtual device with RuStore, the sample game, the sandbox and the game's server, through real adb.

Session-wide: the sandbox and the game's server (each served on 127.0.0.1), the game's APK.
Per test: a fresh virtual device (so a fresh RuStore user in the sandbox), attached to the
session's private adb server, with the RuStore app and the bank apps preinstalled exactly as
``sim up`` does, the game installed with ``adb install`` and launched with ``am start``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.android.adb import AdbServer
from harness.sim.defold.build import build_apk
from harness.sim.host import DeviceHost
from harness.sim.sandbox.client import SandboxClient

from .game_device import GameDevice

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from harness.sim.sandbox import create_app
    from harness.sim.sandbox.serve import ServedApp

    db = tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite"
    served = ServedApp(create_app(db))
    url = served.start()
    yield url
    served.stop()


@pytest.fixture(scope="session")
def game_server_url(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from game_server import GameServerSettings
    from game_server import create_app as create_game_server

    from harness.sim.sandbox.serve import ServedApp

    with SandboxClient(sandbox_url) as sandbox:
        keys = sandbox.issue_key()
    settings = GameServerSettings(
        rustore_base_url=sandbox_url, key_id=keys["keyId"], private_key_pem=keys["privateKeyPem"]
    )
    served = ServedApp(create_game_server(tmp_path_factory.mktemp("game") / "game.sqlite", settings))
    url = served.start()
    yield url
    served.stop()


@pytest.fixture
def sandbox(sandbox_url: str) -> Iterator[SandboxClient]:
    with SandboxClient(sandbox_url) as client:
        yield client
        client.clear_outcomes()
        client.clear_forced_errors()


@pytest.fixture(scope="session")
def game_apk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_apk(SAMPLE_APP, tmp_path_factory.mktemp("apk") / "sample_app.apk")


PROBE_PACKAGE = "ru.rustore.harness.probe"
PROBE_SCRIPT = """-- A game that loads the RuStore extensions and calls nothing: tests drive it with eval_in.
function init(self)
  probe = { got = {} }
end
"""
PROBE_COLLECTION = """name: "main"
embedded_instances {
  id: "main"
  data: "components {\\n  id: \\"script\\"\\n  component: \\"/main/main.script\\"\\n}\\n"
}
"""


@pytest.fixture(scope="session")
def probe_apk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minimal Defold game with the sample's merged manifest (scheme ``probe``) that never inits."""
    root = tmp_path_factory.mktemp("probe")
    project = (SAMPLE_APP / "game.project").read_text()
    project = project.replace("package = ru.rustore.sample.billing", f"package = {PROBE_PACKAGE}")
    project = project.replace("bridge_port = 15004", "bridge_port = 0")
    (root / "game.project").write_text(project)
    (root / "android").mkdir()
    manifest = (SAMPLE_APP / "android" / "AndroidManifest.xml").read_text()
    (root / "android" / "AndroidManifest.xml").write_text(manifest.replace('"rustoresample"', '"probe"'))
    (root / "input").mkdir()
    (root / "input" / "game.input_binding").write_text(
        (SAMPLE_APP / "input" / "game.input_binding").read_text()
    )
    (root / "main").mkdir()
    (root / "main" / "main.collection").write_text(PROBE_COLLECTION)
    (root / "main" / "main.script").write_text(PROBE_SCRIPT)
    return build_apk(root, root / "probe.apk")


@pytest.fixture(scope="session")
def rustore_host() -> Iterator[DeviceHost]:
    import harness.sim.defold
    import harness.sim.rustore  # noqa: F401 - the plugin, the sheet, the banks

    host = DeviceHost()
    yield host
    host.close()


@pytest.fixture
def make_game(
    private_adb: AdbServer, rustore_host: DeviceHost, sandbox_url: str, game_server_url: str, game_apk: Path
) -> Iterator[Any]:
    made: list[GameDevice] = []

    def make(props: dict[str, str] | None = None, *, launch: bool = True) -> GameDevice:
        game = GameDevice.start(
            private_adb, rustore_host, sandbox_url, game_server_url, game_apk, props or {}
        )
        made.append(game)
        if launch:
            game.launch()
        return game

    yield make
    for game in made:
        game.close()


@pytest.fixture
def game(make_game: Any) -> GameDevice:
    return make_game()


@pytest.fixture
def probe(
    private_adb: AdbServer, rustore_host: DeviceHost, sandbox_url: str, game_server_url: str, probe_apk: Path
) -> Iterator[GameDevice]:
    """The probe game launched (no init yet): tests call the plugin from Lua themselves."""
    game = GameDevice.start(
        private_adb, rustore_host, sandbox_url, game_server_url, probe_apk, {}, package=PROBE_PACKAGE
    )
    game.launch(inits=False)
    yield game
    game.close()
