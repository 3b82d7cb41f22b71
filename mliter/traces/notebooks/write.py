"""Turn mined results into the shipped trace tables (the I/O edge of the miner).

CSV is the shipped form. With `parquet=True` each table is also written as Parquet beside it:
one file while the table is small, and for large runs a folder `<table>.parquet/` of
`part-NNNNN.parquet` files of at most `partition_rows` rows each, in primary-key order, which
`pandas.read_parquet`, pyarrow, Dask and Spark read as one dataset.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Sequence

import pandas as pd

from mliter.io import atomic_write_bytes
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


#: Rows per Parquet part file of a large table.
PARTITION_ROWS = 1_000_000


def write_parquet(table: Table, df: pd.DataFrame, root: Path, partition_rows: int = PARTITION_ROWS) -> Path:
    """The table as Parquet: one file, or a folder of parts once it has more than `partition_rows` rows."""
    target = (Path(root) / table.path).with_suffix(".parquet")
    df = table.conform(df)
    if target.is_dir():
        shutil.rmtree(target)
    if len(df) <= partition_rows:
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        atomic_write_bytes(target, buf.getvalue())
        return target
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for k, start in enumerate(range(0, len(df), partition_rows)):
        buf = io.BytesIO()
        df.iloc[start:start + partition_rows].to_parquet(buf, index=False)
        (staging / f"part-{k:05d}.parquet").write_bytes(buf.getvalue())
    if target.exists():
        target.unlink()
    staging.rename(target)
    return target


def write_traces(results: Sequence[Mined], root: Path, parquet: bool = False,
                 partition_rows: int = PARTITION_ROWS) -> list[Path]:
    """Write the four tables under `root` (CSV, and Parquet on request); returns the CSV paths."""
    frames = trace_frames(results)
    paths = []
    for t in (NOTEBOOKS, CELLS, STAGE_SUMMARY, ERRORS):
        paths.append(t.write(frames[t.name], root))
        if parquet:
            write_parquet(t, frames[t.name], root, partition_rows)
    return paths
