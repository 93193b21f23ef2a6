"""Report outputs: the callback timeline page, JUnit properties, pytest-html extras, Allure attachments."""

from harness.report.timeline import timeline_html

__all__ = ["timeline_html"]
