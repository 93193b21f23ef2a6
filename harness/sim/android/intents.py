"""Intents and component names, printed the way ``Intent.toString()`` prints them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

FLAG_ACTIVITY_NO_HISTORY = 0x40000000
FLAG_ACTIVITY_SINGLE_TOP = 0x20000000
FLAG_ACTIVITY_NEW_TASK = 0x10000000
FLAG_ACTIVITY_MULTIPLE_TASK = 0x08000000
FLAG_ACTIVITY_CLEAR_TOP = 0x04000000
FLAG_ACTIVITY_REORDER_TO_FRONT = 0x00020000
FLAG_ACTIVITY_CLEAR_TASK = 0x00008000
FLAG_ACTIVITY_RESET_TASK_IF_NEEDED = 0x00200000
FLAG_RECEIVER_FOREGROUND = 0x10000000
FLAG_INCLUDE_STOPPED_PACKAGES = 0x00000020


@dataclass(frozen=True)
class ComponentName:
    package: str
    cls: str

    @classmethod
    def parse(cls, text: str) -> ComponentName | None:
        """``pkg/.Act`` or ``pkg/full.Class`` → ComponentName; None when malformed."""
        pkg, sep, name = text.partition("/")
        if not sep or not pkg or not name:
            return None
        if name.startswith("."):
            name = pkg + name
        return cls(pkg, name)

    def flatten(self) -> str:
        return f"{self.package}/{self.cls}"

    def flatten_short(self) -> str:
        if self.cls.startswith(self.package + "."):
            return f"{self.package}/{self.cls[len(self.package) :]}"
        return self.flatten()

    def short_string(self) -> str:
        """``ComponentName.toShortString()``: ``{pkg/full.Class}``."""
        return "{" + self.flatten() + "}"


def safe_uri(uri: str) -> str:
    """``Uri.toSafeString()``: hides user data of web URLs and phone-ish schemes."""
    parts = urlsplit(uri)
    scheme = parts.scheme
    if not scheme:
        return uri
    lowered = scheme.lower()
    if lowered in ("tel", "sip", "sms", "smsto", "mailto", "nfc"):
        return f"{scheme}:xxx"
    if lowered in ("http", "https", "ftp", "rtsp"):
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{scheme}://{host}{port}/..."
    return f"{scheme}:{uri[len(scheme) + 1 :].split('#', 1)[0]}"


@dataclass
class Intent:
    action: str | None = None
    categories: list[str] = field(default_factory=list)
    data: str | None = None
    mime_type: str | None = None
    component: ComponentName | None = None
    package: str | None = None
    flags: int = 0
    extras: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Intent:
        return Intent(
            self.action,
            list(self.categories),
            self.data,
            self.mime_type,
            self.component,
            self.package,
            self.flags,
            dict(self.extras),
        )

    @property
    def scheme(self) -> str | None:
        return urlsplit(self.data).scheme or None if self.data else None

    @property
    def host(self) -> str | None:
        return urlsplit(self.data).hostname if self.data else None

    def short_string(self, secure: bool = True, extras: bool = True) -> str:
        """``Intent.toShortString``: ``act=… cat=[…] dat=… typ=… flg=0x… pkg=… cmp=… (has extras)``."""
        out = []
        if self.action:
            out.append(f"act={self.action}")
        if self.categories:
            out.append("cat=[" + ",".join(self.categories) + "]")
        if self.data:
            out.append(f"dat={safe_uri(self.data) if secure else self.data}")
        if self.mime_type:
            out.append(f"typ={self.mime_type}")
        if self.flags:
            out.append(f"flg=0x{self.flags:x}")
        if self.package:
            out.append(f"pkg={self.package}")
        if self.component:
            out.append(f"cmp={self.component.flatten_short()}")
        if self.extras and extras:
            out.append("(has extras)")
        return " ".join(out)

    def __str__(self) -> str:
        return "Intent { " + self.short_string() + " }"
