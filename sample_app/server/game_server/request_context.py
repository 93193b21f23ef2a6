"""The id of the request being served, visible to every log call made on its behalf.

Set by the HTTP middleware; anyio copies context variables into worker threads, so the blocking
RuStore calls made from ``run_in_threadpool`` see the same id.
"""

from __future__ import annotations

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
