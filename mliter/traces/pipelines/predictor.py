"""Predict, before training, whether a graphlet will push a model, and what pruning would save.

Features use only what is known when a training is about to start: whether this is the
pipeline's first graphlet, whether the previous one pushed, what changed since it (data,
code, hyperparameters, schema), how many graphlets the pipeline ran before, and whether an
upstream execution failed. The model is a statsmodels logistic regression with a small
ridge penalty (stable when a class is rare or separable), evaluated out of fold with
cross-validation grouped by pipeline (scikit-learn GroupKFold), so no pipeline is both
trained on and scored. The simulated policy stops a graphlet predicted not to push right
after data validation: saved compute is the compute of its executions after validation;
the false-skip rate is the share of pushing graphlets that would have been stopped.
Intervals are percentile bootstraps over pipelines (a pipeline's graphlets move together).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = ("is_first", "previous_pushed", "data_changed", "code_changed", "hparams_changed", "schema_changed",
            "log_prior_graphlets", "incomplete_upstream")
SEED = 20210620


def features(graphlets: pd.DataFrame) -> pd.DataFrame:
    """The design matrix (float, one row per graphlet, same index), unknown changes counted as none."""
    g = graphlets
    out = pd.DataFrame(index=g.index)
    out["is_first"] = (g["graphlet_index"].astype(int) == 1).astype(float)
    out["previous_pushed"] = g["previous_pushed"].astype("boolean").fillna(False).astype(float)
    for part in ("data", "code", "hparams", "schema"):
        out[f"{part}_changed"] = g[f"{part}_changed"].astype("boolean").fillna(False).astype(float)
    out["log_prior_graphlets"] = np.log1p(g["graphlet_index"].astype(int) - 1)
    out["incomplete_upstream"] = (g["n_incomplete_upstream"].fillna(0).astype(int) > 0).astype(float)
    return out


def groups_of(graphlets: pd.DataFrame) -> pd.Series:
    return graphlets["store"].astype(str) + "\x1f" + graphlets["pipeline"].astype(str)


def _fit_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, alpha: float) -> np.ndarray:
    import statsmodels.api as sm

    if y_train.min() == y_train.max():  # one class only: the base rate is all it can say
        return np.full(len(X_test), float(y_train.mean()))
    keep = X_train.std(axis=0) > 0
    Xt = sm.add_constant(X_train[:, keep], has_constant="add")
    Xs = sm.add_constant(X_test[:, keep], has_constant="add")
    model = sm.GLM(y_train, Xt, family=sm.families.Binomial())
    res = model.fit_regularized(alpha=alpha, L1_wt=0.0, maxiter=200)
    return np.asarray(model.predict(res.params, Xs), dtype=float)


def cross_validated(graphlets: pd.DataFrame, n_splits: int = 5, alpha: float = 0.01) -> pd.DataFrame:
    """Out-of-fold push probabilities `p` beside the graphlets (fold = group of whole pipelines)."""
    from sklearn.model_selection import GroupKFold

    g = graphlets.reset_index(drop=True)
    X = features(g).to_numpy()
    y = g["pushed"].astype(bool).to_numpy().astype(float)
    groups = groups_of(g).to_numpy()
    p = np.full(len(g), np.nan)
    fold = np.full(len(g), -1)
    k = min(n_splits, len(set(groups)))
    if k >= 2:
        for i, (tr, te) in enumerate(GroupKFold(n_splits=k).split(X, y, groups)):
            p[te] = _fit_predict(X[tr], y[tr], X[te], alpha)
            fold[te] = i
    out = g.copy()
    out["p_push"] = p
    out["fold"] = fold
    return out


def roc(scored: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """ROC points and AUC of the out-of-fold predictions (nan when only one class is present)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    s = scored.dropna(subset=["p_push"])
    y = s["pushed"].astype(bool).to_numpy()
    if len(s) == 0 or y.all() or not y.any():
        return pd.DataFrame({"fpr": [], "tpr": [], "threshold": []}), float("nan")
    fpr, tpr, thr = roc_curve(y, s["p_push"].to_numpy())
    thr = np.where(np.isinf(thr), 1.0, thr)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": thr}), float(roc_auc_score(y, s["p_push"]))


