"""Game-server fixtures live in ``game_server_fixtures`` so tests can import its helpers too.

``tests/`` is on ``sys.path`` (the root conftest has no package), so this directory's name would
shadow the real ``game_server`` package as an empty namespace package. Putting the package's own
directory on the path first makes the regular package win the import scan.
"""

import sys
from pathlib import Path

_SERVER_DIR = str(Path(__file__).resolve().parents[2] / "sample_app" / "server")
if _SERVER_DIR not in sys.path:
    sys.path.insert(0, _SERVER_DIR)
if getattr(sys.modules.get("game_server"), "__file__", "") is None:  # a namespace import got there first
    for name in [m for m in sys.modules if m == "game_server" or m.startswith("game_server.")]:
        del sys.modules[name]

from game_server_fixtures import (  # noqa: E402
    buy,
    client,
    fake_api,
    game_server,
    private_key,
    served_fake_api,
    settings,
    start_game_server,
)

__all__ = [
    "buy",
    "client",
    "fake_api",
    "game_server",
    "private_key",
    "served_fake_api",
    "settings",
    "start_game_server",
]
