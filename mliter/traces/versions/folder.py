"""Versions from a folder of already-extracted notebook versions with a MANIFEST.tsv.

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
