"""Rebuild the raw material of the manifests from their URLs and commits: `mliter corpus fetch`.

The shipped manifests name every captured file by repository, commit, path and sha256, so the raw material that
`../shared/data` holds on the developers' machines can be fetched again anywhere, byte for byte:

* `corpus/notebooks.csv` -> `<out>/notebooks/<local_path>` (the layout `make traces NOTEBOOKS=...` reads);
* `corpus/notebook_versions.csv` -> `<out>/notebook_versions/<owner>__<repo>/<stem>/vNN_<commit7>.ipynb`;
* `corpus/papers.csv` (record files of repositories) -> `<out>/paper_sources/<owner>__<repo>/<path>`;
* `traces/openml_run_sources.csv`: fetched API URLs are fetched again; recorded responses name no URL and are
  reported as not re-fetchable;
* the fresh rounds' manifests, `corpus/notebooks_round<N>.csv` and `corpus/notebook_versions_round<N>.csv` ->
  `<out>/notebooks_round<N>/<local_path>` and `<out>/notebook_versions_round<N>/<local_path>`: the layout of a
  round's material folder, so `<out>` can be passed as `--material N=<out>` to `mliter code trace-eval` and
  `train-stage-coder` (that material is kept outside the repository; this is how it is rebuilt elsewhere).

With `mirrors` (`mliter corpus fetch --mirrors DIR`), a file is first read from a local git mirror of its
repository (`DIR/<owner>+<name>/repo`, a bare mirror or a clone, the layout `mliter corpus screen-repos` reads): the
manifest's blob, or the path at the manifest's commit, by `git cat-file`; no request is made for it. A file the
mirror lacks, or whose bytes differ, is fetched as below.

Every request goes through the polite client (robots.txt, rate limit, retries, cache). Each file's sha256 is
verified before it is written (atomically): a file whose bytes differ is rejected and never replaces anything. A
file already present with the right sha256 is skipped without a request, so an interrupted run resumes. What has
gone upstream (404/410) is reported, one bad item never stops the batch, and `<out>/fetch_report.csv` lists every
item with its outcome.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from tqdm import tqdm

from mliter.errors import InputError, MliterError
from mliter.http import PoliteClient
from mliter.io import atomic_write_bytes, sha256_bytes, sha256_file

RAW_GITHUB = "https://raw.githubusercontent.com"
OK, PRESENT, MISMATCH, GONE, FAILED, NOT_FETCHABLE = (
    "fetched", "present", "sha256 mismatch", "gone upstream", "failed", "not re-fetchable")
REPORT_COLUMNS = ("manifest", "item", "url", "dest", "status", "detail")


@dataclass(frozen=True)
class Item:
    """One file to rebuild: where it comes from, where it goes, what its bytes must hash to ("" = unknown)."""

    manifest: str
    item: str
    url: str
    dest: str  # relative to the output folder
    sha256: str
    problem: str = ""  # why the manifest row cannot be fetched (a bad path, no URL)
    repo: str = ""  # owner/name, for a local mirror
    rev: str = ""  # the git object in that repository: a blob id, or `<commit>:<path>`


@dataclass(frozen=True)
class Outcome:
    item: Item
    status: str
    detail: str = ""


def _raw(repo: str, commit: str, path: str, base: str) -> str:
    return f"{base.rstrip('/')}/{repo}/{commit}/{quote(path)}"


def _safe(rel: str, where: str) -> str:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise InputError(f"{where}: refusing the destination path {rel!r} (absolute or leaving the folder)")
    return p.as_posix()


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):  # header is row 1
            yield i, {k: (v or "") for k, v in row.items()}


def notebook_items(path: Path, base: str = RAW_GITHUB) -> Iterator[Item]:
    for i, r in _rows(path):
        if r["source"] != "github" or not (r["repo"] and r["commit"] and r["path"]):
            yield Item(path.name, r["notebook_id"], "", "", r["sha256"])
            continue
        try:
            dest = "notebooks/" + _safe(r["local_path"], f"{path}, row {i}")
        except InputError as exc:
            yield Item(path.name, r["notebook_id"], "", "", r["sha256"], str(exc))
            continue
        yield Item(path.name, r["notebook_id"], _raw(r["repo"], r["commit"], r["path"], base), dest, r["sha256"],
                   repo=r["repo"], rev=f"{r['commit']}:{r['path']}")


def version_items(path: Path, base: str = RAW_GITHUB) -> Iterator[Item]:
    for i, r in _rows(path):
        repo, commit = r["repo"], r["commit"]
        if not (repo and commit and r["path_at_commit"]):
            yield Item(path.name, r["version_id"], "", "", r["sha256"])
            continue
        head = r["workflow_id"].removeprefix(f"git:{repo}/")
        try:
            dest = _safe(f"notebook_versions/{repo.replace('/', '__')}/{PurePosixPath(head).stem}/"
                         f"v{int(r['version']):02d}_{commit[:7]}.ipynb", f"{path}, row {i}")
        except (InputError, ValueError) as exc:
            yield Item(path.name, r["version_id"], "", "", r["sha256"], f"{path}, row {i}: {exc}")
            continue
        yield Item(path.name, r["version_id"], _raw(repo, commit, r["path_at_commit"], base), dest, r["sha256"],
                   repo=repo, rev=f"{commit}:{r['path_at_commit']}")


def paper_items(path: Path, base: str = RAW_GITHUB) -> Iterator[Item]:
    """One item per distinct record file (many papers share one), from its github.com blob URL."""
    seen: set[str] = set()
    for i, r in _rows(path):
        url = r["record_url"]
        prefix = "https://github.com/"
        if not url.startswith(prefix) or "/blob/" not in url:
            continue  # API records (arXiv, OpenAlex, ...) are re-fetched by `mliter corpus papers`
        repo, _, rest = url[len(prefix):].partition("/blob/")
        commit, _, repo_path = rest.partition("/")
        if url in seen:
            continue
        seen.add(url)
        repo_path = unquote(repo_path)
        yield Item(path.name, url, _raw(repo, commit, repo_path, base),
                   _safe(f"paper_sources/{repo.replace('/', '__')}/{repo_path}", f"{path}, row {i}"), r["sha256"],
                   repo=repo, rev=f"{commit}:{repo_path}")


def openml_items(path: Path) -> Iterator[Item]:
    for _, r in _rows(path):
        for f in filter(None, r["files"].split(";")):
            if f.startswith(("http://", "https://")):
                name = f.split("://", 1)[1].replace("/", "__").replace("?", "_")
                yield Item(path.name, f, f, _safe(f"openml/{name}", str(path)), "")
            else:
                yield Item(path.name, f"{r['collection']}:{f}", "", "", "")


def round_items(path: Path, base: str = RAW_GITHUB) -> Iterator[Item]:
    """A fresh round's notebooks (`notebooks_round<N>.csv`: `repo_path`) or version series
    (`notebook_versions_round<N>.csv`: `path_at_commit`), each file to `<manifest stem>/<local_path>`."""
    folder = path.stem
    for i, r in _rows(path):
        where = f"{path}, row {i}"
        local, sha = r.get("local_path", ""), r.get("sha256", "")
        repo, commit = r.get("repo", ""), r.get("commit", "")
        repo_path = r.get("repo_path") or r.get("path_at_commit", "")
        if not (local and repo and commit and repo_path):
            yield Item(path.name, local or f"row {i}", "", "", sha,
                       f"{where}: needs local_path, repo, commit and repo_path or path_at_commit")
            continue
        try:
            dest = _safe(f"{folder}/{local}", where)
        except InputError as exc:
            yield Item(path.name, local, "", "", sha, str(exc))
            continue
        yield Item(path.name, local, _raw(repo, commit, repo_path, base), dest, sha,
                   repo=repo, rev=r.get("blob") or f"{commit}:{repo_path}")


def _round_manifests(root: Path) -> list[Path]:
    """The fresh rounds' manifests under `root/corpus`, notebooks then versions, by round number."""
    def number(p: Path) -> int:
        return int(p.stem.rsplit("round", 1)[1])

    corpus = root / "corpus"
    found = []
    for prefix in ("notebooks_round", "notebook_versions_round"):
        found += sorted((p for p in corpus.glob(f"{prefix}*.csv") if p.stem[len(prefix):].isdigit()), key=number)
    return found


