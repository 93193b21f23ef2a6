"""A farm's server URL with ``user:password@``: what may be shown, and what goes on the wire.

A remote pool's credentials ride in the server URL inside the harness; connections take them
out again (Basic authentication) and messages show the URL without them.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def without_credentials(url: str) -> str:
    """The URL as messages may show it: ``user:password@`` removed (it may hold a farm's key)."""
    return split_credentials(url)[0]


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user:password@, user, password)``; (url, None, None) when it has none."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    bare = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
    return bare, unquote(parts.username or ""), unquote(parts.password or "")
