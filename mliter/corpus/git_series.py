"""Version series of notebooks from the git history of repositories, chosen by a mechanical rule.

What a researcher does to get fresh version series from public repositories (the round-2 held-out
series of issue 7 were made this way): for each repository (a clone or a bare mirror), every notebook
tracked at HEAD is a candidate series; its versions are the distinct blobs of its `git log --follow`
history (a blob that comes back later counts once, under the commit that first introduced it).
A series is kept when, after dropping versions that are over `max_bytes` or are not nbformat 4,
at least `min_versions` are left; of those, at most `max_versions` evenly spaced ones are written
(first and last included; indices round(i*(n-1)/(max_versions-1))), the rule of
`notebook_versions_eval/README.md`.

No content is read to choose: candidates are visited in the order of a seeded hash of
(repository, path), and the first `per_repo` eligible series of each repository are taken, so
no repository dominates. Only `git` is run (via mliter.traces.versions.git); notebook code is
never executed; nbformat is read from the JSON top level only.

Output, outside the repository (notebooks are not ours to ship):
`OUT/<owner>__<repo>/<stem>/vNN_<sha7>.ipynb` and `OUT/MANIFEST.tsv` with the columns of
`notebook_versions_eval/MANIFEST.tsv`; `<stem>` is the file name without `.ipynb`, or the whole path
joined by `__` when two chosen series of a repository share a stem. `manifest_rows` adds what a
shipped manifest needs (blob id, sha256, raw URL at the commit).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Iterable
from urllib.parse import quote

from mliter.errors import InputError
from mliter.traces.versions.git import GitError, _git, history

MANIFEST_FIELDS = ["local_path", "repo", "path_at_head", "path_at_commit", "commit", "commit_time_utc",
                   "version_index", "versions_extracted", "distinct_versions_in_history", "bytes", "license"]
SHIPPED_FIELDS = ["local_path", "repo", "path_at_head", "path_at_commit", "commit", "commit_time_utc",
                  "version_index", "blob", "sha256", "bytes", "url", "license"]
MAX_BYTES = 1_500_000
MIN_VERSIONS = 4
MAX_VERSIONS = 10
PER_REPO = 3
SEED = 20261207
_LICENSES = (  # (words in the license text, SPDX id), first match wins
    ("mit license", "MIT"), ("permission is hereby granted, free of charge", "MIT"),
    ("apache license", "Apache-2.0"), ("attribution-noncommercial-sharealike 4.0", "CC-BY-NC-SA-4.0"),
    ("attribution 4.0 international", "CC-BY-4.0"), ("gnu general public license", "GPL"),
    ("bsd 3-clause", "BSD-3-Clause"), ("redistribution and use in source and binary forms", "BSD"),
)


@dataclass(frozen=True)
class BlobVersion:
    commit: str
    when: str
    path: str  # at that commit
    blob: str
    size: int


@dataclass
class Series:
    repo: str  # owner/name
    git_dir: Path
    path: str  # at HEAD
    distinct: int  # distinct blob versions in history
    kept: list[BlobVersion] = field(default_factory=list)
    stem: str = ""


def head_notebooks(git_dir: Path, rev: str = "HEAD") -> list[str]:
    """`*.ipynb` paths tracked at `rev` (checkpoint copies left out), sorted; works on bare mirrors."""
    out = _git(git_dir, "ls-tree", "-r", "-z", "--name-only", rev).decode("utf-8", "replace")
    return sorted(p for p in out.split("\0") if p.endswith(".ipynb") and ".ipynb_checkpoints/" not in p)


def touch_counts(git_dir: Path) -> Counter:
    """Commits touching each path (one `git log` for the whole repository; renames not followed)."""
    raw = _git(git_dir, "log", "--no-renames", "--format=", "--name-only", "-z", "HEAD").decode("utf-8", "replace")
    return Counter(p.strip("\n") for p in raw.split("\0") if p.strip("\n").endswith(".ipynb"))


def order_key(seed: int, repo: str, path: str) -> str:
    return hashlib.sha256(f"{seed}\0{repo}\0{path}".encode()).hexdigest()


def distinct_versions(git_dir: Path, path: str) -> list[BlobVersion]:
    """Distinct blobs of `path`'s `--follow` history, oldest first, each under its first commit."""
    out, seen = [], set()
    for commit, when, _author, at_commit in history(git_dir, path):
        try:
            blob = _git(git_dir, "rev-parse", "-q", "--verify", f"{commit}:{at_commit}").decode().strip()
        except GitError:
            continue
        if blob in seen:
            continue
        seen.add(blob)
        size = int(_git(git_dir, "cat-file", "-s", blob).decode().strip())
        out.append(BlobVersion(commit, when, at_commit, blob, size))
    return out


def is_nbformat4(data: bytes) -> bool:
    try:
        nb = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(nb, dict) and nb.get("nbformat") == 4 and isinstance(nb.get("cells"), list)


def evenly_spaced(n: int, k: int = MAX_VERSIONS) -> list[int]:
    """Indices of at most `k` of `n` items, evenly spaced, first and last included."""
    if n <= k:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def check_series(git_dir: Path, repo: str, path: str, max_bytes: int = MAX_BYTES,
                 min_versions: int = MIN_VERSIONS, max_versions: int = MAX_VERSIONS) -> Series | None:
    """The series of `path` when it passes the rule, else None."""
    versions = distinct_versions(git_dir, path)
    if len(versions) < min_versions:
        return None
    ok = [v for v in versions
          if v.size <= max_bytes and is_nbformat4(_git(git_dir, "cat-file", "blob", v.blob))]
    if len(ok) < min_versions:
        return None
    return Series(repo, git_dir, path, len(versions), [ok[i] for i in evenly_spaced(len(ok), max_versions)])


