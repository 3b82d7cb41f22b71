"""Train the learned stage coder on the labelled cells and compute the pre-registered comparison.

The chain (`mliter code train-stage-coder`):

1. `labelled_cells`: every cell of the tuning material (the consensus labels of the rounds in
   `ROUNDS`, `coding/labels[/round<N>]/`) with its features from the miner's own pass
   (`mliter.traces.notebooks.learned.notebook_features`, through `mine_bytes(keep_features=True)`,
   the current rules included) and the rules' primary stage;
2. `loro`: leave-one-repository-out predictions. Honest twice over: for each left-out repository
   the regularisation strength is chosen by a grouped cross-validation (`INNER_FOLDS` folds by
   repository) over the other repositories only, then the model is fitted on them; the left-out
   repository's cells are seen neither by the fit nor by the choice of C. The plain LORO curve
   over the grid (each C scored on all repositories) is kept too, as the way the final C is chosen;
3. `fit`: the final model on all cells with the C the plain LORO curve prefers (ties: the smaller
   C, stronger regularisation), written as `coding/stage_coder.csv` (fixed-precision decimals);
4. `comparison`: the pre-registered rule of round 4 (`choose`): the learned coder becomes the
   primary stage only if its LORO accuracy is higher than the rules' in-sample accuracy on the same
   cells. Written with its evidence to `coding/stage_producer.yaml`; its `primary` changes only when
   asked (`apply`), which the lead does at the freeze.

Everything is deterministic: cells sorted by id, features sorted, lbfgs with fixed settings on one
BLAS thread, folds by sorted repository, coefficients rounded to `PRECISION` decimals.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from mliter.errors import InputError
from mliter.traces.notebooks.learned import CLASSES, DEFAULT_CODER, DEFAULT_PRODUCER, PRODUCERS, write_coder

#: The labelled rounds that are tuning material for the coder (round 4 is the held-out sample: never here).
ROUNDS = (1, 2, 3)
#: Inverse regularisation strengths tried (scikit-learn's C).
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
INNER_FOLDS = 3
MAX_ITER = 5000
TOL = 1e-6
#: Where the per-cell predictions (hand, rules, learned under LORO, learned in-sample) are written.
PREDICTIONS = Path("traces/eval_stage_coder.csv")
RULE = ("The learned coder becomes the primary stage only if its leave-one-repository-out accuracy on the "
        "tuning cells is higher than the rules' in-sample accuracy on the same cells; otherwise the rules "
        "stay primary (round-4 protocol, pre-registered).")


@dataclass(frozen=True)
class LabelledCell:
    cell_id: str
    round: int
    repo: str
    kind: str
    stage: str  # the consensus label
    rules: str  # the rules' primary stage
    features: tuple[str, ...]


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: not found")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def labelled_cells(root: Path, data: Path, materials: dict[int, Path | None] | None = None, rules=None,
                   rounds: Sequence[int] = ROUNDS, progress: bool = False) -> list[LabelledCell]:
    """Every labelled cell of `rounds` with its features, sorted by cell id.

    Bad input raises an `InputError` naming the file and row: a consensus stage that is not a stage, a
    sampled cell without a consensus label, a notebook or a code cell that is not there."""
    from tqdm import tqdm

    from mliter.coding.trace_eval import labels_dir, material_folder
    from mliter.traces.notebooks.mine import mine_bytes
    from mliter.traces.notebooks.modules import local_module_resolver
    from mliter.traces.notebooks.stages import StageRules

    rules = rules or StageRules.from_csv()
    materials = materials or {}
    jobs = []
    for rnd in rounds:
        folder = root / labels_dir(rnd)
        sample_path, cons_path = folder / "sample_cells.csv", folder / "consensus_cells.csv"
        sample, cons = _read(sample_path), _read(cons_path)
        for col in ("cell_id", "source", "local_path", "code_cell", "repo", "group"):
            if col not in sample.columns:
                raise InputError(f"{sample_path}: no column {col!r}")
        label = {}
        for rowno, r in enumerate(cons.itertuples(index=False), start=2):
            if r.stage not in CLASSES:
                raise InputError(f"{cons_path}, row {rowno}: stage {r.stage!r} of {r.cell_id} is not one of "
                                 f"{list(CLASSES)}")
            label[r.cell_id] = r.stage
        where = material_folder(sample, data, materials.get(rnd))
        for rowno, r in enumerate(sample.itertuples(index=False), start=2):
            if r.cell_id not in label:
                raise InputError(f"{sample_path}, row {rowno}: cell {r.cell_id} has no label in {cons_path}")
            try:
                code_cell = int(r.code_cell)
            except ValueError:
                raise InputError(f"{sample_path}, row {rowno}: code_cell {r.code_cell!r} is not an integer") from None
            file = where / r.source / r.local_path
            jobs.append((file, code_cell, rnd, r, label[r.cell_id], sample_path, rowno))
    mined: dict[Path, object] = {}
    out = []
    for file, code_cell, rnd, r, stage, sample_path, rowno in tqdm(jobs, desc="cells", unit="cell",
                                                                   disable=not progress):
        if file not in mined:
            if not file.is_file():
                raise InputError(f"{file}: notebook not found (needed by {sample_path}, row {rowno}, cell {r.cell_id}; "
                                 "pass --data, or --material-round<N> for material kept outside the repository)")
            mined[file] = mine_bytes(f"file:{r.local_path}", file.read_bytes(), rules, coder=None, keep_features=True,
                                     local_modules=local_module_resolver(file))
        m = mined[file]
        feats = m.features or []  # type: ignore[attr-defined]
        if not 0 <= code_cell < len(feats):
            raise InputError(f"{sample_path}, row {rowno}: {r.local_path} has no code cell {code_cell} "
                             f"({len(feats)} code cells)")
        out.append(LabelledCell(r.cell_id, rnd, r.repo, r.group, stage,
                                m.cells[code_cell]["stage_rules"], feats[code_cell]))  # type: ignore[attr-defined]
    ids = [c.cell_id for c in out]
    if len(set(ids)) != len(ids):
        raise InputError(f"a cell id is labelled twice across rounds {list(rounds)}")
    return sorted(out, key=lambda c: c.cell_id)


def design(cells: Sequence[LabelledCell], vocabulary: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """The binary design matrix of `cells` over `vocabulary` (default: every feature seen, sorted)."""
    vocab = list(vocabulary) if vocabulary is not None else sorted({f for c in cells for f in c.features})
    index = {f: j for j, f in enumerate(vocab)}
    x = np.zeros((len(cells), len(vocab)))
    for i, c in enumerate(cells):
        for f in c.features:
            j = index.get(f)
            if j is not None:
                x[i, j] = 1.0
    return x, vocab


def _target(cells: Sequence[LabelledCell]) -> np.ndarray:
    return np.array([CLASSES.index(c.stage) for c in cells])


def fit(x: np.ndarray, y: np.ndarray, c: float):
    """A multinomial logistic regression (L2, lbfgs, fixed settings, one BLAS thread)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(1):
        return LogisticRegression(C=c, solver="lbfgs", max_iter=MAX_ITER, tol=TOL).fit(x, y)


