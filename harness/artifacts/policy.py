"""When an artifact is captured and when it is kept (pytest-playwright's option values)."""

from __future__ import annotations

SCREENSHOT_CHOICES = ("on", "off", "only-on-failure")
CAPTURE_CHOICES = ("on", "off", "retain-on-failure")


def should_capture(policy: str, failed: bool) -> bool:
    """Whether to take the artifact at the end of a test that `failed` (or not)."""
    if policy == "on":
        return True
    if policy == "off":
        return False
    return failed  # only-on-failure / retain-on-failure


def should_keep(policy: str, failed: bool, final_attempt: bool = True) -> bool:
    """Whether a captured artifact stays in the output folder.

    Only the final attempt of a rerun test keeps artifacts: an earlier, superseded attempt is
    listed in the report instead (pytest-playwright#210 is the complaint this answers).
    """
    return final_attempt and should_capture(policy, failed)
