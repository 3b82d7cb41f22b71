"""Read the OpenML study's published runs table (`openml_workflows`: a CSV, or a zip holding it).

The file has the study's 14 columns (`PUBLISHED_COLUMNS`) and nothing else; any other header is refused with an
error naming the file and the missing and unexpected columns, so a wrong file never reaches the analyses.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from mliter.errors import InputError
from mliter.traces.openml.study import check_columns

#: Columns read as text whatever they look like (sets, JSON, codes, times).
TEXT_COLUMNS = ("model", "model_params", "ppr", "ppr_params", "change_type", "start_time")


def _csv_member(zf: zipfile.ZipFile, where: Path) -> str:
    names = [n for n in zf.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")]
    if len(names) != 1:
        raise InputError(f"{where}: expected one .csv file in the zip, found {len(names)} ({', '.join(names)})")
    return names[0]


def _read(buf, where: str) -> pd.DataFrame:
    try:
        header = pd.read_csv(buf, nrows=0).columns.tolist()
        check_columns([str(c) for c in header], where)
        buf.seek(0)
        df = pd.read_csv(buf, dtype={c: "string" for c in TEXT_COLUMNS}, keep_default_na=False,
                         na_values={c: [""] for c in header})
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: not a readable CSV ({type(exc).__name__}: {exc})") from None
    if df.empty:
        raise InputError(f"{where}: the header is right but there are no runs")
    for col in ("rid", "user_id", "task_id", "iter"):
        bad = pd.to_numeric(df[col], errors="coerce").isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is row 1
            raise InputError(f"{where}: row {row}, column {col}: {df[col].iloc[row - 2]!r} is not an integer")
    return df


def read_published(path: Path) -> pd.DataFrame:
    """The runs of `path` (.csv or .zip), columns checked; raises InputError naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            member = _csv_member(zf, path)
            data = zf.read(member)
        return _read(io.BytesIO(data), f"{path}!{member}")
    with open(path, "rb") as fh:
        return _read(io.BytesIO(fh.read()), str(path))
