"""Versions of notebooks from the git history of a local clone, renames followed.

For each notebook path (all `*.ipynb` tracked at HEAD, or the paths given),
`git log --follow --name-status` lists the commits that touched it, oldest first, with
the path the file had at each commit; a commit's content is read with
`git show <commit>:<path>`. Only `git` itself is run (via `subprocess`, no shell);
nothing in the repository is executed. Workflow ids are `git:<owner>/<repo>/<path at
HEAD>` and version ids add `@<commit>`.
"""

from __future__ import annotations

from mliter.errors import MliterError
import re
import subprocess
from pathlib import Path
from urllib.parse import quote
from typing import Iterable

from mliter.traces.versions.mine import Version, VersionReadError, utc_iso

_MARK = "\x1ecommit\t"
_REMOTE = re.compile(r"github\.com[:/]+([^/]+)/([^/]+?)(?:\.git)?/?$")


class GitError(MliterError, ValueError):
    """git failed on a repository; the message names the folder and the command."""


def _git(repo: Path, *args: str) -> bytes:
    cmd = ["git", "-C", str(repo), "-c", "core.quotePath=false", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, check=False, timeout=600)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (needed to read a repository's history)") from exc
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"{repo}: `git {' '.join(args)}` failed: {msg[-1] if msg else done.returncode}")
    return done.stdout


def repo_name(repo: Path) -> str:
    """`owner/name` from the `origin` remote when it is on GitHub, else `local/<folder name>`."""
    try:
        url = _git(repo, "config", "--get", "remote.origin.url").decode().strip()
    except GitError:
        url = ""
    m = _REMOTE.search(url)
    return f"{m.group(1)}/{m.group(2)}" if m else f"local/{repo.resolve().name}"


def notebook_paths(repo: Path) -> list[str]:
    """Notebooks tracked at HEAD (checkpoint copies left out), sorted."""
    out = _git(repo, "ls-files", "-z", "--", "*.ipynb").decode("utf-8", "replace")
    return sorted(p for p in out.split("\0") if p and ".ipynb_checkpoints/" not in p)


def _unquote(path: str) -> str:
    """A path git printed C-quoted (it does so for tabs, newlines and quotes even with quotePath off)."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        return path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode("utf-8")
    return path


def history(repo: Path, path: str) -> list[tuple[str, str, str, str]]:
    """(commit, committer time UTC, author name, path at that commit) of `path`, oldest first.

    Deletions are skipped (a deleted file has no content); `--follow` carries the
    history across renames, and the rename's new name is the path at that commit. `-m`
    makes merge commits that change the notebook (a resolved conflict, an edit while
    merging) appear too; without it `--follow` leaves them out. `-m` also lists a merge
    whose file equals its first parent's (the change came from the other side, whose own
    commit is listed): such a merge is skipped, so no version repeats.
    """
    raw = _git(repo, "log", "--follow", "-m", "--name-status", "--format=" + _MARK + "%H\t%cI\t%an\t%P", "--", path)
    entries = []
    seen: set[str] = set()
    current = path  # the file's path at the commit being read (newest first); renames move it back
    for block in raw.decode("utf-8", "replace").split(_MARK)[1:]:
        lines = [ln for ln in block.splitlines() if ln.strip()]
        commit, when, author, parents = (lines[0].split("\t") + ["", "", ""])[:4]
        if commit in seen:  # `-m` lists a merge once per parent: the first (first parent) is kept
            continue
        seen.add(commit)
        at_commit, before, deleted = current, current, False
        for ln in lines[1:]:
            fields = ln.split("\t")
            status = fields[0]
            if status.startswith(("R", "C")) and len(fields) >= 3:
                at_commit, before = _unquote(fields[2]), _unquote(fields[1])
            elif len(fields) >= 2:
                at_commit = before = _unquote(fields[1])
                deleted = status.startswith("D")
        first_parent = parents.split()[0] if len(parents.split()) > 1 else None
        if first_parent and _blob(repo, commit, at_commit) == _blob(repo, first_parent, before):
            deleted = True  # a merge that leaves the first parent's file as it was: not a new version
        if not deleted:
            entries.append((commit, utc_iso(when), author, at_commit))
        current = before
    return entries[::-1]


def _blob(repo: Path, commit: str, path: str) -> str:
    """The blob id of `path` at `commit` ('' when the file is not there)."""
    try:
        return _git(repo, "rev-parse", "-q", "--verify", f"{commit}:{path}").decode().strip()
    except GitError:
        return ""


def _reader(repo: Path, commit: str, path: str):
    def load() -> bytes:
        try:
            return _git(repo, "show", f"{commit}:{path}")
        except GitError as exc:
            raise VersionReadError("git_show_failed", str(exc)) from exc

    return load


def git_versions(repo: str | Path, paths: Iterable[str] | None = None, name: str | None = None,
                 license: str = "") -> list[Version]:
    """Every committed version of each notebook in a local clone (all `*.ipynb` at HEAD by default)."""
    repo = Path(repo)
    if not (repo / ".git").exists():
        _git(repo, "rev-parse", "--git-dir")  # raises a GitError naming the folder when it is no repository
    owner_repo = name or repo_name(repo)
    out = []
    for path in (list(paths) if paths is not None else notebook_paths(repo)):
        wid = f"git:{owner_repo}/{path}"
        for k, (commit, when, author, at_commit) in enumerate(history(repo, path), start=1):
            url = f"https://github.com/{owner_repo}/blob/{commit}/{quote(at_commit)}" if not owner_repo.startswith("local/") else ""
            out.append(Version(wid, k, f"{wid}@{commit}", when, "git", author=author, repo=owner_repo,
                               path=at_commit, commit=commit, url=url, license=license,
                               load=_reader(repo, commit, at_commit)))
    return out
