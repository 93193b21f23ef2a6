"""http.request against a real loopback server and the LuaSocket subset over real sockets."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .projects import ProjectBuilder


class EchoHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = json.dumps(
            {
                "method": "POST",
                "path": self.path,
                "got": json.loads(body),
                "ctype": self.headers.get("Content-Type"),
            }
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Reply", "yes")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "9")
        self.end_headers()
        self.wfile.write(b"not found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_request_to_loopback_runs_the_callback_on_a_frame(start_runtime, http_server):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    files = (
        ProjectBuilder()
        .script_object(
            "net",
            """
        function init(self)
            local base = sys.get_config("test.server")
            http.request(base .. "/v1/echo", "POST", function(self, id, response)
                local body = json.decode(response.response)
                print("post", response.status, response.headers["x-reply"], body.path, body.got.n, body.ctype)
            end, { ["Content-Type"] = "application/json" }, json.encode({ n = 7 }))
            http.request(base .. "/missing", "GET", function(self, id, response)
                print("get", response.status, response.response)
            end)
            http.request(sys.get_config("test.dead"), "GET", function(self, id, response)
                print("dead", response.status, response.error ~= nil)
            end)
            print("requested")
        end
    """,
        )
        .build()
    )
    rt, log = start_runtime(
        files, config={"test.server": http_server, "test.dead": f"http://127.0.0.1:{dead_port}/"}
    )
    assert log.script_lines() == ["requested"], "callbacks never run inside the calling frame"
    assert rt.wait_io_idle(10)
    rt.step(1)
    assert sorted(log.script_lines()[1:]) == [
        "dead\t0\ttrue",
        "get\t404\tnot found",
        "post\t201\tyes\t/v1/echo\t7\tapplication/json",
    ]


def test_socket_server_non_blocking_accept_receive_send(start_runtime):
    files = (
        ProjectBuilder()
        .script_object(
            "srv",
            """
        function init(self)
            self.server = assert(socket.bind("127.0.0.1", 0))
            self.server:settimeout(0)
            local _, port = self.server:getsockname()
            print("port", port)
            print("accept", self.server:accept())
        end
        function update(self, dt)
            if not self.client then
                self.client = self.server:accept()
                if self.client then self.client:settimeout(0) end
                return
            end
            local data, err, partial = self.client:receive(4)
            if data then
                print("got", data)
                print("sent", self.client:send(string.upper(data)))
            elseif err == "closed" then
                print("closed", partial)
                self.client:close()
                self.client = nil
            elseif partial ~= "" then
                print("partial", partial)
            end
        end
        function final(self) self.server:close() end
    """,
        )
        .build()
    )
    rt, log = start_runtime(files)
    lines = log.script_lines()
    port = int(lines[0].split("\t")[1])
    assert lines[1] == "accept\tnil\ttimeout"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        rt.step(1)  # accept
        client.sendall(b"abcdefg")
        rt.step(1)
        assert client.recv(4) == b"ABCD"
        rt.step(1)
        assert log.script_lines()[2:] == ["got\tabcd", "sent\t4", "partial\tefg"]
        client.shutdown(socket.SHUT_WR)
        rt.step(1)
    assert log.script_lines()[-1] == "closed\t"
