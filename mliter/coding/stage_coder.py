"""Train the learned stage coder on the labelled cells and compute the pre-registered comparison.

The chain (`mliter code train-stage-coder`):

1. `labelled_cells`: every cell of the tuning material (the consensus labels of `tuning_rounds()`, every
   labelled round below `mliter.corpus.rounds.HELD_OUT_ROUND`, `coding/labels[/round<N>]/`; a held-out round
   is refused) with its features from the miner's own pass
   (`mliter.traces.notebooks.learned.notebook_features`, through `mine_bytes(keep_features=True)`,
   the current rules included) and the rules' primary stage;
2. `loro`: leave-one-repository-out predictions over every setting (C, k): C the regularisation strength,
   k the vocabulary threshold (an open API-name token, `api:...`, is a feature only when at least k of the
   training repositories have it, counted per fit: `Design.columns`). Honest twice over: for each left-out
   repository the setting is chosen by a grouped cross-validation (`INNER_FOLDS` folds by repository) over
   the other repositories only, then the model is fitted on them; the left-out repository's cells are seen
   neither by the fit, nor by the vocabulary count, nor by the choice of setting. The plain LORO curve over
   the grid (each setting scored on all repositories) is kept too, as the way the final setting is chosen.
   Finished left-out repositories are kept in a cache folder as they finish, so a stopped run resumes;
   `jobs` processes share them out (the same bytes whatever the number);
3. `fit`: the final model on all cells with the setting the plain LORO curve prefers (ties: the larger k,
   then the smaller C), written as `coding/stage_coder.csv` (fixed-precision decimals, the vocabulary's
   tokens only);
4. `comparison`: the pre-registered rule of round 5 (`choose`, `RULE`): the learned coder is the primary
   stage unless its LORO accuracy is more than 3 points below the rules' in-sample accuracy on the same
   cells (round 4's rule, `RULE_ROUND4`, is kept as history). Written with both numbers and the evidence
   to `coding/stage_producer.yaml`; its `primary` changes only when asked (`apply`), which the lead does
   at the freeze.

Everything is deterministic: cells sorted by id, features sorted, lbfgs with fixed settings on one
BLAS thread, folds by sorted repository, coefficients rounded to `PRECISION` decimals.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
import pandas as pd

from mliter.corpus.rounds import HELD_OUT_ROUND
from mliter.errors import InputError
if TYPE_CHECKING:
    import scipy.sparse as sp

from mliter.traces.notebooks.learned import CLASSES, DEFAULT_CODER, DEFAULT_PRODUCER, OPEN_PREFIXES, PRODUCERS, write_coder

#: Every labelled round (round 1's coding/labels/, round 2's, the fresh rounds of mliter.corpus.rounds).
def labelled_rounds() -> tuple[int, ...]:
    from mliter.coding.trace_eval import ROUND_LABELS

    return tuple(sorted(ROUND_LABELS))


def tuning_rounds() -> tuple[int, ...]:
    """The labelled rounds that are tuning material: every one below `HELD_OUT_ROUND` (the held-out round's
    labels, and any later round's, are never trained on)."""
    return tuple(r for r in labelled_rounds() if r < HELD_OUT_ROUND)


def check_rounds(rounds: Sequence[int]) -> tuple[int, ...]:
    """`rounds` sorted, or an InputError: a round that is not labelled, or one that is held out."""
    known = labelled_rounds()
    out = tuple(sorted(set(int(r) for r in rounds)))
    if not out:
        raise InputError("no tuning round given")
    for r in out:
        if r >= HELD_OUT_ROUND:
            raise InputError(f"round {r} is held out (mliter.corpus.rounds.HELD_OUT_ROUND = {HELD_OUT_ROUND}): its "
                             f"labels are never tuning material; tuning rounds: {list(tuning_rounds())}")
        if r not in known:
            raise InputError(f"no labelled round {r} (labelled rounds: {list(known)})")
    return out


#: Inverse regularisation strengths tried (scikit-learn's C).
C_GRID = (0.01, 0.03, 0.1, 0.3)
#: Vocabulary thresholds tried: an open token (`api:...`, `mliter.traces.notebooks.learned.api_tokens`) is a
#: feature only when at least k of the training repositories have it, so no repository's own names are learned.
K_GRID = (3, 5, 10)
#: Open-vocabulary features (kept only when enough training repositories have them): the API names, and since
#: round 7 the words of the markdown above a cell and of its outputs (`mliter.traces.notebooks.learned.OPEN_PREFIXES`).
OPEN_PREFIX = OPEN_PREFIXES
#: Inner folds (by repository) of the nested choice of setting. 5 since round 6: with 3, each inner fit saw two
#: thirds of the other repositories and the choice drifted to weaker regularisation than the LORO curve prefers
#: (C = 0.1 for 48 of 71 left-out repositories on rounds 1-5; nested 78.5%); with 5 it follows the curve
#: (C = 0.03 for 64 of 71; nested 79.1%), at about 1.5 times the training time.
INNER_FOLDS = 5
MAX_ITER = 5000
TOL = 1e-4
#: Bumped when a left-out fold's computation changes, so cached folds of an older one are not reused.
CACHE_VERSION = 1
#: The round-5 guard: the rules stay primary only if the learned coder's LORO accuracy is more than this below
#: the rules' in-sample accuracy.
MARGIN = 0.03
#: Where the per-cell predictions (hand, rules, learned under LORO, learned in-sample) are written.
PREDICTIONS = Path("traces/eval_stage_coder.csv")
RULE = ("The learned coder gives the primary stage unless its leave-one-repository-out accuracy on the tuning "
        "cells is more than 3 points below the rules' in-sample accuracy on the same cells (a guard against a "
        "broken coder); then the rules stay primary (round-5 protocol, pre-registered before any round-5 item "
        "was drawn: the learned coder did better on round 4, the last round where both were scored held-out).")
#: The rule of round 4, kept as history: learned primary only if its LORO accuracy was strictly higher.
RULE_ROUND4 = ("The learned coder becomes the primary stage only if its leave-one-repository-out accuracy on the "
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
                   rounds: Sequence[int] | None = None, progress: bool = False) -> list[LabelledCell]:
    """Every labelled cell of `rounds` with its features, sorted by cell id.

    Bad input raises an `InputError` naming the file and row: a consensus stage that is not a stage, a
    sampled cell without a consensus label, a notebook or a code cell that is not there."""
    from tqdm import tqdm

    from mliter.coding.trace_eval import labels_dir, material_folder
    from mliter.traces.notebooks.mine import mine_bytes
    from mliter.traces.notebooks.modules import local_module_resolver
    from mliter.traces.notebooks.stages import StageRules

    rounds = check_rounds(tuning_rounds() if rounds is None else rounds)
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
                                 "pass --data, or --material N=PATH for round N's material kept outside the repository)")
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


