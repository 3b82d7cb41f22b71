"""Summaries of iteration sequences for the analysis scripts (pure functions over the shipped tables).

Inputs are `traces/versions.csv` (notebook versions, any source) and, when present,
`traces/openml_runs.csv` (OpenML runs in the published 14-column schema). Each function
returns a tidy data frame sorted deterministically; plotting stays in the scripts.
"""

from __future__ import annotations

from mliter.errors import InputError
import numpy as np
import pandas as pd

from mliter.traces.changes import default_codebook
from mliter.traces.notebooks.stages import STAGES

#: Stages in workflow order for figures and tables (`other` last).
STAGE_ORDER = [s for s in STAGES if s != "other"] + ["other"]


def code_names() -> dict[str, str]:
    """Change code -> name, in precedence order."""
    return {c.code: c.name for c in default_codebook().codes}


def change_distribution(codes_by_source: dict[str, pd.Series], kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """Count and share of each change code per source, sources in the given order, codes in precedence order.

    `codes_by_source` maps a source label to its versions' change codes (empty codes are
    dropped). `kinds` maps a label to the codebook's source kind (`notebook`, `openml`); a
    code whose `sources` leave that kind out gets empty n and shares (not applicable),
    every other code appears with its count, zeros kept.
    """
    book = default_codebook()
    rows = []
    for source, codes in codes_by_source.items():
        codes = codes.dropna()
        total = len(codes)
        counts = codes.value_counts()
        n_start = int(counts.get("S", 0))
        kind = (kinds or {}).get(source)
        for c in book.codes:
            if kind is not None and c.sources and kind not in c.sources:
                rows.append({"source": source, "code": c.code, "name": c.name, "n": None, "share": np.nan,
                             "share_of_changes": np.nan})
                continue
            n = int(counts.get(c.code, 0))
            rows.append({"source": source, "code": c.code, "name": c.name, "n": n,
                         "share": n / total if total else np.nan,
                         "share_of_changes": n / (total - n_start) if c.code != "S" and total > n_start else np.nan})
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Int64")
    return out


def per_workflow(versions: pd.DataFrame) -> pd.DataFrame:
    """Per workflow: versions, readable versions, span and gaps between consecutive readable versions (hours)."""
    ok = versions[versions["status"] == "ok"].copy()
    ok["ts"] = pd.to_datetime(ok["timestamp"], utc=True)
    rows = []
    for wid, g in ok.sort_values(["workflow_id", "version"]).groupby("workflow_id", sort=True):
        gaps = g["minutes_since_previous"].dropna().astype(float) / 60
        rows.append({
            "workflow_id": wid,
            "versions": int((versions["workflow_id"] == wid).sum()),
            "readable": len(g),
            "changes": int((g["change_type"].notna() & (g["change_type"] != "S")).sum()),
            "span_days": (g["ts"].max() - g["ts"].min()).total_seconds() / 86400 if g["ts"].notna().all() else np.nan,
            "median_gap_hours": float(gaps.median()) if len(gaps) else np.nan,
            "min_gap_hours": float(gaps.min()) if len(gaps) else np.nan,
            "max_gap_hours": float(gaps.max()) if len(gaps) else np.nan,
        })
    return pd.DataFrame(rows)


def stages_by_change(versions: pd.DataFrame) -> pd.DataFrame:
    """For each change code (S excluded), the share of its versions whose changed cells include each stage."""
    changes = versions[(versions["status"] == "ok") & versions["change_type"].notna() & (versions["change_type"] != "S")]
    rows = []
    for code, name in code_names().items():
        if code == "S":
            continue
        g = changes[changes["change_type"] == code]
        touched = g["stages_touched"].fillna("").str.split(";")
        row: dict[str, object] = {"code": code, "name": name, "n": len(g)}
        for stage in STAGE_ORDER:
            hit = int(touched.apply(lambda ss, s=stage: s in ss).sum())
            row[stage] = hit / len(g) if len(g) else np.nan
        rows.append(row)
    row = {"code": "all", "name": "every change", "n": len(changes)}
    touched = changes["stages_touched"].fillna("").str.split(";")
    for stage in STAGE_ORDER:
        row[stage] = touched.apply(lambda ss, s=stage: s in ss).mean() if len(changes) else np.nan
    rows.append(row)
    return pd.DataFrame(rows)


def openml_codes(path) -> pd.Series:
    """The `change_type` column of an OpenML runs table in the published schema."""
    df = pd.read_csv(path, dtype={"change_type": "string"}, keep_default_na=False, na_values=[""])
    if "change_type" not in df.columns:
        raise InputError(f"{path}: no change_type column (expected the published 14-column OpenML schema)")
    return df["change_type"]


def label_agreement(labels: pd.DataFrame, versions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement of the classifier with hand-coded change types, per sample, and the held-out confusion.

    Returns (per-sample table: n, agreeing, share with a Wilson 95% interval; confusion
    counts of hand code x classifier code on the `heldout` sample, codes in precedence order).
    """
    from mliter.report.stats import wilson

    merged = labels.merge(versions[["version_id", "change_type"]], on="version_id", how="left")
    missing = merged[merged["change_type"].isna()]["version_id"].tolist()
    if missing:
        raise InputError(f"hand-coded versions without a classified row in traces/versions.csv: {missing[:3]}")
    rows = []
    for sample, g in sorted(merged.groupby("sample"), key=lambda kv: (kv[0] == "heldout", kv[0])):
        agree = int((g["code"] == g["change_type"]).sum())
        low, high = wilson(agree, len(g))
        rows.append({"sample": sample, "n": len(g), "agreeing": agree, "share": agree / len(g),
                     "ci_low": low, "ci_high": high})
    held = merged[merged["sample"] == "heldout"]
    codes = [c for c in code_names() if c in set(held["code"]) | set(held["change_type"])]
    confusion = pd.crosstab(pd.Categorical(held["code"], codes), pd.Categorical(held["change_type"], codes),
                            dropna=False)
    confusion.index.name, confusion.columns.name = "hand", "classifier"
    confusion = confusion.reset_index()
    confusion.columns = [str(c) for c in confusion.columns]
    return pd.DataFrame(rows), confusion
