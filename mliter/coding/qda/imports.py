"""Coded interview projects that come as spreadsheets, into the sources and segments tables.

Two layouts researchers publish instead of (or besides) a .qdpx:

- a coded-excerpt CSV: one row per coded excerpt, a participant column and one column per
  code dimension (the cell is the code under that dimension), e.g. the 479-excerpt CSV of an
  interview study on research synthesis; the row is the unit of a segment;
- a multi-coder workbook: per sheet, one row per coded passage of a transcript, an interview
  column, a line (or line range) column and one column per code dimension, with an optional
  coder column (a per-coder sheet) or none (a merged sheet, coder `merged`).

Codes become `dimension/value` paths, as a code system with one parent per dimension.
Free-text columns (a verbatim description of each excerpt) are not codes and are left out,
so no transcript text reaches the tables. A row that cannot be read is reported (file, sheet,
row, column) and skipped; the rest of the batch is imported.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mliter.coding.qda.tables import SEGMENT_COLUMNS, SOURCE_COLUMNS
from mliter.errors import InputError


@dataclass
class Imported:
    sources: pd.DataFrame
    segments: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def _clean(value) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _frames(sources: dict[str, dict], segments: list[dict], problems: list[str]) -> Imported:
    src = pd.DataFrame(sorted(sources.values(), key=lambda r: r["source_id"]), columns=SOURCE_COLUMNS)
    seg = pd.DataFrame(segments, columns=SEGMENT_COLUMNS)
    for col in ("start", "end", "text_chars"):
        frame = seg if col in seg else src
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    return Imported(src, seg.drop_duplicates(["source_id", "segment_id", "code", "coder"]), problems)


def _source(project: str, participant: str) -> dict:
    return {"source_id": f"{project}/{participant}", "kind": "interview", "tool": "", "date": "", "url": "",
            "participant": participant, "text_chars": None, "text_sha256": ""}


#: Coder name of imports whose file does not say who coded (the published study's own coders).
STUDY_CODERS = "study_coders"


def import_coded_csv(path: str | Path, project: str, participant: str, codes: list[str],
                     coder: str = STUDY_CODERS) -> Imported:
    """A coded-excerpt CSV: segment = data row (unit `row`, numbered from 1), one code per non-empty code cell."""
    path = Path(path)
    problems: list[str] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in [participant, *codes] if c not in header]
        if missing:
            raise InputError(f"{path}, row 1: missing column(s) {missing} (columns: {header})")
        sources: dict[str, dict] = {}
        segments: list[dict] = []
        for i, rec in enumerate(reader, start=1):
            who = _clean(rec[participant])
            if not who:
                problems.append(f"{path}, row {i + 1}, column {participant}: empty participant; row skipped")
                continue
            pid = f"P{who}" if who.isdigit() else who
            src = sources.setdefault(pid, _source(project, pid))
            for col in codes:
                value = _clean(rec[col])
                if value:
                    segments.append({"source_id": src["source_id"], "segment_id": f"row{i}", "unit": "row",
                                     "start": i, "end": i + 1, "code": f"{col}/{value}", "coder": coder})
    return _frames(sources, segments, problems)


LINE_PART = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_lines(cell: str) -> list[tuple[int, int]] | None:
    """`30, 106-112 + 141` -> [(30, 31), (106, 113), (141, 142)] (end exclusive); None when unreadable."""
    parts = [p for p in re.split(r"[,;+]", cell) if p.strip()]
    spans = []
    for p in parts:
        m = LINE_PART.match(p)
        if not m:
            return None
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if b < a:
            return None
        spans.append((a, b + 1))
    return spans or None


def import_workbook(path: str | Path, project: str, interview: str = "Interview", lines: str = "Line (or range*)",
                    coder: str = "Tagger", code_prefix: str = "Var", merged_name: str = "merged") -> Imported:
    """Every sheet of a multi-coder workbook with an `interview` column; codes are the columns starting with `code_prefix`."""
    import openpyxl

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    problems: list[str] = []
    sources: dict[str, dict] = {}
    segments: list[dict] = []
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = [_clean(h) for h in next(rows, ())]
        if interview not in header or lines not in header:
            problems.append(f"{path}, sheet {ws.title}: no {interview!r}/{lines!r} columns; sheet skipped")
            continue
        code_cols = [(i, h) for i, h in enumerate(header) if h.startswith(code_prefix)]
        who_col = header.index(coder) if coder in header else None
        i_int, i_lines = header.index(interview), header.index(lines)
        for r, row in enumerate(rows, start=2):
            row = list(row) + [None] * (len(header) - len(row))
            iv = _clean(row[i_int]).upper()
            if not iv:
                if any(_clean(v) for v in row):
                    problems.append(f"{path}, sheet {ws.title}, row {r}, column {interview}: empty; row skipped")
                continue
            src = sources.setdefault(iv, _source(project, iv))
            raw_lines = _clean(row[i_lines])
            spans = parse_lines(raw_lines) if raw_lines else None
            if spans is None:
                problems.append(f"{path}, sheet {ws.title}, row {r}, column {lines}: {raw_lines!r} is not a line or "
                                "line range; coded as the whole interview")
                spans = [(None, None)]
            who = _clean(row[who_col]) if who_col is not None else merged_name
            for i, name in code_cols:
                value = _clean(row[i])
                if not value:
                    continue
                for k, (a, b) in enumerate(spans):
                    segments.append({"source_id": src["source_id"], "segment_id": f"{ws.title}:r{r}:{k}",
                                     "unit": "line", "start": a, "end": b, "code": f"{name}/{value}", "coder": who})
    wb.close()
    return _frames(sources, segments, problems)
