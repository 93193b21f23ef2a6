from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.sim.defold.runtime import DefoldRuntime


class LogCapture:
    """What the runtime wrote to its log (logcat on a device)."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, str, str]] = []

    def __call__(self, priority: int, tag: str, message: str) -> None:
        self.entries.append((priority, tag, message))

    def script_lines(self) -> list[str]:
        prefix = "DEBUG:SCRIPT: "
        return [m[len(prefix) :] for _, t, m in self.entries if t == "defold" and m.startswith(prefix)]

    def errors(self) -> list[str]:
        return [m for p, _, m in self.entries if p == 6]


@pytest.fixture
def start_runtime() -> Iterator[Callable[..., tuple[DefoldRuntime, LogCapture]]]:
    started: list[DefoldRuntime] = []

    def start(files: dict[str, bytes], **kwargs: Any) -> tuple[DefoldRuntime, LogCapture]:
        log = LogCapture()
        rt = DefoldRuntime(files, log=log, **kwargs)
        started.append(rt)
        rt.start()
        return rt, log

    yield start
    for rt in started:
        rt.stop()
