"""RuStore payments test harness: pytest plugin, device services and the virtual pool."""

__version__ = "0.1.0"
