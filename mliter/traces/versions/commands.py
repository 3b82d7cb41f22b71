"""`mliter mine versions`: iteration sequences from version sources, into traces/versions.csv.

Sources are named `KIND:TARGET` (or a bare path whose kind is recognised). The kinds live in
`SOURCES`, a registry another module extends without editing this one:

    from mliter.traces.versions.commands import SOURCES, WRITERS
    SOURCES["openml"] = lambda target, opts: [...]          # -> list[Version]
    WRITERS["openml"] = lambda versions, opts, out: [...]    # extra tables, -> written paths

do that in the module's `register(groups)` (listed after this one in `mliter.cli.COMMAND_MODULES`).
"""

from __future__ import annotations

from mliter.errors import InputError
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from mliter.paths import ROOT
from mliter.traces.notebooks.stages import DEFAULT_RULES
from mliter.traces.versions.mine import Version, VersionReadError


@dataclass
class SourceOptions:
    """What a source may need besides its target (shared by every kind)."""

    root: Path | None = None  # where a manifest's local paths are read (folder sources)
    code_root: Path | None = None  # Meta Kaggle Code folder (kaggle-meta sources)
    repo_name: str | None = None  # owner/name of a git clone when its remote does not say
    cache_dir: Path | None = None  # PoliteClient cache (API sources)
    offline: bool = False

    def client(self):
        from mliter.http import PoliteClient

        return PoliteClient(self.cache_dir, offline=self.offline)


def _git(target: str, opts: SourceOptions) -> list[Version]:
    from mliter.traces.versions.git import git_versions

    return git_versions(Path(target).expanduser(), name=opts.repo_name)


def _folder(target: str, opts: SourceOptions) -> list[Version]:
    from mliter.traces.versions.folder import folder_versions

    return folder_versions(Path(target).expanduser(), opts.root)


def _series(target: str, opts: SourceOptions) -> list[Version]:
    from mliter.traces.versions.folder import series_versions

    notes: list[str] = []
    out = series_versions(Path(target).expanduser(), notes)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    return out


def _kaggle_meta(target: str, opts: SourceOptions) -> list[Version]:
    from mliter.traces.versions.kaggle import meta_kaggle_versions

    return meta_kaggle_versions(Path(target).expanduser(), opts.code_root)


def _kaggle_api(target: str, opts: SourceOptions) -> list[Version]:
    from mliter.traces.versions.kaggle import KaggleApi, kaggle_credentials

    return KaggleApi(opts.client(), kaggle_credentials()).versions(target)


#: kind -> function(target, options) -> versions. Extended by other modules (see the docstring).
SOURCES: dict[str, Callable[[str, SourceOptions], list[Version]]] = {
    "git": _git, "folder": _folder, "series": _series, "kaggle-meta": _kaggle_meta, "kaggle": _kaggle_api,
}
#: kind -> function(versions of that kind, options, output root) -> extra paths written.
WRITERS: dict[str, Callable[[list[Version], SourceOptions, Path], list[Path]]] = {}


def parse_source(spec: str) -> tuple[str, str]:
    """`KIND:TARGET`, or a bare path: a git clone, a MANIFEST.tsv (or its folder), a Meta Kaggle folder."""
    kind, sep, target = spec.partition(":")
    if sep and kind in SOURCES:
        return kind, target
    p = Path(spec)
    if (p / ".git").exists():
        return "git", spec
    if p.name == "MANIFEST.tsv" or (p / "MANIFEST.tsv").is_file():
        return "folder", spec
    if (p / "KernelVersions.csv").is_file():
        return "kaggle-meta", spec
    if p.is_dir() and any(True for f in p.rglob("v*_*.ipynb")):
        return "series", spec
    raise InputError(f"source {spec!r}: give KIND:TARGET with KIND one of {sorted(SOURCES)}, or a git clone, "
                     "a MANIFEST.tsv, a Meta Kaggle folder or a folder of vNN_*.ipynb series")


def shipped_sources() -> list[tuple[str, str]]:
    """(kind, folder) of the sources the shipped traces/versions.csv is mined from: the shared notebook
    version series only (OpenML runs ship as traces/openml_runs.csv, `mliter mine openml`). The only set
    that is mined without --out."""
    from mliter.paths import shared_data

    return [("folder", str((shared_data() / "notebook_versions").resolve()))]


def output_root(sources: list[str], out: Path | None) -> Path:
    """Where to write: `out` when given; the repository only when mining exactly the shipped sources, so
    mining one's own notebooks, or only part of the shipped sources, never replaces the shipped tables."""
    if out is not None:
        return Path(out)
    given = []
    for spec in sources:
        kind, target = parse_source(spec)
        given.append((kind, str(Path(target).expanduser().resolve())))
    if given and set(given) == set(shipped_sources()):
        return ROOT
    raise InputError("mining sources other than the shipped ones would replace traces/versions.csv: "
                     "pass --out FOLDER to write the tables elsewhere")


