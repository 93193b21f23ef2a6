"""The game under test as the harness sees it: its automation bridge and its page object."""

from harness.game.bridge import BridgeNode, PocoBridge
from harness.game.sample import SampleGame

__all__ = ["BridgeNode", "PocoBridge", "SampleGame"]
