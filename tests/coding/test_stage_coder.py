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
    # API names only as open tokens; variable names and literals never
    assert {"api:fn:read_csv", "api:lib:pandas", "api:meth:fit", "api:fn:LogisticRegression"} <= feats
    names = {"df", "X", "y", "pred", "model", "train.csv"}
    api = {"pandas", "sklearn", "LogisticRegression"}
    for f in feats - {"nb:model"}:
        parts = set(f.replace("&", ":").split(":")[1:])
        assert not parts & names, f
        assert f.startswith("api:") or not parts & api, f
    assert all(list(c.features) == sorted(set(c.features)) for c in cells)


def test_training_is_deterministic_to_the_byte(labelled, tmp_path):
    _, _, cells = labelled
    one = sc.train(cells, grid=(0.3, 1.0), inner_folds=2, k_grid=(2, 3))
    two = sc.train(list(reversed(cells)), grid=(0.3, 1.0), inner_folds=2, k_grid=(2, 3), jobs=2,
                   cache_dir=tmp_path / "cache")
    assert one.table == two.table
    assert one.predictions.to_csv(index=False) == two.predictions.to_csv(index=False)
    assert one.evidence == two.evidence
    assert one.table.splitlines()[0] == "feature," + ",".join(CLASSES)
    # resumed: two folds kept, one lost, one damaged -> recomputed, the same bytes
    kept = sorted((tmp_path / "cache").glob("*/*.json"))
    assert len(kept) == 4
    kept[0].unlink()
    kept[1].write_text("{not json", encoding="utf-8")
    three = sc.train(cells, grid=(0.3, 1.0), inner_folds=2, k_grid=(2, 3), cache_dir=tmp_path / "cache")
    assert three.table == one.table and three.evidence == one.evidence
    assert len(list((tmp_path / "cache").glob("*/*.json"))) == 4


def test_a_kept_fold_of_other_cells_is_not_reused(labelled, tmp_path):
    _, _, cells = labelled
    sc.train(cells, grid=(1.0,), inner_folds=2, k_grid=(2,), cache_dir=tmp_path)
    relabelled = [sc.LabelledCell(c.cell_id, c.round, c.repo, c.kind, "other" if i % 5 == 0 else c.stage, c.rules,
                                  c.features) for i, c in enumerate(cells)]
    fresh = sc.train(relabelled, grid=(1.0,), inner_folds=2, k_grid=(2,))
    cached = sc.train(relabelled, grid=(1.0,), inner_folds=2, k_grid=(2,), cache_dir=tmp_path)
    assert cached.evidence == fresh.evidence
    assert len(list(tmp_path.iterdir())) == 2  # one key per set of cells


def _with_tokens(cells, tokens_of_repo):
    return [sc.LabelledCell(c.cell_id, c.round, c.repo, c.kind, c.stage, c.rules,
                            tuple(sorted({*c.features, *tokens_of_repo(c.repo)}))) for c in cells]


def test_the_vocabulary_keeps_an_open_token_only_in_enough_repositories(labelled):
    _, _, cells = labelled
    repos = sorted({c.repo for c in cells})
    # api:fn:everywhere is in all 4 repositories, api:fn:three in 3, api:fn:mine in one; fixed features always stay
    marked = _with_tokens(cells, lambda r: {"api:fn:everywhere", "zz:fixed"} | ({"api:fn:three"} if r != repos[0] else set())
                          | ({"api:fn:mine"} if r == repos[1] else set()))
    assert {"api:fn:everywhere", "api:fn:three", "api:fn:mine", "zz:fixed"} <= set(sc.vocabulary(marked, 1))
    three = set(sc.vocabulary(marked, 3))
    assert {"api:fn:everywhere", "api:fn:three", "zz:fixed"} <= three and "api:fn:mine" not in three
    assert "api:fn:three" not in sc.vocabulary(marked, 4)
    d = sc.design(marked)
    j = d.vocab.index("api:fn:three")
    without = np.ones(len(repos), dtype=bool)
    without[1] = False  # leaving out a repository that has it: 2 training repositories have it, fewer than 3
    assert j not in d.columns(without, 3) and j in d.columns(without, 2)
    # the shipped table holds no token below the chosen threshold
    trained = sc.train(marked, grid=(1.0,), inner_folds=2, k_grid=(3,))
    names = {r.split(",")[0] for r in trained.table.splitlines()[2:]}
    assert "api:fn:mine" not in names and trained.evidence["model"]["vocabulary_min_repositories"] == 3


def test_inference_is_the_dot_product_scikit_learn_predicts(labelled):
    _, _, cells = labelled
    vocab = sc.vocabulary(cells, 2)
    x = sc.design(cells, vocab).x
    y = sc._target(cells)
    model = sc.fit(x, y, 1.0)
    table = sc.train(cells, grid=(1.0,), inner_folds=2, k_grid=(2,)).table
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
    seen = {"checked": 0}
    real = sc._fit_path

    def spy(d, y, train_rows, test_rows, train_repos, grid):
        trained_on, scored = set(d.group[train_rows]), set(d.group[test_rows])
        assert not trained_on & scored, "a repository was trained on and scored"
        vocab_from = set(np.flatnonzero(train_repos))
        assert vocab_from == trained_on, "the vocabulary was counted on repositories not trained on"
        seen["checked"] += 1
        return real(d, y, train_rows, test_rows, train_repos, grid)

    monkeypatch.setattr(sc, "_fit_path", spy)
    res = sc.loro(cells, grid=(0.3, 1.0), inner_folds=2, k_grid=(2, 3))
    assert seen["checked"] == 4 * (2 + 1)  # outer repositories x (inner folds + the outer fit)
    assert (res.nested >= 0).all() and set(res.chosen) == {c.repo for c in cells}
    assert set(res.curve) == {(0.3, 2), (1.0, 2), (0.3, 3), (1.0, 3)}


