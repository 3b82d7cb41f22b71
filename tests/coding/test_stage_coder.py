"""The learned stage coder's training chain on a tiny labelled set of its own: determinism, inference equal to
scikit-learn's, leave-one-repository-out without leaks, the pre-registered choice, clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import mliter.coding.stage_coder as sc
from mliter.errors import InputError
from mliter.traces.notebooks.learned import CLASSES, StageCoder, read_producer

#: Cells of a tiny notebook: (source, stage a coder would give).
CELLS = [
    ("import pandas as pd\nfrom sklearn.linear_model import LogisticRegression", "setup"),
    ("df = pd.read_csv('train.csv')", "load"),
    ("df.describe()", "EDA"),
    ("df = df.dropna()\nX = df.drop(columns=['y'])\ny = df['y']", "DPR"),
    ("model = LogisticRegression()\nmodel.fit(X, y)", "LI"),
    ("pred = model.predict(X)\nprint((pred == y).mean())", "PPR"),
    ("import matplotlib.pyplot as plt\nplt.hist(df['y'])", "EDA"),
]


def _notebook(cells: list[str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "python"}},
                       "cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [],
                                  "execution_count": None} for s in cells]})


def _write(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def make_set(tmp: Path, n_repos: int = 4) -> Path:
    """A labelled round 1: `n_repos` repositories of two notebooks each (cells rotated per notebook)."""
    sample, cons = [], []
    k = 0
    for r in range(n_repos):
        for nb in range(2):
            order = CELLS[(r + nb) % 3:] + CELLS[:(r + nb) % 3]
            local = f"owner{r}__repo/nb{nb}.ipynb"
            f = tmp / "data" / "notebooks_eval" / local
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(_notebook([s for s, _ in order]), encoding="utf-8")
            for i, (_, stage) in enumerate(order):
                k += 1
                cid = f"c{k:04d}"
                sample.append({"cell_id": cid, "source": "notebooks_eval", "local_path": local, "code_cell": str(i),
                               "repo": f"owner{r}/repo", "group": "abc"[r % 3], "half": "tuning"})
                cons.append({"cell_id": cid, "stage": stage, "stages": stage, "union": stage, "how": "agree"})
    root = tmp / "root"
    _write(sample, root / "coding/labels/sample_cells.csv")
    _write(cons, root / "coding/labels/consensus_cells.csv")
    return root


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("coder")
    root = make_set(tmp)
    return root, tmp / "data", sc.labelled_cells(root, tmp / "data", rounds=(1,))


def test_features_come_from_the_miner_and_hold_no_code(labelled):
    _, _, cells = labelled
    assert len(cells) == 4 * 2 * len(CELLS)
    feats = {f for c in cells for f in c.features}
    assert "rule:LI" in feats and any(f.startswith("role:fit") for f in feats)
    names = {"df", "X", "y", "pred", "model", "train.csv", "pandas", "sklearn", "LogisticRegression"}
    assert not any(part in names for f in feats for part in f.replace("&", ":").split(":")[1:-1] + [f.split(":")[-1]]
                   if f != "nb:model")
    assert all(list(c.features) == sorted(set(c.features)) for c in cells)


def test_training_is_deterministic_to_the_byte(labelled):
    _, _, cells = labelled
    one = sc.train(cells, grid=(0.3, 1.0), inner_folds=2)
    two = sc.train(list(reversed(cells)), grid=(0.3, 1.0), inner_folds=2)
    assert one.table == two.table
    assert one.predictions.to_csv(index=False) == two.predictions.to_csv(index=False)
    assert one.table.splitlines()[0] == "feature," + ",".join(CLASSES)


def test_inference_is_the_dot_product_scikit_learn_predicts(labelled):
    _, _, cells = labelled
    x, vocab = sc.design(cells)
    y = sc._target(cells)
    model = sc.fit(x, y, 1.0)
    table = sc.train(cells, grid=(1.0,), inner_folds=2).table
    rows = list(csv.reader(table.splitlines()))
    coder = StageCoder([r[0] for r in rows[2:]], [[float(v) for v in r[1:]] for r in rows[2:]],
                       [float(v) for v in rows[1][1:]])
    # scikit-learn with the stored (rounded) coefficients predicts what the plain dot product does
    coef, icpt = sc.full_coef(model)
    stored = {r[0]: [float(v) for v in r[1:]] for r in rows[2:]}
    model.coef_ = np.array([[stored.get(f, [0.0] * len(CLASSES))[k] for f in vocab] for k in model.classes_])
    model.intercept_ = np.array([float(rows[1][1 + k]) for k in model.classes_])
    ours = coder.predict([c.features for c in cells])
    assert ours == [CLASSES[k] for k in model.predict(x)]
    assert len(set(ours)) > 3  # the fixture is not trivially one class


def test_ties_go_to_the_first_class_in_order():
    coder = StageCoder(["f"], [[1.0, 0, 0, 0, 0, 0, 1.0]], [0.0] * len(CLASSES))
    assert coder.predict([("f",), ()]) == ["other", "other"]
    coder = StageCoder(["f"], [[0, 0, 0, 0, 2.0, 2.0, 0]], [0.0] * len(CLASSES))
    assert coder.predict([("f", "unknown")]) == ["DPR"]


def test_leave_one_repository_out_never_trains_on_the_left_out_repository(labelled, monkeypatch):
    _, _, cells = labelled
    # a marker feature per repository lets the spy see which repositories a design matrix holds
    marked = [sc.LabelledCell(c.cell_id, c.round, c.repo, c.kind, c.stage, c.rules,
                              tuple(sorted((*c.features, "zz:" + c.repo)))) for c in cells]
    _, vocab = sc.design(marked)
    cols = {v: j for j, v in enumerate(vocab) if v.startswith("zz:")}
    repos_of = lambda x: {r for r, j in cols.items() if x[:, j].any()}  # noqa: E731
    seen = {"train": None, "checked": 0}
    real_fit, real_predict = sc.fit, sc._predict

    def fit(x, y, c):
        seen["train"] = repos_of(x)
        return real_fit(x, y, c)

    def predict(model, x):
        assert seen["train"] and not (repos_of(x) & seen["train"]), "a repository was trained on and scored"
        seen["checked"] += 1
        return real_predict(model, x)

    monkeypatch.setattr(sc, "fit", fit)
    monkeypatch.setattr(sc, "_predict", predict)
    res = sc.loro(marked, grid=(0.3, 1.0), inner_folds=2)
    assert seen["checked"] == 4 * (2 * 2 + 2)  # outer repositories x (inner folds x grid + grid)
    assert (res.nested >= 0).all() and set(res.chosen) == {c.repo for c in cells}


def test_the_choice_follows_the_rule_in_both_directions():
    assert sc.choose(0.80, 0.79) == "learned"
    assert sc.choose(0.79, 0.80) == "rules"
    assert sc.choose(0.80, 0.80) == "rules"  # not higher: the rules stay


def test_the_producer_declaration_changes_its_primary_only_when_applied(labelled, tmp_path):
    root, data, _ = labelled
    (root / "coding").mkdir(exist_ok=True)
    (root / "coding" / "stage_producer.yaml").write_text("primary: rules\n", encoding="utf-8")
    written = {}
    trained = sc.run(root, data, {}, progress=False, write=lambda p, t: written.__setitem__(p, t), rounds=(1,),
                     grid=(1.0,), inner_folds=2)
    out = tmp_path / "p.yaml"
    out.write_text(written[root / "coding" / "stage_producer.yaml"], encoding="utf-8")
    assert read_producer(out) == "rules"
    text = sc.producer_text(trained.evidence, "learned", "learned")
    out.write_text(text, encoding="utf-8")
    assert read_producer(out) == "learned"
    assert trained.choice == sc.choose(trained.evidence["learned_loro"]["accuracy"],
                                       trained.evidence["rules_in_sample"]["accuracy"])
    assert set(written) == {root / "coding" / "stage_coder.csv", root / sc.PREDICTIONS,
                            root / "coding" / "stage_producer.yaml"}


def test_an_unknown_stage_label_names_the_file_and_row(tmp_path):
    root = make_set(tmp_path, 3)
    path = root / "coding/labels/consensus_cells.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[1], "training", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"consensus_cells\.csv, row 4: stage 'training'"):
        sc.labelled_cells(root, tmp_path / "data", rounds=(1,))


def test_a_missing_notebook_names_the_file_and_the_sample_row(tmp_path):
    root = make_set(tmp_path, 3)
    (tmp_path / "data/notebooks_eval/owner1__repo/nb0.ipynb").unlink()
    with pytest.raises(InputError, match=r"owner1__repo/nb0\.ipynb: notebook not found \(needed by .*sample_cells\.csv, row \d+"):
        sc.labelled_cells(root, tmp_path / "data", rounds=(1,))


def test_a_code_cell_past_the_end_names_the_row(tmp_path):
    root = make_set(tmp_path, 3)
    path = root / "coding/labels/sample_cells.csv"
    lines = path.read_text().splitlines()
    parts = lines[1].split(",")
    parts[3] = "99"
    lines[1] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"sample_cells\.csv, row 2: .* has no code cell 99"):
        sc.labelled_cells(root, tmp_path / "data", rounds=(1,))
