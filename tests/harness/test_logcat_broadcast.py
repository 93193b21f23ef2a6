"""The websocket logcat source (Appium's logcat broadcast) against a local websocket server.

The server is a real one (uvicorn with wsproto, on 127.0.0.1) that sends what each test tells it,
one logcat line per text message as appium-android-driver does, and can drop a connection as the
driver does when its session ends. The stream on top is the very ``LogcatStream`` adb feeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from harness.android.logcat import LogcatStream, LogMark
from harness.android.logcat_broadcast import (
    BroadcastEndpoint,
    BroadcastError,
    WebSocketLineSource,
    broadcast_url,
    stamp_of,
)
from harness.android.server_url import split_credentials, without_credentials
from harness.rustore.logframe import encode_callback, split_logcat_line
from harness.rustore.recorder import CallbackRecorder

SESSION = "5e55-10n"
PATH = f"/ws/session/{SESSION}/appium/device/logcat"
CLOSE = object()

SUCCESS = (
    '{"type":"Success","data":{"invoiceId":"13245678","orderId":"o1","productId":"con1",'
    '"purchaseId":"pur-1","sandbox":true,"subscriptionToken":"13245678.1"}}'
)


def threadtime(stamp: str, message: str, tag: str = "Test", pid: int = 4242) -> str:
    return f"{stamp}  {pid}  {pid} I {tag}: {message}"


@dataclass
class Connection:
    headers: dict[str, str]
    queue: asyncio.Queue[object]
    loop: asyncio.AbstractEventLoop


@dataclass
class LocalBroadcastServer:
    """A websocket server in its own thread; `send` and `drop` act on the newest connection."""

    mute: bool = False  # accept, then close at once without a line
    connections: list[Connection] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        app = Starlette(routes=[WebSocketRoute(PATH, self._endpoint)])
        config = uvicorn.Config(app, ws="wsproto", log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True
        )
        self.thread.start()  # the socket already listens: early clients wait in its backlog

    def url(self, userinfo: str = "") -> str:
        return f"ws://{userinfo}127.0.0.1:{self.port}{PATH}"

    async def _endpoint(self, ws: WebSocket) -> None:
        await ws.accept()
        if self.mute:
            await ws.close()
            return
        conn = Connection(dict(ws.headers), asyncio.Queue(), asyncio.get_running_loop())
        with self.cond:
            self.connections.append(conn)
            self.cond.notify_all()
        while (item := await conn.queue.get()) is not CLOSE:
            await ws.send_text(str(item))
        with contextlib.suppress(RuntimeError):  # the client may have gone first
            await ws.close()

    def wait_connections(self, count: int, timeout: float = 10.0) -> Connection:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.connections) >= count, timeout), self.connections
            return self.connections[count - 1]

    def send(self, *messages: str) -> None:
        conn = self.wait_connections(len(self.connections) or 1)
        for message in messages:
            conn.loop.call_soon_threadsafe(conn.queue.put_nowait, message)

    def drop(self) -> None:
        conn = self.wait_connections(len(self.connections) or 1)
        conn.loop.call_soon_threadsafe(conn.queue.put_nowait, CLOSE)

    def stop(self) -> None:
        with self.cond:  # end every handler, so the server need not wait for them
            for conn in self.connections:
                conn.loop.call_soon_threadsafe(conn.queue.put_nowait, CLOSE)
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def server() -> Iterator[LocalBroadcastServer]:
    srv = LocalBroadcastServer()
    yield srv
    srv.stop()


def stream_on(server: LocalBroadcastServer, since: str | None = None, **kwargs: object) -> LogcatStream:
    calls: list[int] = []

    def endpoint() -> BroadcastEndpoint:
        calls.append(1)
        url, headers = broadcast_url(f"http://qa:s%3Acret@127.0.0.1:{server.port}", SESSION)
        return BroadcastEndpoint(url, headers, since, label=f"session {SESSION} #{len(calls)}")

    return LogcatStream(source=WebSocketLineSource(endpoint, name="test-broadcast", **kwargs))  # type: ignore[arg-type]


def test_lines_arrive_in_order_with_marks_excerpts_waits_and_subscribers(
    server: LocalBroadcastServer,
) -> None:
    with stream_on(server) as stream:
        seen: list[str] = []
        stream.subscribe(seen.append)
        conn = server.wait_connections(1)
        assert conn.headers["authorization"] == "Basic cWE6czpjcmV0"  # qa:s:cret, from the URL
        first = stream.mark()
        server.send(threadtime("11-22 10:00:00.001", "one"), threadtime("11-22 10:00:00.002", "два ₽"))
        assert "два ₽" in stream.wait_for(r"Test: два", first, timeout=10)
        second = stream.mark()
        server.send(threadtime("11-22 10:00:00.003", "three"))
        stream.wait_for("three", second, timeout=10)
        assert [line.rsplit(": ", 1)[1] for line in stream.excerpt(first).lines] == ["one", "два ₽", "three"]
        assert stream.excerpt(second).lines == [threadtime("11-22 10:00:00.003", "three")]
        assert seen == stream.excerpt(first).lines
        parsed = split_logcat_line(seen[1])
        assert (parsed.tag, parsed.message, parsed.pid, parsed.priority) == ("Test", "два ₽", 4242, "I")
        assert parsed.device_time == "11-22 10:00:00.002"
        with pytest.raises(TimeoutError, match="never"):
            stream.wait_for("never", timeout=0.2)
    assert stream.ended.is_set() and not stream.alive and stream.error is None


def test_lines_older_than_the_device_time_at_open_are_dropped(server: LocalBroadcastServer) -> None:
    """Right after a session starts, the driver's logcat (no -T) is still replaying the old buffer."""
    with stream_on(server, since="11-22 10:00:05.000") as stream:
        server.send(
            "--------- beginning of main",
            threadtime("11-22 09:59:59.999", "old callback"),
            threadtime("11-22 10:00:04.999", "still old"),
            threadtime("11-22 10:00:05.000", "new"),
            "--------- beginning of system",
            threadtime("11-22 10:00:04.000", "late from another buffer"),
        )
        stream.wait_for("late from another buffer", LogMark(0), timeout=10)
        assert stream.excerpt(LogMark(0)).lines == [
            threadtime("11-22 10:00:05.000", "new"),
            "--------- beginning of system",
            threadtime("11-22 10:00:04.000", "late from another buffer"),
        ]


