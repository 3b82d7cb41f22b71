"""Execution-order metrics of one notebook from its cells' `execution_count`s.

A saved notebook keeps, per code cell, the count of its *last* execution. Reading the
counts against document order tells how the author iterated:

- executed cells: code cells with a count; cells with no count: non-empty code cells
  without one (never run, or outputs cleared).
- max count: the largest count, i.e. executions in the last kernel session at least.
- hidden executions: executions that no longer show, `max_count - distinct counts`: a
  cell re-run overwrites its earlier count, so every re-run or edited-and-rerun cell
  leaves a gap.
- gap before a cell: in execution order, `count - previous count - 1` (the first
  executed cell's gap is `count - 1`). A cell re-run k times in a row shows its last
  count with k earlier executions hidden just before it, so the gap is attributed to
  the cell that closes it; summed by stage this says which stage was iterated on.
- out-of-order pairs: pairs of executed cells whose counts run against document order
  (inversions); out of order when there is at least one.
- Kendall tau: rank correlation (tau-b) between document position and count over the
  executed cells; 1 for top-to-bottom, undefined below two cells.
- linear: counts run 1, 2, ..., n down the document with no gaps and no inversions,
  what a single "Restart & Run All" leaves behind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence



@dataclass(frozen=True)
class OrderMetrics:
    executed_cells: int
    max_count: int | None
    hidden_executions: int
    out_of_order_pairs: int
    kendall_tau: float | None
    is_out_of_order: bool
    is_linear: bool


def count_inversions(values: Sequence[int]) -> int:
    """Pairs i < j with values[i] > values[j], by merge sort in O(n log n)."""
    if all(values[i] <= values[i + 1] for i in range(len(values) - 1)):
        return 0
    arr = list(values)
    total = 0
    width = 1
    n = len(arr)
    buf = [0] * n
    while width < n:
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                if arr[i] <= arr[j]:
                    buf[k] = arr[i]
                    i += 1
                else:
                    buf[k] = arr[j]
                    total += mid - i
                    j += 1
                k += 1
            buf[k : k + mid - i] = arr[i:mid]
            k += mid - i
            buf[k : k + hi - j] = arr[j:hi]
        arr, buf = buf, arr
        width *= 2
    return total


def gaps_before(counts: Sequence[int | None]) -> list[int]:
    """Hidden executions attributed to each cell (0 for cells without a count).

    Cells sharing a count (copied cells) attribute the gap once, to the first in document order.
    """
    order = sorted((c, i) for i, c in enumerate(counts) if c is not None)
    gaps = [0] * len(counts)
    prev = 0
    for c, i in order:
        if c > prev:
            gaps[i] = max(c - prev - 1, 0)
            prev = c
    return gaps


def _tau_b_against_position(executed: Sequence[int], inversions: int) -> float:
    """Kendall's tau-b of the counts against document position, from the inversion count.

    Positions have no ties, so tau-b = (n0 - n2 - 2*Q) / sqrt(n0 * (n0 - n2)) with n0 pairs,
    n2 pairs tied in count and Q discordant pairs (the inversions): the same value as
    `scipy.stats.kendalltau`, in O(n log n) without its per-call overhead."""
    n = len(executed)
    n0 = n * (n - 1) // 2
    ties: dict[int, int] = {}
    for c in executed:
        ties[c] = ties.get(c, 0) + 1
    n2 = sum(t * (t - 1) // 2 for t in ties.values())
    return (n0 - n2 - 2 * inversions) / math.sqrt(n0 * (n0 - n2))


def order_metrics(counts: Sequence[int | None]) -> OrderMetrics:
    """Metrics over the code cells' counts in document order (None = no count)."""
    executed = [c for c in counts if c is not None]
    if not executed:
        return OrderMetrics(0, None, 0, 0, None, False, False)
    max_count = max(executed)
    hidden = max_count - len(set(executed))
    inversions = count_inversions(executed)
    tau: float | None = None
    if len(executed) >= 2 and len(set(executed)) >= 2:
        tau = round(_tau_b_against_position(executed, inversions), 6)
    linear = hidden == 0 and inversions == 0 and min(executed) == 1 and len(set(executed)) == len(executed)
    return OrderMetrics(len(executed), max_count, max(hidden, 0), inversions, tau, inversions > 0, linear)
