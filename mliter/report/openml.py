"""Summaries of the OpenML tables for analysis scripts (pure functions, deterministic order).

`auc_change_by_type` answers "how does AUC move after each kind of change" from
`traces/openml_runs.csv`; `family_summary` answers "which model families reach which
score" from `traces/openml_family_evaluations.csv`. Intervals are 95%: percentile bootstrap
for means (`bootstrap_ci`, fixed seed), Wilson for shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mliter.report.stats import bootstrap_ci, wilson
from mliter.traces.changes import default_codebook

OPENML_CODES = tuple(c.code for c in default_codebook().codes if "openml" in c.sources)


def _mean_ci(values: pd.Series) -> tuple[float, float, float]:
    v = values.dropna().astype(float).to_numpy()
    if v.size == 0:
        return np.nan, np.nan, np.nan
    if v.size == 1:
        return float(v[0]), np.nan, np.nan  # one value: no interval
    lo, hi = bootstrap_ci(v)
    return float(v.mean()), lo, hi


def auc_change_by_type(runs: pd.DataFrame) -> pd.DataFrame:
    """Per OpenML change code: runs, runs with a delta_auc, mean delta_auc and mean dist_from_mean_auc with 95% CIs.

    Runs whose change type the records cannot tell (empty) form their own row `unknown`.
    """
    rows = []
    codes = runs["change_type"].fillna("")
    for code in OPENML_CODES + ("",):
        sel = runs[codes == code]
        d_mean, d_lo, d_hi = _mean_ci(sel["delta_auc"])
        m_mean, m_lo, m_hi = _mean_ci(sel["dist_from_mean_auc"])
        rows.append({
            "change_type": code or "unknown", "n_runs": len(sel), "n_with_delta": int(sel["delta_auc"].notna().sum()),
            "mean_delta_auc": d_mean, "delta_ci_low": d_lo, "delta_ci_high": d_hi,
            "n_with_auc": int(sel["auc"].notna().sum()), "mean_dist_from_mean_auc": m_mean,
            "dist_ci_low": m_lo, "dist_ci_high": m_hi,
        })
    return pd.DataFrame(rows)


def family_summary(fam: pd.DataFrame) -> pd.DataFrame:
    """Per study, measure and model family: datasets, median best score, mean gap to the best family, share best.

    `share_best` is the share of the datasets (with any ok score) where the family's best
    flow reaches the best score of all families (ties count for every tied family), with a
    Wilson interval.
    """
    rows = []
    for (study, measure, family), g in fam.groupby(["study_id", "measure", "family"], sort=True):
        scored = g[g["best_score"].notna()]
        n_all = fam[(fam.study_id == study) & (fam.measure == measure) & fam.best_score.notna()]["instance"].nunique()
        n_best = int((scored["gap_to_best"] <= 1e-12).sum())
        lo, hi = wilson(n_best, n_all)
        rows.append({
            "study_id": int(study), "measure": measure, "family": family, "n_instances": len(scored),
            "n_flows_max": int(g["n_flows"].max()), "median_best_score": float(scored["best_score"].median()),
            "mean_gap_to_best": float(scored["gap_to_best"].mean()), "share_best": n_best / n_all if n_all else np.nan,
            "share_best_ci_low": lo, "share_best_ci_high": hi,
        })
    out = pd.DataFrame(rows)
    return out.sort_values(["study_id", "measure", "median_best_score", "family"],
                           ascending=[True, True, False, True], kind="mergesort").reset_index(drop=True)