def test_a_dropped_connection_is_reopened_and_says_what_is_missing(server: LocalBroadcastServer) -> None:
    with stream_on(server) as stream:
        server.send(threadtime("11-22 10:00:00.000", "before"))
        stream.wait_for("before", LogMark(0), timeout=10)
        dropped = stream.mark()
        server.drop()  # as Appium does when the session ends or the broadcast is stopped
        server.wait_connections(2)
        stream.wait_for("broadcast reopened", dropped, timeout=10)
        server.send(threadtime("11-22 10:00:09.000", "after"))
        stream.wait_for("after", dropped, timeout=10)
        lines = stream.excerpt(LogMark(0)).lines
        assert lines[0].endswith("before") and lines[-1].endswith("after")
        assert lines[1] == (
            f"--------- test-broadcast: broadcast reopened (session {SESSION} #2); "
            "lines logged while it was closed are missing"
        )
        assert isinstance(stream.source, WebSocketLineSource) and stream.source.reopened == 1
        assert not stream.ended.is_set()


def test_an_endpoint_that_closes_without_a_line_ends_the_stream_with_the_reason() -> None:
    server = LocalBroadcastServer(mute=True)
    try:
        stream = stream_on(server).start()
        with pytest.raises(
            TimeoutError, match=r"stream ended: BroadcastError: .*closed before sending a line"
        ):
            stream.wait_for("anything", timeout=10)
        assert stream.ended.is_set() and isinstance(stream.error, BroadcastError)
        stream.stop()
    finally:
        server.stop()


