"""The sample game on a virtual device, driven and observed through the real adb server.

Callbacks are read the way the harness reads them on a phone: the game's framed callback log
in logcat (``LogcatStream`` + ``FrameAssembler``); native screens with ``uiautomator dump`` and
``input tap``. Waits are Condition waits fed by the logcat stream, never sleeps.
"""

from __future__ import annotations

import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import adbutils

from harness.android.adb import AdbServer
from harness.android.logcat import LogcatStream
from harness.rustore.logframe import CallbackEvent, FrameAssembler, IapCodeLine
from harness.sim.defold.addressing import Url
from harness.sim.host import DeviceHost, HostedDevice

PACKAGE = "ru.rustore.sample.billing"
GAME = f"{PACKAGE}/com.dynamo.android.DefoldActivity"
PROP_SANDBOX_URL = "rustore.harness.sandbox_url"
PROP_GAME_SERVER_URL = "rustore.harness.config.rustore_harness.game_server_url"


@dataclass(frozen=True)
class Node:
    resource_id: str
    text: str
    cls: str
    content_desc: str
    package: str
    bounds: tuple[int, int, int, int]
    clickable: bool
    enabled: bool
    checked: bool

    @property
    def center(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2


def parse_dump(xml: str) -> list[Node]:
    start = xml.index("<hierarchy")
    root = ET.fromstring(xml[start : xml.index("</hierarchy>") + len("</hierarchy>")])
    nodes = []
    for el in root.iter("node"):
        left, top, right, bottom = map(int, re.findall(r"-?\d+", el.get("bounds", "[0,0][0,0]")))
        nodes.append(
            Node(
                el.get("resource-id", ""),
                el.get("text", ""),
                el.get("class", ""),
                el.get("content-desc", ""),
                el.get("package", ""),
                (left, top, right, bottom),
                el.get("clickable") == "true",
                el.get("enabled") == "true",
                el.get("checked") == "true",
            )
        )
    return nodes


class GameDevice:
    def __init__(
        self, adb: AdbServer, host: DeviceHost, hosted: HostedDevice, sandbox_url: str, package: str = PACKAGE
    ) -> None:
        self.package = package
        self.adb = adb
        self.host = host
        self.hosted = hosted
        self.model: Any = hosted.model
        self.serial = hosted.serial
        self.dev: adbutils.AdbDevice = adb.client().device(hosted.serial)
        self.sandbox_url = sandbox_url
        self.user_id = f"device-{self.model.props['ro.serialno']}"
        self.events: list[CallbackEvent] = []
        self.codes: list[IapCodeLine] = []
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._assembler = FrameAssembler()
        self.logcat = LogcatStream(self.dev, args="-v threadtime").start()
        self.logcat.subscribe(self._feed)

    @classmethod
    def start(
        cls,
        adb: AdbServer,
        host: DeviceHost,
        sandbox_url: str,
        game_server_url: str,
        apk: Path,
        props: dict[str, str],
        package: str = PACKAGE,
    ) -> GameDevice:
        from harness.sim.rustore import prepare_device

        hosted = host.add_device("pixel-7-api-34")
        model: Any = hosted.model

        def setup() -> None:
            model.set_prop(PROP_SANDBOX_URL, sandbox_url)
            model.set_prop(PROP_GAME_SERVER_URL, game_server_url)
            for key, value in props.items():
                model.set_prop(key, value)
            prepare_device(model)

        cls.run_on(host, setup)
        adb.connect(hosted.serial)
        out = adb.run("-s", hosted.serial, "install", str(apk))
        assert "Success" in out, out
        return cls(adb, host, hosted, sandbox_url, package)

    @staticmethod
    def run_on(host: DeviceHost, fn: Callable[[], Any]) -> Any:
        async def call() -> Any:
            return fn()

        return host.call(call())

    def on_loop(self, fn: Callable[[], Any]) -> Any:
        return self.run_on(self.host, fn)

    def close(self) -> None:
        self.logcat.stop()
        self.adb.disconnect(self.serial)
        self.host.remove_device(self.hosted)

    # ---- logcat ------------------------------------------------------------------------------------
    def _feed(self, line: str) -> None:
        found = self._assembler.feed(line)
        with self._cond:
            self.lines.append(line)
            for item in found:
                if isinstance(item, CallbackEvent):
                    self.events.append(item)
                else:
                    self.codes.append(item)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{what} not seen in {timeout:g}s; last lines: {self.lines[-12:]}")
                self._cond.wait(remaining)

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def callbacks(self, channel: str | None = None, since: int = 0) -> list[CallbackEvent]:
        with self._cond:
            return [e for e in self.events[since:] if channel is None or e.channel == channel]

    def expect(self, channel: str, since: int = 0, timeout: float = 30.0) -> CallbackEvent:
        return self.wait(
            lambda: next(iter(self.callbacks(channel, since)), None), timeout, f"callback {channel}"
        )

    def wait_line(self, pattern: str, since: int = 0, timeout: float = 30.0) -> re.Match[str]:
        regex = re.compile(pattern)

        def find() -> re.Match[str] | None:
            return next((m for line in self.lines[since:] if (m := regex.search(line))), None)

        return self.wait(find, timeout, f"logcat line {pattern!r}")

    def line_mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def wait_code(self, code: int, since: int = 0, timeout: float = 30.0) -> IapCodeLine:
        return self.wait(
            lambda: next((c for c in self.codes[since:] if c.code == code), None), timeout, f"iap code {code}"
        )

    # ---- the game ----------------------------------------------------------------------------------
    def launch(self, *, inits: bool = True) -> None:
        mark = self.line_mark()
        out = self.dev.shell(f"am start -W -n {self.package}/com.dynamo.android.DefoldActivity")
        assert "Status: ok" in out, out
        if not inits:
            self.wait(lambda: self.engine is not None and self.engine.started, 30, "engine start")
            return
        self.wait_line(r"RuStoreBillingClient: RuStoreBillingClient created", mark)
        # the first init's trampoline has bounced through RuStoreIntentFilterActivity and back
        self.wait_line(
            r"START u0 \{.*cmp=ru\.rustore\.sample\.billing/com\.dynamo\.android\.DefoldActivity", mark
        )

    @property
    def engine(self) -> Any:
        app = self.model.activities.processes.get(self.package)
        return app.runtime.engine if app is not None else None

    def lua(self, code: str) -> Any:
        """Run Lua in main.script's context (``self`` is its instance)."""
        return self.engine.eval_in("/main#script", code)

    def request(self, action: str, id: str | None = None, value: Any = None) -> None:
        message: dict[str, Any] = {"action": action}
        if id is not None:
            message["id"] = id
        if value is not None:
            message["value"] = value
        engine = self.engine
        with engine.lock:
            engine.post(Url(engine.socket_name, "/main", "script"), "iap_request", message)

    # ---- native screens with plain adb -----------------------------------------------------------------
    def dump(self) -> list[Node]:
        return parse_dump(self.dev.shell("uiautomator dump /dev/tty"))

    def find(self, resource_id: str) -> Node | None:
        return next((n for n in self.dump() if n.resource_id == resource_id), None)

    def wait_node(self, resource_id: str, *, text: str | None = None, timeout: float = 20.0) -> Node:
        """Re-dump after each new logcat line (screens change as the SDK logs) until the node shows."""

        def look() -> Node | None:
            node = self.find(resource_id)
            return node if node is not None and (text is None or node.text == text) else None

        deadline = time.monotonic() + timeout
        while True:
            found = look()
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{resource_id} not on screen; dump: {[n.resource_id for n in self.dump()]}"
                )
            count = self.line_mark()
            try:
                self.wait(lambda c=count: len(self.lines) > c, min(remaining, 2.0), "a logcat line")
            except AssertionError:
                pass

    def tap(self, resource_id: str) -> Node:
        node = self.wait_node(resource_id)
        x, y = node.center
        self.dev.shell(f"input tap {x} {y}")
        return node

    def focused_package(self) -> str:
        out = self.dev.shell("dumpsys activity activities")
        m = re.search(r"mResumedActivity: ActivityRecord\{\S+ u0 ([^/\s]+)/", out) or re.search(
            r"ResumedActivity: ActivityRecord\{\S+ u0 ([^/\s]+)/", out
        )
        return m.group(1) if m else ""
