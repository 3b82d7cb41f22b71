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
    outcomes = fetch_all(items, Path(args.out), client, progress=not args.quiet, mirrors=args.mirrors)
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

    out = _outside_repo(args.out)
    repos = [(path, name) for path, name, _rev in _repo_specs(args.repos)]
    got = build(repos, out, read_exclusions(args.exclude), args.manifest, per_repo=args.per_repo, seed=args.seed,
                progress=not args.quiet, min_versions=args.min_versions, max_versions=args.max_versions,
                max_bytes=args.max_bytes)
    print(f"{got['series']} series, {got['versions']} versions, {got['pairs']} consecutive pairs from "
          f"{got['repos']} repositories -> {out}" + (f" (manifest {args.manifest})" if args.manifest else "")
          + (f"; {got['failed']} repositories failed" if got["failed"] else ""))
    return 1 if got["failed"] else 0


def _outside_repo(out: Path) -> Path:
    from mliter.errors import InputError

    out = out.resolve()
    if out == ROOT.resolve() or ROOT.resolve() in out.parents:
        raise InputError(f"{out}: inside the repository; notebooks are not ours to ship, write them outside "
                         "(the shipped record is --manifest)")
    return out


def _repo_specs(specs: list[str]) -> list[tuple[Path, str, str]]:
    """GIT_DIR[=OWNER/NAME[@REV]] -> (git dir, name, rev); the name defaults to the origin remote, rev to HEAD."""
    out = []
    for spec in specs:
        path, _, name = spec.partition("=")
        name, _, rev = name.partition("@")
        if not name:
            from mliter.traces.versions.git import repo_name

            name = repo_name(Path(path))
        out.append((Path(path), name, rev or "HEAD"))
    return out


def _notebooks_from_git(args) -> int:
    from mliter.corpus.git_heads import build
    from mliter.corpus.git_series import read_exclusions

    out = _outside_repo(args.out)
    got = build(_repo_specs(args.repos), out, args.manifest, per_repo=args.per_repo, seed=args.seed,
                exclude=read_exclusions(args.exclude), min_cells=args.min_cells, max_bytes=args.max_bytes)
    print(f"{got['notebooks']} notebooks from {got['repos']} repositories -> {out}"
          + (f" (manifest {args.manifest})" if args.manifest else "")
          + (f"; {got['failed']} repositories failed" if got["failed"] else ""))
    return 1 if got["failed"] else 0


def _screen_repos(args) -> int:
    import csv

    from mliter.corpus.git_series import write_table
    from mliter.corpus.repo_screen import FIELDS, FIELDS_KINDS_READ, read_exclusions, screen
    from mliter.errors import InputError

    try:
        with open(args.candidates, newline="", encoding="utf-8") as fh:
            cands = list(csv.DictReader(fh, delimiter="\t" if args.candidates.suffix == ".tsv" else ","))
    except OSError as exc:
        raise InputError(f"{args.candidates}: cannot read the candidates ({exc})") from exc
    missing = [c for c in ("order", "repo") if cands and c not in cands[0]]
    if not cands or missing:
        raise InputError(f"{args.candidates}: needs rows with columns order, kind, repo (kind may be empty or absent "
                         f"with --kinds; missing: {missing or 'rows'})")
    for c in cands:
        c["kind"] = (c.get("kind") or "").strip()
    kinds = tuple(k for k in (args.kinds or "").split(",") if k)
    rows = screen(cands, args.mirrors, read_exclusions(args.exclude), per_kind=args.per_kind, min_ml=args.min_ml,
                  kinds=kinds)
    write_table(args.out, rows, FIELDS_KINDS_READ if any(not c["kind"] for c in cands) else FIELDS)
    chosen = [r["repo"] for r in rows if r["chosen"] == "yes"]
    print(f"{len(chosen)} of {len(rows)} candidates chosen -> {args.out}")
    for r in chosen:
        print(r)
    return 0


def _git_material_args(p, what: str, per_repo: int, seed: int, max_bytes: int, exclude: str, rev: bool = False) -> None:
    """Arguments the git-material verbs share (repositories, output folder and manifest, the rule's bounds)."""
    p.add_argument("repos", nargs="+", metavar="GIT_DIR[=OWNER/NAME[@REV]]" if rev else "GIT_DIR[=OWNER/NAME]",
                   help="a clone or bare mirror; the name defaults to the origin remote on GitHub"
                        + ("; @REV pins the commit (default HEAD)" if rev else ""))
    p.add_argument("--out", type=Path, required=True, help=f"folder for the {what} and MANIFEST.tsv (outside the repo)")
    p.add_argument("--manifest", type=Path, default=None,
                   help="also write the shippable record (ids, commits, blob, sha256, raw URL; no content) here")
    p.add_argument("--exclude", type=Path, nargs="*", default=[], metavar="MANIFEST", help=exclude)
    p.add_argument("--per-repo", type=int, default=per_repo, help=f"at most this many {what} per repository")
    p.add_argument("--max-bytes", type=int, default=max_bytes, help="notebooks or versions larger than this are left out")
    p.add_argument("--seed", type=int, default=seed, help="seed of the order candidates are visited in")


