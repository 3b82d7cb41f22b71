"""The evaluation of notebook traces against blind hand labels: agreement, consensus, rule
predictions, scores and misclassification-corrected shares.

Inputs (see `mliter.coding.eval_sample` and `mliter.coding.eval_labels`): the split of
repositories into `tuning` and `heldout` halves, the sampled cells and version pairs, and one
file per coder. The pieces, each a pure function over tables:

- `coder_agreement`: per pair of coders, the share of items both gave the same label (Wilson 95%
  interval) and Cohen's kappa (statsmodels, with its 95% interval);
- `consensus`: the label when the coders agree; otherwise the adjudicator's label when an
  adjudication file has the item; otherwise coder `a`'s label (the documented fallback), with
  every disagreement listed;
- `predict_cells` / `predict_pairs`: what the frozen rules say for the same items (mined from
  the shared material, never executed);
- `score`: rules against consensus per set, with Wilson intervals and kappa;
- `corrected_shares`: shares of the rule labels in a corpus corrected by the held-out confusion
  matrix (matrix inversion, P(rule | true) estimated on the held-out items), with percentile
  bootstrap intervals over the labelled items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from mliter.corpus.rounds import FRESH_ROUNDS, scored_by
from mliter.errors import InputError
from mliter.report.stats import wilson

LABELS = Path("coding/labels")
ROUND_LABELS = {1: LABELS, 2: LABELS / "round2", **{n: r.labels for n, r in FRESH_ROUNDS.items()}}
#: Where `build_tables` writes the rules' predictions, per round of the sample.
PREDICTIONS = {1: "traces/eval_{kind}.csv", **{n: f"traces/eval_round{n}_{{kind}}.csv" for n in ROUND_LABELS if n > 1}}
#: Frozen records: round R's frozen rules on round S's sample, as scored once and reported. Later rules
#: re-score `PREDICTIONS` but never these, so every reported row can be recomputed from shipped files.
FROZEN = "traces/frozen/rules{rules}_sample{sample}_{kind}.csv"
#: The round whose frozen rules the code holds now: `--record` keeps their predictions on a round's sample as
#: rules<RULES_ROUND>_sample<round>. Raised to the round's number in the commit that merges a round's frozen rules
#: (7 -> 9: round 8 replicated round 7 and froze no rules of its own).
RULES_ROUND = 9


def frozen_path(rules: int, sample: int, kind: str) -> Path:
    """Where the record of round `rules`'s frozen rules on round `sample`'s items of `kind` lives."""
    return Path(FROZEN.format(rules=rules, sample=sample, kind=kind))
SEED = 20261201
N_BOOT = 1000


def kappa(a: Sequence[str], b: Sequence[str], categories: Sequence[str] | None = None) -> tuple[float, float, float]:
    """Cohen's kappa of two label sequences with its 95% interval (statsmodels)."""
    from statsmodels.stats.inter_rater import cohens_kappa

    cats = list(categories) if categories is not None else sorted(set(a) | set(b))
    idx = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b):
        table[idx[x], idx[y]] += 1
    if len(a) == 0:
        return float("nan"), float("nan"), float("nan")
    observed = np.trace(table) / table.sum()
    expected = float((table.sum(0) * table.sum(1)).sum() / table.sum() ** 2)
    if expected >= 1.0:  # one category only: kappa undefined; report agreement as is
        return float("nan"), float("nan"), float("nan")
    res = cohens_kappa(table, return_results=True)
    k = (observed - expected) / (1 - expected)
    return float(k), max(-1.0, float(res.kappa_low)), min(1.0, float(res.kappa_upp))


def labels_dir(rnd: int = 1) -> Path:
    """coding/labels/ (round 1) or coding/labels/round<N>/ (the fresh held-out samples of rounds 2 on)."""
    try:
        return ROUND_LABELS[rnd]
    except KeyError:
        raise InputError(f"no labelling round {rnd} (rounds: {', '.join(map(str, ROUND_LABELS))})") from None


