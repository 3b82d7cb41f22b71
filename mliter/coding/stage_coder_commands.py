"""`mliter code train-stage-coder`: retrain the learned stage coder and compute the pre-registered comparison."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT


def register(groups) -> None:
    from mliter.cli import add_verb

    t = add_verb(
        groups["code"], "train-stage-coder", _train,
        help="train the learned stage coder on the labelled cells; LORO accuracy against the rules' in-sample one",
        description=("Mine every labelled cell of the tuning rounds (coding/labels[/round<N>]/consensus_cells.csv of "
                     "every labelled round below mliter.corpus.rounds.HELD_OUT_ROUND; the held-out round is refused) "
                     "with the current rules, never executing code; estimate the learned coder's accuracy by leaving "
                     "one repository out (the regularisation chosen within the other repositories), fit the final "
                     "model on all cells and write coding/stage_coder.csv (coefficients), traces/eval_stage_coder.csv "
                     "(per cell: hand, rules, learned under LORO, learned in-sample) and coding/stage_producer.yaml "
                     "(the evidence and what the pre-registered rule says). The primary producer there changes only "
                     "with --apply. Re-run it after the stage rules change: the rules' output is one of the features; "
                     "then re-mine (make traces) so traces/cells.csv carries the new stage_learned."),
        epilog=("examples:\n  mliter code train-stage-coder   # every tuning round; round N's material in "
                "$MLITER_ROUND<N>_DATA or ../freshN (round 2: ../fresh)\n"
                "  mliter code train-stage-coder --material 3=/work/fresh3 --material 4=/work/fresh4\n"
                "  mliter corpus fetch --only notebooks_round3.csv notebook_versions_round3.csv --out /work/fresh3\n"
                "      # a round's material, kept outside the repository, rebuilt from its manifests\n"
                "  mliter code train-stage-coder --apply   # the lead, at the freeze: applies the pre-registered rule\n"
                "A stopped run resumes: each finished left-out repository is kept in --cache-dir, keyed by the "
                "cells' features and labels and the settings (so new rules or labels recompute everything)."))
    t.add_argument("--data", type=Path, default=None, help="folder holding notebooks_eval/ (default: the shared data)")
    t.add_argument("--material", action="append", default=[], metavar="N=PATH", type=_material,
                   help="folder holding round N's material kept outside the repository (notebooks_roundN/, "
                        "notebook_versions_roundN/); repeat per round (default: $MLITER_ROUND<N>_DATA, else the "
                        "round's folder beside the checkout, e.g. ../fresh4)")
    t.add_argument("--rounds", type=_rounds, default=None, metavar="1,2,...",
                   help="tuning rounds (default: every labelled round below the held-out round; the held-out round "
                        "is refused)")
    t.add_argument("--root", type=Path, default=ROOT, help="repository root")
    t.add_argument("--apply", action="store_true",
                   help="set `primary` in coding/stage_producer.yaml to what the pre-registered rule says")
    t.add_argument("--jobs", type=int, default=2, help="processes for the left-out repositories (the "
                   "result does not depend on it)")
    t.add_argument("--cache-dir", type=Path, default=None,
                   help="where finished left-out folds are kept so a stopped run resumes (default "
                        "$XDG_CACHE_HOME/mliter/stage_coder, else ~/.cache/mliter/stage_coder)")
    t.add_argument("--no-cache", action="store_true", help="keep no folds (recompute everything)")
    t.add_argument("--no-progress", action="store_true", help="no progress bars")


def _material(value: str) -> tuple[int, Path]:
    import argparse

    num, sep, path = value.partition("=")
    if not sep or not num.strip().isdigit() or not path:
        raise argparse.ArgumentTypeError(f"{value!r}: expected N=PATH, e.g. 4=/work/fresh4")
    return int(num), Path(path)


def _rounds(value: str) -> tuple[int, ...]:
    import argparse

    try:
        return tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: expected round numbers separated by commas, e.g. 1,2,3,4") from None


def _train(args) -> int:
    from mliter.coding.stage_coder import default_cache_dir, run
    from mliter.paths import shared_data

    cache = None if args.no_cache else (args.cache_dir or default_cache_dir())
    trained = run(Path(args.root), args.data or shared_data(), dict(args.material), apply=args.apply,
                  progress=not args.no_progress, rounds=args.rounds, jobs=max(1, args.jobs), cache_dir=cache)
    ev = trained.evidence
    lo, ru = ev["learned_loro"], ev["rules_in_sample"]
    print(f"cells {ev['cells']} of rounds {ev['rounds']}, repositories {ev['repositories']}, C {ev['model']['C']}, "
          f"vocabulary: API tokens of at least {ev['model']['vocabulary_min_repositories']} repositories "
          f"({ev['model']['open_tokens_in_vocabulary']} tokens)")
    # the share from the counts: the evidence file keeps it rounded to 4 places, which would round again here
    print(f"learned coder, leave-one-repository-out: {lo['agree'] / lo['n']:.1%} [{lo['ci_low']:.1%}, {lo['ci_high']:.1%}] "
          f"kappa {lo['kappa']:.2f}")
    print(f"rules, in-sample:                        {ru['agree'] / ru['n']:.1%} [{ru['ci_low']:.1%}, {ru['ci_high']:.1%}] "
          f"kappa {ru['kappa']:.2f}")
    for name, part in [*ev["per_round"].items(), *ev["per_kind"].items()]:
        print(f"  {name:<34} n={part['n']:<4} learned LORO {part['learned_loro']:.1%}  rules {part['rules_in_sample']:.1%}")
    print(f"pre-registered rule says: {trained.choice}"
          + ("" if args.apply else " (not applied: coding/stage_producer.yaml keeps its primary; --apply to apply)"))
    return 0
