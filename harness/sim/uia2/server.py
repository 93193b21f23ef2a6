"""The UiAutomator2 server's process: ``am instrument -w …server.test/…AndroidJUnitRunner``.

The driver starts the server exactly this way, then reaches device port 6790 through
``adb forward``. Here the instrumentation runs an HTTP server (uvicorn serving
:class:`~harness.sim.uia2.app.Uia2Server`) on an ephemeral loopback port, and the
device's port 6790 pipes bytes to it, so the HTTP stack is a well-kept one and the port
only accepts connections while the instrumentation runs — as on a phone, where the
port opens when the server starts and closes when it stops (deleted session,
force-stop of the server packages, or the ``am instrument`` client going away).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import weakref
from typing import Any

import uvicorn

from harness.sim.android.instrumentation import InstrumentationRun
from harness.sim.streams import copy_stream
from harness.sim.uia2.app import Uia2Server

INSTRUMENTATION = "io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner"
DEVICE_PORT = 6790
LOG_TAG = "AppiumUiAutomator2Server"
TEST_CLASS = "io.appium.uiautomator2.server.test.AppiumUiAutomator2Server"

# The previous server of a device must be gone before the next one takes port 6790.
_closed_events: weakref.WeakKeyDictionary[Any, asyncio.Event] = weakref.WeakKeyDictionary()


def _pipe_to(host_port: int, open_streams: set[asyncio.StreamWriter]) -> Any:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", host_port)
        except OSError:
            writer.close()
            return
        open_streams.update((writer, up_writer))
        try:
            await asyncio.gather(copy_stream(reader, up_writer), copy_stream(up_reader, writer))
        finally:
            open_streams.difference_update((writer, up_writer))
            up_writer.close()
            writer.close()

    return handle


def _abort(streams: set[asyncio.StreamWriter]) -> None:
    """Like the process dying: every open connection is reset at once (keep-alive ones too)."""
    for stream in list(streams):
        stream.transport.abort()
    streams.clear()


async def run_server(run: InstrumentationRun) -> int:
    """The instrumentation's body: serve until the session is deleted or the run is stopped."""
    device = run.device
    previous = _closed_events.get(device)
    if previous is not None:
        await previous.wait()
    closed = asyncio.Event()
    _closed_events[device] = closed
    session_deleted = asyncio.Event()
    api = Uia2Server(device, session_deleted.set)
    # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets of that proto; without
    # it every response waits out the client's delayed ACK (about 40 ms per request).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    config = uvicorn.Config(
        api.app(),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    pid = run.process.pid
    open_streams: set[asyncio.StreamWriter] = set()
    try:
        try:
            await device.net.listen(DEVICE_PORT, _pipe_to(sock.getsockname()[1], open_streams))
        except OSError as exc:
            device.logcat.write("E", LOG_TAG, f"Server cannot listen on port {DEVICE_PORT}: {exc}", pid=pid)
            await run.write(f"INSTRUMENTATION_RESULT: shortMsg={exc}\nINSTRUMENTATION_CODE: 0\n")
            return 1
        device.logcat.write(
            "I",
            LOG_TAG,
            f"Started UiAutomator2 io.appium.uiautomator2.http server on port {DEVICE_PORT}",
            pid=pid,
        )
        await run.write(
            f"INSTRUMENTATION_STATUS: class={TEST_CLASS}\nINSTRUMENTATION_STATUS: current=1\n"
            "INSTRUMENTATION_STATUS: id=AndroidJUnitRunner\nINSTRUMENTATION_STATUS: numtests=1\n"
            "INSTRUMENTATION_STATUS: stream=\nINSTRUMENTATION_STATUS: test=startServer\n"
            "INSTRUMENTATION_STATUS_CODE: 1\n"
        )
        waits = [
            asyncio.ensure_future(run.stopped.wait()),
            asyncio.ensure_future(session_deleted.wait()),
        ]
        try:
            await asyncio.wait([*waits, serving], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        device.logcat.write("I", LOG_TAG, "Stopping UiAutomator2 io.appium.uiautomator2.http server", pid=pid)
        if not run.killed:
            run.finish_process()
            await run.write(
                "INSTRUMENTATION_STATUS_CODE: 0\nINSTRUMENTATION_RESULT: stream=\n\nTime: 1.0\n\n"
                "OK (1 test)\n\n\nINSTRUMENTATION_CODE: -1\n"
            )
        return 0
    finally:
        with contextlib.suppress(Exception):
            await device.net.close_port(DEVICE_PORT)
        if not session_deleted.is_set():  # killed: connections die with the process
            _abort(open_streams)
        server.should_exit = True
        # After DELETE the connections close as the process's sockets would: each once its answer
        # is out (uvicorn's own shutdown would only start at its next 0.1 s tick, then pause
        # another 0.1 s). The process has already ended with the instrumentation (the driver
        # polls `ps` every 300 ms until it is gone); uvicorn winds down in the background, and
        # the device's next server waits for that (_closed_events).
        for connection in list(server.server_state.connections):
            connection.shutdown()
        device.keep_task(asyncio.ensure_future(_wind_down(serving, closed)))


async def _wind_down(serving: asyncio.Future[Any], closed: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(serving, timeout=5)
    closed.set()
