"""``http.request``: real HTTP done on a worker thread, the callback run on a later frame."""

from __future__ import annotations

import itertools
import queue
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HttpResult:
    request_id: int
    owner: Any
    callback: Any
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    url: str = ""


class HttpClient:
    """One worker thread per request; completions are queued and drained by the frame loop."""

    DEFAULT_TIMEOUT = 30.0

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._done: queue.SimpleQueue[HttpResult] = queue.SimpleQueue()
        self._pending = 0
        self._lock = threading.Condition()

    def request(
        self,
        owner: Any,
        callback: Any,
        url: str,
        method: str,
        headers: dict[str, str],
        body: bytes,
        timeout: float,
    ) -> int:
        request_id = next(self._ids)
        with self._lock:
            self._pending += 1
        thread = threading.Thread(
            target=self._run,
            args=(request_id, owner, callback, url, method, headers, body, timeout or self.DEFAULT_TIMEOUT),
            name=f"defold-http-{request_id}",
            daemon=True,
        )
        thread.start()
        return request_id

    def _run(
        self,
        request_id: int,
        owner: Any,
        callback: Any,
        url: str,
        method: str,
        headers: dict[str, str],
        body: bytes,
        timeout: float,
    ) -> None:
        result = HttpResult(request_id, owner, callback, 0, b"", url=url)
        try:
            req = urllib.request.Request(
                url,
                data=body if body or method.upper() in ("POST", "PUT") else None,
                method=method.upper(),
                headers=headers,
            )
            with _opener().open(req, timeout=timeout) as resp:
                result.status = resp.status
                result.body = resp.read()
                result.headers = {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as exc:
            result.status = exc.code
            result.body = exc.read()
            result.headers = {k.lower(): v for k, v in exc.headers.items()} if exc.headers else {}
        except Exception as exc:  # network failure: Defold reports status 0 and an error text
            result.status = 0
            result.error = str(exc)
        self._done.put(result)
        with self._lock:
            self._pending -= 1
            self._lock.notify_all()

    def completed(self) -> list[HttpResult]:
        out: list[HttpResult] = []
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                return out

    @property
    def pending(self) -> int:
        with self._lock:
            return self._pending

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request is in flight (tests use it before stepping frames)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)


def _opener() -> urllib.request.OpenerDirector:
    # No proxies: the game only talks to servers on this machine.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))
