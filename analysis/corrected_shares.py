"""Tables: stage and change-type shares corrected for the mined labels' misclassification.

Every share of a rule-derived label in figures/ (cells per stage, hidden executions per stage,
change types of notebook versions) is printed raw and corrected with the held-out confusion matrix
of the frozen rules: P(rule label | true label) is estimated on the held-out half's labelled items,
and the corrected shares solve observed = P^T * true (matrix inversion by least squares, clipped at
0 and renormalised). The 95% intervals are percentile bootstraps over the labelled held-out items
(1000 resamples, seeded). Change types of OpenML runs have no hand-labelled pairs and stay raw.
Starting iterations (S) are not classified by the rules (they are the first version), so change
types are corrected among the non-S versions and S keeps its count.
Once a fresh held-out sample is scored (coding/labels/round<N>/consensus_*.csv and the frozen record
traces/frozen/rules<N>_sample<N>_*.csv exist), the confusion matrix of the latest such round is used
instead: it is the held-out error of the frozen rules that mined the shipped traces, measured on items
nobody tuned on (round 3: fresh repositories; round 2: fresh items of the round-1 held-out repositories).
Stage shares are corrected with the confusion matrix of the producer that gives the shipped primary `stage`
(coding/stage_producer.yaml): the rules' column of the frozen record, or its `stage_learned` column when
the learned coder is primary (round 5 on).
When the latest scored producers were scored on more than one fresh sample (their own round and a replication of
it, mliter.corpus.rounds.FreshRound.replicates), the labelled items of all those samples are pooled into one
confusion matrix: each is held out for those producers, and together they halve the variance of the correction.
"""

INPUTS = ["traces/cells.csv", "traces/versions.csv", "coding/labels/sample_cells.csv",
          "coding/labels/sample_pairs.csv", "coding/labels/consensus_cells.csv", "coding/labels/consensus_pairs.csv",
          "traces/eval_cells.csv", "traces/eval_pairs.csv", "coding/stage_producer.yaml"]
OPTIONAL_INPUTS = ["coding/labels/round*/sample_*.csv", "coding/labels/round*/consensus_*.csv",
                   "traces/frozen/rules*_sample*_*.csv"]
OUTPUTS = ["figures/stage_shares_corrected.csv", "figures/stage_shares_corrected.md", "figures/stage_shares_corrected.tex",
           "figures/change_type_shares_corrected.csv", "figures/change_type_shares_corrected.md",
           "figures/change_type_shares_corrected.tex", "figures/variables/corrected_shares.json"]
CAPTIONS = {
    "stage_shares_corrected": (
        "Stage shares of the shipped corpus (traces/cells.csv): raw primary stages ({stageProducerForCorrection}, "
        "coding/stage_producer.yaml) and the shares corrected by that producer's confusion matrix on "
        "{heldOutCellsForCorrection}, {nHeldOutCellsForCorrection} cells (matrix inversion; bootstrap 95% interval "
        "over those labelled cells)."
    ),
    "change_type_shares_corrected": (
        "Change types of notebook versions (traces/versions.csv, starting versions excluded): raw shares and "
        "shares corrected by the classifier's confusion matrix on {heldOutPairsForCorrection}, "
        "{nHeldOutPairsForCorrection} pairs (matrix inversion; bootstrap 95% interval over those labelled pairs)."
    ),
}

import pandas as pd  # noqa: E402

from mliter.coding.eval_labels import PAIR_CODES  # noqa: E402
from mliter.coding.trace_eval import ROUND_LABELS, corrected_shares, frozen_path, join_labels  # noqa: E402
from mliter.corpus.rounds import rounds_scored_by, scored_by  # noqa: E402
from mliter.errors import InputError  # noqa: E402
from mliter.paths import CODING, ROOT, TRACES  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.learned import read_producer  # noqa: E402

ORDER = ["setup", "load", "EDA", "DPR", "LI", "PPR", "other"]


#: The fresh held-out rounds, latest first, and how a caption names each.
FRESH = {r: (f"the round-{r} held-out sample of fresh repositories" if r > 2 else "the fresh round-2 held-out sample")
         for r in sorted(ROUND_LABELS, reverse=True) if r > 1}


def _is_scored(rnd: int, kind: str) -> bool:
    return (CODING / "labels" / f"round{rnd}" / f"consensus_{kind}.csv").exists() and (
        ROOT / frozen_path(scored_by(rnd), rnd, kind)).exists()


def scored_round(kind: str) -> int | None:
    """The latest fresh round whose sample of `kind` has been labelled and scored, if any."""
    return next((rnd for rnd in FRESH if _is_scored(rnd, kind)), None)


