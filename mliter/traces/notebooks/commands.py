"""`mliter mine traces`: the notebook trace miner's command."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT
from mliter.traces.notebooks.stages import DEFAULT_RULES


def _traces(args) -> int:
    from mliter.corpus.notebooks import discover
    from mliter.traces.notebooks.mine import digest_rules, mine_batch
    from mliter.traces.notebooks.parse import Limits
    from mliter.traces.notebooks.stages import StageRules
    from mliter.traces.notebooks.write import write_traces

    refs = discover(args.sources, root=args.root)
    rules = StageRules.from_csv(args.rules)
    limits = Limits(max_bytes=args.max_bytes, max_cells=args.max_cells)
    ckpt = None if args.no_resume else Path(args.out) / "traces" / ".checkpoint" / "traces.jsonl"
    results = mine_batch(refs, rules, digest_rules(args.rules), limits, checkpoint=ckpt,
                         progress=not args.quiet, dask_scheduler=args.dask)
    paths = write_traces(results, Path(args.out), parquet=args.parquet)
    if ckpt is not None and ckpt.exists():
        ckpt.unlink()
    n_err = sum(m.error is not None for m in results)
    print(f"{len(results) - n_err} notebooks mined, {n_err} refused -> " + ", ".join(str(p) for p in paths))
    return 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    p = groups["mine"].add_parser(
        "traces", help="mine execution traces of notebooks", formatter_class=HelpFormatter,
        description=(
            "Statically mine notebooks (never executing them) into traces/notebooks.csv, cells.csv, "
            "stages.csv and errors.csv. An interrupted run resumes from traces/.checkpoint/."
        ),
        epilog=(
            "examples:\n  mliter mine traces ../shared/data/notebooks\n"
            "  mliter mine traces corpus/notebooks.csv --root ../shared/data/notebooks --parquet\n"
            "  mliter mine traces big_folder/ --dask tcp://scheduler:8786"
        ),
    )
    p.add_argument("sources", nargs="+", help="folders, .ipynb files, manifests (.tsv/.csv) or lists (.txt)")
    p.add_argument("--root", type=Path, default=None, help="folder that manifest local_path values are relative to")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write traces/ under")
    p.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="stage rule table")
    p.add_argument("--parquet", action="store_true", help="also write .parquet beside each CSV")
    p.add_argument("--no-resume", action="store_true", help="ignore and do not write the checkpoint")
    p.add_argument("--dask", metavar="SCHEDULER", default=None,
                   help="run on Dask: threads, processes, synchronous or a distributed scheduler address")
    p.add_argument("--max-bytes", type=int, default=64 * 1024 * 1024, help="refuse notebooks larger than this")
    p.add_argument("--max-cells", type=int, default=100_000, help="refuse notebooks with more cells than this")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_traces)
