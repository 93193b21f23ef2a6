"""Stash keys shared by the plugin's hooks and fixture modules (kept apart so neither imports the other)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()  # when → report of the current attempt
KEPT = pytest.StashKey[dict[str, Path]]()  # artifact kind → file kept for the current attempt
ATTEMPTS_NOTE = pytest.StashKey[str]()  # "earlier attempts: #1 failed" for the reports
