"""Coder files of a `segments` codebook (interviews, threads): validation and reading.

A coder file `coding/threads/coders/<coder>.csv` has one row per (source, code, segment):
`source_id, coder, codebook_version, code, start, end, note`. Offsets are Python `str`
indices into the source's text (start inclusive, end exclusive). Every problem names the
file, the row (header = row 1, as in a spreadsheet), the column and what was expected, and
validation goes on after the first problem. `read_segments` is the one reader the rest of
`mliter.coding` uses; it refuses files with problems. The same `Problem`/`AnnotationError`
types as the paper survey's validation are used, so the CLI and the tests treat both alike.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from mliter.coding.codebook import SEGMENT_COLUMNS, Codebook
from mliter.coding.validate import AnnotationError, Problem, check_coder_file, copied_run

#: Longest note a coder may write.
NOTE_MAX = 200
#: Columns of the typed frame `read_segments` returns (the note is dropped: never compared or shipped).
FRAME_COLUMNS = ["source_id", "coder", "codebook_version", "code", "start", "end"]


def _inside_word(text: str, i: int) -> bool:
    """True when offset `i` falls between two word characters (cuts a word)."""
    return 0 < i < len(text) and (text[i - 1].isalnum() or text[i - 1] == "_") and (text[i].isalnum() or text[i] == "_")


def validate_segment_file(path: str | Path, codebook: Codebook, texts: Mapping[str, str] | None,
                          assigned: Iterable[str] | None = None, partial: bool = False,
                          accounts: Mapping[str, Iterable[str]] | None = None) -> list[Problem]:
    """All problems of one segments coder file (empty list when valid).

    `texts` maps source id -> text (None skips the id and offset checks); `assigned` are the
    source ids this coder must code (a source outside it is a problem; with `partial` False a
    missing one is too); `accounts` maps source id -> account names shown in it, which a note
    must not contain.
    """
    path = Path(path)
    problems, add, rows = check_coder_file(path, codebook, "<coder>.csv")
    if rows is None:
        return problems
    coder = path.stem
    header = [h.strip() for h in rows[0]]
    if header != list(SEGMENT_COLUMNS):
        for col in header:
            if col not in SEGMENT_COLUMNS:
                add(1, col, f"unknown column {col!r}", "columns " + ",".join(SEGMENT_COLUMNS))
        for col in SEGMENT_COLUMNS:
            if col not in header:
                add(1, col, f"missing column {col!r}", "columns " + ",".join(SEGMENT_COLUMNS))
        if not problems:
            add(1, None, f"columns in the order {header}", "the order " + ",".join(SEGMENT_COLUMNS))
        return problems
    codes = {c.code: c for c in codebook.codes}
    assigned_set = None if assigned is None else set(assigned)
    seen_rows: dict[tuple, int] = {}
    per_source: dict[str, list[tuple[int, str]]] = {}
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            add(r, None, f"row has {len(cells)} fields", f"{len(header)} fields: " + ",".join(SEGMENT_COLUMNS))
            continue
        get = dict(zip(header, (c.strip() for c in cells)))
        sid = get["source_id"]
        text = None
        if not sid:
            add(r, "source_id", "missing source id", "an id of the sources table")
        elif texts is not None and sid not in texts:
            add(r, "source_id", f"unknown source id {sid!r}", "an id of the sources table, e.g. github:owner/repo#N")
        elif assigned_set is not None and sid not in assigned_set:
            add(r, "source_id", f"source {sid!r} is not assigned to {coder}", "a source of your assignment")
        else:
            text = None if texts is None else texts[sid]
        if get["coder"] != coder:
            add(r, "coder", f"coder {get['coder']!r} differs from the file name", repr(coder))
        if get["codebook_version"] not in codebook.accepted_versions:
            add(r, "codebook_version", f"codebook version {get['codebook_version']!r}",
                " or ".join(map(repr, codebook.accepted_versions)))
        code = codes.get(get["code"])
        if code is None:
            add(r, "code", f"unknown code {get['code']!r}", f"a code of codebook {codebook.name or codebook.version}")
        else:
            if sid:
                per_source.setdefault(sid, []).append((r, code.code))
            _check_offsets(add, r, code.segment, get["start"], get["end"], text)
        note = get["note"]
        if note:
            if len(note) > NOTE_MAX:
                add(r, "note", f"note is {len(note)} characters long", f"at most {NOTE_MAX} characters")
            if text is not None:
                run = copied_run(note, text)
                if run:
                    add(r, "note", f"note copies the source text (8+ words: '{run}')", "a note in your own words")
            for account in sorted((accounts or {}).get(sid, ())):
                if len(account) >= 3 and re.search(rf"(?<![\w-]){re.escape(account)}(?![\w-])", note, re.I):
                    add(r, "note", "note contains an account name shown in the source", "no names in notes")
                    break
        key = (sid, get["code"], get["start"], get["end"])
        if key in seen_rows:
            add(r, None, f"same source, code and segment as row {seen_rows[key]}", "each segment once per code")
        else:
            seen_rows[key] = r
    _check_sources(add, per_source, codebook)
    if assigned_set is not None and not partial:
        for sid in sorted(assigned_set - set(per_source)):
            add(None, "source_id", f"assigned source {sid} has no row",
                "at least one row per assigned source (codes, or none_codable)")
    return sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.message))


def _check_offsets(add, r: int, rule: str | None, start: str, end: str, text: str | None) -> None:
    if rule == "none":
        if start or end:
            add(r, "start" if start else "end", "this code is for the whole source and takes no offsets",
                "empty start and end")
        return
    if not start and not end:
        if rule == "required":
            add(r, "start", "missing offsets", "start and end of the segment (Python str indices, end exclusive)")
        return
    bad = False
    for col, val in (("start", start), ("end", end)):
        if not re.fullmatch(r"\d+", val):
            add(r, col, f"{col} {val!r} is not a whole number", "a character offset, 0 or more")
            bad = True
    if bad:
        return
    s, e = int(start), int(end)
    if e <= s:
        add(r, "end", f"end {e} is not after start {s}", "end > start (end is exclusive)")
        return
    if text is None:
        return
    if e > len(text):
        add(r, "end", f"end {e} is past the end of the text ({len(text)} characters)", f"end <= {len(text)}")
        return
    if not text[s:e].strip():
        add(r, "start", f"segment {s}:{e} is only whitespace", "a segment holding the statement")
    if _inside_word(text, s):
        add(r, "start", f"start {s} cuts a word ({text[max(0, s - 10):s]!r}|{text[s:s + 10]!r})",
            "a start at a word boundary")
    if _inside_word(text, e):
        add(r, "end", f"end {e} cuts a word ({text[max(0, e - 10):e]!r}|{text[e:e + 10]!r})",
            "an end at a word boundary")


def _check_sources(add, per_source: dict[str, list[tuple[int, str]]], codebook: Codebook) -> None:
    """Rules across the rows of one source: exclusive codes alone, at most n codes of a limited group."""
    exclusive = {c.code for c in codebook.exclusive_codes}
    group_of = {c.code: c.part for c in codebook.codes}
    for sid, items in sorted(per_source.items()):
        present = {code for _, code in items}
        for code in sorted(present & exclusive):
            rows = [r for r, c in items if c == code]
            others = sorted(present - {code})
            if others:
                add(rows[0], "code", f"{code} in {sid} together with {', '.join(others)}",
                    f"{code} only when the source has no other code")
            if len(rows) > 1:
                add(rows[1], "code", f"{code} given {len(rows)} times for {sid}", "one row")
        for group, rule in codebook.group_rules.items():
            limit = rule.get("max_codes_per_source")
            used = sorted({c for c in present if group_of[c] == group})
            if limit is not None and len(used) > limit:
                first = min(r for r, c in items if c in used)
                add(first, "code", f"{len(used)} {group} codes for {sid} ({', '.join(used)})",
                    f"at most {limit} {group} code per source")


def validate_segment_files(paths: Iterable[str | Path], codebook: Codebook, texts: Mapping[str, str] | None,
                           assignment: Mapping[str, Iterable[str]] | None = None, partial: bool = False,
                           accounts: Mapping[str, Iterable[str]] | None = None) -> list[Problem]:
    """Problems of several files; `assignment` maps coder -> assigned source ids (coders absent there: no check)."""
    out: list[Problem] = []
    for p in paths:
        assigned = None if assignment is None else assignment.get(Path(p).stem)
        out.extend(validate_segment_file(p, codebook, texts, assigned, partial, accounts))
    return out


def read_segments(paths: Iterable[str | Path], codebook: Codebook, texts: Mapping[str, str] | None,
                  assignment: Mapping[str, Iterable[str]] | None = None, partial: bool = False) -> pd.DataFrame:
    """All coder files as one frame (FRAME_COLUMNS; offsets nullable integers), or AnnotationError.

    Rows are sorted by (source_id, coder, code, start, end); notes are dropped.
    """
    paths = [Path(p) for p in paths]
    problems = validate_segment_files(paths, codebook, texts, assignment, partial)
    if problems:
        raise AnnotationError(problems)
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False).apply(lambda s: s.str.strip()) for p in paths]
    frames = [f[(f != "").any(axis=1)] for f in frames]
    if not frames:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[FRAME_COLUMNS]
    for col in ("start", "end"):
        out[col] = pd.to_numeric(out[col].replace("", None)).astype("Int64")
    return out.sort_values(FRAME_COLUMNS[:2] + ["code", "start", "end"], kind="mergesort",
                           na_position="first").reset_index(drop=True)


def coder_files(folder: str | Path, codebook: Codebook) -> list[Path]:
    """`<coder>.csv` files in `folder` whose stem is a coder id."""
    return sorted(p for p in Path(folder).glob("*.csv") if re.fullmatch(codebook.coder_pattern, p.stem))


def presence(seg: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Wide presence frame: one row per (source_id, coder) coded, one boolean column per code.

    A code is present for a coder in a source when the coder has at least one row of it there.
    The result has the shape of the paper survey's annotations (key column `source_id`), so the
    same agreement and adjudication functions apply.
    """
    codes = [c.code for c in codebook.codes]
    if seg.empty:
        return pd.DataFrame(columns=["source_id", "coder", "codebook_version", *codes])
    keys = seg.groupby(["source_id", "coder"], sort=True)["codebook_version"].max().reset_index()
    hit = seg.assign(_v=True).pivot_table(index=["source_id", "coder"], columns="code", values="_v",
                                          aggfunc="any", fill_value=False)
    hit = hit.reindex(columns=codes, fill_value=False).astype(bool).reset_index()
    return keys.merge(hit, on=["source_id", "coder"], how="left")
