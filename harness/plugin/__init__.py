"""The pytest plugin (entry point ``pytest11: rustore_harness``)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rustore-harness", "RuStore payments harness")
    group.addoption(
        "--devices-file",
        default="devices.yaml",
        help="device pool configuration (default: devices.yaml)",
    )
    group.addoption(
        "--pool", default=None, help="pool name from the devices file (default: its default pool)"
    )
