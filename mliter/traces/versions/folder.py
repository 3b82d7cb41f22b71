"""Versions from a folder of already-extracted notebook versions: with a MANIFEST.tsv, or a plain
folder of `vNN_*.ipynb` series (`series_versions`).

The layout is that of `../shared/data/notebook_versions/`: one file per version at
`<owner>__<repo>/<notebook stem>/vNN_<short sha>.ipynb`, and a tab-separated manifest with
one row per file: local_path (relative to the manifest's parent folder), repo,
path_at_head, path_at_commit, commit, commit_time_utc, version_index and license (other
columns are ignored). The workflow id is `git:<repo>/<path_at_head>`, so versions of a
renamed notebook form one sequence, and the version number is `version_index`.
"""

from __future__ import annotations

from mliter.errors import MliterError
import csv
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

from mliter.traces.versions.mine import Version, VersionReadError, utc_iso

REQUIRED = ("local_path", "repo", "path_at_head", "path_at_commit", "commit", "commit_time_utc", "version_index")


class ManifestError(MliterError, ValueError):
    """A manifest row that cannot be used: names the file, the row and what was expected."""


def _reader(file: Path):
    def load() -> bytes:
        try:
            return file.read_bytes()
        except FileNotFoundError as exc:
            raise VersionReadError("missing_file", f"{file} not found") from exc

    return load


def manifest_path(source: str | Path) -> Path:
    """The MANIFEST.tsv a source names: the file itself, or the one inside a folder."""
    p = Path(source)
    return p / "MANIFEST.tsv" if p.is_dir() else p


def folder_versions(source: str | Path, root: str | Path | None = None) -> list[Version]:
    """Versions listed by a MANIFEST.tsv; `local_path` is read under `root` (default: the manifest's parent folder)."""
    manifest = manifest_path(source)
    if not manifest.is_file():
        raise ManifestError(f"{manifest}: no MANIFEST.tsv (expected a tab-separated version manifest)")
    base = Path(root) if root is not None else manifest.parent.parent
    out = []
    with open(manifest, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{manifest}: missing columns {missing} (found {reader.fieldnames})")
        for rowno, row in enumerate(reader, start=2):
            empty = [c for c in REQUIRED if not (row.get(c) or "").strip()]
            if empty:
                raise ManifestError(f"{manifest}, row {rowno}: empty {empty}")
            try:
                index = int(row["version_index"])
                when = utc_iso(row["commit_time_utc"])
            except ValueError as exc:
                raise ManifestError(f"{manifest}, row {rowno}: version_index must be an integer and "
                                    f"commit_time_utc an ISO 8601 time ({exc})") from None
            wid = f"git:{row['repo']}/{row['path_at_head']}"
            commit = row["commit"]
            out.append(Version(wid, index, f"{wid}@{commit}", when, "folder", repo=row["repo"],
                               path=row["path_at_commit"], commit=commit,
                               url=f"https://github.com/{row['repo']}/blob/{commit}/{quote(row['path_at_commit'])}",
                               license=row.get("license", ""), load=_reader(base / row["local_path"])))
    return out


SERIES_FILE = re.compile(r"^v(\d+)_.*\.ipynb$")


def _git_time(file: Path) -> str:
    """Committer time of the last commit touching `file` when it lies in a git work tree, else ''."""
    try:
        out = subprocess.run(["git", "-C", str(file.parent), "log", "-1", "--format=%cI", "--", file.name],
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    text = out.stdout.strip()
    if out.returncode != 0 or not text:
        return ""
    try:
        return utc_iso(text)
    except ValueError:
        return ""


def series_versions(folder: str | Path, notes: list[str] | None = None) -> list[Version]:
    """Versions from a plain folder of series without a manifest: every folder holding
    `vNN_*.ipynb` files is one workflow (`file:<folder relative to the given one>`), NN its version.

    Commit times come from git when the folder is inside a clone (the last commit of each file);
    otherwise they are empty and a note says so (appended to `notes`)."""
    root = Path(folder)
    if not root.is_dir():
        raise ManifestError(f"{root}: not a folder")
    files = sorted(p for p in root.rglob("v*_*.ipynb") if SERIES_FILE.match(p.name) and ".ipynb_checkpoints" not in p.parts)
    if not files:
        raise ManifestError(f"{root}: no MANIFEST.tsv and no vNN_*.ipynb series files")
    in_git = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"], capture_output=True,
                            text=True, check=False).stdout.strip() == "true" if shutil.which("git") else False
    out = []
    for f in files:
        series = f.parent.relative_to(root).as_posix() or root.name
        wid = f"file:{series}"
        index = int(SERIES_FILE.match(f.name).group(1))  # type: ignore[union-attr]
        when = _git_time(f) if in_git else ""
        out.append(Version(wid, index, f"{wid}@v{index:02d}", when, "series", path=f.relative_to(root).as_posix(),
                           load=_reader(f)))
    if notes is not None:
        if not in_git:
            notes.append(f"{root}: not a git clone, so commit times are empty (minutes_since_previous too)")
        elif any(not v.timestamp for v in out):
            notes.append(f"{root}: {sum(not v.timestamp for v in out)} file(s) have no commit in git; their times are empty")
    return out
