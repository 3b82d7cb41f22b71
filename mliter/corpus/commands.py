"""`mliter corpus ...` verbs."""

from __future__ import annotations

import sys
from pathlib import Path

from mliter.paths import ROOT


def _notebooks(args) -> int:
    from mliter.corpus.notebooks import discover, manifest_frame
    from mliter.corpus.schema import NOTEBOOK_MANIFEST

    refs = discover(args.sources, root=args.root)
    path = NOTEBOOK_MANIFEST.write(manifest_frame(refs), args.out)
    print(f"{len(refs)} notebooks -> {path}")
    return 0


def _fetch(args) -> int:
    from mliter.corpus.fetch import FAILED, GONE, MISMATCH, fetch_all, manifest_items, summary, write_notebook_manifest
    from mliter.http import PoliteClient

    client = PoliteClient(args.cache_dir, offline=args.offline, min_interval=args.min_interval)
    items = [i for i in manifest_items(Path(args.root), args.raw_base)
             if not args.only or i.manifest in args.only]
    outcomes = fetch_all(items, Path(args.out), client, progress=not args.quiet)
    manifest = write_notebook_manifest(Path(args.root), Path(args.out), outcomes)
    if manifest is not None:
        print(f"notebook manifest with provenance: {manifest} (make traces NOTEBOOKS={manifest.parent})")
    for o in outcomes:
        if o.status in (MISMATCH, GONE, FAILED):
            print(f"{o.status}: {o.item.item} ({o.item.url}): {o.detail}", file=sys.stderr)
    print(f"{summary(outcomes)}; report in {Path(args.out) / 'fetch_report.csv'}")
    return 1 if any(o.status in (MISMATCH, GONE, FAILED) for o in outcomes) else 0


def register(groups) -> None:
    from mliter.cli import add_verb

    f = add_verb(
        groups["corpus"], "fetch", _fetch,
        help="rebuild the raw material of the manifests from their URLs and commits, sha256-verified",
        description=("Fetch every file the manifests name (corpus/notebooks.csv, corpus/notebook_versions.csv, "
                     "corpus/papers.csv record files, fetched OpenML responses) through the polite client, verify "
                     "its sha256, and write it under OUT in the layout the miners read. Files already present with "
                     "the right sha256 are skipped (resume); a mismatch is rejected and never written; what is gone "
                     "upstream is reported. OUT/fetch_report.csv lists every item; exit 1 if any failed."),
        epilog="examples:\n  mliter corpus fetch --out raw\n  make traces NOTEBOOKS=raw/notebooks\n"
               "  mliter corpus fetch --only notebooks.csv --out raw",
    )
    f.add_argument("--out", type=Path, default=ROOT / "raw", help="folder to rebuild the raw material under")
    f.add_argument("--root", type=Path, default=ROOT, help="repository root whose manifests are read")
    f.add_argument("--only", nargs="+", default=None, metavar="MANIFEST",
                   help="manifest file names to fetch (notebooks.csv, notebook_versions.csv, papers.csv, ...)")
    f.add_argument("--raw-base", default="https://raw.githubusercontent.com",
                   help="where repository files are served as BASE/owner/repo/commit/path")
    f.add_argument("--cache-dir", type=Path, default=None, help="HTTP cache (default $MLITER_HTTP_CACHE)")
    f.add_argument("--offline", action="store_true", help="answer from the HTTP cache only")
    f.add_argument("--min-interval", type=float, default=1.0, help="seconds between two requests to one host")
    f.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add_verb(
        groups["corpus"], "notebooks", _notebooks, help="write the notebook manifest (corpus/notebooks.csv)",
        description="Describe notebooks (ids, provenance, sha256) without reading their content.",
        epilog="example:\n  mliter corpus notebooks ../shared/data/notebooks",
    )
    p.add_argument("sources", nargs="+", help="folders, .ipynb files, manifests (.tsv/.csv) or lists (.txt)")
    p.add_argument("--root", type=Path, default=None, help="folder that manifest local_path values are relative to")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write corpus/notebooks.csv under")
