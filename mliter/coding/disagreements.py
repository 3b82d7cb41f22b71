"""The disagreement report: every paper and code on which the coders of a paper differ.

One row per (paper, code) with each coder's value, what kind of disagreement it is and,
when the adjudication file already resolves it, the adjudicated value, so an adjudicator
can work through the open rows. Pure function over `validate.read_annotations` output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mliter.coding.codebook import Codebook

COLUMNS = ["paper_id", "code", "kind", "spread", "coder_values", "adjudicated_value"]


def value_text(value) -> str:
    """A code value as tables write it: presence codes (booleans) as present/absent, others as str."""
    if isinstance(value, (bool, np.bool_)):
        return "present" if value else "absent"
    return str(value)


def coder_values(group: pd.DataFrame, column: str) -> str:
    """`coder_a=2;coder_b=0`: each coder's value, coders in alphabetical order."""
    return ";".join(f"{c}={value_text(v)}" for c, v in sorted(zip(group["coder"], group[column])))


def disagreements(ann: pd.DataFrame, codebook: Codebook, adjudication: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows where coders differ; `kind` is `category`, `presence` (one coder 0, another > 0) or `count`."""
    adj = {}
    if adjudication is not None and len(adjudication):
        adj = {(r.paper_id, r.code): str(r.value) for r in adjudication.itertuples(index=False)}
    rows = []
    multi = ann.groupby("paper_id").filter(lambda g: g["coder"].nunique() > 1)
    for pid, group in multi.groupby("paper_id", sort=True):
        for code in codebook.coded:
            values = group[code.code]
            if values.nunique() < 2:
                continue
            if code.type == "count":
                kind = "presence" if (values > 0).nunique() > 1 else "count"
                spread = int(values.max() - values.min())
            else:
                kind, spread = "category", None
            rows.append({"paper_id": pid, "code": code.code, "kind": kind, "spread": spread,
                         "coder_values": coder_values(group, code.code),
                         "adjudicated_value": adj.get((pid, code.code), "")})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["spread"] = out["spread"].astype("Int64")
    return out


def screening_disagreements(screeners: pd.DataFrame, adjudication: pd.DataFrame | None = None) -> pd.DataFrame:
    """Papers whose screeners reached different outcomes (`included` or different exclusion reasons), code `screening`."""
    adj = {}
    if adjudication is not None and len(adjudication):
        adj = {r.paper_id: str(r.value) for r in adjudication.itertuples(index=False) if r.code == "screening"}
    rows = []
    if screeners is not None and len(screeners):
        frame = screeners.assign(coder=screeners["screener"],
                                 outcome=[("included" if d == "include" else r)
                                          for d, r in zip(screeners["decision"], screeners["reason"])])
        for pid, group in frame.groupby("paper_id", sort=True):
            if group["outcome"].nunique() > 1:
                rows.append({"paper_id": pid, "code": "screening", "kind": "category", "spread": None,
                             "coder_values": coder_values(group, "outcome"), "adjudicated_value": adj.get(pid, "")})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["spread"] = out["spread"].astype("Int64")
    return out
