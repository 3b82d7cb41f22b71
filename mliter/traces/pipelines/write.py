"""Turn mined store results into the declared tables and write them all or none.

Every table is rendered to bytes before the first file is replaced, so a failure while
building one leaves every shipped table as it was; each file is then replaced atomically.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mliter.io import atomic_write_bytes
from mliter.tables import Table
from mliter.traces.pipelines.mine import StoreResult
from mliter.traces.pipelines.schema import ARTIFACTS, EXECUTIONS, GRAPHLETS, PIPELINE_STORES, PIPELINES

_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean"}


def frame(table: Table, rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame with the declared column types (nullable integers and booleans)."""
    df = pd.DataFrame(rows, columns=table.column_names)
    for c in table.columns:
        df[c.name] = df[c.name].astype(_DTYPES.get(c.type, "string")) if len(df) else df[c.name].astype(object)
    return df


def frames(results: list[StoreResult]) -> dict[str, tuple[Table, pd.DataFrame]]:
    ok = [r for r in results if r.row["status"] == "ok"]
    rows = {
        PIPELINE_STORES.name: [r.row for r in results],
        PIPELINES.name: [p.pipeline for r in ok for p in r.pipelines],
        GRAPHLETS.name: [g for r in ok for p in r.pipelines for g in p.graphlets],
        EXECUTIONS.name: [e for r in ok for p in r.pipelines for e in p.executions],
        ARTIFACTS.name: [a for r in ok for p in r.pipelines for a in p.artifacts],
    }
    tables = (PIPELINE_STORES, PIPELINES, GRAPHLETS, EXECUTIONS, ARTIFACTS)
    return {t.name: (t, frame(t, rows[t.name])) for t in tables}


def render(results: list[StoreResult]) -> dict[str, bytes]:
    """Relative path -> CSV bytes of every table."""
    return {t.path: t.to_csv_bytes(df) for t, df in frames(results).values()}


def write(results: list[StoreResult], out: Path) -> list[Path]:
    rendered = render(results)
    return [atomic_write_bytes(Path(out) / rel, data) for rel, data in rendered.items()]