def test_the_choice_follows_the_round5_rule_in_both_directions():
    assert sc.choose(0.80, 0.79) == "learned"
    assert sc.choose(0.79, 0.80) == "learned"  # below, but by less than 3 points: the learned coder
    assert sc.choose(0.77, 0.80) == "learned"  # exactly 3 points is not more than 3
    assert sc.choose(0.7699, 0.80) == "rules"  # more than 3 points below: the guard keeps the rules
    assert "more than 3 points below" in sc.RULE and "higher than" in sc.RULE_ROUND4


def test_tuning_rounds_come_from_the_declarations_and_refuse_the_held_out_round(monkeypatch, tmp_path):
    from mliter.corpus.rounds import HELD_OUT_ROUND

    assert sc.tuning_rounds() == tuple(r for r in sc.labelled_rounds() if r < HELD_OUT_ROUND)
    assert {1, 2, 3, 4} <= set(sc.tuning_rounds()) and HELD_OUT_ROUND not in sc.tuning_rounds()
    with pytest.raises(InputError, match=f"round {HELD_OUT_ROUND} is held out"):
        sc.labelled_cells(tmp_path, tmp_path, rounds=(1, HELD_OUT_ROUND))
    with pytest.raises(InputError, match=f"round {HELD_OUT_ROUND + 1} is held out"):
        sc.check_rounds([HELD_OUT_ROUND + 1])
    monkeypatch.setattr(sc, "HELD_OUT_ROUND", 4)  # the round-4 setting: round 4 held out, 1-3 tuning
    assert sc.tuning_rounds() == (1, 2, 3)
    with pytest.raises(InputError, match="round 4 is held out"):
        sc.check_rounds([4])
    with pytest.raises(InputError, match="no labelled round 0"):
        sc.check_rounds([0])


def test_a_fresh_round_is_read_from_the_material_it_is_given(tmp_path, labelled):
    """Rounds 1 and 3 together: round 3's notebooks are kept outside the repository, in --material 3=PATH."""
    root = make_set(tmp_path, 3)
    src = root / "coding/labels"
    dst = root / "coding/labels/round3"
    dst.mkdir(parents=True)
    material = tmp_path / "elsewhere"
    for name in ("sample_cells.csv", "consensus_cells.csv"):
        text = (src / name).read_text(encoding="utf-8").replace("notebooks_eval", "notebooks_round3")
        text = "\n".join(line if i == 0 else "r3" + line for i, line in enumerate(text.splitlines())) + "\n"
        (dst / name).write_text(text, encoding="utf-8")
    for f in (tmp_path / "data/notebooks_eval").rglob("*.ipynb"):
        out = material / "notebooks_round3" / f.relative_to(tmp_path / "data/notebooks_eval")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(f.read_bytes())
    cells = sc.labelled_cells(root, tmp_path / "data", {3: material}, rounds=(1, 3))
    assert {c.round for c in cells} == {1, 3} and len(cells) == 2 * 3 * 2 * len(CELLS)
    by_id = {c.cell_id: c for c in cells}
    assert all(by_id["r3" + c.cell_id].features == c.features for c in cells if c.round == 1)
    with pytest.raises(InputError, match=r"notebooks_round3/.*notebook not found .*--material N=PATH"):
        sc.labelled_cells(root, tmp_path / "data", {3: tmp_path / "nowhere"}, rounds=(1, 3))


def test_the_command_line_reads_repeated_material_and_rounds():
    import argparse

    from mliter.coding.stage_coder_commands import _material, _rounds

    assert _material("4=/work/fresh4") == (4, Path("/work/fresh4"))
    assert _rounds("1,2,4") == (1, 2, 4)
    for bad in ("/work/fresh4", "four=/x", "4="):
        with pytest.raises(argparse.ArgumentTypeError, match="N=PATH"):
            _material(bad)


def test_the_producer_declaration_changes_its_primary_only_when_applied(labelled, tmp_path):
    root, data, _ = labelled
    (root / "coding").mkdir(exist_ok=True)
    (root / "coding" / "stage_producer.yaml").write_text("primary: rules\n", encoding="utf-8")
    written = {}
    trained = sc.run(root, data, {}, progress=False, write=lambda p, t: written.__setitem__(p, t), rounds=(1,),
                     grid=(1.0,), inner_folds=2, k_grid=(2,))
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


def test_the_nested_choice_uses_five_inner_folds_by_default(labelled, monkeypatch):
    """Round 6: the setting of each left-out repository is chosen by 5 inner folds (3 drifted from the LORO
    curve); every inner fold is fitted once per vocabulary threshold, and the evidence records the count."""
    assert sc.INNER_FOLDS == 5
    cells = labelled[2]
    calls = []
    real = sc._fit_path
    monkeypatch.setattr(sc, "_fit_path", lambda *a, **k: calls.append(1) or real(*a, **k))
    names = [f"r{i}" for i in range(12)]
    folds = sc._folds(names, sc.INNER_FOLDS)
    assert len(folds) == 5 and set().union(*folds) == set(names) and sum(map(len, folds)) == len(names)
    trained = sc.train(cells, grid=(1.0,), k_grid=(2,))
    repos = len({c.repo for c in cells})
    inner = min(sc.INNER_FOLDS, repos - 1)
    assert len(calls) == repos * (inner + 1)  # per left-out repository: its inner folds and the outer fit
    assert trained.evidence["model"]["inner_folds"] == sc.INNER_FOLDS
