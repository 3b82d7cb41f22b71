"""The analyses of the OpenML study (Lee, Xin, Lee and Parameswaran, HILDA 2020) on its published schema.

The study grouped OpenML runs into sequences (one uploader on one task, in upload order), found that users
iterate manually, automatically or in a mix of both, and compared the three on wasted iterations, the options
explored and the performance reached. This module operationalises each of those on the 14 published columns
(`PUBLISHED_COLUMNS`), so it runs on `traces/openml_runs.csv` and on the study's own 475,297-run table alike;
`docs/openml.md` states each definition and where it departs from the paper.

* **pace of an iteration** (iter >= 2): `time_delta_in_mins` (else computed from `start_time`) below
  `automated_minutes` (default 1) is machine pace, at or above it human pace; unknown stays unknown.
* **mode of a sequence**: `automated` when every known gap is machine pace, `manual` when every one is human
  pace, `mixed` when both occur; `single` for a one-run sequence, `unknown` when no gap is known.
* **wasted iteration**: an iteration (iter >= 2) with an AUC that does not improve on the best AUC of the earlier
  runs of its sequence (ties waste); assessable only when the run and some earlier run have an AUC.
* **options explored**: distinct values of `model`, `ppr`, `model_params` and `ppr_params` in the sequence, each
  value read as a set, so the same set written in another order (the published file prints Python sets) is one.
* **AUC reached**: the best `auc` of the sequence, and the best `dist_from_mean_auc` (comparable across tasks).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mliter.errors import InputError
from mliter.report.stats import bootstrap_ci, wilson
from mliter.traces.openml.sequences import PUBLISHED_COLUMNS
MODES = ("manual", "automated", "mixed")
OPTION_COLUMNS = ("model", "ppr", "model_params", "ppr_params")


@dataclass(frozen=True)
class StudyParameters:
    """The one threshold of the mode classification (minutes between consecutive runs of a sequence)."""

    automated_minutes: float = 1.0


def canonical(value: object) -> str:
    """One spelling per set: JSON objects and Python set/dict/tuple literals sorted, ';'-lists sorted.

    `{'b', 'a'}`, `{'a', 'b'}` and `a;b` are the same set of operators; `set()` and empty are the empty set.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip()
    if text in ("", "set()", "{}", "[]"):
        return ""
    parsed: object
    try:
        parsed = json.loads(text)
    except ValueError:
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return ";".join(sorted(p.strip() for p in text.split(";") if p.strip()))
    return _canonical_obj(parsed)


def _canonical_obj(obj: object) -> str:
    if isinstance(obj, dict):
        return json.dumps({str(k): _canonical_obj(v) if isinstance(v, (dict, set, frozenset, list, tuple)) else v
                           for k, v in obj.items()}, sort_keys=True, default=str)
    if isinstance(obj, (set, frozenset)):
        return json.dumps(sorted(_canonical_obj(v) if not isinstance(v, str) else v for v in obj))
    if isinstance(obj, (list, tuple)):
        return json.dumps([_canonical_obj(v) if not isinstance(v, (str, int, float, bool)) else v for v in obj],
                          default=str)
    return str(obj)


def check_columns(columns: list[str], where: str) -> None:
    """The published schema exactly (any order): a clear error naming what is missing and what is extra."""
    missing = [c for c in PUBLISHED_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in PUBLISHED_COLUMNS]
    if missing or extra or len(columns) != len(set(columns)):
        raise InputError(
            f"{where}: not the OpenML study's 14-column schema ({', '.join(PUBLISHED_COLUMNS)}); "
            f"missing {missing or 'none'}, unexpected {extra or 'none'}"
            + ("" if len(columns) == len(set(columns)) else ", and a column name repeats"))