def manifest_items(root: Path, base: str = RAW_GITHUB) -> Iterator[Item]:
    """Every item of the shipped manifests under `root` that exist (the fresh rounds' last)."""
    readers = (("corpus/notebooks.csv", notebook_items), ("corpus/notebook_versions.csv", version_items),
               ("corpus/papers.csv", paper_items))
    for rel, reader in readers:
        if (root / rel).exists():
            yield from reader(root / rel, base)
    if (root / "traces/openml_run_sources.csv").exists():
        yield from openml_items(root / "traces/openml_run_sources.csv")
    for path in _round_manifests(root):
        yield from round_items(path, base)


def from_mirror(item: Item, mirrors: Path) -> tuple[bytes | None, str]:
    """The item's bytes from the local git mirror of its repository, or None and why not (no mirror, no such
    object). Read-only: `git cat-file`, nothing in the mirror is run or changed."""
    from mliter.corpus.repo_screen import mirror_dir
    from mliter.traces.versions.git import GitError, _git

    if not (item.repo and item.rev):
        return None, "the manifest names no repository object for it"
    git_dir = mirror_dir(mirrors, item.repo)
    if not git_dir.is_dir():
        return None, f"no mirror at {git_dir}"
    try:
        return _git(git_dir, "cat-file", "blob", item.rev), ""
    except GitError as exc:
        return None, str(exc)


