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


def _versions_from_git(args) -> int:
    from mliter.corpus.git_series import build, read_exclusions
    from mliter.errors import InputError

    out = args.out.resolve()
    if out == ROOT.resolve() or ROOT.resolve() in out.parents:
        raise InputError(f"{args.out}: inside the repository; notebooks are not ours to ship, write them outside "
                         "(the shipped record is --manifest)")
    repos = []
    for spec in args.repos:
        path, _, name = spec.partition("=")
        if not name:
            from mliter.traces.versions.git import repo_name

            name = repo_name(Path(path))
        repos.append((Path(path), name))
    got = build(repos, out, read_exclusions(args.exclude), args.manifest, per_repo=args.per_repo, seed=args.seed,
                progress=not args.quiet, min_versions=args.min_versions, max_versions=args.max_versions,
                max_bytes=args.max_bytes)
    print(f"{got['series']} series, {got['versions']} versions, {got['pairs']} consecutive pairs from "
          f"{got['repos']} repositories -> {out}" + (f" (manifest {args.manifest})" if args.manifest else "")
          + (f"; {got['failed']} repositories failed" if got["failed"] else ""))
    return 1 if got["failed"] else 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    f = groups["corpus"].add_parser(
        "fetch", help="rebuild the raw material of the manifests from their URLs and commits, sha256-verified",
        formatter_class=HelpFormatter,
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
    f.set_defaults(func=_fetch)

    p = groups["corpus"].add_parser(
        "notebooks", help="write the notebook manifest (corpus/notebooks.csv)", formatter_class=HelpFormatter,
        description="Describe notebooks (ids, provenance, sha256) without reading their content.",
        epilog="example:\n  mliter corpus notebooks ../shared/data/notebooks",
    )
    p.add_argument("sources", nargs="+", help="folders, .ipynb files, manifests (.tsv/.csv) or lists (.txt)")
    p.add_argument("--root", type=Path, default=None, help="folder that manifest local_path values are relative to")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write corpus/notebooks.csv under")
    p.set_defaults(func=_notebooks)

    from mliter.corpus import git_series as gs

    v = groups["corpus"].add_parser(
        "versions-from-git", help="version series of notebooks from git histories, chosen by a mechanical rule",
        formatter_class=HelpFormatter,
        description=gs.__doc__.split("\n\n", 1)[1],
        epilog="example:\n  mliter corpus versions-from-git /work/.mirror/fastai+course22/repo=fastai/course22 \\\n"
               "      --out /work/fresh/notebook_versions_round2 --manifest corpus/notebook_versions_round2.csv \\\n"
               "      --exclude ../shared/data/notebook_versions_eval/MANIFEST.tsv",
    )
    v.add_argument("repos", nargs="+", metavar="GIT_DIR[=OWNER/NAME]",
                   help="a clone or bare mirror; the name defaults to the origin remote on GitHub")
    v.add_argument("--out", type=Path, required=True, help="folder for the series and MANIFEST.tsv (outside the repo)")
    v.add_argument("--manifest", type=Path, default=None,
                   help="also write the shippable record (ids, commits, blob, sha256, raw URL; no content) here")
    v.add_argument("--exclude", type=Path, nargs="*", default=[], metavar="MANIFEST",
                   help="version manifests (.tsv with repo, path_at_head) whose series are left out")
    v.add_argument("--per-repo", type=int, default=gs.PER_REPO, help="at most this many series per repository")
    v.add_argument("--min-versions", type=int, default=gs.MIN_VERSIONS, help="distinct usable versions a series needs")
    v.add_argument("--max-versions", type=int, default=gs.MAX_VERSIONS, help="evenly spaced versions kept at most")
    v.add_argument("--max-bytes", type=int, default=gs.MAX_BYTES, help="versions larger than this are dropped")
    v.add_argument("--seed", type=int, default=gs.SEED, help="seed of the order candidates are visited in")
    v.add_argument("--quiet", action="store_true", help="no progress bar")
    v.set_defaults(func=_versions_from_git)
