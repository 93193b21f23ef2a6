"""Figures the benchmark scripts share (imported as a sibling module: run them as scripts)."""

from __future__ import annotations

import statistics


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """Median and p99 (nearest index into the sorted samples)."""
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99
