"""Find notebooks to mine and describe where each came from.

A source is a folder (searched recursively, `.ipynb_checkpoints` skipped), a text file
listing notebook paths, or a manifest table (TSV/CSV with a `local_path` column, such as
the shared data's MANIFEST.tsv or the project's own `corpus/notebooks.csv`). Provenance
(repo, path, commit, license) comes from the manifest when there is one, so notebooks
get stable ids like `git:owner/repo/path.ipynb`; otherwise `file:<relative path>`.
"""

from __future__ import annotations

from mliter.errors import MliterError
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote


@dataclass(frozen=True)
class NotebookRef:
    """One notebook to mine: where to read it and where it came from."""

    notebook_id: str
    file: Path
    local_path: str
    source: str = "file"
    repo: str = ""
    path: str = ""
    commit: str = ""
    license: str = ""

    @property
    def url(self) -> str:
        if self.repo and self.commit and self.path:
            return f"https://github.com/{self.repo}/blob/{self.commit}/{quote(self.path)}"
        return ""


class SourceError(MliterError, ValueError):
    pass


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    delim = "\t" if path.suffix == ".tsv" else ","
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter=delim)
        if not reader.fieldnames or "local_path" not in reader.fieldnames:
            raise SourceError(f"{path}: a manifest needs a 'local_path' column (found {reader.fieldnames})")
        for rowno, row in enumerate(reader, start=2):
            yield rowno, row


def _resolve(base_dirs: list[Path], local_path: str) -> Path | None:
    for base in base_dirs:
        p = base / local_path
        if p.is_file():
            return p
    return None


def from_manifest(manifest: Path, root: Path | None = None) -> list[NotebookRef]:
    """Notebooks named by a manifest; `local_path` is tried under `root`, the manifest's folder and its parent."""
    bases = [b for b in (root, manifest.parent, manifest.parent.parent) if b is not None]
    refs = []
    for rowno, row in _rows(manifest):
        local = row["local_path"]
        file = _resolve(bases, local)
        if file is None:
            raise SourceError(f"{manifest}, row {rowno}: notebook {local!r} not found under {[str(b) for b in bases]}")
        repo = row.get("repo", "")
        path = row.get("repo_path") or row.get("path", "")
        nid = row.get("notebook_id") or (f"git:{repo}/{path}" if repo and path else f"file:{local}")
        rel = local
        for b in bases:  # keep local paths relative to the notebooks' folder, not machine specific
            try:
                rel = str(file.resolve().relative_to(b.resolve()))
                break
            except ValueError:
                continue
        refs.append(NotebookRef(nid, file, rel, "github" if repo else "file", repo, path, row.get("commit", ""),
                                row.get("license", "")))
    return refs


def _manifest_for(folder: Path) -> Path | None:
    for cand in (folder / "MANIFEST.tsv", folder / "manifest.csv"):
        if cand.is_file():
            return cand
    return None


def from_folder(folder: Path) -> list[NotebookRef]:
    manifest = _manifest_for(folder)
    if manifest is not None:
        return from_manifest(manifest, root=folder)
    files = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return [NotebookRef(f"file:{p.relative_to(folder).as_posix()}", p, p.relative_to(folder).as_posix()) for p in files]


def discover(sources: Iterable[str | Path], root: Path | None = None) -> list[NotebookRef]:
    """All notebooks named by the sources, deduplicated by id, sorted by id."""
    refs: dict[str, NotebookRef] = {}
    for src in sources:
        src = Path(src)
        if src.is_dir():
            found = from_folder(src)
        elif src.suffix == ".ipynb":
            found = [NotebookRef(f"file:{src.name}", src, src.name)]
        elif src.suffix in (".tsv", ".csv"):
            found = from_manifest(src, root=root)
        elif src.suffix in (".txt", ".lst"):
            found = []
            for lineno, line in enumerate(src.read_text(encoding="utf-8").splitlines(), start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                p = Path(line) if Path(line).is_absolute() else src.parent / line
                if not p.is_file():
                    raise SourceError(f"{src}, line {lineno}: {line!r} is not a file")
                found.append(NotebookRef(f"file:{line}", p, line))
        elif not src.exists():
            raise SourceError(f"{src}: no such file or folder")
        else:
            raise SourceError(f"{src}: expected a folder, a .ipynb, a manifest (.tsv/.csv) or a list (.txt)")
        for r in found:
            refs.setdefault(r.notebook_id, r)
    return [refs[k] for k in sorted(refs)]


def manifest_frame(refs: Iterable[NotebookRef]):
    """The manifest table (corpus/notebooks.csv) for these notebooks: provenance and sha256."""
    import pandas as pd

    from mliter.io import sha256_file

    rows = []
    for r in refs:
        exists = r.file.is_file()
        rows.append({
            "notebook_id": r.notebook_id, "source": r.source, "repo": r.repo, "path": r.path,
            "commit": r.commit, "url": r.url, "license": r.license, "local_path": r.local_path,
            "bytes": r.file.stat().st_size if exists else 0,
            "sha256": sha256_file(r.file) if exists else "",
        })
    df = pd.DataFrame(rows, columns=["notebook_id", "source", "repo", "path", "commit", "url", "license",
                                     "local_path", "bytes", "sha256"])
    df["bytes"] = df["bytes"].astype("Int64")
    return df
