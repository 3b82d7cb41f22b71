"""Typed readers of the shipped tables for analysis scripts (one place that knows the schemas)."""

from __future__ import annotations

import pandas as pd

from mliter.paths import ROOT
from mliter.tables import Table


def read(table: Table) -> pd.DataFrame:
    """The shipped CSV of `table`, with its declared column types."""
    return table.read(ROOT)
