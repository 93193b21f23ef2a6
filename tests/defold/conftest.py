from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.sim.defold.runtime import DefoldRuntime

from .device_fixtures import game_device, plugin  # noqa: F401 - fixtures
from .game_fixtures import game_server, start_game  # noqa: F401 - fixtures
from .projects import LogCapture


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
