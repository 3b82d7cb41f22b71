"""Timing shared by the benchmark scripts (run as `python bench/<name>.py`, which puts bench/ on the path)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(rounds: int, fn: Callable[[], object]) -> float:
    """Best CPU time of this process over `rounds` runs of `fn()`, in seconds (process time: other jobs on the
    machine slow the wall clock, not the work measured)."""
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)
