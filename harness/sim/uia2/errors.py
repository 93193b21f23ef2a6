"""W3C WebDriver errors as the UiAutomator2 server reports them.

The driver (and the Python client behind it) turns the ``error`` string of
``{"value": {"error", "message", "stacktrace"}}`` into its exception classes, so the
strings and HTTP statuses must be exactly the W3C ones.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

#: W3C error code → HTTP status (WebDriver §6.6, the subset this server raises).
STATUS: dict[str, int] = {
    "invalid argument": 400,
    "invalid selector": 400,
    "invalid element state": 400,
    "invalid session id": 404,
    "no such alert": 404,
    "no such element": 404,
    "stale element reference": 404,
    "unknown command": 404,
    "unknown method": 405,
    "session not created": 500,
    "unknown error": 500,
    "unsupported operation": 500,
}


class WebDriverError(Exception):
    """An error the server answers in W3C format; ``code`` is the W3C ``error`` string."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def response(self, session_id: str | None = None) -> JSONResponse:
        body: dict[str, Any] = {
            "sessionId": session_id,
            "value": {
                "error": self.code,
                "message": self.message,
                "stacktrace": f"io.appium.uiautomator2.common.exceptions: {self.message}",
            },
        }
        return JSONResponse(body, status_code=STATUS.get(self.code, 500))


def no_such_element(
    message: str = "An element could not be located on the page using the given search parameters",
) -> WebDriverError:
    return WebDriverError("no such element", message)


def invalid_selector(message: str) -> WebDriverError:
    return WebDriverError("invalid selector", message)


def no_such_alert() -> WebDriverError:
    return WebDriverError(
        "no such alert", "An attempt was made to operate on a modal dialog when one was not open."
    )


def stale_element(element_id: str) -> WebDriverError:
    return WebDriverError(
        "stale element reference",
        f"The element '{element_id}' does not exist in DOM anymore",
    )


def invalid_argument(message: str) -> WebDriverError:
    return WebDriverError("invalid argument", message)


def invalid_session(session_id: str) -> WebDriverError:
    return WebDriverError("invalid session id", f"The session {session_id} cannot be found")
