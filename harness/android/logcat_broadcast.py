"""A remote device's logcat through Appium: the UiAutomator2 driver's logcat broadcast websocket.

A remote pool (an Appium server or a farm) gives the harness no adb, but the driver already
follows the device's logcat itself: at session start appium-android-driver runs
``adb -s <udid> logcat -v threadtime`` on the Appium host (unless the session sets
``skipLogcatCapture``). ``mobile: startLogsBroadcast`` adds a websocket endpoint to the Appium
server at ``/ws/session/<sessionId>/appium/device/logcat`` (always under ``/ws``, whatever the
server's base path); every client connected there gets each line the driver reads from then on,
as one text message holding the raw threadtime line (appium-android-driver, commands/log.js).
``mobile: stopLogsBroadcast``, or the session's end, removes the endpoint and drops its clients.

What that means for the stream (``LogcatStream(source=WebSocketLineSource(...))``):

- No replay, except one: the driver's logcat starts without ``-T``, so right after a session
  starts it is still dumping the device's old buffer. Each connection therefore drops lines
  stamped before the device time read just before it (``since``), as ``-T`` does for adb.
- The driver decodes logcat as UTF-8 with replacement, so bytes that are not UTF-8 (JNI's
  CESU-8) arrive as U+FFFD: such a callback chunk fails its CRC instead of being recovered.
- When the endpoint goes away (the session died and was recreated, or someone stopped the
  broadcast), the source reopens it on the session its provider gives now, and says so in the
  stream with one line: what the device logged meanwhile is missing.
"""

from __future__ import annotations

import base64
import re
import shlex
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websocket
from selenium.common.exceptions import WebDriverException

from harness.android.logcat import DEFAULT_MAX_LINES, LogcatStream
from harness.android.server_url import split_credentials, without_credentials

BROADCAST_PATH = "/ws/session/{session_id}/appium/device/logcat"
DEVICE_TIME_FORMAT = "MM-DD HH:mm:ss.SSS"  # moment.js, as `mobile: getDeviceTime` takes it
CONNECT_TIMEOUT_S = 30.0
_STAMP = re.compile(r"^(?:\d{4}-)?(\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")


class BroadcastError(RuntimeError):
    """The logcat broadcast could not be opened or reopened; the message says where and why."""