def fetch_one(item: Item, out: Path, client: PoliteClient | None, mirrors: Path | None = None) -> Outcome:
    """Rebuild one file: present already, else from a local mirror (when given), else through `client`."""
    if not item.url and not (mirrors and item.rev):
        return Outcome(item, NOT_FETCHABLE, item.problem or "the manifest names no URL for it (recorded file)")
    target = out / item.dest
    if target.exists() and item.sha256 and sha256_file(target) == item.sha256:
        return Outcome(item, PRESENT)
    why = ""
    if mirrors is not None and item.dest:
        data, why = from_mirror(item, mirrors)
        if data is not None:
            got = sha256_bytes(data)
            if not item.sha256 or got == item.sha256:
                atomic_write_bytes(target, data)
                return Outcome(item, OK, f"from the mirror of {item.repo}" + (
                    "" if item.sha256 else "; no sha256 in the manifest: not verified"))
            why = f"the mirror of {item.repo} holds other bytes (sha256 {got}); not written"
    if client is None or not item.url:
        return Outcome(item, FAILED, why or item.problem or "no mirror holds it and no client was given")
    also = f" (mirror: {why})" if why else ""  # a failure says why the mirror did not serve it either
    try:
        response = client.get(item.url)
    except MliterError as exc:
        return Outcome(item, FAILED, f"{exc}{also}")
    if response.status in (404, 410):
        return Outcome(item, GONE, f"HTTP {response.status}{also}")
    if not response.ok:
        return Outcome(item, FAILED, f"HTTP {response.status}{also}")
    got = sha256_bytes(response.content)
    if item.sha256 and got != item.sha256:
        return Outcome(item, MISMATCH, f"expected {item.sha256}, got {got}; not written{also}")
    atomic_write_bytes(target, response.content)
    return Outcome(item, OK, "" if item.sha256 else "no sha256 in the manifest: not verified")


def fetch_all(items: Iterable[Item], out: Path, client: PoliteClient | None, progress: bool = True,
              mirrors: Path | None = None) -> list[Outcome]:
    items = list(items)
    outcomes = []
    for item in tqdm(items, desc="fetch", unit="file", disable=not progress):
        try:
            outcomes.append(fetch_one(item, out, client, mirrors))
        except OSError as exc:  # a destination that cannot be written: recorded, the batch goes on
            outcomes.append(Outcome(item, FAILED, f"{out / item.dest}: {exc}"))
    write_report(outcomes, out / "fetch_report.csv")
    return outcomes


def write_notebook_manifest(root: Path, out: Path, outcomes: list[Outcome]) -> Path | None:
    """`<out>/notebooks/manifest.csv`: the rows of corpus/notebooks.csv whose file is now there, provenance kept.

    `mliter corpus notebooks <out>/notebooks` (as `make traces NOTEBOOKS=<out>/notebooks` runs it) reads it, so a
    manifest rebuilt from fetched files keeps each notebook's repository, commit and license.
    """
    have = {o.item.item for o in outcomes if o.item.manifest == "notebooks.csv" and o.status in (OK, PRESENT)}
    source = root / "corpus" / "notebooks.csv"
    if not have or not source.exists():
        return None
    with open(source, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = [r for r in reader if r["notebook_id"] in have]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    target = out / "notebooks" / "manifest.csv"
    atomic_write_bytes(target, buf.getvalue().encode("utf-8"))
    return target


def write_report(outcomes: list[Outcome], path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REPORT_COLUMNS)
    for o in outcomes:
        w.writerow([o.item.manifest, o.item.item, o.item.url, o.item.dest, o.status, o.detail])
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))


def summary(outcomes: list[Outcome]) -> str:
    counts = Counter(o.status for o in outcomes)
    order = (OK, PRESENT, MISMATCH, GONE, FAILED, NOT_FETCHABLE)
    return ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