def choose_series(git_dir: Path, repo: str, exclude: AbstractSet[tuple[str, str]] = frozenset(), per_repo: int = PER_REPO,
                  seed: int = SEED, progress: bool = False, **rule) -> list[Series]:
    """The first `per_repo` eligible series of a repository in seeded-hash order (see module doc)."""
    touches = touch_counts(git_dir)
    min_versions = rule.get("min_versions", MIN_VERSIONS)
    # prefilter from one log of the whole repository: a path touched by fewer commits under its HEAD name
    # than min_versions is not followed (so a series renamed late in its life may be missed)
    cands = sorted((p for p in head_notebooks(git_dir)
                    if (repo, p) not in exclude and touches.get(p, 0) >= min_versions),
                   key=lambda p: order_key(seed, repo, p))
    chosen = []
    it: Iterable[str] = cands
    if progress:
        from tqdm import tqdm

        it = tqdm(cands, desc=repo, unit="nb", leave=False)
    for p in it:
        try:
            s = check_series(git_dir, repo, p, **rule)
        except GitError as exc:  # e.g. a mirror whose largest blobs are absent: this path is skipped, not the repo
            import sys

            print(f"skipped {repo}:{p}: {exc}", file=sys.stderr)
            s = None
        if s is not None:
            chosen.append(s)
            if len(chosen) >= per_repo:
                break
    _name_stems(chosen)
    return chosen


def _name_stems(series: list[Series]) -> None:
    stems = Counter(Path(s.path).stem for s in series)
    for s in series:
        stem = Path(s.path).stem
        s.stem = stem if stems[stem] == 1 else s.path[: -len(".ipynb")].replace("/", "__")


def detect_license(git_dir: Path) -> str:
    """`LICENSE (MIT)`-style note from a license file at the root of HEAD, or `none found in repo root`."""
    names = [p for p in _git(git_dir, "ls-tree", "--name-only", "HEAD").decode("utf-8", "replace").splitlines()
             if p.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
    if not names:
        return "none found in repo root"
    text = _git(git_dir, "show", f"HEAD:{names[0]}").decode("utf-8", "replace").lower()
    spdx = next((sid for words, sid in _LICENSES if words in " ".join(text.split())), "unrecognised")
    return f"{names[0]} ({spdx})"


def local_dir(repo: str) -> str:
    return repo.replace("/", "__")


def write_series(series: list[Series], out: Path, license: str = "") -> list[dict]:
    """Write every kept version's blob (byte copy) under `out`; rows of MANIFEST.tsv plus blob/sha256/url."""
    from mliter.io import atomic_write_bytes

    rows = []
    for s in series:
        for k, v in enumerate(s.kept, 1):
            rel = f"{local_dir(s.repo)}/{s.stem}/v{k:02d}_{v.commit[:7]}.ipynb"
            data = _git(s.git_dir, "cat-file", "blob", v.blob)
            target = out / rel
            if not (target.exists() and target.read_bytes() == data):
                atomic_write_bytes(target, data)
            rows.append({"local_path": rel, "repo": s.repo, "path_at_head": s.path, "path_at_commit": v.path,
                         "commit": v.commit, "commit_time_utc": v.when, "version_index": k,
                         "versions_extracted": len(s.kept), "distinct_versions_in_history": s.distinct,
                         "bytes": len(data), "license": license, "blob": v.blob,
                         "sha256": hashlib.sha256(data).hexdigest(),
                         "url": f"https://raw.githubusercontent.com/{s.repo}/{v.commit}/{quote(v.path)}"})
    return rows


def read_exclusions(manifests: Iterable[Path]) -> set[tuple[str, str]]:
    """(repo, path at HEAD) of the series other manifests already hold."""
    import csv

    out = set()
    for m in manifests:
        try:
            with open(m, newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh, delimiter="\t"):
                    out.add((r["repo"], r.get("path_at_head") or r.get("path") or r.get("repo_path", "")))
        except (OSError, KeyError) as exc:
            raise InputError(f"{m}: cannot read the series to exclude ({exc})") from exc
    return out


def write_table(path: Path, rows: list[dict], fields: list[str]) -> None:
    """Tab-separated for `.tsv` (the MANIFEST.tsv beside the notebooks), else comma-separated."""
    import csv
    import io

    from mliter.io import atomic_write_text

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, delimiter="\t" if path.suffix == ".tsv" else ",", lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    atomic_write_text(path, buf.getvalue())


def build(repos: list[tuple[Path, str]], out: Path, exclude: AbstractSet[tuple[str, str]] = frozenset(),
          shipped: Path | None = None, per_repo: int = PER_REPO, seed: int = SEED, progress: bool = True,
          **rule) -> dict[str, int]:
    """Choose and write the series of every (git dir, owner/name); a repository that fails is reported,
    the others go on. Nothing is written when no series at all is found."""
    rows, failed = [], []
    for git_dir, name in repos:
        try:
            chosen = choose_series(git_dir, name, exclude, per_repo, seed, progress, **rule)
            rows += write_series(chosen, out, detect_license(git_dir))
        except GitError as exc:
            failed.append(f"{name}: {exc}")
    if not rows:
        raise InputError("no series passed the rule in " + ", ".join(n for _, n in repos)
                         + (f" (failed: {'; '.join(failed)})" if failed else "") + "; nothing written")
    write_table(out / "MANIFEST.tsv", rows, MANIFEST_FIELDS)
    if shipped is not None:
        write_table(shipped, rows, SHIPPED_FIELDS)
    series = {(r["repo"], r["path_at_head"]) for r in rows}
    return {"repos": len({r for r, _ in series}), "series": len(series), "versions": len(rows),
            "pairs": len(rows) - len(series), "failed": len(failed)}
