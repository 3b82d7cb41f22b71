"""`mliter mine traces`: the notebook trace miner's command."""

from __future__ import annotations

from pathlib import Path

from mliter.errors import InputError
from mliter.paths import ROOT
from mliter.traces.notebooks.stages import DEFAULT_RULES


def _traces(args) -> int:
    from mliter.corpus.notebooks import discover
    from mliter.traces.notebooks.mine import digest_rules, mine_batch
    from mliter.traces.notebooks.parse import Limits
    from mliter.traces.notebooks.stages import StageRules
    from mliter.traces.notebooks.write import write_traces

    if args.dask:
        from mliter.traces.notebooks.distributed import parse_spec

        parse_spec(args.dask)  # a mistyped cluster is named before any work
    refs = discover(args.sources, root=args.root)
    if not refs:
        raise InputError(f"no notebooks found in {', '.join(map(str, args.sources))}; the shipped tables are left as they were")
    rules = StageRules.from_csv(args.rules)
    limits = Limits(max_bytes=args.max_bytes, max_cells=args.max_cells, max_seconds=args.max_seconds,
                    max_memory_mb=args.max_memory_mb)
    ckpt = None if args.no_resume else Path(args.out) / "traces" / ".checkpoint" / "traces.jsonl"
    results = mine_batch(refs, rules, digest_rules(args.rules), limits, checkpoint=ckpt,
                         progress=not args.quiet, dask_scheduler=args.dask)
    n_err = sum(m.error is not None for m in results)
    if n_err == len(results):
        reasons = sorted({m.error["reason"] for m in results if m.error is not None})
        first = results[0].error["message"] if results[0].error is not None else ""
        raise InputError(f"none of the {len(results)} notebooks could be mined ({', '.join(reasons)}; e.g. {first}); "
                         "the shipped tables are left as they were")
    paths = write_traces(results, Path(args.out), parquet=args.parquet)
    if ckpt is not None and ckpt.exists():
        ckpt.unlink()
    print(f"{len(results) - n_err} notebooks mined, {n_err} refused -> " + ", ".join(str(p) for p in paths))
    return 0


def register(groups) -> None:
    from mliter.cli import add_verb

    p = add_verb(
        groups["mine"], "traces", _traces, help="mine execution traces of notebooks",
        description=(
            "Statically mine notebooks (never executing them) into traces/notebooks.csv, cells.csv, "
            "stages.csv and errors.csv. An interrupted run resumes from traces/.checkpoint/."
        ),
        epilog=(
            "examples:\n  mliter mine traces ../shared/data/notebooks\n"
            "  mliter mine traces corpus/notebooks.csv --root ../shared/data/notebooks --parquet\n"
            "  mliter mine traces big_folder/ --dask local:2\n"
            "  mliter mine traces big_folder/ --dask tcp://scheduler:8786"
        ),
    )
    p.add_argument("sources", nargs="+", help="folders, .ipynb files, manifests (.tsv/.csv) or lists (.txt)")
    p.add_argument("--root", type=Path, default=None, help="folder that manifest local_path values are relative to")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write traces/ under")
    p.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="stage rule table")
    p.add_argument("--parquet", action="store_true", help="also write .parquet beside each CSV")
    p.add_argument("--no-resume", action="store_true", help="ignore and do not write the checkpoint")
    p.add_argument("--dask", metavar="CLUSTER", default=None,
                   help="mine on Dask distributed: 'local' or 'local:N' starts a LocalCluster of N worker processes "
                        "on this machine; tcp://host:port joins a running scheduler (workers must see the files)")
    p.add_argument("--max-bytes", type=int, default=64 * 1024 * 1024, help="refuse notebooks larger than this")
    p.add_argument("--max-cells", type=int, default=100_000, help="refuse notebooks with more cells than this")
    p.add_argument("--max-seconds", type=float, default=120.0, help="time one notebook may take (else an error row)")
    p.add_argument("--max-memory-mb", type=int, default=4096,
                   help="memory growth one notebook may cause (else an error row)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
