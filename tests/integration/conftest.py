"""The integration suite (``suite/``) is a user's test folder: test_suite_runs.py copies it into a
pytester folder and runs it as a real ``pytest -n 2`` in a subprocess, with the session's private
adb server and a private pool state folder, so its virtual pool, Appium servers and leases are
its own (started and stopped by that run, as for a user)."""

import pytest

collect_ignore = ["suite"]


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