def _policy(a: dict[str, np.ndarray], t: float, idx: np.ndarray | None = None) -> dict[str, float]:
    if idx is not None:
        a = {k: v[idx] for k, v in a.items()}
    skip = a["p"] < t
    pushed, total, prunable, n_exec, n_prun = a["pushed"], a["total"], a["prunable"], a["n_exec"], a["n_prun"]
    timed = ~np.isnan(total)
    tt, tp = np.where(timed, total, 0.0), np.where(timed, prunable, 0.0)
    waste, waste_n = tt[~pushed].sum(), n_exec[~pushed].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "skipped_share": float(skip.mean()) if skip.size else np.nan,
            "saved_share": float(tp[skip].sum() / tt.sum()) if tt.sum() > 0 else np.nan,
            "saved_of_waste": float(tp[skip & ~pushed].sum() / waste) if waste > 0 else np.nan,
            "saved_share_executions": float(n_prun[skip].sum() / n_exec.sum()) if n_exec.sum() > 0 else np.nan,
            "saved_of_waste_executions": float(n_prun[skip & ~pushed].sum() / waste_n) if waste_n > 0 else np.nan,
            "false_skip_rate": float(skip[pushed].mean()) if pushed.any() else np.nan,
        }


def saving_curve(scored: pd.DataFrame, thresholds=None, n_boot: int = 200, seed: int = SEED) -> pd.DataFrame:
    """Per threshold: share of graphlets skipped, compute saved (of all, and of the waste: seconds over the
    graphlets whose store records durations, and in executions), and the false-skip rate, each with a
    95% bootstrap interval over pipelines."""
    s = scored.dropna(subset=["p_push"])
    arrays = {"p": s["p_push"].to_numpy(dtype=float), "pushed": s["pushed"].astype(bool).to_numpy(),
              "total": s["compute_s"].astype(float).to_numpy(), "prunable": s["compute_prunable_s"].astype(float).to_numpy(),
              "n_exec": s["n_executions"].astype(float).to_numpy(), "n_prun": s["n_prunable"].astype(float).to_numpy()}
    if thresholds is None:  # every distinct prediction (at most 40 quantiles of them), below none and above all
        p = np.unique(arrays["p"])
        if p.size > 40:
            p = np.unique(np.quantile(p, np.linspace(0, 1, 40)))
        thresholds = np.concatenate([[0.0], p + 1e-12, [1.0 + 1e-9]])
    groups = groups_of(s).to_numpy()
    uniq = np.array(sorted(set(groups)))
    index = {gname: np.flatnonzero(groups == gname) for gname in uniq}
    rng = np.random.default_rng(seed)
    draws = [np.concatenate([index[gname] for gname in rng.choice(uniq, size=len(uniq), replace=True)])
             for _ in range(n_boot)] if len(uniq) else []
    rows = []
    for t in thresholds:
        point = _policy(arrays, t)
        boot = [_policy(arrays, t, d) for d in draws]
        row = {"threshold": float(t), "n_graphlets": int(len(s)), "n_timed": int((~np.isnan(arrays["total"])).sum()),
               "n_pushed": int(arrays["pushed"].sum()), "n_pipelines": int(len(uniq))}
        for k, v in point.items():
            vals = np.array([b[k] for b in boot], dtype=float)
            vals = vals[~np.isnan(vals)]
            row[k] = v
            row[f"{k}_low"] = float(np.quantile(vals, 0.025)) if vals.size else np.nan
            row[f"{k}_high"] = float(np.quantile(vals, 0.975)) if vals.size else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
