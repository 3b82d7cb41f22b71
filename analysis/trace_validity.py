"""Tables: how well the notebook-trace rules agree with blind hand labels, per label set.

Stage labels (primary stage of a code cell, codebook 2.0 in coding/stages.md) and change types
(coding/change_types.yaml) were labelled by two coders blind to each other and to the rules, on
cells and version pairs of repositories split before any tuning into a tuning half and a held-out
half (coding/eval_split.csv). The rules were tuned on the tuning half only, frozen (commit
"freeze"), and the held-out half was scored once afterwards; those round-1 predictions are kept as
traces/frozen/rules1_sample1_*.csv and stay reported (traces/frozen/rules<R>_sample<S>_*.csv: round R's
frozen rules on round S's sample, as scored; every reported row rests on one of these). Round 2 (when its files exist): a fresh held-out sample
drawn before the round-2 rules were frozen (coding/labels/round2/: fresh cells of held-out notebooks,
all pairs of fresh version series of held-out repositories), scored once with the frozen round-2
rules (traces/frozen/rules2_sample2_*.csv); the round-1 sample re-scored with the same rules
(traces/frozen/rules2_sample1_*.csv) is reported as "reused": its aggregate confusion was public during
round-2 tuning. Rounds N = 3, 4, ... (when their files exist): notebooks and version series of fresh repositories
used in no earlier set (coding/labels/round<N>/, corpus/repos_round<N>.csv), drawn before the round-N rules were
frozen and scored once with them (traces/frozen/rules<N>_sample<N>_*.csv); the same frozen rules on the samples of
the earlier rounds (traces/frozen/rules<N>_sample<S>_*.csv, S < N), all of it round N's tuning material, in-sample.
A replication round (mliter.corpus.rounds.FreshRound.replicates, round 8 on) tunes nothing: round R's frozen
producers are scored once more on fresh repositories drawn after their freeze (traces/frozen/rules<R>_sample<N>_*.csv,
N > R), and every producer scored on two or more held-out samples gets a pooled row over all of them.
The variables quote every row and, as "Latest", the latest scored fresh round, which the captions use. Beside them: the older label sets (coding/stage_labels*.csv under codebook 1,
coding/change_labels.csv), scored with the current rules.

Owns: the accuracy table (Wilson 95% intervals, Cohen's kappa with its 95% interval), the
inter-coder agreement table, the held-out confusion tables and the numbers quoted in text.
"""

INPUTS = ["coding/eval_split.csv", "coding/labels/sample_cells.csv", "coding/labels/sample_pairs.csv",
          "coding/labels/cells_a.csv", "coding/labels/cells_b.csv", "coding/labels/pairs_a.csv",
          "coding/labels/pairs_b.csv", "coding/labels/consensus_cells.csv", "coding/labels/consensus_pairs.csv",
          "traces/frozen/rules1_sample1_cells.csv",
          "traces/frozen/rules1_sample1_pairs.csv", "traces/frozen/rules2_sample1_cells.csv",
          "traces/frozen/rules2_sample1_pairs.csv", "coding/labels/round2/sample_cells.csv",
          "coding/labels/round2/sample_pairs.csv", "coding/stage_labels.csv",
          "coding/stage_labels_heldout.csv", "traces/cells.csv", "coding/change_labels.csv", "traces/versions.csv",
          "coding/stage_producer.yaml"]
#: Files of the fresh rounds (2 on), used when present: coders' files as they arrive, frozen records once the
#: lead scores (make's wildcard: a new round needs no edit here).
OPTIONAL_INPUTS = ["coding/labels/round*/sample_*.csv", "coding/labels/round*/cells_*.csv",
                   "coding/labels/round*/pairs_*.csv", "coding/labels/round*/consensus_*.csv",
                   "traces/frozen/rules*_sample*_*.csv", "traces/eval_stage_coder.csv"]
OUTPUTS = ["figures/trace_validity.csv", "figures/trace_validity.md", "figures/trace_validity.tex",
           "figures/trace_coder_agreement.csv", "figures/trace_coder_agreement.md", "figures/trace_coder_agreement.tex",
           "figures/trace_heldout_confusion.csv", "figures/trace_heldout_confusion.md",
           "figures/trace_heldout_confusion.tex", "figures/variables/trace_validity.json"]

