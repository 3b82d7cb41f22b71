"""Interval estimates used across figures (Wilson for shares, percentile bootstrap for means)."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import proportion_confint

SEED = 20210501


def wilson(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of a proportion (statsmodels); (nan, nan) when n is 0."""
    if n == 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return float(lo), float(hi)


def bootstrap_ci(values, stat=np.mean, n_boot: int = 2000, alpha: float = 0.05, seed: int = SEED) -> tuple[float, float]:
    """Percentile bootstrap interval with a fixed seed, so reruns give the same numbers."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, arr.size, size=(n_boot, arr.size))
    stats = np.apply_along_axis(stat, 1, arr[idx])
    return float(np.quantile(stats, alpha / 2)), float(np.quantile(stats, 1 - alpha / 2))
