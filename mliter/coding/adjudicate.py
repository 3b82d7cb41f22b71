"""Adjudication: the coders' values of each paper become one consensus value per code.

Rules, applied per (paper, code) in this order, each recorded as `method`:

1. `single_coder`        only one coder coded the paper: that coder's value;
2. `agreed`              every coder gave the same value;
3. `adjudicated`         coders differ and `coding/papers/adjudication.csv` has a row for the
                         paper and code: the adjudicator's value (it must be allowed by the codebook);
4. `first_coder_default` coders differ and nothing was adjudicated: the value of the first coder
                         in alphabetical order, a deterministic default flagged so analyses can
                         count or exclude it.

`provenance` keeps one row per (paper, code) with the consensus value, the method and every
coder's value, so each consensus value traces to the values it came from; `consensus` is
the wide table the analyses read. Free-text notes never reach either table.
"""

from __future__ import annotations

from mliter.errors import InputError
import csv
from pathlib import Path

import pandas as pd

from mliter.coding.codebook import Codebook
from mliter.coding.disagreements import coder_values
from mliter.coding.validate import AnnotationError, Problem, check_value

METHODS = ("single_coder", "agreed", "adjudicated", "first_coder_default")
ADJUDICATION_COLUMNS = ["paper_id", "code", "value", "adjudicator", "reason"]


def read_adjudication(path: str | Path, codebook: Codebook) -> pd.DataFrame:
    """The adjudicator's decisions (paper_id, code, value, adjudicator, reason); empty when the file is absent.

    Unknown codes, values the codebook does not allow, missing reasons and a (paper, code)
    decided twice are errors naming the file, row and column.
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=ADJUDICATION_COLUMNS)
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    problems: list[Problem] = []
    name = str(path)
    header = [h.strip() for h in rows[0]] if rows else []
    if header != ADJUDICATION_COLUMNS:
        raise AnnotationError([Problem(name, 1, None, f"header {header}", ",".join(ADJUDICATION_COLUMNS))])
    out, seen = [], {}
    codes = {c.code: c for c in codebook.coded}
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(name, r, None, f"row has {len(cells)} fields", f"{len(header)} fields"))
            continue
        rec = dict(zip(header, (c.strip() for c in cells)))
        code = codes.get(rec["code"])
        if code is None:
            problems.append(Problem(name, r, "code", f"unknown code {rec['code']!r}", "one of " + ", ".join(codes)))
            continue
        message, value = check_value(code, rec["value"]) if rec["value"] else ("empty value", None)
        if message:
            problems.append(Problem(name, r, "value", message, code.describe_allowed()))
        for col in ("adjudicator", "reason"):
            if not rec[col]:
                problems.append(Problem(name, r, col, f"empty {col}", "who decided and why, in their own words"))
        key = (rec["paper_id"], rec["code"])
        if key in seen:
            problems.append(Problem(name, r, "paper_id", f"{key} is already decided in row {seen[key]}", "one decision per paper and code"))
        seen[key] = r
        out.append({**rec, "value": value})
    if problems:
        raise AnnotationError(problems)
    return pd.DataFrame(out, columns=ADJUDICATION_COLUMNS)


def provenance(ann: pd.DataFrame, codebook: Codebook, adjudication: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table: paper_id, code, value, method, n_coders, coder_values, adjudicator, reason."""
    adj = {}
    if adjudication is not None:
        adj = {(r.paper_id, r.code): r for r in adjudication.itertuples(index=False)}
    used: set[tuple[str, str]] = set()
    rows = []
    for pid, group in ann.groupby("paper_id", sort=True):
        group = group.sort_values("coder", kind="mergesort")
        n = group["coder"].nunique()
        for code in codebook.coded:
            values = list(group[code.code])
            decision = adj.get((pid, code.code))
            adjudicator = reason = ""
            if n == 1:
                value, method = values[0], "single_coder"
            elif len(set(values)) == 1:
                value, method = values[0], "agreed"
            elif decision is not None:
                value, method = decision.value, "adjudicated"
                adjudicator, reason = decision.adjudicator, decision.reason
                used.add((pid, code.code))
            else:
                value, method = values[0], "first_coder_default"
            rows.append({"paper_id": pid, "code": code.code, "value": str(value), "method": method, "n_coders": n,
                         "coder_values": coder_values(group, code.code), "adjudicator": adjudicator, "reason": reason})
    stray = sorted(set(adj) - used)
    if stray:
        raise InputError("adjudication rows that resolve no disagreement (paper not double-coded, coders agree, "
                         f"or unknown paper): {stray[:10]}" + (" ..." if len(stray) > 10 else ""))
    return pd.DataFrame(rows, columns=["paper_id", "code", "value", "method", "n_coders", "coder_values",
                                       "adjudicator", "reason"])


def consensus(prov: pd.DataFrame, ann: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Wide table, one row per paper: the consensus code values, who coded it and how many values were defaulted."""
    wide = prov.pivot(index="paper_id", columns="code", values="value")
    out = pd.DataFrame(index=wide.index)
    coders = ann.groupby("paper_id")["coder"].apply(lambda s: ";".join(sorted(set(s))))
    out["n_coders"] = ann.groupby("paper_id")["coder"].nunique()
    out["coders"] = coders
    for code in codebook.coded:
        out[code.code] = wide[code.code].astype(int) if code.type == "count" else wide[code.code]
    methods = prov.pivot(index="paper_id", columns="code", values="method")
    out["n_adjudicated"] = (methods == "adjudicated").sum(axis=1)
    out["n_defaulted"] = (methods == "first_coder_default").sum(axis=1)
    return out.reset_index()