import pandas as pd  # noqa: E402

from mliter.coding.eval_labels import PAIR_CODES, STAGES as LABEL_STAGES  # noqa: E402
from mliter.coding.trace_eval import (ROUND_LABELS, coder_agreement, frozen_path, join_labels, kappa,  # noqa: E402
                                      read_coders)
from mliter.corpus.rounds import rounds_scored_by, scored_by  # noqa: E402
from mliter.paths import CODING, ROOT, TRACES  # noqa: E402
from mliter.report.stats import wilson  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.learned import read_producer  # noqa: E402

#: Floors of issue 7 for the held-out half.
FLOORS = {"cells": 0.85, "pairs": 0.75}


def _row(items: str, label_set: str, hand: pd.Series, rule: pd.Series, cats) -> dict:
    n = len(hand)
    hits = int((hand.values == rule.values).sum())
    lo, hi = wilson(hits, n)
    k, klo, khi = kappa(list(hand), list(rule), cats)
    return {"items": items, "label set": label_set, "n": n, "agree": hits, "accuracy": hits / n,
            "ci_low": lo, "ci_high": hi, "kappa": k, "kappa_low": klo, "kappa_high": khi}


ROUND1 = ("round-1 rules: tuning half (in-sample)", "round-1 rules: held-out half")
TUNED2 = "round-2 rules: tuning half (in-sample)"
REUSED = "round-1 held-out, reused after round-2 tuning"
ROUND2 = {"cells": "round-2 held-out (fresh cells)", "pairs": "round-2 held-out (fresh series)"}
#: The learned stage coder (traces/eval_stage_coder.csv) on the labelled cells it was trained on, each repository
#: left out in turn (named by `loro_name` from the rounds the file holds); the rules' in-sample rows on the same
#: cells are the insample_name rows.
LEARNED_LORO = "learned coder: rounds 1-{last}, leave one repository out (round-{next} tuning material)"


def loro_name(rounds) -> str:
    """Row of the learned coder's LORO estimate on the tuning cells of `rounds` (1 to the last, consecutive)."""
    last = max(int(r) for r in rounds)
    return LEARNED_LORO.format(last=last, next=last + 1)
