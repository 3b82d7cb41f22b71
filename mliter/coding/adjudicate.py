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

import csv
from pathlib import Path

import pandas as pd

from mliter.coding.codebook import Codebook
from mliter.coding.disagreements import coder_values, value_text
from mliter.coding.validate import AnnotationError, Problem, check_value, csv_rows, records
from mliter.errors import InputError

#: The pseudo-code of screening decisions in adjudication.csv (value: `included` or an exclusion reason).
SCREENING_CODE = "screening"
METHODS = ("single_coder", "agreed", "adjudicated", "first_coder_default")
ADJUDICATION_COLUMNS = ["paper_id", "code", "value", "adjudicator", "reason"]


def adjudication_columns(key: str = "paper_id") -> list[str]:
    """Header of an adjudication file: the unit's key column, then code, value, adjudicator, reason."""
    return [key] + ADJUDICATION_COLUMNS[1:]


def read_adjudication(path: str | Path, codebook: Codebook, key: str = "paper_id") -> pd.DataFrame:
    """The adjudicator's decisions (paper_id, code, value, adjudicator, reason); empty when the file is absent.

    Unknown codes, values the codebook does not allow, missing reasons and a (paper, code)
    decided twice are errors naming the file, row and column.
    """
    path = Path(path)
    columns = adjudication_columns(key)
    if not path.exists():
        return pd.DataFrame(columns=columns)
    problems: list[Problem] = []
    name = str(path)
    try:
        rows = csv_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AnnotationError([Problem(name, None, None, f"cannot be read: {exc}")]) from None
    header = [h.strip() for h in rows[0]] if rows else []
    if header != columns:
        raise AnnotationError([Problem(name, 1, None, f"header {header}", ",".join(columns))])
    out, seen = [], {}
    codes = {c.code: c for c in codebook.coded}
    for r, rec in records(rows, header, name, problems):
        code = codes.get(rec["code"])
        if rec["code"] == SCREENING_CODE and codebook.screening is not None:
            allowed = ("included",) + codebook.screening.reason_ids
            value = rec["value"]
            if value not in allowed:
                problems.append(Problem(name, r, "value", f"screening value {value!r}", "one of " + ", ".join(allowed)))
        elif code is None:
            problems.append(Problem(name, r, "code", f"unknown code {rec['code']!r}",
                                    "one of " + ", ".join([*codes, SCREENING_CODE])))
            continue
        else:
            message, value = check_value(code, rec["value"]) if rec["value"] else ("empty value", None)
            if message:
                problems.append(Problem(name, r, "value", message, code.describe_allowed()))
        for col in ("adjudicator", "reason"):
            if not rec[col]:
                problems.append(Problem(name, r, col, f"empty {col}", "who decided and why, in their own words"))
        unit = (rec[key], rec["code"])
        if unit in seen:
            problems.append(Problem(name, r, key, f"{unit} is already decided in row {seen[unit]}",
                                    "one decision per unit and code"))
        seen[unit] = r
        out.append({**rec, "value": value})
    if problems:
        raise AnnotationError(problems)
    return pd.DataFrame(out, columns=columns)


def provenance(ann: pd.DataFrame, codebook: Codebook, adjudication: pd.DataFrame | None = None,
               key: str = "paper_id") -> pd.DataFrame:
    """Long table: <key>, code, value, method, n_coders, coder_values, adjudicator, reason (+ unstated).

    For a codebook with count codes (the paper survey), `unstated` is true for a non-zero count
    when a coder who gave the consensus value listed the code in their `unstated` column (the
    value is the unstated-number fallback); codebooks without counts have no such column.
    """
    adj = {}
    if adjudication is not None:
        adj = {(getattr(r, key), r.code): r for r in adjudication.itertuples(index=False) if r.code != SCREENING_CODE}
    with_unstated = bool(codebook.counts)
    used: set[tuple[str, str]] = set()
    rows = []
    for pid, group in ann.groupby(key, sort=True):
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
            row = {key: pid, "code": code.code, "value": value_text(value), "method": method, "n_coders": n,
                   "coder_values": coder_values(group, code.code), "adjudicator": adjudicator, "reason": reason}
            if with_unstated:
                row["unstated"] = code.type == "count" and _fell_back(group, code.code, value)
            rows.append(row)
    stray = sorted(set(adj) - used)
    if stray:
        raise InputError("adjudication rows that resolve no disagreement (unit not double-coded, coders agree, "
                         f"or unknown unit): {stray[:10]}" + (" ..." if len(stray) > 10 else ""))
    columns = [key] + PROVENANCE_COLUMNS[1:] if with_unstated else [key] + PROVENANCE_COLUMNS[1:-1]
    return pd.DataFrame(rows, columns=columns)


PROVENANCE_COLUMNS = ["paper_id", "code", "value", "method", "n_coders", "coder_values", "adjudicator", "reason",
                      "unstated"]


def _fell_back(group: pd.DataFrame, code: str, value) -> bool:
    """Whether a coder who gave the consensus `value` set it by the unstated-number rule (listed it in `unstated`)."""
    if "unstated" not in group or int(value) == 0:
        return False
    return any(str(v) == str(value) and code in str(u).split(";")
               for v, u in zip(group[code], group["unstated"]))


def consensus(prov: pd.DataFrame, ann: pd.DataFrame, codebook: Codebook, key: str = "paper_id") -> pd.DataFrame:
    """Wide table, one row per unit: the consensus code values, who coded it, how many values were defaulted
    and, for a codebook with counts, which counts are unstated-number fallbacks and the codebook version(s)."""
    wide = prov.pivot(index=key, columns="code", values="value")
    out = pd.DataFrame(index=wide.index)
    coders = ann.groupby(key)["coder"].apply(lambda s: ";".join(sorted(set(s))))
    out["n_coders"] = ann.groupby(key)["coder"].nunique()
    out["coders"] = coders
    for code in codebook.coded:
        if code.type == "count":
            out[code.code] = wide[code.code].astype(int)
        elif code.type == "presence":
            out[code.code] = wide[code.code] == "present"
        else:
            out[code.code] = wide[code.code]
    methods = prov.pivot(index=key, columns="code", values="method")
    out["n_adjudicated"] = (methods == "adjudicated").sum(axis=1)
    out["n_defaulted"] = (methods == "first_coder_default").sum(axis=1)
    if "unstated" in prov:
        fell = prov[prov["unstated"].astype(bool)]
        out["unstated"] = fell.groupby(key)["code"].apply(
            lambda s: ";".join(c.code for c in codebook.counts if c.code in set(s))).reindex(out.index).fillna("")
        out["codebook_version"] = ann.groupby(key)["codebook_version"].apply(lambda s: ";".join(sorted(set(s))))
    return out.reset_index()