def register(groups) -> None:
    from mliter.cli import add_verb

    f = add_verb(
        groups["corpus"], "fetch", _fetch,
        help="rebuild the raw material of the manifests from their URLs and commits, sha256-verified",
        description=("Fetch every file the manifests name (corpus/notebooks.csv, corpus/notebook_versions.csv, "
                     "corpus/papers.csv record files, fetched OpenML responses) through the polite client, verify "
                     "its sha256, and write it under OUT in the layout the miners read. Files already present with "
                     "the right sha256 are skipped (resume); a mismatch is rejected and never written; what is gone "
                     "upstream is reported. OUT/fetch_report.csv lists every item; exit 1 if any failed. With "
                     "--mirrors, a file is first read from a local git mirror of its repository (the manifest's "
                     "blob, or its path at the manifest's commit), with no request; what the mirror lacks is "
                     "fetched."),
        epilog="examples:\n  mliter corpus fetch --out raw\n  make traces NOTEBOOKS=raw/notebooks\n"
               "  mliter corpus fetch --only notebooks.csv --out raw\n"
               "  mliter corpus fetch --only notebooks_round8.csv notebook_versions_round8.csv --out ../fresh8\n"
               "      # a fresh round's material, for trace-eval / train-stage-coder --material 8=../fresh8\n"
               "  mliter corpus fetch --only notebooks_round9.csv notebook_versions_round9.csv --out ../fresh9 \\\n"
               "      --mirrors /work/.mirror --offline   # from local mirrors <owner>+<name>/repo, no network",
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
    f.add_argument("--mirrors", type=Path, default=None,
                   help="folder of local git mirrors <owner>+<name>/repo (bare or a clone) to read files from first")

    p = add_verb(
        groups["corpus"], "notebooks", _notebooks, help="write the notebook manifest (corpus/notebooks.csv)",
        description="Describe notebooks (ids, provenance, sha256) without reading their content.",
        epilog="example:\n  mliter corpus notebooks ../shared/data/notebooks",
    )
    p.add_argument("sources", nargs="+", help="folders, .ipynb files, manifests (.tsv/.csv) or lists (.txt)")
    p.add_argument("--root", type=Path, default=None, help="folder that manifest local_path values are relative to")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write corpus/notebooks.csv under")

    from mliter.corpus import git_series as gs

    v = add_verb(
        groups["corpus"], "versions-from-git", _versions_from_git,
        help="version series of notebooks from git histories, chosen by a mechanical rule",
        description=gs.__doc__.split("\n\n", 1)[1],
        epilog="example:\n  mliter corpus versions-from-git /work/.mirror/fastai+course22/repo=fastai/course22 \\\n"
               "      --out /work/fresh/notebook_versions_round2 --manifest corpus/notebook_versions_round2.csv \\\n"
               "      --exclude ../shared/data/notebook_versions_eval/MANIFEST.tsv",
    )
    _git_material_args(v, "series", gs.PER_REPO, gs.SEED, gs.MAX_BYTES, exclude="version manifests (.tsv with repo, "
                       "path_at_head) whose series are left out")
    v.add_argument("--min-versions", type=int, default=gs.MIN_VERSIONS, help="distinct usable versions a series needs")
    v.add_argument("--max-versions", type=int, default=gs.MAX_VERSIONS, help="evenly spaced versions kept at most")
    v.add_argument("--quiet", action="store_true", help="no progress bar")

    from mliter.corpus import repo_screen as rs

    sc = add_verb(
        groups["corpus"], "screen-repos", _screen_repos,
        help="screen candidate repositories for a fresh sample, by a mechanical rule",
        description=rs.__doc__.split("\n\n", 1)[1],
        epilog="examples:\n  mliter corpus screen-repos corpus/repos_round3.csv --mirrors /work/.mirror \\\n"
               "      --exclude ../shared/data/*/PROVENANCE.tsv coding/eval_split.csv --out corpus/repos_round3.csv\n"
               "  # a frame without kinds (round 9): each kind read from the notebooks' imports\n"
               "  mliter corpus screen-repos coding/labels/round9/frame.csv --mirrors /work/.mirror \\\n"
               "      --kinds tabular_applied,vision,nlp_llm,time_series,audio_speech,feature_engineering,generative \\\n"
               "      --out corpus/repos_round9.csv",
    )
    sc.add_argument("candidates", type=Path, help="table (.csv/.tsv) of candidates: order, kind, repo (owner/name)")
    sc.add_argument("--mirrors", type=Path, required=True, help="folder of mirrors <owner>+<name>/repo")
    sc.add_argument("--exclude", type=Path, nargs="*", default=[], metavar="TABLE",
                    help="tables with a repo column whose repositories are left out")
    sc.add_argument("--per-kind", type=int, default=rs.PER_KIND, help="eligible candidates chosen per kind")
    sc.add_argument("--min-ml", type=int, default=rs.MIN_ML, help="notebooks importing an ML library a repo needs")
    sc.add_argument("--kinds", default="", metavar="K1,K2,...",
                    help="kinds to read a candidate's among when its kind is empty (the first is the default): "
                         "repo_screen.kind_by_imports")
    sc.add_argument("--out", type=Path, required=True, help="the screened table (every candidate, counts, reasons)")

    from mliter.corpus import git_heads as gh

    h = add_verb(
        groups["corpus"], "notebooks-from-git", _notebooks_from_git,
        help="notebooks at a pinned commit of git repositories, chosen by a mechanical rule",
        description=gh.__doc__.split("\n\n", 1)[1],
        epilog="example:\n  mliter corpus notebooks-from-git /work/.mirror/catboost+tutorials/repo=catboost/tutorials \\\n"
               "      --out /work/fresh3/notebooks_round3 --manifest corpus/notebooks_round3.csv",
    )
    _git_material_args(h, "notebooks", gh.PER_REPO, gh.SEED, gh.MAX_BYTES, exclude="manifests (.tsv with repo and "
                       "path_at_head, path or repo_path) whose notebooks are left out", rev=True)
    h.add_argument("--min-cells", type=int, default=gh.MIN_CELLS, help="non-blank code cells a notebook needs")