def manifest_rows(versions: list[Version], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sha = {r["version_id"]: r.get("sha256") or "" for r in rows}
    return [{
        "version_id": v.version_id, "workflow_id": v.workflow_id, "version": v.version, "source": v.source,
        "repo": v.repo, "path_at_commit": v.path, "commit": v.commit, "timestamp": v.timestamp or None,
        "url": v.url, "license": v.license, "sha256": sha.get(v.version_id) or v.sha256,
    } for v in versions]


def _versions(args) -> int:
    from mliter.traces.notebooks.parse import Limits
    from mliter.traces.notebooks.stages import StageRules
    from mliter.traces.versions.mine import mine_versions
    from mliter.traces.versions.schema import VERSION_MANIFEST, VERSIONS

    args.out = output_root(args.sources, args.out)
    opts = SourceOptions(args.root, args.code_root, args.repo_name, args.cache_dir, args.offline)
    by_kind: dict[str, list[Version]] = {}
    for spec in args.sources:
        kind, target = parse_source(spec)
        try:
            by_kind.setdefault(kind, []).extend(SOURCES[kind](target, opts))
        except VersionReadError as exc:  # e.g. an API that refuses the listing: stop with the reason
            raise InputError(f"source {spec!r}: {exc}") from exc
    versions = [v for vs in by_kind.values() for v in vs]
    ckpt = None if args.no_resume else Path(args.out) / "traces" / ".checkpoint" / "versions.jsonl"
    rows = mine_versions(versions, StageRules.from_csv(args.rules), Limits(), checkpoint=ckpt,
                         progress=not args.quiet)
    df = pd.DataFrame(rows, columns=VERSIONS.column_names)
    df["timestamp"] = df["timestamp"].replace("", None)
    paths = [VERSIONS.write(df, Path(args.out)),
             VERSION_MANIFEST.write(pd.DataFrame(manifest_rows(versions, rows), columns=VERSION_MANIFEST.column_names),
                                    Path(args.out))]
    for kind, vs in sorted(by_kind.items()):
        if kind in WRITERS:
            paths += WRITERS[kind](vs, opts, Path(args.out))
    if ckpt is not None and ckpt.exists():
        ckpt.unlink()
    n_err = sum(r["status"] == "error" for r in rows)
    n_wf = len({v.workflow_id for v in versions})
    print(f"{len(rows)} versions of {n_wf} workflows ({n_err} unreadable) -> " + ", ".join(str(p) for p in paths))
    return 0


def register(groups) -> None:
    from mliter.cli import add_verb

    p = add_verb(
        groups["mine"], "versions", _versions,
        help="mine iteration sequences (versions of workflows) and code their change types",
        description=(
            "Read every version of each workflow from the given sources, build each version's static "
            "signature (never executing code), code its change type against the previous readable version "
            "(coding/change_types.yaml) and write traces/versions.csv and corpus/notebook_versions.csv. "
            f"Source kinds: {', '.join(sorted(SOURCES))} (KIND:TARGET, or a bare path of a git clone, a "
            "MANIFEST.tsv folder or a Meta Kaggle folder). An interrupted run resumes from traces/.checkpoint/."
        ),
        epilog=(
            "examples:\n  mliter mine versions ../shared/data/notebook_versions\n"
            "  mliter mine versions ~/my-series --out /tmp/mine   # plain folders of vNN_*.ipynb files\n"
            "  mliter mine versions git:~/clones/kaggle-notebooks --repo-name owner/kaggle-notebooks\n"
            "  mliter mine versions kaggle-meta:~/meta-kaggle --code-root ~/meta-kaggle-code\n"
            "  mliter mine versions kaggle:someuser/some-kernel --cache-dir ~/.cache/mliter/http"
        ),
    )
    p.add_argument("sources", nargs="+", help="KIND:TARGET or a path (see above)")
    p.add_argument("--out", type=Path, default=None,
                   help="root to write traces/ and corpus/ under (required unless mining exactly the shipped source, the shared notebook_versions folder)")
    p.add_argument("--root", type=Path, default=None, help="folder a MANIFEST.tsv's local_path values are relative to")
    p.add_argument("--code-root", type=Path, default=None, help="Meta Kaggle Code folder with the versions' files")
    p.add_argument("--repo-name", default=None, help="owner/name of a git clone whose origin is not on GitHub")
    p.add_argument("--cache-dir", type=Path, default=None, help="HTTP cache of API sources (default $MLITER_HTTP_CACHE)")
    p.add_argument("--offline", action="store_true", help="API sources answer from the HTTP cache only")
    p.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="stage rule table")
    p.add_argument("--no-resume", action="store_true", help="ignore and do not write the checkpoint")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
