"""The learned stage coder inside the miner: both producers' columns, the declared primary, the coefficient
table's checks, and mining that stays the same bytes under other hash seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import mliter.traces.notebooks.mine as mine
from mliter.paths import ROOT
from mliter.traces.notebooks.learned import (
    CLASSES, CoderError, StageCoder, api_tokens, default_coder, notebook_features, read_producer,
)
from mliter.traces.notebooks.stages import StageRules

CELLS = ["import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier",
         "df = pd.read_csv('train.csv')", "df.head()", "X = df.drop(columns=['y'])\ny = df['y']",
         "clf = RandomForestClassifier(n_estimators=10)\nclf.fit(X, y)", "print(clf.score(X, y))", ""]
NB = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "python"}},
                 "cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
                           for s in CELLS]}).encode()


@pytest.fixture(scope="module")
def rules():
    return StageRules.from_csv()


def test_cells_carry_both_producers_and_the_declared_one_is_primary(rules):
    primary = read_producer(ROOT / "coding" / "stage_producer.yaml")  # learned from round 5 (its pre-registered rule)
    m = mine.mine_bytes("nb", NB, rules)
    assert default_coder() is not None
    assert all(c["stage"] == c[f"stage_{primary}"] for c in m.cells)
    assert all(c["stage_learned"] in CLASSES for c in m.cells)
    assert m.cells[-1]["stage_learned"] == "other"  # an empty cell has nothing to code
    assert m.features is None  # features are kept only when asked for


def test_the_declared_learned_producer_gives_the_primary_stage(rules, monkeypatch):
    coder = StageCoder(["rule:LI"], [[0, 0, 0, 0, 0, 0, 5.0]], [0.0] * len(CLASSES))  # LI cells -> PPR
    monkeypatch.setattr(mine, "default_producer", lambda: "learned")
    m = mine.mine_bytes("nb", NB, rules, coder=coder)
    li = [c for c in m.cells if c["stage_rules"] == "LI"]
    assert li and all(c["stage"] == c["stage_learned"] == "PPR" for c in li)
    assert all(c["stage"] == c["stage_learned"] for c in m.cells)
    counts = {r["stage"]: r["n_cells"] for r in m.stages}
    assert counts["PPR"] >= len(li)  # the per-notebook summary counts the primary stage


def test_features_are_the_same_for_training_and_mining(rules):
    m = mine.mine_bytes("nb", NB, rules, keep_features=True)
    assert m.features is not None and len(m.features) == len(CELLS)
    assert all(list(f) == sorted(f) for f in m.features)
    coder = default_coder()
    assert coder is not None
    assert coder.predict(m.features)[:-1] == [c["stage_learned"] for c in m.cells][:-1]


def test_a_bad_coefficient_table_names_the_file_and_row(tmp_path):
    bad = tmp_path / "coder.csv"
    bad.write_text("feature,a,b\n", encoding="utf-8")
    with pytest.raises(CoderError, match="coder.csv: header must be"):
        StageCoder.from_csv(bad)
    bad.write_text("feature," + ",".join(CLASSES) + "\n(intercept)," + ",".join(["0"] * 7) + "\nx,1,2\n")
    with pytest.raises(CoderError, match=r"coder.csv, row 3: expected 8 fields"):
        StageCoder.from_csv(bad)
    bad.write_text("feature," + ",".join(CLASSES) + "\nx," + ",".join(["0"] * 6) + ",zero\n")
    with pytest.raises(CoderError, match=r"row 2: a coefficient is not a number"):
        StageCoder.from_csv(bad)


def test_a_bad_producer_declaration_is_an_error(tmp_path):
    p = tmp_path / "producer.yaml"
    p.write_text("primary: model\n", encoding="utf-8")
    with pytest.raises(CoderError, match="producer.yaml: `primary` must be one of"):
        read_producer(p)
    assert read_producer(tmp_path / "missing.yaml") == "rules"


def test_notebook_features_hold_links_and_lineage(rules):
    m = mine.mine_bytes("nb", NB, rules, keep_features=True, coder=None)
    feats = m.features
    assert feats is not None
    assert "lineage:load" in feats[3] and "nb:model" in feats[0]  # X, y descend from the read frame
    assert "defines_read_later" in feats[1] and any(f.startswith("fwd:") for f in feats[1])
    assert "first" in feats[0] and "last" in feats[-1]
    assert all(c["stage_learned"] == "" for c in m.cells)  # no coder: no learned stage


def test_mining_with_the_coder_is_the_same_bytes_under_other_hash_seeds(tmp_path):
    nb = tmp_path / "nb.ipynb"
    nb.write_bytes(NB)
    code = ("import json, sys; from pathlib import Path; from mliter.traces.notebooks.mine import mine_bytes; "
            "from mliter.traces.notebooks.stages import StageRules; "
            "m = mine_bytes('nb', Path(sys.argv[1]).read_bytes(), StageRules.from_csv(), keep_features=True); "
            "print(json.dumps([m.cells, m.features]))")
    outs = {subprocess.run([sys.executable, "-c", code, str(nb)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "7")}
    assert len(outs) == 1


def test_features_need_no_code_text(rules):
    m = mine.mine_bytes("nb", NB, rules, keep_features=True, coder=None)
    assert m.features is not None
    names = {"df", "X", "y", "clf", "train.csv", "n_estimators"}  # variables, literals, keywords: never
    api = {"pandas", "RandomForestClassifier"}  # API names: only as open tokens
    for feats in m.features:
        for f in feats:
            parts = set(f.replace("&", ":").split(":"))
            assert not names & parts, f
            assert f.startswith("api:") or not api & parts, f
    assert notebook_features([], [], rules) == []


@pytest.mark.parametrize("feature, tokens", [
    ("call:sklearn.linear_model.LogisticRegression", ("api:fn:LogisticRegression", "api:lib:sklearn")),
    ("call:print", ("api:fn:print",)),
    ("method:fit@var:model", ("api:meth:fit",)),
    ("method:to_csv", ("api:meth:to_csv",)),
    ("attr:shape", ("api:attr:shape",)),
    ("import:matplotlib.pyplot", ("api:imp:matplotlib",)),
    ("base:torch.nn.Module", ("api:base:Module",)),
    ("var:df", ()), ("local:load_data", ()), ("syntax:assign", ()), ("magic:%matplotlib", ()),
    ("call:weird.name-with-dash", ()), ("method:", ()),
])
def test_api_tokens_are_names_only(feature, tokens):
    assert api_tokens(feature) == tokens


#: A notebook whose work runs through a library no table catalogues (the shape of round 4's worst repository).
UNCATALOGUED = ["import hyperhunt as hh\nfrom hyperhunt import Environment, CVExperiment",
                "env = Environment(train_dataset=frame, metrics=['roc_auc_score'])",
                "exp = CVExperiment(model_initializer=hh.Booster, model_init_params=dict(depth=3))\nexp.fit(frame)",
                "best = exp.predict(frame)\nbest.to_csv('out.csv')",
                "frame.head()"]


def test_a_library_nobody_catalogued_still_shows_what_its_cells_do(rules):
    nb = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "python"}},
                     "cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [],
                                "execution_count": None} for s in UNCATALOGUED]}).encode()
    m = mine.mine_bytes("nb", nb, rules, keep_features=True, coder=None)
    feats = [set(f) for f in m.features]
    assert {"api:imp:hyperhunt", "prev:none", "first"} <= feats[0]
    assert {"api:fn:CVExperiment", "api:lib:hyperhunt", "api:meth:fit", "api:tail:meth:fit"} <= feats[2]
    assert {"api:meth:predict", "api:meth:to_csv", "api:tail:meth:to_csv"} <= feats[3]
    assert "api:tail:meth:predict" not in feats[3]  # only the last statement's tokens are tail tokens
    assert {"api:meth:head", "next:none", "last"} <= feats[4]
    stages = [c["stage_rules"] for c in m.cells]
    assert "prev:" + stages[1] in feats[2] and "next:" + stages[3] in feats[2]
    # a token the shipped table lacks weighs nothing: adding unknown tokens changes no prediction
    coder = default_coder()
    assert coder is not None
    plain = coder.predict(m.features)
    assert coder.predict([(*f, "api:fn:never_seen_anywhere") for f in m.features]) == plain


def test_sparse_integer_scores_give_numpys_classes_and_its_ties():
    """`predict` (seven typed sums over the non-zero rows) gives what numpy's summed rows and `argmax` give:
    on the shipped table's features in random sets, with names the table lacks, and on made-up tables whose
    weights tie (the first class in `CLASSES` order wins in both)."""
    import random

    rng = random.Random(7)
    coder = default_coder()
    assert coder is not None
    names = list(coder.features) + ["not:in:the:table", "rule:other", ""]
    cells = [set(rng.sample(names, rng.randint(0, 40))) for _ in range(3000)] + [set(), set(names)]
    assert coder.predict(cells) == coder.predict_numpy(cells)
    assert coder.predict([]) == coder.predict_numpy([]) == []
    for _ in range(200):  # small integer weights: many ties, and rows of zeros (left out of the sparse table)
        feats = ["f%d" % i for i in range(6)]
        w = [[rng.choice([0, 0, 1, -1, 2]) / 10 ** 6 for _ in CLASSES] for _ in feats]
        tied = StageCoder(feats, w, [rng.choice([0, 1]) / 10 ** 6 for _ in CLASSES])
        some = [set(rng.sample(feats + ["x"], rng.randint(0, 7))) for _ in range(20)]
        assert tied.predict(some) == tied.predict_numpy(some)
