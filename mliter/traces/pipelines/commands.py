"""`mliter mine pipelines STORE...`: model graphlets and wasted computation from provenance stores."""

from __future__ import annotations

import sys
from pathlib import Path

from mliter.errors import MliterError
from mliter.paths import ROOT


class NothingMined(MliterError):
    """No store could be read: the shipped tables are left as they are."""


def _mine_pipelines(args) -> int:
    from mliter.traces.pipelines.mine import mine_stores
    from mliter.traces.pipelines.write import write

    results = mine_stores(args.stores, progress=not args.quiet)
    failed = [r for r in results if r.row["status"] == "error"]
    for r in failed:
        print(f"mliter: error: store {r.row['error']}", file=sys.stderr)
    for r in results:
        for p in r.problems:
            print(f"warning: {p}", file=sys.stderr)
    if len(failed) == len(results):
        raise NothingMined("no store could be read; nothing was written (" + ", ".join(r.row["store"] for r in failed)
                           + ")")
    paths = write(results, args.out)
    n_graphlets = sum(r.row.get("n_graphlets") or 0 for r in results)
    n_pushed = sum(r.row.get("n_pushed") or 0 for r in results)
    print(f"{len(results) - len(failed)} of {len(results)} stores mined: {n_graphlets} graphlets, {n_pushed} pushed -> "
          + ", ".join(str(p.relative_to(args.out) if p.is_relative_to(args.out) else p) for p in paths))
    return 1 if failed else 0


def register(groups) -> None:
    from mliter.cli import add_verb

    p = add_verb(
        groups["mine"], "pipelines", _mine_pipelines,
        help="cut ML Metadata and MLflow stores into model graphlets: pushed share, wasted compute",
        description=(
            "Read provenance stores (never writing to them), cut each pipeline's history into model graphlets "
            "(one training with its upstream since the previous training and its evaluation, validation and "
            "push), and write traces/pipelines/{stores,pipelines,graphlets,executions,artifacts}.csv. A STORE is "
            "an ML Metadata SQLite file or mysql://user:pass@host:port/db URL, an MLflow file store folder or "
            ".tar.gz, an MLflow SQLite file, or an http(s):// tracking server; NAME=STORE names it in the tables. "
            "A store that cannot be read becomes an error row and the others are still mined; the exit status is "
            "then 1. When no store can be read nothing is written. See docs/pipelines.md."
        ),
        epilog=(
            "examples:\n"
            "  mliter mine pipelines ../shared/data/provenance/mlmd_sqlite/*.sqlite\n"
            "  mliter mine pipelines kfp=mysql://root:secret@127.0.0.1:3306/metadb\n"
            "  mliter mine pipelines ./mlruns http://127.0.0.1:5000 --out /tmp/mined"
        ),
    )
    p.add_argument("stores", nargs="+", metavar="STORE", help="store path or URL, optionally NAME=STORE")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write traces/pipelines/ under")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