def read_coders(kind: str, root: Path, rnd: int = 1) -> dict[str, pd.DataFrame]:
    """Coder files `<kind>_<coder>.csv` of a round's labels folder, keyed by coder id."""
    out = {}
    from mliter.coding.eval_labels import CODER_RE

    for f in sorted((root / labels_dir(rnd)).glob(f"{kind}_*.csv")):
        m = CODER_RE.match(f.name)
        if m:
            out[m.group(2)] = pd.read_csv(f, dtype=str, keep_default_na=False)
    return out


def read_adjudication(kind: str, root: Path, rnd: int = 1) -> pd.DataFrame | None:
    """adjudication_<kind>.csv of a round when an adjudicator has decided the disagreements."""
    path = root / labels_dir(rnd) / f"adjudication_{kind}.csv"
    if not path.exists():
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV ({exc}); quote fields holding commas") from exc


def load_consensus(kind: str, root: Path, rnd: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Consensus and disagreements of the coder files of one kind, adjudication applied."""
    return consensus(read_coders(kind, root, rnd), kind, read_adjudication(kind, root, rnd))


def key_column(kind: str) -> tuple[str, str, str]:
    """(id column, primary label column, set column) of a kind of item."""
    if kind == "cells":
        return "cell_id", "stage", "stages"
    if kind == "pairs":
        return "pair_id", "code", "codes"
    raise InputError(f"unknown item kind {kind!r} (cells or pairs)")


def coder_agreement(coders: dict[str, pd.DataFrame], kind: str, sample: pd.DataFrame,
                    categories: Sequence[str]) -> pd.DataFrame:
    """Agreement of every pair of coders, over all items and per half."""
    key, col, _ = key_column(kind)
    rows = []
    names = sorted(coders)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            m = coders[x][[key, col]].merge(coders[y][[key, col]], on=key, suffixes=("_x", "_y"))
            m = m.merge(sample[[key, "half"]], on=key)
            for half in ("all", "tuning", "heldout"):
                part = m if half == "all" else m[m.half == half]
                if part.empty:
                    continue
                agree = int((part[col + "_x"] == part[col + "_y"]).sum())
                lo, hi = wilson(agree, len(part))
                k, klo, khi = kappa(list(part[col + "_x"]), list(part[col + "_y"]), categories)
                rows.append({"items": kind, "coders": f"{x}-{y}", "half": half, "n": len(part), "agree": agree,
                             "share": agree / len(part), "ci_low": lo, "ci_high": hi,
                             "kappa": k, "kappa_low": klo, "kappa_high": khi})
    return pd.DataFrame(rows)


def consensus(coders: dict[str, pd.DataFrame], kind: str, adjudication: pd.DataFrame | None = None,
              fallback: str = "a") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(consensus labels, disagreements). See the module docstring for the rule."""
    key, col, many = key_column(kind)
    if len(coders) < 2:
        raise InputError(f"consensus of {kind} needs two coder files, found {sorted(coders)}")
    names = sorted(coders)
    merged = None
    for c in names:
        part = coders[c][[key, col, many]].rename(columns={col: f"{col}_{c}", many: f"{many}_{c}"})
        merged = part if merged is None else merged.merge(part, on=key, how="inner")
    assert merged is not None
    adj = {}
    if adjudication is not None and not adjudication.empty:
        adj = dict(zip(adjudication[key], adjudication[col]))
    rows, disagreements = [], []
    for _, r in merged.iterrows():
        labels = [r[f"{col}_{c}"] for c in names]
        sets = [set(str(r[f"{many}_{c}"]).split(";")) - {""} for c in names]
        union = set().union(*sets)
        if len(set(labels)) == 1:
            label, how = labels[0], "agree"
        else:
            disagreements.append({key: r[key], **{f"{col}_{c}": lab for c, lab in zip(names, labels)}})
            if r[key] in adj:
                label, how = adj[r[key]], "adjudicated"
            else:
                label, how = r[f"{col}_{fallback}"], f"coder_{fallback}"
        agreed_set = set.intersection(*sets) | {label}
        rows.append({key: r[key], col: label, many: ";".join(sorted(agreed_set)), "union": ";".join(sorted(union)),
                     "how": how})
    return pd.DataFrame(rows, columns=[key, col, many, "union", "how"]), pd.DataFrame(disagreements, columns=[key, *(f"{col}_{c}" for c in names)])


def predict_cells(sample: pd.DataFrame, data: Path, rules=None) -> pd.DataFrame:
    """The rules' primary stage and stage set, and the learned coder's stage, for every sampled cell (mined from
    `data`). `stage` is the rules' whichever producer coding/stage_producer.yaml declares primary."""
    from mliter.traces.notebooks.mine import mine_bytes
    from mliter.traces.notebooks.modules import local_module_resolver
    from mliter.traces.notebooks.stages import StageRules

    rules = rules or StageRules.from_csv()
    rows = []
    for (source, path), part in sample.groupby(["source", "local_path"], sort=True):
        file = data / source / path
        mined = mine_bytes(f"file:{path}", file.read_bytes(), rules, local_modules=local_module_resolver(file))
        by_code = {c["code_index"]: c for c in mined.cells}
        for _, r in part.iterrows():
            c = by_code.get(int(r["code_cell"]))
            if c is None:
                raise InputError(f"{path}: code cell {r['code_cell']} not found ({len(by_code)} code cells)")
            rows.append({"cell_id": r["cell_id"], "stage": c["stage_rules"], "stages": c["stages"],
                         "stage_learned": c["stage_learned"]})
    return pd.DataFrame(rows).sort_values("cell_id", ignore_index=True)


def predict_pairs(sample: pd.DataFrame, data: Path, rules=None) -> pd.DataFrame:
    """The classifier's change type and facets for every sampled version pair."""
    from mliter.traces.changes import classify
    from mliter.traces.notebooks.stages import StageRules
    from mliter.traces.versions.signature import signature_from_bytes

    rules = rules or StageRules.from_csv()
    rows = []
    for _, r in sample.iterrows():
        base = data / r["source"] / r["series"]
        prev = signature_from_bytes((base / r["from_file"]).read_bytes(), rules)
        cur = signature_from_bytes((base / r["to_file"]).read_bytes(), rules)
        res = classify(prev, cur)
        rows.append({"pair_id": r["pair_id"], "code": res.code, "facets": ";".join(sorted(res.facets)),
                     "model_added": ";".join(res.model.added_names), "model_removed": ";".join(res.model.removed_names),
                     "model_reparameterised": ";".join(res.model.reparameterised_names),
                     "preprocessing_added": ";".join(res.preprocessing.added_names),
                     "preprocessing_removed": ";".join(res.preprocessing.removed_names),
                     "preprocessing_reparameterised": ";".join(res.preprocessing.reparameterised_names)})
    return pd.DataFrame(rows).sort_values("pair_id", ignore_index=True)


def join_labels(truth: pd.DataFrame, pred: pd.DataFrame, sample: pd.DataFrame, kind: str,
                keep: Sequence[str] = (), where: str = "") -> pd.DataFrame:
    """The sample's items with the consensus label (`<col>_hand`) and a producer's (`<col>_rule`), plus the
    `keep` columns of `pred` it has (e.g. `stage_learned`); an InputError (naming `where`, the predictions'
    file) when a sampled item lacks either, so a missing label can never shrink a held-out score silently."""
    key, col, _ = key_column(kind)
    cols = [key, col] + [c for c in keep if c in pred and c != col]
    m = truth[[key, col]].merge(pred[cols], on=key, suffixes=("_hand", "_rule")).merge(sample, on=key)
    if len(m) != len(sample):
        raise InputError(f"{where or kind}: {len(sample) - len(m)} sampled {kind} lack a consensus label or a "
                         "prediction")
    return m


def score(truth: pd.DataFrame, pred: pd.DataFrame, sample: pd.DataFrame, kind: str,
          categories: Sequence[str], sets: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Accuracy of the rules against the consensus per half (Wilson 95%) with Cohen's kappa."""
    key, col, _ = key_column(kind)
    m = join_labels(truth, pred, sample, kind)
    rows = []
    groups = sets or {"tuning": m.half == "tuning", "heldout": m.half == "heldout"}
    for name, mask in groups.items():
        part = m[mask.reindex(m.index, fill_value=False)] if isinstance(mask, pd.Series) else m
        if part.empty:
            continue
        hits = int((part[col + "_hand"] == part[col + "_rule"]).sum())
        lo, hi = wilson(hits, len(part))
        k, klo, khi = kappa(list(part[col + "_hand"]), list(part[col + "_rule"]), categories)
        rows.append({"items": kind, "set": name, "n": len(part), "agree": hits, "accuracy": hits / len(part),
                     "ci_low": lo, "ci_high": hi, "kappa": k, "kappa_low": klo, "kappa_high": khi})
    return pd.DataFrame(rows)


def confusion(truth: Iterable[str], pred: Iterable[str], categories: Sequence[str]) -> np.ndarray:
    idx = {c: i for i, c in enumerate(categories)}
    m = np.zeros((len(categories), len(categories)))
    for t, p in zip(truth, pred):
        if t in idx and p in idx:
            m[idx[t], idx[p]] += 1
    return m


def invert_shares(observed: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """True-category shares from observed rule shares and a confusion count matrix (rows true, columns rule).

    P(rule=j | true=i) is the row-normalised matrix; a category no labelled item has is taken as
    always right (identity row). The corrected shares solve observed = P^T p by least squares,
    are clipped at 0 and renormalised to sum 1 (the usual matrix-inversion estimator)."""
    k = len(observed)
    p_cond = np.eye(k)
    rows = counts.sum(1)
    for i in range(k):
        if rows[i] > 0:
            p_cond[i] = counts[i] / rows[i]
    est, *_ = np.linalg.lstsq(p_cond.T, observed, rcond=None)
    est = np.clip(est, 0, None)
    total = est.sum()
    return est / total if total > 0 else observed


def corrected_shares(rule_labels: Sequence[str], truth: Sequence[str], pred: Sequence[str],
                     categories: Sequence[str], n_boot: int = N_BOOT, seed: int = SEED) -> pd.DataFrame:
    """Raw and corrected shares of `categories` among `rule_labels`, with bootstrap 95% intervals
    over the labelled (truth, pred) items."""
    cats = list(categories)
    idx = {c: i for i, c in enumerate(cats)}
    obs = np.zeros(len(cats))
    for lab in rule_labels:
        if lab in idx:
            obs[idx[lab]] += 1
    n = obs.sum()
    if n == 0:
        raise InputError("no rule labels to correct")
    obs = obs / n
    truth, pred = list(truth), list(pred)
    point = invert_shares(obs, confusion(truth, pred, cats))
    rng = np.random.default_rng(seed)
    t_idx = np.array([idx.get(t, -1) for t in truth])
    p_idx = np.array([idx.get(p, -1) for p in pred])
    keep = (t_idx >= 0) & (p_idx >= 0)
    t_idx, p_idx = t_idx[keep], p_idx[keep]
    boots = np.empty((n_boot, len(cats)))
    for b in range(n_boot):
        pick = rng.integers(0, len(t_idx), len(t_idx))
        m = np.zeros((len(cats), len(cats)))
        np.add.at(m, (t_idx[pick], p_idx[pick]), 1)
        boots[b] = invert_shares(obs, m)
    lo, hi = np.percentile(boots, [2.5, 97.5], axis=0)

    def clean(x: np.ndarray) -> np.ndarray:  # least-squares noise around 0 and 1 is no estimate
        return np.round(np.clip(x, 0.0, 1.0), 9)

    return pd.DataFrame({"category": cats, "raw_share": obs, "corrected_share": clean(point),
                         "ci_low": clean(lo), "ci_high": clean(hi)})


def check_material(sample: pd.DataFrame, data: Path) -> None:
    """Every file a sample names is under `data`; else an error naming the first missing folder or file."""
    cols = ("series", "from_file", "to_file") if "series" in sample else ("local_path",)
    for source in sorted(set(sample["source"])):
        if not (data / source).is_dir():
            rebuild = (f"; rebuild it with `mliter corpus fetch --only {source}.csv --out {data}`"
                       if "_round" in source else "")
            raise InputError(f"{data / source}: folder not found (the material of sample source {source!r}; "
                             "pass --data, or --material (or $MLITER_ROUND<N>_DATA) for "
                             f"material kept outside the repository{rebuild})")
    for _, r in sample.iterrows():
        files = ([Path(r["series"]) / r["from_file"], Path(r["series"]) / r["to_file"]] if cols[0] == "series"
                 else [Path(r["local_path"])])
        for f in files:
            path = data / r["source"] / f
            if not path.is_file():
                where = path.parent if not path.parent.is_dir() else path
                raise InputError(f"{where}: not found (needed by {r.iloc[0]}); nothing written")


def material_folder(sample: pd.DataFrame, data: Path, material: Path | None = None) -> Path:
    """Where a sample's files are: `data` (the shared data) unless every source of the sample is kept
    outside the repository (eval_labels.EXTERNAL: the round-2 series, the fresh rounds' notebooks and series);
    then `material` when given, else the round's default (environment variable or folder beside the checkout)."""
    from mliter.coding.eval_labels import EXTERNAL, data_root

    sources = set(sample["source"])
    if not sources or not sources <= set(EXTERNAL):
        return data
    return material if material is not None else data_root(sorted(sources)[0])


def build_tables(root: Path, data: Path, progress: bool = True, rnd: int = 1, material: Path | None = None,
                 kinds: Sequence[str] = ("cells", "pairs"), predictions: bool = True,
                 record: bool = False, rules_round: int = RULES_ROUND) -> list[Path]:
    """Write a round's consensus and disagreement files (coding/labels[/round<N>]/consensus_*.csv,
    disagreements_*.csv) and, unless `predictions` is off, the frozen rules' predictions for every
    sampled item (traces/eval_*.csv; rounds 2 on: traces/eval_round<N>_*.csv). Items are read from
    `data`, or for material kept outside the repository from `material` (see `material_folder`).
    With `record` (the scoring runs after round R's freeze, R = `rules_round`) the predictions are also kept as
    the frozen record traces/frozen/rulesR_sample<rnd>_*.csv: round R's held-out sample (rnd = R) and the
    earlier samples it was tuned on (rnd < R, the in-sample rows); an existing record that differs is never
    replaced, and no record is made of a sample drawn after the rules (rnd > R).

    Everything is computed first and written last: a missing coder file, an unlabelled item or a
    missing folder of material raises an InputError and writes nothing."""
    from mliter.io import atomic_write_text

    labels = labels_dir(rnd)
    if record and rnd > rules_round and scored_by(rnd) != rules_round:
        raise InputError(f"--record: the round-{rules_round} rules cannot be recorded on the round-{rnd} sample, "
                         "which was drawn after them; raise RULES_ROUND when the round's frozen rules are merged "
                         "(a replication round declares the rules it scores: FreshRound.replicates)")
    out: list[tuple[Path, str]] = []
    samples = {}
    for kind in kinds:
        key = key_column(kind)[0]
        sample = pd.read_csv(root / labels / f"sample_{kind}.csv", dtype=str, keep_default_na=False)
        samples[kind] = sample
        cons, dis = load_consensus(kind, root, rnd)
        missing = set(sample[key]) - set(cons[key])
        if missing:
            raise InputError(f"{kind}: {len(missing)} sampled items lack labels from every coder (first {sorted(missing)[0]})")
        out.append((root / labels / f"consensus_{kind}.csv",
                    cons.sort_values(key).to_csv(index=False, lineterminator="\n")))
        keep = dis.merge(sample[[key]], on=key)
        out.append((root / labels / f"disagreements_{kind}.csv",
                    keep.sort_values(key).to_csv(index=False, lineterminator="\n")))
    if predictions:
        where = {kind: material_folder(samples[kind], data, material) for kind in kinds}
        for kind in kinds:
            check_material(samples[kind], where[kind])
        for kind in kinds:
            s = samples[kind]
            frame = (predict_cells(s.astype({"code_cell": int}), where[kind]) if kind == "cells"
                     else predict_pairs(s, where[kind]))
            text = frame.to_csv(index=False, lineterminator="\n")
            out.append((root / PREDICTIONS[rnd].format(kind=kind), text))
            if record:
                kept = root / frozen_path(rules_round, rnd, kind)
                if kept.exists() and kept.read_text(encoding="utf-8") != text:
                    raise InputError(f"{kept}: a different frozen record of the round-{rules_round} rules on round "
                                     f"{rnd} exists; a sample is scored once by a round's rules, so it is kept "
                                     "(re-score without --record)")
                out.append((kept, text))
    written = []
    for path, text in out:
        atomic_write_text(path, text)
        written.append(path)
    return written
