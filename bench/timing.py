"""Timing shared by the benchmark scripts (run as `python bench/<name>.py`, which puts bench/ on the path)."""

from __future__ import annotations

import ast
import gc
import json
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


def best_of_collected(rounds: int, fn: Callable[[], object]) -> float:
    """`best_of`, each run starting from a full collection (untimed) and ending, timed, with a collection of
    the young generation: what the run left for the cyclic garbage collector (its cycles of garbage, the
    containers it keeps alive) is walked on its own clock, not on whichever run comes next."""
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.process_time()
        fn()
        gc.collect(0)
        times.append(time.process_time() - t0)
    return min(times)


def json_ast_floor(data: bytes) -> None:
    """`json.loads` of a notebook's bytes plus `ast.parse` of every code cell: the least any AST-based miner must
    do, the baseline of `bench/mine.py` and `bench/versions.py` (unreadable JSON or code is skipped)."""
    try:
        nb = json.loads(data)
    except ValueError:
        return
    for c in nb.get("cells", []) if isinstance(nb, dict) else []:
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            try:
                ast.parse("".join(src) if isinstance(src, list) else src)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
