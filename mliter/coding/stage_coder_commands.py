"""`mliter code train-stage-coder`: retrain the learned stage coder and compute the pre-registered comparison."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT


def register(groups) -> None:
    from mliter.cli import add_verb

    t = add_verb(
        groups["code"], "train-stage-coder", _train,
        help="train the learned stage coder on the labelled cells; LORO accuracy against the rules' in-sample one",
        description=("Mine every labelled cell of rounds 1-3 (coding/labels[/round<N>]/consensus_cells.csv; never round "
                     "4) with the current rules, never executing code; estimate the learned coder's accuracy by leaving "
                     "one repository out (the regularisation chosen within the other repositories), fit the final "
                     "model on all cells and write coding/stage_coder.csv (coefficients), traces/eval_stage_coder.csv "
                     "(per cell: hand, rules, learned under LORO, learned in-sample) and coding/stage_producer.yaml "
                     "(the evidence and what the pre-registered rule says). The primary producer there changes only "
                     "with --apply. Re-run it after the stage rules change: the rules' output is one of the features; "
                     "then re-mine (make traces) so traces/cells.csv carries the new stage_learned."),
        epilog=("examples:\n  mliter code train-stage-coder --material-round3 /work/fresh3\n"
                "  mliter code train-stage-coder --material-round3 /work/fresh3 --apply   # the lead, at the freeze"))
    t.add_argument("--data", type=Path, default=None, help="folder holding notebooks_eval/ (default: the shared data)")
    t.add_argument("--material-round3", type=Path, default=None,
                   help="folder holding notebooks_round3/ (default $MLITER_ROUND3_DATA, else ../fresh3)")
    t.add_argument("--root", type=Path, default=ROOT, help="repository root")
    t.add_argument("--apply", action="store_true",
                   help="set `primary` in coding/stage_producer.yaml to what the pre-registered rule says")
    t.add_argument("--no-progress", action="store_true", help="no progress bars")


def _train(args) -> int:
    from mliter.coding.stage_coder import run
    from mliter.paths import shared_data

    trained = run(Path(args.root), args.data or shared_data(), {3: args.material_round3}, apply=args.apply,
                  progress=not args.no_progress)
    ev = trained.evidence
    lo, ru = ev["learned_loro"], ev["rules_in_sample"]
    print(f"cells {ev['cells']}, repositories {ev['repositories']}, C {ev['model']['C']}")
    print(f"learned coder, leave-one-repository-out: {lo['accuracy']:.1%} [{lo['ci_low']:.1%}, {lo['ci_high']:.1%}] "
          f"kappa {lo['kappa']:.2f}")
    print(f"rules, in-sample:                        {ru['accuracy']:.1%} [{ru['ci_low']:.1%}, {ru['ci_high']:.1%}] "
          f"kappa {ru['kappa']:.2f}")
    for name, part in [*ev["per_round"].items(), *ev["per_kind"].items()]:
        print(f"  {name:<34} n={part['n']:<4} learned LORO {part['learned_loro']:.1%}  rules {part['rules_in_sample']:.1%}")
    print(f"pre-registered rule says: {trained.choice}"
          + ("" if args.apply else " (not applied: coding/stage_producer.yaml keeps its primary; --apply to apply)"))
    return 0