def is_open(feature: str) -> bool:
    """An open-vocabulary feature (an API-name token, `api:...`, or a word of the markdown or outputs, `OPEN_PREFIX`):
    kept only when enough repositories have it."""
    return feature.startswith(OPEN_PREFIX)


@dataclass
class Design:
    """The binary design of a set of cells: a sparse cell x feature matrix over every feature seen, which
    features are open-vocabulary tokens, and in how many distinct repositories each occurs (per repository)."""

    x: "sp.csr_matrix"
    vocab: list[str]
    open: np.ndarray  # bool per column
    repos: list[str]  # sorted
    group: np.ndarray  # repository index per cell
    incidence: "sp.csr_matrix"  # repository x feature, 1 where some cell of the repository has the feature

    def columns(self, train_repos: np.ndarray, k: int) -> np.ndarray:
        """Columns kept when training on `train_repos` (bool per repository): every fixed feature, and every
        open token found in at least `k` of those repositories (the vocabulary rule; nothing else chooses it)."""
        counts = np.asarray(self.incidence[np.flatnonzero(train_repos)].sum(axis=0)).ravel()
        return np.flatnonzero(~self.open | (counts >= k))


def design(cells: Sequence[LabelledCell], vocabulary: Sequence[str] | None = None) -> Design:
    """The design of `cells` over `vocabulary` (default: every feature seen, sorted)."""
    import scipy.sparse as sp

    vocab = list(vocabulary) if vocabulary is not None else sorted({f for c in cells for f in c.features})
    index = {f: j for j, f in enumerate(vocab)}
    repos = sorted({c.repo for c in cells})
    rindex = {r: i for i, r in enumerate(repos)}
    group = np.array([rindex[c.repo] for c in cells], dtype=np.int64)
    rows, cols = [], []
    for i, c in enumerate(cells):
        for j in sorted({index[f] for f in c.features if f in index}):
            rows.append(i)
            cols.append(j)
    ones = np.ones(len(rows))
    x = sp.csr_matrix((ones, (rows, cols)), shape=(len(cells), len(vocab)))
    inc = sp.csr_matrix((ones, (group[rows] if rows else [], cols)), shape=(len(repos), len(vocab)))
    inc.data[:] = 1.0  # duplicates summed by the constructor: presence only
    return Design(x, vocab, np.array([is_open(f) for f in vocab], dtype=bool), repos, group, inc)


