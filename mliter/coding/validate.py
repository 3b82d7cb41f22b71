"""Validate annotation files `coding/papers/coders/<coder>.csv` against the codebook and the paper list.

Every problem names the file, the row (the header is row 1, as in a spreadsheet), the
column and what was expected, and validation goes on after the first problem so a coder
sees every mistake at once. `read_annotations` is the one reader of coder files the rest
of `mliter.coding` uses: it refuses files with problems, so agreement and consensus are
only ever computed from valid codes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pandas as pd

from mliter.coding.codebook import Code, Codebook
from mliter.errors import InputError, MliterError

#: Values of a presence code in adjudication and provenance tables.
PRESENCE_VALUES = ("present", "absent")
#: A note sharing this many consecutive words with the paper's abstract counts as copied.
COPY_RUN = 8


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem; `row` is None for file-level problems, `column` for row-level ones."""

    file: str
    row: int | None
    column: str | None
    message: str
    expected: str | None = None

    def __str__(self) -> str:
        column = self.column if not self.column or len(self.column) <= 80 else self.column[:80] + "..."
        where = self.file + (f", row {self.row}" if self.row is not None else "") + (
            f", column {column}" if column else "")
        return f"{where}: {self.message}" + (f" (expected {self.expected})" if self.expected else "")


class AnnotationError(MliterError, ValueError):
    """Annotation files with problems; the message lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in annotation files:\n" + "\n".join(map(str, problems)))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def copied_run(note: str, source: str, n: int = COPY_RUN) -> str | None:
    """The first run of `n` consecutive words `note` shares with `source`, or None."""
    nw, sw = _words(note), _words(source)
    if len(nw) < n or len(sw) < n:
        return None
    grams = {tuple(sw[i:i + n]) for i in range(len(sw) - n + 1)}
    for i in range(len(nw) - n + 1):
        if tuple(nw[i:i + n]) in grams:
            return " ".join(nw[i:i + n])
    return None


def _shown(raw: str, width: int = 60) -> str:
    """A cell's value quoted in a message, cut short when long."""
    return repr(raw) if len(raw) <= width else repr(raw[:width]) + f"... ({len(raw)} characters)"


def csv_rows(path: str | Path) -> list[list[str]]:
    """Every record of a UTF-8 CSV file, read by `csv` from the file object (opened with newline="").

    This is the one way the coding files are read: csv ends a record only at an unquoted CR or LF,
    whereas splitting the text into lines first (str.splitlines()) would also cut a quoted field at
    U+2028, U+2029, U+0085 and the other Unicode line breaks a note or a reason may contain.
    Raises OSError, UnicodeDecodeError or csv.Error for the caller to report with the file's name.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def records(rows: list[list[str]], header: list[str], name: str, problems: list[Problem]):
    """(row number, {column: stripped cell}) of each non-empty data row; a row of the wrong width is a problem."""
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(name, r, None, f"row has {len(cells)} fields", f"{len(header)} fields"))
            continue
        yield r, dict(zip(header, (c.strip() for c in cells)))


def check_value(code: Code, raw: str) -> tuple[str | None, object]:
    """(problem message or None, parsed value) of one cell of `code`; empty cells are checked by the caller."""
    if code.type == "categorical":
        return (None, raw) if raw in code.values else (f"value {_shown(raw)} is not a {code.code} value", None)
    if code.type == "presence":
        return (None, raw == "present") if raw in PRESENCE_VALUES else (f"value {_shown(raw)} is not present or absent", None)
    if code.type == "count":
        if not re.fullmatch(r"\d+", raw):
            return f"value {_shown(raw)} is not a whole number", None
        if len(raw) > 9:  # beyond any count, and too long for int() to be asked to read
            return f"value of {len(raw)} digits is out of range", None
        value = int(raw)
        if value not in code.allowed_counts:
            if value == 1 and code.kind == "alternatives":
                return "value 1 is not allowed: a single alternative is not an iteration and is coded 0", None
            return f"value {value} is out of range", None
        return None, value
    if code.type == "code_list":
        return None, raw
    if code.max_length is not None and len(raw) > code.max_length:
        return f"note is {len(raw)} characters long", None
    return None, raw


def read_coder_rows(path: Path, codebook: Codebook, problems: list[Problem], pattern: str) -> list[list[str]] | None:
    """The CSV rows of a coder file, or None (with the problem appended) when it cannot be read or is empty.

    A file name that is not a coder id is recorded as a problem but reading goes on.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, None, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read: {exc.strerror}"))
        return None
    if not re.fullmatch(codebook.coder_pattern, path.stem):
        problems.append(Problem(name, None, None, f"file name {path.name!r} is not a valid coder id",
                                f"{pattern} with <coder> matching {codebook.coder_pattern}"))
    # csv reads the text itself: str.splitlines() would also split inside a field at U+2028,
    # U+0085 and the other Unicode line breaks a note may contain.
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
    except csv.Error as exc:
        problems.append(Problem(name, len(rows) + 1, None, f"not readable as CSV: {exc}",
                                "a CSV file as a spreadsheet saves it"))
        if not rows:
            return None
    if not rows:
        problems.append(Problem(name, None, None, "file is empty", "a header row: " + ",".join(codebook.columns)))
        return None
    return rows


