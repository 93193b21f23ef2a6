"""Imports every command module so their ``@command`` registrations run."""

from harness.sim.android.shell import builtins, files, logcat_cmd, system  # noqa: F401