def _target(cells: Sequence[LabelledCell]) -> np.ndarray:
    return np.array([CLASSES.index(c.stage) for c in cells])


def fit(x, y: np.ndarray, c: float):
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


def _predict(model, x) -> np.ndarray:
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(1):
        return model.predict(x)


def _folds(groups: Sequence[str], k: int) -> list[set[str]]:
    """`k` folds of the distinct groups, sorted and dealt round-robin (deterministic, balanced in repositories)."""
    names = sorted(set(groups))
    return [set(names[i::k]) for i in range(min(k, len(names)))]


Setting = tuple[float, int]  # (C, vocabulary threshold k)


def settings(grid: Sequence[float] = C_GRID, k_grid: Sequence[int] = K_GRID) -> list[Setting]:
    return [(float(c), int(k)) for k in k_grid for c in grid]


def _best(scores: dict[Setting, float]) -> Setting:
    """The setting with the highest accuracy; ties: the largest k (the smallest vocabulary), then the smallest
    C (the strongest regularisation)."""
    top = max(scores.values())
    return min((s for s, v in scores.items() if v == top), key=lambda s: (-s[1], s[0]))


def _fit_path(d: Design, y: np.ndarray, train_rows: np.ndarray, test_rows: np.ndarray, train_repos: np.ndarray,
              grid: Sequence[Setting]) -> dict[Setting, np.ndarray]:
    """Predictions for `test_rows` under every setting, fitted on `train_rows` with the vocabulary of
    `train_repos`: per k the columns once, then C in increasing order, each fit starting from the previous
    one's solution (warm start: the same optimum within the tolerance, in a fraction of the iterations)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    out: dict[Setting, np.ndarray] = {}
    for k in sorted({s[1] for s in grid}):
        keep = d.columns(train_repos, k)
        xt, xs = d.x[train_rows][:, keep], d.x[test_rows][:, keep]
        model = LogisticRegression(solver="lbfgs", max_iter=MAX_ITER, tol=TOL, warm_start=True)
        with threadpool_limits(1):
            for c in sorted(s[0] for s in grid if s[1] == k):
                model.set_params(C=c)
                model.fit(xt, y[train_rows])
                out[(c, k)] = model.predict(xs)
    return out


def _outer_fold(d: Design, y: np.ndarray, repo: int, grid: Sequence[Setting], inner_folds: int) -> dict:
    """One left-out repository: the setting chosen by grouped cross-validation over the other repositories
    (each inner fold's vocabulary from its own training repositories), and the left-out cells' predictions
    under every setting (each fitted on all the other repositories, vocabulary from them)."""
    test = d.group == repo
    others = [r for r in range(len(d.repos)) if r != repo]
    inner_hits = {s: 0 for s in grid}
    for held in _folds([d.repos[r] for r in others], inner_folds):
        held_idx = [r for r in others if d.repos[r] in held]
        itest = np.isin(d.group, held_idx)
        itrain = ~test & ~itest
        if not itrain.any() or not itest.any():
            continue
        train_repos = np.zeros(len(d.repos), dtype=bool)
        train_repos[[r for r in others if r not in held_idx]] = True
        for s, p in _fit_path(d, y, np.flatnonzero(itrain), np.flatnonzero(itest), train_repos, grid).items():
            inner_hits[s] += int((p == y[itest]).sum())
    n_inner = int((~test).sum())
    inner = {s: inner_hits[s] / n_inner for s in grid}
    train_repos = np.ones(len(d.repos), dtype=bool)
    train_repos[repo] = False
    preds = _fit_path(d, y, np.flatnonzero(~test), np.flatnonzero(test), train_repos, grid)
    return {"repo": d.repos[repo], "chosen": list(_best(inner)), "inner": [[*s, v] for s, v in inner.items()],
            "pred": [[*s, preds[s].tolist()] for s in grid]}


@dataclass
class LoroResult:
    nested: np.ndarray  # class index per cell: setting chosen within the other repositories, then fitted on them
    chosen: dict[str, Setting]  # repository -> the setting its outer fold chose
    curve: dict[Setting, float]  # setting -> plain LORO accuracy (each setting scored on every repository)
    curve_pred: dict[Setting, np.ndarray]


def _cache_key(cells: Sequence[LabelledCell], grid: Sequence[Setting], inner_folds: int) -> str:
    h = hashlib.sha256(repr((CACHE_VERSION, MAX_ITER, TOL, list(grid), inner_folds)).encode())
    for c in cells:
        h.update(repr((c.cell_id, c.repo, c.stage, c.features)).encode())
    return h.hexdigest()[:20]


def default_cache_dir() -> Path:
    import os

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mliter" / "stage_coder"


def loro(cells: Sequence[LabelledCell], grid: Sequence[float] = C_GRID, inner_folds: int = INNER_FOLDS,
         progress: bool = False, k_grid: Sequence[int] = K_GRID, jobs: int = 1,
         cache_dir: Path | None = None) -> LoroResult:
    """Leave-one-repository-out predictions (see the module docstring), over every (C, k) setting.

    With `cache_dir` each left-out repository's result is kept there as it is finished (keyed by the cells'
    features and labels and the settings), so an interrupted run resumes where it stopped; `jobs` > 1 runs
    left-out repositories in that many processes (the same result: each fold is computed alone)."""
    import json

    from tqdm import tqdm

    from mliter.io import atomic_write_text

    cells = sorted(cells, key=lambda c: c.cell_id)
    d = design(cells)
    y = _target(cells)
    if len(d.repos) < 3:
        raise InputError(f"leave-one-repository-out needs at least 3 repositories, found {len(d.repos)}")
    grid_s = settings(grid, k_grid)
    folder = cache_dir / _cache_key(cells, grid_s, inner_folds) if cache_dir is not None else None
    done: dict[int, dict] = {}
    if folder is not None:
        for r, name in enumerate(d.repos):
            path = folder / (hashlib.sha256(name.encode()).hexdigest()[:16] + ".json")
            if path.is_file():
                try:
                    got = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue  # a damaged entry is recomputed
                if got.get("repo") == name:
                    done[r] = got
    todo = [r for r in range(len(d.repos)) if r not in done]

    def keep(r: int, res: dict) -> None:
        done[r] = res
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(folder / (hashlib.sha256(d.repos[r].encode()).hexdigest()[:16] + ".json"),
                              json.dumps(res, sort_keys=True))

    bar = tqdm(total=len(d.repos), initial=len(done), desc="repositories left out", unit="repo",
               disable=not progress)
    if jobs > 1 and len(todo) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_outer_fold, d, y, r, grid_s, inner_folds): r for r in todo}
            for fut in as_completed(futures):
                keep(futures[fut], fut.result())
                bar.update()
    else:
        for r in todo:
            keep(r, _outer_fold(d, y, r, grid_s, inner_folds))
            bar.update()
    bar.close()
    nested = np.full(len(cells), -1)
    curve_pred = {s: np.full(len(cells), -1) for s in grid_s}
    chosen: dict[str, Setting] = {}
    for r in range(len(d.repos)):
        res = done[r]
        test = d.group == r
        for c, k, p in res["pred"]:
            curve_pred[(float(c), int(k))][test] = p
        best = (float(res["chosen"][0]), int(res["chosen"][1]))
        chosen[d.repos[r]] = best
        nested[test] = curve_pred[best][test]
    curve = {s: float((curve_pred[s] == y).mean()) for s in grid_s}
    return LoroResult(nested, chosen, curve, curve_pred)


def choose(learned_loro: float, rules_in_sample: float) -> str:
    """The pre-registered rule of round 5 (`RULE`): the learned coder, unless its LORO accuracy is more than
    `MARGIN` below the rules' in-sample accuracy (compared in points rounded to 1e-9, so 3.0 points is not more)."""
    return "rules" if round((rules_in_sample - learned_loro) * 100, 9) > MARGIN * 100 else "learned"


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


