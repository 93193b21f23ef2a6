"""Page object of the sample Defold game (sample_app/README.md): GL buttons by bridge node id.

The game draws its buttons with GL, so no view tree knows them: the bridge says where a node
is, and a W3C pointer tap through Appium lands at its centre, as a finger would. Texts and
the status line are read from the bridge too.
"""

from __future__ import annotations

import re
from typing import Any

from harness.android.logcat import LogcatStream, LogMark
from harness.game.bridge import BridgeNode, PocoBridge
from harness.game.waits import wait_until

READY_STATUS = "Ready"  # the status line once RuStore's init has come back to the game
TAP_MS = 40  # finger down to up: a tap (over two frames of a 60 fps game), far from a long press


class SampleGame:
    """The game's screens: top menu, products (Buy per product), purchases (Confirm/Delete/Info)."""

    def __init__(self, driver: Any, bridge: PocoBridge, logcat: LogcatStream, package: str) -> None:
        self.driver = driver
        self.bridge = bridge
        self.logcat = logcat
        self.package = package

    # ------------------------------------------------------------ reading
    def nodes(self) -> dict[str, BridgeNode]:
        return self.bridge.nodes(True)

    def node(self, name: str) -> BridgeNode | None:
        found = self.nodes().get(name)
        return found if found is not None and found.visible and found.enabled else None

    def text(self, name: str) -> str:
        node = self.nodes().get(name)
        if node is None:
            raise KeyError(f"no GUI node {name!r} on the game's screen")
        return node.text

    @property
    def status(self) -> str:
        """The game's status line (what it tells the player about the last action)."""
        return self.text("status")

    def wait_node(self, name: str, timeout: float = 20.0) -> BridgeNode:
        """The node once it is drawn (re-read from the bridge each time the device logs)."""
        return wait_until(
            self.logcat,
            lambda: self.node(name),
            timeout=timeout,
            what=f"game node {name!r}",
            describe=lambda: f"nodes on screen: {sorted(self.nodes())}",
        )

    def wait_text(self, name: str, predicate: Any, timeout: float = 20.0) -> str:
        """The node's text once ``predicate(text)`` holds."""

        def probe() -> str | None:
            node = self.nodes().get(name)
            return node.text if node is not None and predicate(node.text) else None

        return wait_until(self.logcat, probe, timeout=timeout, what=f"text of {name!r}")

    # ------------------------------------------------------------ acting
    def tap(self, name: str, timeout: float = 20.0) -> BridgeNode:
        """A W3C pointer tap at the centre of GUI node ``name`` (waits for it to be drawn)."""
        node = self.wait_node(name, timeout)
        mark = self.logcat.mark()
        tap_at(self.driver, node.center)
        # the game logs every click it handles: the tap is done when the game saw it
        self.logcat.wait_for(rf"ui: click {name}\b", mark, timeout=timeout)
        return node

    def in_foreground(self) -> bool:
        return bool(self.driver.current_package == self.package)


def tap_at(driver: Any, point: tuple[int, int]) -> None:
    """One finger down and up at ``point`` (viewport pixels), with no travel before it lands.

    Appium's ``driver.tap`` moves the finger there over 250 ms first (Selenium's default move
    duration), which a touch screen never sees and every tap would pay for.
    """
    # imported here: selenium.webdriver's package import costs every pytest process ~0.2 s at start
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    actions = ActionBuilder(driver, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"), duration=0)
    actions.pointer_action.move_to_location(*point)
    actions.pointer_action.pointer_down()
    actions.pointer_action.pause(TAP_MS / 1000)
    actions.pointer_action.pointer_up()
    actions.perform()


def wait_ready(
    logcat: LogcatStream, bridge: PocoBridge, package: str, activity: str, since: LogMark, timeout: float
) -> dict[str, BridgeNode]:
    """The game's nodes once it is ready after a start logged since ``since``: its status line says
    Ready and its own activity is on top again (RuStore's init bounces through its deeplink
    activity first, and a tap meanwhile would land there)."""
    trampoline = re.compile(r"START u0 \{.*cmp=" + re.escape(package) + r"/(\S+?)[ }]")
    own = activity.rsplit(".", 1)[-1]

    def probe() -> dict[str, BridgeNode] | None:
        starts = [m.group(1) for line in logcat.excerpt(since).lines if (m := trampoline.search(line))]
        if starts and not starts[-1].endswith(own):
            return None
        try:
            nodes = bridge.nodes()
        except (OSError, ConnectionError):
            return None
        status = nodes.get("status")
        return nodes if status is not None and status.text == READY_STATUS else None

    return wait_until(logcat, probe, timeout=timeout, what="the game ready")
