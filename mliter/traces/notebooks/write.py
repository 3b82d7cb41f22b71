"""Turn mined results into the shipped trace tables (the I/O edge of the miner)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd

from mliter.tables import Table
from mliter.traces.notebooks.mine import Mined
from mliter.traces.notebooks.schema import CELLS, ERRORS, NOTEBOOKS, STAGE_SUMMARY


def _frame(table: Table, rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=table.column_names)
    for col in table.columns:
        if col.type == "integer":
            df[col.name] = df[col.name].astype("Int64")
        elif col.type == "boolean":
            df[col.name] = df[col.name].astype("boolean")
    return df


def trace_frames(results: Sequence[Mined]) -> dict[str, pd.DataFrame]:
    """The four trace tables as data frames, keyed by table name."""
    nbs, cells, stages, errors = [], [], [], []
    for m in results:
        if m.error is not None:
            errors.append(m.error)
        else:
            nbs.append(m.notebook)
            cells.extend(m.cells)
            stages.extend(m.stages)
    return {
        NOTEBOOKS.name: _frame(NOTEBOOKS, nbs),
        CELLS.name: _frame(CELLS, cells),
        STAGE_SUMMARY.name: _frame(STAGE_SUMMARY, stages),
        ERRORS.name: _frame(ERRORS, errors),
    }


def write_traces(results: Sequence[Mined], root: Path, parquet: bool = False) -> list[Path]:
    frames = trace_frames(results)
    return [t.write(frames[t.name], root, parquet) for t in (NOTEBOOKS, CELLS, STAGE_SUMMARY, ERRORS)]