def vocabulary(cells: Sequence[LabelledCell], k: int) -> list[str]:
    """The final model's features: every fixed feature seen, and every open token of at least `k` repositories."""
    d = design(cells)
    return [d.vocab[j] for j in d.columns(np.ones(len(d.repos), dtype=bool), k)]


def train(cells: Sequence[LabelledCell], grid: Sequence[float] = C_GRID, inner_folds: int = INNER_FOLDS,
          progress: bool = False, k_grid: Sequence[int] = K_GRID, jobs: int = 1,
          cache_dir: Path | None = None) -> Trained:
    """LORO estimate, final model and the pre-registered comparison (see the module docstring)."""
    cells = sorted(cells, key=lambda c: c.cell_id)
    res = loro(cells, grid, inner_folds, progress, k_grid, jobs, cache_dir)
    c_final, k_final = _best(res.curve)
    vocab = vocabulary(cells, k_final)
    d = design(cells, vocab)
    y = _target(cells)
    model = fit(d.x, y, c_final)
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
        "stage_learned_loro_fixed_c": [CLASSES[k] for k in res.curve_pred[(c_final, k_final)]],
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

    def name(s: Setting) -> str:
        return f"C={s[0]:g},k={s[1]}"

    pred["round_kind"] = [f"round {r}: {k}" for r, k in zip(pred["round"], pred["kind"])]
    n_open = sum(is_open(f) for f in vocab)
    evidence = {
        "cells": len(cells), "repositories": len(set(pred.repo)), "rounds": sorted({c.round for c in cells}),
        "learned_loro": learned,
        "rules_in_sample": rules,
        "learned_loro_fixed_c": _score(hand, list(pred.stage_learned_loro_fixed_c)),
        "learned_in_sample": _score(hand, list(pred.stage_learned)),
        "per_round": by("round"),
        "per_kind": by("round_kind"),
        "model": {"kind": "multinomial logistic regression (scikit-learn, lbfgs, L2)", "C": c_final,
                  "vocabulary_min_repositories": k_final,
                  "C_grid": list(grid), "k_grid": list(k_grid), "inner_folds": inner_folds,
                  "loro_accuracy_by_setting": {name(s): round(a, 4) for s, a in res.curve.items()},
                  "setting_chosen_per_left_out_repository": {
                      name(s): sum(v == s for v in res.chosen.values()) for s in settings(grid, k_grid)},
                  "features": int((np.abs(np.round(coef, 6)).sum(0) > 0).sum()),
                  "open_tokens_in_vocabulary": n_open,
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
            "# `primary` changes only with --apply (the lead, at a round's freeze). Read by the miner.\n")
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
        write: Callable[[Path, str], object] | None = None, rounds: Sequence[int] | None = None,
        grid: Sequence[float] = C_GRID, inner_folds: int = INNER_FOLDS, k_grid: Sequence[int] = K_GRID,
        jobs: int = 1, cache_dir: Path | None = None) -> Trained:
    """The whole chain: features -> LORO -> final model -> comparison; writes the coder table, the per-cell
    predictions and the producer declaration (its `primary` kept unless `apply`). Everything is computed
    before anything is written: a missing notebook or a bad label writes nothing."""
    from mliter.io import atomic_write_text

    put: Callable[[Path, str], object] = write or atomic_write_text
    cells = labelled_cells(root, data, materials, rounds=rounds, progress=progress)
    trained = train(cells, grid, inner_folds, progress=progress, k_grid=k_grid, jobs=jobs, cache_dir=cache_dir)
    producer = root / "coding" / DEFAULT_PRODUCER.name
    primary = trained.choice if apply else current_primary(producer)
    put(root / "coding" / DEFAULT_CODER.name, trained.table)
    put(root / PREDICTIONS, trained.predictions.to_csv(index=False, lineterminator="\n"))
    put(producer, producer_text(trained.evidence, trained.choice, primary))
    return trained