def test_no_server_fails_start_with_the_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connection refused

        def endpoint() -> BroadcastEndpoint:
            return BroadcastEndpoint(f"ws://127.0.0.1:{port}{PATH}")

        stream = LogcatStream(source=WebSocketLineSource(endpoint, connect_timeout=5))
        with pytest.raises(
            BroadcastError, match=rf"could not open the logcat broadcast at ws://127.0.0.1:{port}/ws/"
        ):
            stream.start()


def test_sync_mark_without_a_way_to_log_falls_back_to_a_plain_mark(server: LocalBroadcastServer) -> None:
    with stream_on(server) as stream:
        server.send(threadtime("11-22 10:00:00.000", "x"))
        stream.wait_for("x", LogMark(0), timeout=10)
        assert stream.sync_mark("test start").index == 1


def test_sync_mark_through_a_marker_waits_for_the_marked_line(server: LocalBroadcastServer) -> None:
    def marker(tag: str, text: str, timeout: float) -> bool:  # the device logs it; the server relays it
        server.send(threadtime("11-22 10:00:01.000", "earlier"), threadtime("11-22 10:00:01.001", text, tag))
        return True

    with stream_on(server, marker=marker) as stream:
        server.wait_connections(1)
        mark = stream.sync_mark("t1")
        assert stream.excerpt(mark).lines[0].endswith(f"t1 #1-{id(stream):x}")
        assert mark.index == 1  # "earlier" came first and is not in the test's excerpt


def test_callbacks_recorded_through_the_broadcast(server: LocalBroadcastServer) -> None:
    recorder = CallbackRecorder("6.0.0", "faithful")
    with stream_on(server) as stream:
        stream.subscribe(recorder.feed)
        recorder.start_test()
        chunks = encode_callback(7, "rustore_on_purchase_product_success", SUCCESS, max_chunk_bytes=48)
        assert len(chunks) > 2
        server.send(
            *(threadtime(f"11-22 10:00:02.{i:03d}", c, "RuStoreHarness") for i, c in enumerate(chunks))
        )
        event = recorder.expect("rustore_on_purchase_product_success", {"data": {"productId": "con1"}}, 10)
    assert event.raw == SUCCESS and event.seq == 7 and event.event.pid == 4242


def test_broadcast_url_follows_the_server_url() -> None:
    assert broadcast_url("http://127.0.0.1:4723", "s1") == (
        "ws://127.0.0.1:4723/ws/session/s1/appium/device/logcat",
        {},
    )
    url, headers = broadcast_url("https://user:p%40ss@hub.example.com/wd/hub", "s2")
    assert url == "wss://hub.example.com/ws/session/s2/appium/device/logcat"  # /ws ignores the base path
    assert headers == {"Authorization": "Basic dXNlcjpwQHNz"}  # user:p@ss
    assert (
        broadcast_url("http://[::1]:4723/", "s3")[0] == "ws://[::1]:4723/ws/session/s3/appium/device/logcat"
    )
    with pytest.raises(ValueError, match="http") as raised:
        broadcast_url("ftp://qa:farm-key@host", "s")
    assert "farm-key" not in str(raised.value)  # messages never show a farm's key
    assert without_credentials("https://u:k@hub:443/wd/hub") == "https://hub:443/wd/hub"
    assert split_credentials("https://qa%40x:k%2Fy@hub/wd/hub") == ("https://hub/wd/hub", "qa@x", "k/y")
    assert split_credentials("http://127.0.0.1:4723") == ("http://127.0.0.1:4723", None, None)


def test_stamp_of_reads_threadtime_and_year_forms() -> None:
    assert stamp_of(threadtime("11-22 10:00:00.123", "m")) == "11-22 10:00:00.123"
    assert stamp_of("2026-11-22 10:00:00.123  1  1 I T: m") == "11-22 10:00:00.123"
    assert stamp_of("--------- beginning of main") is None