def scored_rounds(kind: str) -> list[int]:
    """The fresh rounds whose held-out samples of `kind` the latest scored producers were scored on: the latest
    scored round and every other round scored by the same frozen producers (a round and its replications), in
    order; empty before any fresh round is scored."""
    latest = scored_round(kind)
    if latest is None:
        return []
    return [r for r in rounds_scored_by(scored_by(latest)) if _is_scored(r, kind)] or [latest]


def which_set(kind: str) -> str:
    """The held-out set a correction rests on, for captions."""
    rounds = scored_rounds(kind)
    if not rounds:
        return "the held-out half"
    if len(rounds) == 1:
        return FRESH[rounds[0]]
    return (f"the round-{', round-'.join(map(str, rounds[:-1]))} and round-{rounds[-1]} held-out samples of fresh "
            f"repositories, pooled (all scored by the round-{scored_by(rounds[-1])} producers)")


def which(kind: str, n: int) -> str:
    """The held-out set a correction rests on and its size, for captions."""
    return f"{which_set(kind)}, {n} {kind}"


def heldout(kind: str, key: str, col: str, produced: str | None = None) -> pd.DataFrame:
    """Labelled held-out items with the producer's labels (column `produced` of the predictions, default
    `col`) as `<col>_rule`: the held-out samples of `scored_rounds` pooled, else round 1's half."""
    sources = [(CODING / "labels" / f"round{r}", ROOT / frozen_path(scored_by(r), r, kind))
               for r in scored_rounds(kind)] or [(CODING / "labels", TRACES / f"eval_{kind}.csv")]
    column = produced or col
    parts = []
    for labels, pred_file in sources:
        sample = pd.read_csv(labels / f"sample_{kind}.csv", dtype=str, keep_default_na=False)
        cons = pd.read_csv(labels / f"consensus_{kind}.csv", dtype=str, keep_default_na=False)
        pred = pd.read_csv(pred_file, dtype=str, keep_default_na=False)
        if column not in pred:  # e.g. the learned coder declared primary over a record written before it existed
            raise InputError(f"{pred_file}: no column {column!r}, which the held-out correction of {kind} needs "
                             f"(coding/stage_producer.yaml)")
        m = join_labels(cons, pred[[key, column]].rename(columns={column: col}), sample, kind, where=str(pred_file))
        parts.append(m[m.half == "heldout"])
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    values = {}
    cells = pd.read_csv(TRACES / "cells.csv", keep_default_na=False)
    cells = cells[cells.status != "empty"]
    primary = read_producer(CODING / "stage_producer.yaml")
    h = heldout("cells", "cell_id", "stage", "stage_learned" if primary == "learned" else "stage")
    parts = []
    for quantity, weights in (("share of code cells", None), ("share of hidden executions", "hidden_before")):
        labels = list(cells.stage) if weights is None else [
            s for s, w in zip(cells.stage, cells[weights]) for _ in range(int(w))]
        t = corrected_shares(labels, h.stage_hand, h.stage_rule, ORDER)
        t.insert(0, "quantity", quantity)
        parts.append(t.rename(columns={"category": "stage"}))
    stage_table = pd.concat(parts, ignore_index=True)
    values["stageProducerForCorrection"] = "the learned coder" if primary == "learned" else "the rules"
    values["heldOutCellsForCorrection"] = which_set("cells")
    values["nHeldOutCellsForCorrection"] = len(h)
    write_table(stage_table, "stage_shares_corrected", caption(CAPTIONS, "stage_shares_corrected", values))
    for _, r in stage_table[stage_table.quantity == "share of code cells"].iterrows():
        values[f"cellShare{r.stage.capitalize() if r.stage not in ('EDA', 'DPR', 'LI', 'PPR') else r.stage}Corrected"] = float(r.corrected_share)
    versions = pd.read_csv(TRACES / "versions.csv", keep_default_na=False)
    ok = versions[(versions.status == "ok") & (versions.change_type != "S")]
    hp = heldout("pairs", "pair_id", "code")
    codes = list(PAIR_CODES)
    t = corrected_shares(list(ok.change_type), hp.code_hand, hp.code_rule, codes)
    t = t.rename(columns={"category": "code", "raw_share": "raw_share_of_changes",
                          "corrected_share": "corrected_share_of_changes"})
    t.insert(0, "source", "notebooks")
    t.insert(2, "n_raw", [int((ok.change_type == c).sum()) for c in t.code])
    values["heldOutPairsForCorrection"] = which_set("pairs")
    values["nHeldOutPairsForCorrection"] = len(hp)
    write_table(t, "change_type_shares_corrected", caption(CAPTIONS, "change_type_shares_corrected", values))
    for _, r in t.iterrows():
        values[f"changeShare{r.code}Corrected"] = float(r.corrected_share_of_changes)
    write_fragment("corrected_shares", values)


if __name__ == "__main__":
    main()