def full_coef(model) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, intercepts) with one row per class of `CLASSES`; a class the training cells lack
    gets weight 0 and an intercept far below the others, so it is never predicted."""
    coef = np.zeros((len(CLASSES), model.coef_.shape[1]))
    icpt = np.full(len(CLASSES), -1e3)
    for row, k in enumerate(model.classes_):
        coef[k], icpt[k] = model.coef_[row], model.intercept_[row]
    return coef, icpt


def _predict(model, x: np.ndarray) -> np.ndarray:
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(1):
        return model.predict(x)


def _folds(groups: Sequence[str], k: int) -> list[set[str]]:
    """`k` folds of the distinct groups, sorted and dealt round-robin (deterministic, balanced in repositories)."""
    names = sorted(set(groups))
    return [set(names[i::k]) for i in range(min(k, len(names)))]


def _grouped_accuracy(x, y, groups: np.ndarray, folds: list[set[str]], c: float) -> float:
    hits = 0
    for held in folds:
        test = np.isin(groups, sorted(held))
        if test.all() or not test.any():
            continue
        model = fit(x[~test], y[~test], c)
        hits += int((_predict(model, x[test]) == y[test]).sum())
    return hits / len(y)


def _best_c(scores: dict[float, float]) -> float:
    """The C with the highest accuracy; ties: the smallest C (the strongest regularisation)."""
    top = max(scores.values())
    return min(c for c, s in scores.items() if s == top)


@dataclass
class LoroResult:
    nested: np.ndarray  # class index per cell: C chosen within the other repositories, then fitted on them
    chosen: dict[str, float]  # repository -> the C its outer fold chose
    curve: dict[float, float]  # C -> plain LORO accuracy (each C scored on every repository)
    curve_pred: dict[float, np.ndarray]


def loro(cells: Sequence[LabelledCell], grid: Sequence[float] = C_GRID, inner_folds: int = INNER_FOLDS,
         progress: bool = False) -> LoroResult:
    """Leave-one-repository-out predictions (see the module docstring). The vocabulary is every feature of
    all cells: a feature seen only in the left-out repository is a zero column in training and gets weight 0."""
    from tqdm import tqdm

    cells = sorted(cells, key=lambda c: c.cell_id)
    x, _ = design(cells)
    y = _target(cells)
    groups = np.array([c.repo for c in cells])
    repos = sorted(set(groups))
    if len(repos) < 3:
        raise InputError(f"leave-one-repository-out needs at least 3 repositories, found {len(repos)}")
    nested = np.full(len(cells), -1)
    curve_pred = {c: np.full(len(cells), -1) for c in grid}
    chosen = {}
    for repo in tqdm(repos, desc="repositories left out", unit="repo", disable=not progress):
        test = groups == repo
        train_groups = groups[~test]
        folds = _folds(list(train_groups), inner_folds)
        inner = {c: _grouped_accuracy(x[~test], y[~test], train_groups, folds, c) for c in grid}
        best = _best_c(inner)
        chosen[repo] = best
        for c in grid:
            model = fit(x[~test], y[~test], c)
            curve_pred[c][test] = _predict(model, x[test])
        nested[test] = curve_pred[best][test]
    curve = {c: float((curve_pred[c] == y).mean()) for c in grid}
    return LoroResult(nested, chosen, curve, curve_pred)


def choose(learned_loro: float, rules_in_sample: float) -> str:
    """The pre-registered rule (`RULE`): `learned` only if its LORO accuracy is strictly higher."""
    return "learned" if learned_loro > rules_in_sample else "rules"


def _score(hand: Sequence[str], pred: Sequence[str]) -> dict:
    from mliter.coding.trace_eval import kappa
    from mliter.report.stats import wilson

    n = len(hand)
    agree = sum(a == b for a, b in zip(hand, pred))
    lo, hi = wilson(agree, n)
    k = kappa(list(hand), list(pred), list(CLASSES))[0] if n else float("nan")
    return {"n": n, "agree": agree, "accuracy": round(agree / n, 4) if n else None,
            "ci_low": round(lo, 4), "ci_high": round(hi, 4), "kappa": round(k, 4)}


@dataclass
class Trained:
    table: str  # coding/stage_coder.csv text
    predictions: pd.DataFrame
    evidence: dict
    choice: str


def train(cells: Sequence[LabelledCell], grid: Sequence[float] = C_GRID, inner_folds: int = INNER_FOLDS,
          progress: bool = False) -> Trained:
    """LORO estimate, final model and the pre-registered comparison (see the module docstring)."""
    cells = sorted(cells, key=lambda c: c.cell_id)
    res = loro(cells, grid, inner_folds, progress)
    c_final = _best_c(res.curve)
    x, vocab = design(cells)
    y = _target(cells)
    model = fit(x, y, c_final)
    coef, icpt = full_coef(model)
    table = write_coder(DEFAULT_CODER, vocab, coef, icpt)
    from mliter.traces.notebooks.learned import StageCoder
    import csv as _csv

    rows = list(_csv.reader(table.splitlines()))
    stored = StageCoder([r[0] for r in rows[2:]], [[float(v) for v in r[1:]] for r in rows[2:]],
                        [float(v) for v in rows[1][1:]])
    in_sample = stored.predict([c.features for c in cells])
    pred = pd.DataFrame({
        "cell_id": [c.cell_id for c in cells], "round": [c.round for c in cells],
        "repo": [c.repo for c in cells], "kind": [c.kind for c in cells],
        "stage_hand": [c.stage for c in cells], "stage_rules": [c.rules for c in cells],
        "stage_learned_loro": [CLASSES[k] for k in res.nested],
        "stage_learned_loro_fixed_c": [CLASSES[k] for k in res.curve_pred[c_final]],
        "stage_learned": in_sample,
    })
    hand = list(pred.stage_hand)
    learned = _score(hand, list(pred.stage_learned_loro))
    rules = _score(hand, list(pred.stage_rules))
    choice = choose(learned["agree"] / len(hand), rules["agree"] / len(hand))  # unrounded

    def by(col: str) -> dict:
        out = {}
        for key, part in pred.groupby(col, sort=True):
            name = f"round {key}" if col == "round" else str(key)
            out[name] = {"n": len(part),
                         "learned_loro": _score(list(part.stage_hand), list(part.stage_learned_loro))["accuracy"],
                         "rules_in_sample": _score(list(part.stage_hand), list(part.stage_rules))["accuracy"]}
        return out

    pred["round_kind"] = [f"round {r}: {k}" for r, k in zip(pred["round"], pred["kind"])]
    evidence = {
        "cells": len(cells), "repositories": len(set(pred.repo)), "rounds": sorted({c.round for c in cells}),
        "learned_loro": learned,
        "rules_in_sample": rules,
        "learned_loro_fixed_c": _score(hand, list(pred.stage_learned_loro_fixed_c)),
        "learned_in_sample": _score(hand, list(pred.stage_learned)),
        "per_round": by("round"),
        "per_kind": by("round_kind"),
        "model": {"kind": "multinomial logistic regression (scikit-learn, lbfgs, L2)", "C": c_final,
                  "C_grid": list(grid), "loro_accuracy_by_C": {str(c): round(a, 4) for c, a in res.curve.items()},
                  "C_chosen_per_left_out_repository": dict(sorted(
                      {str(c): sum(v == c for v in res.chosen.values()) for c in grid}.items())),
                  "features": int((np.abs(np.round(coef, 6)).sum(0) > 0).sum()),
                  "table_sha256": hashlib.sha256(table.encode("utf-8")).hexdigest()},
    }
    pred = pred.drop(columns=["round_kind"])
    return Trained(table, pred, evidence, choice)


def producer_text(evidence: dict, choice: str, primary: str) -> str:
    """coding/stage_producer.yaml: the one declared place that says which producer is primary, and why."""
    import yaml

    if primary not in PRODUCERS:
        raise InputError(f"primary producer must be one of {list(PRODUCERS)}, found {primary!r}")
    head = ("# Which producer gives the primary `stage` of traces/cells.csv: `rules` (coding/stage_rules.csv and the\n"
            "# static analysis) or `learned` (coding/stage_coder.csv). Written by `mliter code train-stage-coder`;\n"
            "# `primary` changes only with --apply (the lead, at the round-4 freeze). Read by the miner.\n")
    doc = {"primary": primary, "rule": RULE,
           "comparison": {"learned_loro_accuracy": evidence["learned_loro"]["accuracy"],
                          "rules_in_sample_accuracy": evidence["rules_in_sample"]["accuracy"],
                          "rule_says": choice},
           "evidence": evidence}
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def current_primary(path: Path = DEFAULT_PRODUCER) -> str:
    from mliter.traces.notebooks.learned import read_producer

    return read_producer(path)


def run(root: Path, data: Path, materials: dict[int, Path | None], apply: bool = False, progress: bool = True,
        write: Callable[[Path, str], object] | None = None, rounds: Sequence[int] = ROUNDS,
        grid: Sequence[float] = C_GRID, inner_folds: int = INNER_FOLDS) -> Trained:
    """The whole chain: features -> LORO -> final model -> comparison; writes the coder table, the per-cell
    predictions and the producer declaration (its `primary` kept unless `apply`)."""
    from mliter.io import atomic_write_text

    put: Callable[[Path, str], object] = write or atomic_write_text
    cells = labelled_cells(root, data, materials, rounds=rounds, progress=progress)
    trained = train(cells, grid, inner_folds, progress=progress)
    producer = root / "coding" / DEFAULT_PRODUCER.name
    primary = trained.choice if apply else current_primary(producer)
    put(root / "coding" / DEFAULT_CODER.name, trained.table)
    put(root / PREDICTIONS, trained.predictions.to_csv(index=False, lineterminator="\n"))
    put(producer, producer_text(trained.evidence, trained.choice, primary))
    return trained
