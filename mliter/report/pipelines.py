"""Summaries of the mined provenance tables shared by the pipeline analysis scripts (pure functions)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mliter.report.stats import bootstrap_ci, wilson

#: The SIGMOD 2021 study's headline numbers, from its abstract (Xin, Miao, Parameswaran, Polyzotis,
#: doi:10.1145/3448016.3457566, arXiv:2103.16007), set beside ours in figures/pipeline_paper.*.
PAPER = {
    "pipelines": "about 3,000 (TFX, one company)",
    "models_trained": "over 450,000",
    "period": "over four months",
    "pruning_saving": "wasted computation cut by about 50% without slowing deployment",
}


def stores_summary(stores: pd.DataFrame, graphlets: pd.DataFrame) -> pd.DataFrame:
    """Per store: kind, pipelines, graphlets, pushed share with a Wilson interval."""
    rows = []
    for _, s in stores.sort_values("store").iterrows():
        g = graphlets[graphlets["store"] == s["store"]]
        n, k = len(g), int(g["pushed"].astype(bool).sum())
        lo, hi = wilson(k, n)
        rows.append({"store": s["store"], "kind": s["kind"], "status": s["status"],
                     "n_pipelines": s["n_pipelines"], "n_graphlets": n, "n_pushed": k,
                     "pushed_share": k / n if n else np.nan, "pushed_ci_low": lo, "pushed_ci_high": hi})
    return pd.DataFrame(rows)


def graphlets_per_pipeline(pipelines: pd.DataFrame) -> pd.DataFrame:
    """Distribution of graphlets per pipeline, per store kind: n pipelines, mean (bootstrap CI), median, max."""
    rows = []
    for kind, p in pipelines.groupby("kind", sort=True):
        v = p["n_graphlets"].astype(float).to_numpy()
        lo, hi = bootstrap_ci(v)
        rows.append({"kind": kind, "n_pipelines": len(v), "n_with_graphlets": int((v > 0).sum()),
                     "mean_graphlets": float(v.mean()), "ci_low": lo, "ci_high": hi,
                     "median_graphlets": float(np.median(v)), "max_graphlets": int(v.max())})
    return pd.DataFrame(rows)


def waste_by_component(executions: pd.DataFrame, graphlets: pd.DataFrame) -> pd.DataFrame:
    """Executions and recorded compute per component, split by the graphlet's outcome (pushed, not, none)."""
    key = ["store", "pipeline", "graphlet_index"]
    g = graphlets[key + ["pushed"]].copy()
    e = executions.merge(g, how="left", left_on=key, right_on=key)
    outcome = np.where(e["graphlet_index"].isna(), "outside", np.where(e["pushed"].fillna(False).astype(bool),
                                                                       "pushed", "not_pushed"))
    e = e.assign(outcome=outcome, duration_s=e["duration_s"].astype(float))
    rows = []
    for comp, c in e.groupby("component", sort=True):
        row = {"component": comp, "n_executions": len(c)}
        for o in ("pushed", "not_pushed", "outside"):
            sel = c[c["outcome"] == o]
            row[f"n_{o}"] = len(sel)
            row[f"compute_{o}_s"] = float(sel["duration_s"].sum())
        timed = row["compute_pushed_s"] + row["compute_not_pushed_s"]
        row["wasted_share"] = row["compute_not_pushed_s"] / timed if timed > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


CHANGE_PARTS = ("data", "code", "hparams", "schema")


def changes_summary(graphlets: pd.DataFrame) -> pd.DataFrame:
    """Per compared part: graphlets compared, changed, and the pushed share when it changed and when not."""
    rows = []
    for part in CHANGE_PARTS:
        col = graphlets[f"{part}_changed"].astype("boolean")
        known = graphlets[col.notna()]
        ch = known[col[col.notna()].astype(bool)]
        same = known[~col[col.notna()].astype(bool)]
        lo, hi = wilson(len(ch), len(known))
        rows.append({"part": part, "n_compared": len(known), "n_changed": len(ch),
                     "changed_share": len(ch) / len(known) if len(known) else np.nan, "ci_low": lo, "ci_high": hi,
                     "pushed_share_if_changed": ch["pushed"].astype(bool).mean() if len(ch) else np.nan,
                     "pushed_share_if_same": same["pushed"].astype(bool).mean() if len(same) else np.nan})
    return pd.DataFrame(rows)


def change_types(graphlets: pd.DataFrame) -> pd.DataFrame:
    counts = graphlets.groupby("change_type", sort=True).agg(n=("pushed", "size"),
                                                             n_pushed=("pushed", lambda s: int(s.astype(bool).sum())))
    return counts.reset_index()


def with_kind(df: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    return df.merge(stores[["store", "kind"]], on="store", how="left")
