"""The sample game's own server: validates RuStore purchases and records entitlements.

``create_app(db_path, settings)`` builds the FastAPI app; ``python -m game_server`` runs it.
"""

from game_server.app import create_app
from game_server.settings import PRODUCTION_RUSTORE_URL, GameServerSettings

__all__ = ["PRODUCTION_RUSTORE_URL", "GameServerSettings", "create_app"]
