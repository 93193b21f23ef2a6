"""Per-test evidence on disk: `<output>/<slug(nodeid)>/` with screenshot, UI tree, logcat, timeline."""

from harness.artifacts.folder import ArtifactFolder, Attempt, slugify
from harness.artifacts.policy import CAPTURE_CHOICES, SCREENSHOT_CHOICES, should_capture, should_keep

__all__ = [
    "CAPTURE_CHOICES",
    "SCREENSHOT_CHOICES",
    "ArtifactFolder",
    "Attempt",
    "should_capture",
    "should_keep",
    "slugify",
]