@dataclass(frozen=True)
class BroadcastEndpoint:
    """Where one connection goes: the websocket URL, its headers, and the device time to start at."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    since: str | None = None  # 'MM-DD hh:mm:ss.mmm' on the device's clock; older lines are dropped
    label: str = ""  # what the reopen line names (e.g. the session id)


def broadcast_url(server_url: str, session_id: str) -> tuple[str, dict[str, str]]:
    """The session's broadcast URL on the server of ``server_url`` and the headers it needs.

    http → ws, https → wss, same host and port; ``user:password@`` in the server URL becomes
    a Basic ``Authorization`` header (as Selenium's client sends it on HTTP).
    """
    parts = urlsplit(server_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) Appium server URL, found {without_credentials(server_url)!r}")
    scheme = "wss" if parts.scheme == "https" else "ws"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{parts.port}" if parts.port else host
    headers: dict[str, str] = {}
    _, user, password = split_credentials(server_url)
    if user is not None:
        token = f"{user}:{password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
    return f"{scheme}://{netloc}{BROADCAST_PATH.format(session_id=session_id)}", headers


def stamp_of(line: str) -> str | None:
    """The ``MM-DD hh:mm:ss.mmm`` of a threadtime line (None for lines without one)."""
    found = _STAMP.match(line)
    return found.group(1) if found else None


class WebSocketLineSource:
    """Logcat lines from a websocket that sends one line per text message (Appium's broadcast).

    ``open_endpoint`` prepares an endpoint and says where it is; it is called again when the
    server closes the connection, at most once per connection that delivered something, so a
    server that keeps refusing ends the stream with the reason instead of looping.
    """

    def __init__(
        self,
        open_endpoint: Callable[[], BroadcastEndpoint],
        *,
        name: str = "logcat-broadcast",
        connect_timeout: float = CONNECT_TIMEOUT_S,
        marker: Callable[[str, str, float], bool] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.open_endpoint = open_endpoint
        self.connect_timeout = connect_timeout
        self._marker = marker
        self._on_close = on_close
        self._ws: websocket.WebSocket | None = None
        self._endpoint: BroadcastEndpoint | None = None
        self._closing = threading.Event()
        self._guard = threading.Lock()
        self.reopened = 0

    # ------------------------------------------------------------ LineSource

    def open(self) -> None:
        self._connect()

    def lines(self) -> Iterator[str]:
        while True:
            delivered = yield from self._read_connection()
            if self._closing.is_set():
                return
            if not delivered:
                where = self._endpoint.url if self._endpoint else "?"
                raise BroadcastError(f"the logcat broadcast at {where} closed before sending a line")
            endpoint = self._connect()
            self.reopened += 1
            yield (
                f"--------- {self.name}: broadcast reopened ({endpoint.label or endpoint.url}); "
                "lines logged while it was closed are missing"
            )

    def close(self) -> None:
        self._closing.set()
        with self._guard:
            ws = self._ws
        if ws is not None:
            ws.abort()  # wakes the reader blocked in recv()
            ws.shutdown()
        if self._on_close is not None:
            self._on_close()

    def write_marker(self, tag: str, text: str, timeout: float) -> bool:
        return self._marker(tag, text, timeout) if self._marker is not None else False

    # ------------------------------------------------------------ internals

    def _connect(self) -> BroadcastEndpoint:
        endpoint = self.open_endpoint()
        try:
            ws = websocket.create_connection(
                endpoint.url,
                header=[f"{k}: {v}" for k, v in endpoint.headers.items()],
                timeout=self.connect_timeout,
                enable_multithread=True,
            )
        except (websocket.WebSocketException, OSError) as exc:
            raise BroadcastError(
                f"could not open the logcat broadcast at {endpoint.url}: {type(exc).__name__}: {exc}"
            ) from exc
        ws.settimeout(None)  # a quiet device is not an error: recv() waits for the next line
        with self._guard:
            self._ws, self._endpoint = ws, endpoint
        if self._closing.is_set():  # close() ran while this connection was being made
            ws.shutdown()
        return endpoint

    def _read_connection(self) -> Generator[str, None, bool]:
        """Lines of the current connection until it closes; returns whether any message came."""
        with self._guard:
            ws, endpoint = self._ws, self._endpoint
        assert ws is not None and endpoint is not None, "open() first"
        since = endpoint.since
        delivered = False
        try:
            while True:
                with ws.readlock:
                    opcode, data = ws.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break  # the server removed the endpoint (stopLogsBroadcast, session ended)
                delivered = True
                message = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else str(data)
                for line in message.splitlines():
                    if since is not None:
                        stamp = stamp_of(line)
                        if stamp is None or stamp < since:
                            continue  # the driver's logcat still replaying the old buffer
                        since = None
                    yield line
        except (websocket.WebSocketException, OSError):
            pass  # connection lost: lines() decides between ending and reopening
        finally:
            ws.shutdown()
        return delivered


class AppiumBroadcast:
    """The broadcast of one device's Appium session, as endpoints for ``WebSocketLineSource``.

    ``session`` gives the device's current WebDriver (the session factory: the same session
    while it lives, a new one after it died). ``server_url`` is the Appium server (credentials
    in it become the websocket's Basic auth).
    """

    def __init__(self, server_url: str, session: Callable[[], Any]) -> None:
        self.server_url = server_url
        self.session = session
        self._driver: Any = None
        self._shell_refused = False

    def __call__(self) -> BroadcastEndpoint:
        driver = self.session()
        since = self._device_time(driver)
        try:
            driver.execute_script("mobile: startLogsBroadcast")
        except WebDriverException as exc:
            where = f"{without_credentials(self.server_url)} (session {driver.session_id})"
            raise BroadcastError(
                f"`mobile: startLogsBroadcast` failed on {where}: {exc.msg or exc}; the session needs "
                "the UiAutomator2 driver and must not set skipLogcatCapture"
            ) from exc
        self._driver = driver
        url, headers = broadcast_url(self.server_url, driver.session_id)
        return BroadcastEndpoint(url, headers, since, label=f"session {driver.session_id}")

    @staticmethod
    def _device_time(driver: Any) -> str | None:
        try:
            value = str(driver.execute_script("mobile: getDeviceTime", {"format": DEVICE_TIME_FORMAT}))
        except WebDriverException:
            return None
        return value if _STAMP.fullmatch(value) else None

    def write_marker(self, tag: str, text: str, timeout: float) -> bool:
        """``log -t`` through ``mobile: shell`` (needs the server's ``adb_shell`` insecure feature;
        once refused, never asked again: excerpts then start at a plain mark).

        ``adb shell`` joins its arguments with spaces for the device's ``sh``, so each one is
        quoted here (a ``#`` in the text would otherwise start a comment and cut the line)."""
        if self._shell_refused or self._driver is None:
            return False
        args = [shlex.quote(arg) for arg in ("-t", tag, text)]
        try:
            self._driver.execute_script("mobile: shell", {"command": "log", "args": args})
        except WebDriverException:
            self._shell_refused = True
            return False
        return True

    def stop(self) -> None:
        """Remove the endpoint from the session that has it (quietly: the session may be gone)."""
        if self._driver is None:
            return
        try:
            self._driver.execute_script("mobile: stopLogsBroadcast")
        except WebDriverException:
            pass


def appium_logcat_stream(
    server_url: str, session: Callable[[], Any], *, name: str, max_lines: int = DEFAULT_MAX_LINES
) -> LogcatStream:
    """A ``LogcatStream`` of the device behind ``session``, fed by its Appium logcat broadcast."""
    broadcast = AppiumBroadcast(server_url, session)
    source = WebSocketLineSource(
        broadcast, name=f"logcat-broadcast-{name}", marker=broadcast.write_marker, on_close=broadcast.stop
    )
    return LogcatStream(source=source, max_lines=max_lines)
