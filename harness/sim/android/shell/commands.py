"""Imports every command module so their ``@command`` registrations run."""

from harness.sim.android.shell import (  # noqa: F401
    activity_cmd,
    appops_cmd,
    builtins,
    dumpsys_cmd,
    files,
    logcat_cmd,
    package_cmd,
    system,
    uiautomator_cmd,
)
