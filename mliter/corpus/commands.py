"""`mliter corpus ...` verbs."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT


def _notebooks(args) -> int:
    from mliter.corpus.notebooks import discover, manifest_frame
    from mliter.corpus.schema import NOTEBOOK_MANIFEST

    refs = discover(args.sources, root=args.root)
    path = NOTEBOOK_MANIFEST.write(manifest_frame(refs), args.out)
    print(f"{len(refs)} notebooks -> {path}")
    return 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    p = groups["corpus"].add_parser(
        "notebooks", help="write the notebook manifest (corpus/notebooks.csv)", formatter_class=HelpFormatter,
        description="Describe notebooks (ids, provenance, sha256) without reading their content.",
        epilog="example:\n  mliter corpus notebooks ../shared/data/notebooks",
    )
    p.add_argument("sources", nargs="+", help="folders, .ipynb files, manifests (.tsv/.csv) or lists (.txt)")
    p.add_argument("--root", type=Path, default=None, help="folder that manifest local_path values are relative to")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write corpus/notebooks.csv under")
    p.set_defaults(func=_notebooks)
