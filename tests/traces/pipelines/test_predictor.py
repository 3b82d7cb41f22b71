"""Push predictor and pruning simulation: learns a real signal, keeps folds apart, honest intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mliter.traces.pipelines.mine import mine_store
from mliter.traces.pipelines.predictor import cross_validated, roc, saving_curve
from mliter.traces.pipelines.synthetic import write_store
from mliter.traces.pipelines.write import frames


def _graphlets(tmp_path, n_pipelines=30, n_graphlets=12):
    store = write_store(tmp_path / "s.sqlite", n_pipelines, n_graphlets, seed=3)
    return store, frames([mine_store(str(store.path), "synthetic")])["pipeline_graphlets"][1]


def test_predictor_learns_the_synthetic_signal(tmp_path):
    store, g = _graphlets(tmp_path)
    assert len(g) == store.n_graphlets and int(g["pushed"].sum()) == store.n_pushed
    scored = cross_validated(g)
    # folds hold whole pipelines
    assert scored.groupby(["store", "pipeline"])["fold"].nunique().max() == 1
    points, auc = roc(scored)
    assert auc > 0.75  # pushing depends on whether the data changed, by construction
    curve = saving_curve(scored, n_boot=100)
    assert curve.iloc[0]["skipped_share"] == 0 and curve.iloc[0]["false_skip_rate"] == 0
    assert curve.iloc[-1]["skipped_share"] == 1 and curve.iloc[-1]["false_skip_rate"] == 1
    assert (np.diff(curve["saved_share"]) >= -1e-12).all()
    inside = curve.dropna(subset=["saved_share_low"])
    assert ((inside["saved_share_low"] <= inside["saved_share"] + 1e-9)
            & (inside["saved_share"] <= inside["saved_share_high"] + 1e-9)).all()
    # a useful threshold saves some waste while losing fewer pushed models than it stops graphlets
    mid = curve[(curve["skipped_share"] > 0.2) & (curve["skipped_share"] < 0.6)]
    assert (mid["false_skip_rate"] < mid["skipped_share"]).any()


def test_no_signal_no_skill(tmp_path):
    _, g = _graphlets(tmp_path, 20, 10)
    rng = np.random.default_rng(0)
    g = g.assign(pushed=pd.array(rng.random(len(g)) < 0.4, dtype="boolean"))
    _, auc = roc(cross_validated(g))
    assert 0.3 < auc < 0.7


def test_one_class_gives_base_rate(tmp_path):
    _, g = _graphlets(tmp_path, 6, 4)
    g = g.assign(pushed=pd.array([False] * len(g), dtype="boolean"))
    scored = cross_validated(g)
    assert (scored["p_push"] == 0).all()
    assert np.isnan(roc(scored)[1])
