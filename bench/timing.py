"""Timing shared by the benchmark scripts (run as `python bench/<name>.py`, which puts bench/ on the path)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(rounds: int, fn: Callable[[], object]) -> float:
    """Fastest of `rounds` wall-clock timings of `fn()`, in seconds (the least disturbed run)."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