#: Number words of the variables' tags (traceStageAccuracyRoundThree, ...).
_UNITS = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
          "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen")
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def round_word(n: int) -> str:
    """A round number spelled for a variable name (LaTeX macro names take letters only): 10 -> `Ten`."""
    if not 0 < n < 100:
        raise ValueError(f"round {n}: variable names spell rounds 1-99")
    return _UNITS[n] if n < 20 else _TENS[n // 10] + _UNITS[n % 10]


#: Rounds as spelled in variable names (`traceStageAccuracyRoundTen`).
WORDS = {n: round_word(n) for n in range(1, 100)}


def _by(rnd: int) -> str:
    """How a row names the rules of a replication round (scored by an earlier round's frozen rules)."""
    return "" if scored_by(rnd) == rnd else f", round-{scored_by(rnd)} producers (replication)"


def fresh_name(rnd: int, kind: str) -> str:
    """Row of a fresh round's held-out sample (round 3 on: fresh repositories)."""
    if rnd == 2:
        return ROUND2[kind]
    return f"round-{rnd} held-out (fresh repositories: {'cells' if kind == 'cells' else 'series'}){_by(rnd)}"


def learned_name(rnd: int) -> str:
    """Row of the learned stage coder on a fresh round's held-out cells (its frozen record's `stage_learned`)."""
    return f"round-{rnd} held-out (fresh repositories: cells){_by(rnd)}, learned coder"


def pooled_rounds(rules: int) -> list[int]:
    """The labelled fresh rounds whose samples round `rules`'s frozen producers were scored on held-out: its own
    round and every replication of it (drawn after its freeze), in order (`rounds_scored_by`)."""
    return [r for r in rounds_scored_by(rules) if r in FRESH]


def pooled_name(rules: int, kind: str, learned: bool = False) -> str:
    """Row of round `rules`'s frozen producers on all their held-out samples together (two or more rounds)."""
    rounds = pooled_rounds(rules)
    items = "cells" if kind == "cells" else "series"
    who = "learned coder" if learned else ("rules" if kind == "cells" else "classifier")
    return (f"rounds {', '.join(map(str, rounds))} held-out pooled (fresh repositories: {items}), "
            f"round-{rules} {who}")


def insample_name(rnd: int) -> str:
    """Row of round `rnd`'s frozen rules on every earlier sample, their tuning material (round 3 on)."""
    return f"round-{rnd} rules: samples of rounds 1-{rnd - 1} (in-sample)"


#: The fresh held-out rounds with labels in the repository: round -> row names per kind of item.
FRESH = {r: {k: fresh_name(r, k) for k in ("cells", "pairs")} for r in sorted(ROUND_LABELS) if r > 1}


#: Columns of a frozen record kept beside the rules' label: the learned coder's stage (round 4 on).
LEARNED = ("stage_learned",)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _confusion(kind: str, part: pd.DataFrame, col: str, cats) -> pd.DataFrame:
    conf = pd.crosstab(pd.Categorical(part[col + "_hand"], cats), pd.Categorical(part[col + "_rule"], cats),
                       dropna=False)
    conf = conf.reset_index().rename(columns={"row_0": "hand \\ rule"})
    conf.columns = [str(c) for c in conf.columns]
    conf.insert(0, "items", kind)
    return conf


def _frozen(rules: int, sample: int, kind: str) -> pd.DataFrame | None:
    path = ROOT / frozen_path(rules, sample, kind)
    return _read(path) if path.exists() else None


def fresh_scored(kind: str, key: str, col: str, rnd: int = 2) -> pd.DataFrame | None:
    """A fresh round's sample joined with its consensus and the record of the frozen rules that score it (its
    own round's, or for a replication the replicated round's: `scored_by`), when all exist."""
    labels = CODING / "labels" / f"round{rnd}"
    cons, pred = labels / f"consensus_{kind}.csv", _frozen(scored_by(rnd), rnd, kind)
    if not cons.exists() or pred is None:
        return None
    return join_labels(_read(cons), pred, _read(labels / f"sample_{kind}.csv"), kind, keep=LEARNED)


def insample(kind: str, key: str, col: str, rnd: int) -> pd.DataFrame | None:
    """Round `rnd`'s frozen rules on every earlier sample (both halves of round 1, the fresh samples of rounds
    2 to rnd-1), joined with their consensus, when every record exists: the rules' in-sample accuracy."""
    parts = []
    for smp in range(1, rnd):
        pred, labels = _frozen(rnd, smp, kind), CODING / "labels" / ("" if smp == 1 else f"round{smp}")
        if pred is None:
            return None
        parts.append(join_labels(_read(labels / f"consensus_{kind}.csv"), pred, _read(labels / f"sample_{kind}.csv"),
                                 kind, keep=LEARNED))
    return pd.concat(parts, ignore_index=True)


def _halves(rows: list, kind: str, m: pd.DataFrame, col: str, cats, names: tuple[str, str]) -> None:
    for half, name in zip(("tuning", "heldout"), names):
        part = m[m.half == half]
        rows.append(_row(kind, name, part[col + "_hand"], part[col + "_rule"], cats))


def main() -> None:
    rows, confusions, values = [], [], {}
    primary = read_producer(CODING / "stage_producer.yaml")
    for kind, key, col, cats in (("cells", "cell_id", "stage", LABEL_STAGES), ("pairs", "pair_id", "code", PAIR_CODES)):
        sample = _read(CODING / "labels" / f"sample_{kind}.csv")
        cons = _read(CODING / "labels" / f"consensus_{kind}.csv")
        m = join_labels(cons, _frozen(1, 1, kind), sample, kind, keep=LEARNED)
        _halves(rows, kind, m, col, cats, ROUND1)
        confusions.append(_confusion(kind, m[m.half == "heldout"], col, cats))
        r2 = fresh_scored(kind, key, col, 2)
        if r2 is not None:
            _halves(rows, kind, join_labels(cons, _frozen(2, 1, kind), sample, kind, keep=LEARNED), col, cats,
                    (TUNED2, REUSED))
            rows.append(_row(kind, ROUND2[kind], r2[col + "_hand"], r2[col + "_rule"], cats))
            confusions.append(_confusion(f"{kind}, {ROUND2[kind]}", r2, col, cats))
        for rnd in (r for r in FRESH if r > 2):
            fresh = fresh_scored(kind, key, col, rnd)
            if fresh is None:
                continue
            earlier = insample(kind, key, col, rnd)
            if earlier is not None:
                rows.append(_row(kind, insample_name(rnd), earlier[col + "_hand"], earlier[col + "_rule"], cats))
            rows.append(_row(kind, FRESH[rnd][kind], fresh[col + "_hand"], fresh[col + "_rule"], cats))
            confusions.append(_confusion(f"{kind}, {FRESH[rnd][kind]}", fresh, col, cats))
            if "stage_learned" in fresh:  # the record holds the learned coder's stage too (round 4 on)
                rows.append(_row(kind, learned_name(rnd), fresh[col + "_hand"], fresh["stage_learned"], cats))
                confusions.append(_confusion(f"{kind}, {learned_name(rnd)}",
                                             fresh.assign(stage_rule=fresh["stage_learned"]), col, cats))
        for rules in sorted({scored_by(r) for r in FRESH if r > 2}):
            parts = [fresh_scored(kind, key, col, r) for r in pooled_rounds(rules)]
            if len(parts) < 2 or any(p is None for p in parts):
                continue  # a producer scored on one sample has no pooled row
            both = pd.concat(parts, ignore_index=True)
            rows.append(_row(kind, pooled_name(rules, kind), both[col + "_hand"], both[col + "_rule"], cats))
            if "stage_learned" in both and not both["stage_learned"].isna().any():
                rows.append(_row(kind, pooled_name(rules, kind, learned=True), both[col + "_hand"],
                                 both["stage_learned"], cats))
    coder = TRACES / "eval_stage_coder.csv"
    if coder.exists():
        ev = _read(coder)
        rows.append(_row("cells", loro_name(ev["round"]), ev.stage_hand, ev.stage_learned_loro, LABEL_STAGES))
    cells = pd.read_csv(TRACES / "cells.csv", keep_default_na=False, dtype={"cell_index": int})
    for file, name in (("stage_labels.csv", "older set, coder_a (codebook 1)"),
                       ("stage_labels_heldout.csv", "older held-out set, coder_b (codebook 1)")):
        lab = pd.read_csv(CODING / file, dtype={"cell_index": int})
        m = lab.merge(cells[["notebook_id", "cell_index", "stage"]], on=["notebook_id", "cell_index"],
                      suffixes=("_hand", "_rule"))
        rows.append(_row("cells", name, m.stage_hand, m.stage_rule, LABEL_STAGES))
    versions = pd.read_csv(TRACES / "versions.csv", keep_default_na=False, dtype=str)
    changes = pd.read_csv(CODING / "change_labels.csv", dtype=str, keep_default_na=False)
    m = changes.merge(versions[["version_id", "change_type"]], on="version_id")
    for sample, name in (("tuning", "older tuning samples (codebook 1.1)"), ("heldout", "older held-out sample")):
        part = m[m["sample"].str.startswith("tuning")] if sample == "tuning" else m[m["sample"] == "heldout"]
        rows.append(_row("pairs", name, part["code"], part["change_type"], list(PAIR_CODES) + ["S"]))
    table = pd.DataFrame(rows)
    held = {ROUND1[1], REUSED, *(name for names in FRESH.values() for name in names.values()),
            *(learned_name(r) for r in FRESH),
            *(pooled_name(scored_by(r), k, learned) for r in FRESH if r > 2 for k in ("cells", "pairs")
              for learned in (False, True))}
    table["floor"] = [FLOORS[i] if s in held else None for i, s in zip(table["items"], table["label set"])]
    write_table(table, "trace_validity",
                "Notebook-trace rules against blind hand labels: primary stage of cells and change type of version "
                "pairs (accuracy with Wilson 95% interval, Cohen's kappa with 95% interval). Round 1: the held-out "
                "half was scored once after the round-1 rules were frozen. Round 2: the rules were re-tuned on the "
                "tuning half only, frozen, and scored once on a fresh held-out sample drawn before the freeze; the "
                "round-1 held-out half re-scored with them is 'reused' (its confusion matrix was public during "
                "tuning). Rounds 3 on, when scored: fresh repositories used in no earlier set, sampled before that round's "
                "freeze and scored once; the samples of the earlier rounds were its tuning material (in-sample row). A "
                "replication round tunes nothing: an earlier round's frozen producers are scored again on fresh "
                "repositories drawn after their freeze, and a producer scored on two or more such samples also gets a "
                "pooled row. Round 4 on: "
                "a learned stage coder beside the rules, scored on the same held-out cells from the same frozen record, "
                "and its leave-one-repository-out accuracy on the tuning cells; in round 4, by the rule pre-registered "
                "for it, the rules stayed the primary stage; from round 5, by its own pre-registered rule, the primary "
                f"stage of the shipped traces is {'the learned coder' if primary == 'learned' else 'the rules'} "
                "(coding/stage_producer.yaml; docs/trace-validity.md). The 'Latest' variables the other captions quote "
                "are the primary producer's row. Floors are issue 7's; a held-out row below its floor is reported as it came out.")
    agreement = []
    for kind, cats in (("cells", LABEL_STAGES), ("pairs", PAIR_CODES)):
        sample = _read(CODING / "labels" / f"sample_{kind}.csv")
        agreement.append(coder_agreement(read_coders(kind, ROOT), kind, sample, cats))
        for rnd, names in FRESH.items():
            coders = read_coders(kind, ROOT, rnd=rnd)
            if len(coders) >= 2:
                fresh = coder_agreement(coders, kind, _read(CODING / "labels" / f"round{rnd}" / f"sample_{kind}.csv"),
                                        cats)
                agreement.append(fresh[fresh.half == "all"].assign(half=names[kind]))
    write_table(pd.concat(agreement, ignore_index=True), "trace_coder_agreement",
                "Agreement of the two blind coders before adjudication (share with Wilson 95% interval, Cohen's kappa).")
    write_table(pd.concat(confusions, ignore_index=True), "trace_heldout_confusion",
                "Held-out items: consensus label (rows) against the frozen rules (columns); round 1 on the held-out half, "
                "the later rounds on their fresh samples.")
    by = table.set_index(["items", "label set"])
    for kind, short in (("cells", "Stage"), ("pairs", "Change")):
        tags = [(ROUND1[1], "HeldOut"), (ROUND1[0], "Tuning"), (TUNED2, "TuningTwo"), (REUSED, "Reused")]
        tags += [(FRESH[r][kind], "Round" + WORDS[r]) for r in FRESH]
        tags += [(insample_name(r), "Tuning" + WORDS[r]) for r in FRESH if r > 2]
        tags += [(learned_name(r), "Learned" + WORDS[r]) for r in FRESH if r > 2]
        tags += [(name, "LearnedLoro") for name in table["label set"] if name.startswith("learned coder: rounds 1-")]
        latest = max((r for r in FRESH if (kind, FRESH[r][kind]) in by.index), default=None)
        if latest is not None:  # the latest scored fresh round, which the captions quote, by the primary producer
            primary_row = learned_name(latest) if kind == "cells" and primary == "learned" else FRESH[latest][kind]
            tags.append((primary_row if (kind, primary_row) in by.index else FRESH[latest][kind], "Latest"))
            values[f"trace{short}RoundLatest"] = latest
            rules = scored_by(latest)
            pooled = pooled_name(rules, kind, learned=kind == "cells" and primary == "learned")
            if (kind, pooled) in by.index:  # the latest producers on all their held-out samples
                tags.append((pooled, "Pooled"))
                values[f"trace{short}RoundsPooled"] = ", ".join(map(str, pooled_rounds(rules)))
        for name, tag in tags:
            if (kind, name) not in by.index:
                continue
            r = by.loc[(kind, name)]
            values[f"trace{short}Accuracy{tag}"] = float(r["accuracy"])
            values[f"trace{short}Accuracy{tag}Low"] = float(r["ci_low"])
            values[f"trace{short}Accuracy{tag}High"] = float(r["ci_high"])
            values[f"trace{short}Kappa{tag}"] = float(r["kappa"])
            values[f"trace{short}N{tag}"] = int(r["n"])
    write_fragment("trace_validity", values)


if __name__ == "__main__":
    main()