def check_coder_file(path: Path, codebook: Codebook,
                     pattern: str) -> tuple[list[Problem], Callable[..., None], list[list[str]] | None]:
    """Start checking one coder file: (its problems so far, `add(row, column, message, expected=None)`
    that records one more, its CSV rows or None when it cannot be read; see `read_coder_rows`)."""
    name = str(path)
    problems: list[Problem] = []

    def add(row, column, message, expected=None):
        problems.append(Problem(name, row, column, message, expected))

    return problems, add, read_coder_rows(path, codebook, problems, pattern)


def validate_file(path: str | Path, codebook: Codebook, paper_ids: Iterable[str] | None,
                  abstracts: Mapping[str, str] | None = None) -> list[Problem]:
    """All problems of one annotation file (empty list when it is valid).

    `paper_ids` are the ids of `corpus/papers.csv` (None skips that check, e.g. before the
    corpus exists); `abstracts` maps paper ids to abstracts held in memory, for the check that
    notes are not copied.
    """
    path = Path(path)
    known = None if paper_ids is None else set(paper_ids)
    problems, add, rows = check_coder_file(path, codebook, "coding/papers/coders/<coder>.csv")
    if rows is None:
        return problems
    coder = path.stem
    header = [h.strip() for h in rows[0]]
    known_cols = set(codebook.columns)
    for col in header:
        if col not in known_cols:
            add(1, col, f"unknown column {_shown(col)} (not a code of codebook {codebook.version})",
                "columns " + ", ".join(codebook.columns))
    for col in codebook.columns:
        if col not in header:
            add(1, col, f"missing column {col!r}", "columns " + ", ".join(codebook.columns))
    dup_cols = sorted({c for c in header if header.count(c) > 1})
    for col in dup_cols:
        add(1, col, f"column {_shown(col)} appears {header.count(col)} times", "each column once")
    index = {c: i for i, c in enumerate(header) if c in known_cols}
    seen: dict[str, int] = {}
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            add(r, None, f"row has {len(cells)} fields", f"{len(header)} fields, one per header column")
            continue
        get = {c: cells[i].strip() for c, i in index.items()}
        pid = get.get("paper_id", "")
        if "paper_id" in get:
            if not pid:
                add(r, "paper_id", "missing paper id", "an id of corpus/papers.csv")
            elif known is not None and pid not in known:
                add(r, "paper_id", f"unknown paper id {_shown(pid)}", "an id of corpus/papers.csv")
            elif pid in seen:
                add(r, "paper_id", f"paper {_shown(pid)} is coded twice by this coder (first in row {seen[pid]})",
                    "one row per paper")
            else:
                seen[pid] = r
        if "coder" in get and get["coder"] != coder:
            add(r, "coder", f"coder {_shown(get['coder'])} differs from the file name", repr(coder))
        if "codebook_version" in get and get["codebook_version"] not in codebook.accepted_versions:
            add(r, "codebook_version", f"codebook version {_shown(get['codebook_version'])}",
                " or ".join(map(repr, codebook.accepted_versions))
                + f" (codebook {codebook.version} and the earlier versions it keeps valid); recode against it")
        for code in codebook.codes:
            if code.code not in get:
                continue
            raw = get[code.code]
            if raw == "":
                if code.type not in ("text", "code_list"):
                    add(r, code.code, "empty value", code.describe_allowed())
                continue
            message, _ = check_value(code, raw)
            if message:
                add(r, code.code, message, code.describe_allowed())
            elif code.type == "code_list":
                for m, exp in list_problems(code, raw, codebook, get):
                    add(r, code.code, m, exp)
            elif code.type == "text" and abstracts and pid in abstracts:
                run = copied_run(raw, abstracts[pid])
                if run:
                    add(r, code.code, f"note copies the abstract ({COPY_RUN}+ words: '{run}')",
                        "a note in the coder's own words")
    return sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.message))


