"""Which coder codes which source: the assignment table of a segments study.

The first coder codes every source; each further coder codes the double-coding sample
(`mliter.coding.sample.double_coding_sample`: the sources whose SHA-256 of the id ranks in
the lowest `share`), which depends on the ids only, so it is the same whoever draws it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

import pandas as pd

from mliter.coding.sample import double_coding_sample
from mliter.coding.validate import AnnotationError, Problem

#: Share of the threads the second coder codes: 42% of 239 is 101 threads, above the 40% floor
#: with a margin.
THREADS_SHARE = 0.42
COLUMNS = ["source_id", "coder"]


def assignment_frame(source_ids: Iterable[str], full: str, samplers: Iterable[str],
                     share: float = THREADS_SHARE) -> pd.DataFrame:
    """Rows (source_id, coder): `full` codes all sources, each of `samplers` the sample."""
    ids = sorted(set(source_ids))
    sample = set(double_coding_sample(ids, share))
    rows = [{"source_id": s, "coder": full} for s in ids]
    for coder in samplers:
        rows += [{"source_id": s, "coder": coder} for s in sorted(sample)]
    return pd.DataFrame(rows, columns=COLUMNS)


def read_assignment(path: str | Path) -> dict[str, set[str]]:
    """coder -> assigned source ids; a bad header or an empty cell names the file and row."""
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"source_id", "coder"} <= set(reader.fieldnames):
            raise AnnotationError([Problem(str(path), 1, None, f"header {reader.fieldnames}", "source_id,coder,...")])
        out: dict[str, set[str]] = {}
        for r, rec in enumerate(reader, start=2):
            if not rec["source_id"] or not rec["coder"]:
                raise AnnotationError([Problem(str(path), r, None, "empty source_id or coder", "both filled")])
            out.setdefault(rec["coder"], set()).add(rec["source_id"])
    return out
