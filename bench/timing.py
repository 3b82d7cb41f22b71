"""Timing shared by the benchmark scripts (run as `python bench/<name>.py`, which puts bench/ on the path)."""

from __future__ import annotations

import ast
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