def list_problems(code: Code, raw: str, codebook: Codebook, row: Mapping[str, str]) -> list[tuple[str, str]]:
    """Problems of a code_list cell: each listed name a code of the right type, listed once, non-zero in the row."""
    allowed = [c.code for c in codebook.by_type(code.of)]
    names = [n.strip() for n in raw.split(";")]
    times = Counter(names)  # counted once: names.count() per name was quadratic in a long cell
    out = []
    for n in names:
        if n not in allowed:
            out.append((f"{_shown(n)} is not a {code.of} code", "';'-separated names among " + ", ".join(allowed)))
        elif times[n] > 1:
            out.append((f"{_shown(n)} is listed twice", "each code once"))
        elif row.get(n, "") in ("0", ""):
            out.append((f"{_shown(n)} is listed but its value is {_shown(row.get(n, ''))}",
                        "only codes whose non-zero value came from counting.unstated_number"))
    return sorted(set(out))


def validate_files(paths: Iterable[str | Path], codebook: Codebook, paper_ids: Iterable[str] | None,
                   abstracts: Mapping[str, str] | None = None) -> list[Problem]:
    ids = None if paper_ids is None else set(paper_ids)
    out: list[Problem] = []
    for p in paths:
        out.extend(validate_file(p, codebook, ids, abstracts))
    return out


def read_paper_ids(papers_csv: str | Path) -> set[str]:
    """Ids of the paper list; a clear error when the file or its column is missing."""
    papers_csv = Path(papers_csv)
    if not papers_csv.exists():
        raise FileNotFoundError(f"paper list {papers_csv} not found (write it with `mliter corpus papers`)")
    df = pd.read_csv(papers_csv, dtype=str, keep_default_na=False, usecols=lambda c: c == "paper_id")
    if "paper_id" not in df.columns:
        raise InputError(f"{papers_csv}, row 1: no paper_id column")
    return set(df["paper_id"])


def read_annotations(paths: Iterable[str | Path], codebook: Codebook,
                     paper_ids: Iterable[str] | None) -> pd.DataFrame:
    """All coder files as one typed frame (paper_id, coder, codebook_version, one column per code), or AnnotationError.

    Counts become integers; code lists (`unstated`) stay ';'-separated strings; the free-text note is dropped (it is never compared nor shipped
    in derived tables). Rows are sorted by (paper_id, coder).
    """
    paths = [Path(p) for p in paths]
    problems = validate_files(paths, codebook, paper_ids)
    if problems:
        raise AnnotationError(problems)
    frames = []
    for p in paths:
        df = pd.read_csv(p, dtype=str, keep_default_na=False).apply(lambda s: s.str.strip())
        df = df[(df != "").any(axis=1)]
        frames.append(df)
    cols = ["paper_id", "coder", "codebook_version"] + [c.code for c in codebook.coded] + [
        c.code for c in codebook.code_lists]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    for c in codebook.counts:
        out[c.code] = out[c.code].astype(int)
    return out.sort_values(["paper_id", "coder"], kind="mergesort").reset_index(drop=True)


def coder_files(folder: str | Path, codebook: Codebook) -> list[Path]:
    """The coder files in `folder`: `<coder>.csv` whose stem is a coder id and that are not derived tables."""
    derived = {"consensus", "consensus_provenance", "disagreements", "agreement", "adjudication", "screening"}
    return sorted(p for p in Path(folder).glob("*.csv")
                  if p.stem not in derived and re.fullmatch(codebook.coder_pattern, p.stem))