def sequences(runs: pd.DataFrame, params: StudyParameters = StudyParameters()) -> pd.DataFrame:
    """One row per (user_id, task_id) sequence: mode, iterations, wasted iterations, options, AUC reached.

    Vectorised over all sequences at once (grouped cumulative maxima and shifts), so the study's 475,297 runs
    take seconds, not a loop per sequence.
    """
    check_columns(list(runs.columns), "runs")
    df = runs.copy()
    df["iter"] = pd.to_numeric(df["iter"], errors="raise")
    df = df.sort_values(["user_id", "task_id", "iter", "rid"], kind="mergesort").reset_index(drop=True)
    keys = ["user_id", "task_id"]
    grouped = df.groupby(keys, sort=True)
    first = grouped.cumcount() == 0
    gap = pd.to_numeric(df["time_delta_in_mins"], errors="coerce")
    start = pd.to_datetime(df["start_time"], errors="coerce", utc=True, format="mixed")
    computed = start.groupby([df[k] for k in keys]).diff().dt.total_seconds() / 60.0
    gap = gap.fillna(computed).mask(first)
    auc = pd.to_numeric(df["auc"], errors="coerce")
    best_so_far = auc.fillna(-np.inf).groupby([df[k] for k in keys]).cummax()
    prior = best_so_far.groupby([df[k] for k in keys]).shift(1)
    assessable = auc.notna() & prior.notna() & np.isfinite(prior)
    work = pd.DataFrame({
        "user_id": df["user_id"], "task_id": df["task_id"],
        "machine": (gap < params.automated_minutes), "human": (gap >= params.automated_minutes), "gap": gap,
        "assessable": assessable, "wasted": assessable & (auc <= prior), "auc": auc,
        "dist": pd.to_numeric(df["dist_from_mean_auc"], errors="coerce"),
    })
    for col in OPTION_COLUMNS:
        values = df[col].astype("string").fillna("")
        uniq = pd.unique(values)
        work[col] = values.map(dict(zip(uniq, (canonical(v) for v in uniq), strict=True))).replace("", np.nan)
    agg = work.groupby(keys, sort=True).agg(
        n_iterations=("auc", "size"), n_machine_pace=("machine", "sum"), n_human_pace=("human", "sum"),
        n_assessable=("assessable", "sum"), n_wasted=("wasted", "sum"),
        **{f"n_{c}_options": (c, "nunique") for c in OPTION_COLUMNS},
        best_auc=("auc", "max"), best_dist_from_mean_auc=("dist", "max"), median_gap_mins=("gap", "median"),
    ).reset_index()
    for col in ("n_machine_pace", "n_human_pace", "n_assessable", "n_wasted"):
        agg[col] = agg[col].astype(int)
    known = agg["n_machine_pace"] + agg["n_human_pace"]
    agg["mode"] = np.select(
        [agg["n_iterations"] == 1, known == 0, agg["n_human_pace"] == 0, agg["n_machine_pace"] == 0],
        ["single", "unknown", "automated", "manual"], default="mixed")
    agg["share_wasted"] = (agg["n_wasted"] / agg["n_assessable"]).where(agg["n_assessable"] > 0)
    cols = ["user_id", "task_id", "n_iterations", "mode", "n_machine_pace", "n_human_pace", "n_assessable",
            "n_wasted", "share_wasted", *(f"n_{c}_options" for c in OPTION_COLUMNS), "best_auc",
            "best_dist_from_mean_auc", "median_gap_mins"]
    return agg[cols]


def _mean_ci(values: pd.Series) -> tuple[float, float, float]:
    v = values.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return np.nan, np.nan, np.nan
    if v.size == 1:
        return float(v[0]), np.nan, np.nan
    lo, hi = bootstrap_ci(v)
    return float(v.mean()), lo, hi


def compare_modes(seqs: pd.DataFrame) -> pd.DataFrame:
    """Per mode (and all sequences with a mode): the study's comparisons, each with its n and 95% interval.

    Wasted iterations are pooled over the mode's assessable iterations (Wilson interval); options and AUC are
    means over the mode's sequences (percentile bootstrap, fixed seed).
    """
    rows = []
    for mode in (*MODES, "single", "unknown"):
        s = seqs[seqs["mode"] == mode]
        k, n = int(s["n_wasted"].sum()), int(s["n_assessable"].sum())
        lo, hi = wilson(k, n)
        row = {"mode": mode, "n_sequences": len(s), "n_runs": int(s["n_iterations"].sum()),
               "n_assessable": n, "n_wasted": k, "share_wasted": k / n if n else np.nan,
               "wasted_ci_low": lo, "wasted_ci_high": hi}
        for name, col in (("model_options", "n_model_options"), ("hyperparameter_options", "n_model_params_options"),
                          ("ppr_options", "n_ppr_options"), ("ppr_hyperparameter_options", "n_ppr_params_options"),
                          ("best_auc", "best_auc"), ("best_dist", "best_dist_from_mean_auc")):
            m, mlo, mhi = _mean_ci(s[col])
            row |= {f"mean_{name}": m, f"{name}_ci_low": mlo, f"{name}_ci_high": mhi}
        rows.append(row)
    return pd.DataFrame(rows)


def mode_tests(seqs: pd.DataFrame) -> dict[str, float]:
    """Kruskal-Wallis p-values across manual, automated and mixed (nan when fewer than two modes have data)."""
    out = {}
    for col in ("share_wasted", "n_ppr_options", "n_model_params_options", "best_dist_from_mean_auc"):
        groups = [seqs.loc[seqs["mode"] == m, col].dropna().to_numpy(dtype=float) for m in MODES]
        groups = [g for g in groups if g.size]
        ok = len(groups) >= 2 and len(np.unique(np.concatenate(groups))) > 1
        out[col] = float(stats.kruskal(*groups).pvalue) if ok else float("nan")
    return out
