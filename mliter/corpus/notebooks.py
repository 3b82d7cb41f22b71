"""Find notebooks to mine and describe where each came from.

A source is a folder (searched recursively, `.ipynb_checkpoints` skipped), a text file
listing notebook paths, or a manifest table (TSV/CSV with a `local_path` column, such as
the shared data's MANIFEST.tsv or the project's own `corpus/notebooks.csv`). Provenance
(repo, path, commit, license) comes from the manifest when there is one, so notebooks
get stable ids like `git:owner/repo/path.ipynb`; otherwise `file:<relative path>`.
"""

from __future__ import annotations

import csv
import os
import posixpath
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote

from mliter.errors import MliterError


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


def portable(text: str) -> str:
    """A path as table text: bytes of a file name that are not UTF-8, and control characters
    (a line break in a name would split a CSV row), become `%XX`; the rest is kept."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " " or (ord(ch) > 0x7F and _encodes(ch) and not _control(ch)):
            out.append(ch)
        else:
            raw = ch.encode("utf-8", "surrogateescape" if 0xDC80 <= ord(ch) <= 0xDCFF else "surrogatepass")
            out.append("".join(f"%{b:02X}" for b in raw))
    return "".join(out)


def _encodes(ch: str) -> bool:
    try:
        ch.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _control(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def _file_ref(rel: str, file: Path) -> NotebookRef:
    rel = portable(rel)
    return NotebookRef(f"file:{rel}", file, rel)


def from_folder(folder: Path) -> list[NotebookRef]:
    manifest = _manifest_for(folder)
    if manifest is not None:
        return from_manifest(manifest, root=folder)
    files = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return [_file_ref(p.relative_to(folder).as_posix(), p) for p in files]


def _listed(line: str, listing: Path) -> str:
    """A listed path as an id: normalised (`./a//b` is `a/b`), relative to the list when absolute."""
    p = Path(line)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(listing.parent.resolve()).as_posix()
        except ValueError:
            return p.name
    rel = posixpath.normpath(p.as_posix())
    return p.name if rel.startswith("../") else rel


def _qualify(refs: list[tuple[str, NotebookRef]]) -> list[NotebookRef]:
    """Give `file:` refs that share an id (two `nb.ipynb` in different folders) ids that keep them
    apart: as many trailing folders of their real path as it takes to make every id unique."""
    depth = {real: len(r.local_path.split("/")) for real, r in refs}
    current = {real: r for real, r in refs}
    while True:
        groups: dict[str, list[str]] = defaultdict(list)
        for real, r in current.items():
            groups[r.notebook_id].append(real)
        clashes = [reals for reals in groups.values() if len(reals) > 1]
        if not clashes:
            return list(current.values())
        for reals in clashes:
            for real in reals:
                r = current[real]
                if not r.notebook_id.startswith("file:"):
                    others = [str(current[o].file) for o in reals if o != real]
                    raise SourceError(f"notebook id {r.notebook_id!r} names two files: {r.file} and {others[0]}")
                parts = Path(real).parts
                if depth[real] >= len(parts):
                    continue
                depth[real] += 1
                rel = portable("/".join(parts[-depth[real]:]))
                current[real] = replace(r, notebook_id=f"file:{rel}", local_path=rel)


def discover(sources: Iterable[str | Path], root: Path | None = None) -> list[NotebookRef]:
    """All notebooks named by the sources, sorted by id.

    One file is mined once however it is named (`a/nb.ipynb`, `./a/nb.ipynb`, a link): refs are
    deduplicated by resolved path, the first naming kept. Two different files never share an id:
    `file:` ids that clash are lengthened by folders until they differ.
    """
    by_file: dict[str, NotebookRef] = {}
    for src in sources:
        src = Path(src)
        if src.is_dir():
            found = from_folder(src)
        elif src.suffix == ".ipynb" and src.is_file():
            found = [_file_ref(src.name, src)]
        elif src.suffix in (".tsv", ".csv") and src.is_file():
            found = from_manifest(src, root=root)
        elif src.suffix in (".txt", ".lst") and src.is_file():
            found = []
            for lineno, line in enumerate(src.read_text(encoding="utf-8").splitlines(), start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                p = Path(line) if Path(line).is_absolute() else src.parent / line
                if not p.is_file():
                    raise SourceError(f"{src}, line {lineno}: {line!r} is not a file")
                found.append(_file_ref(_listed(line, src), p))
        elif not src.exists():
            raise SourceError(f"{portable(str(src))}: no such file or folder")
        else:
            raise SourceError(f"{portable(str(src))}: expected a folder, a .ipynb, a manifest (.tsv/.csv) or a list (.txt)")
        for r in found:
            by_file.setdefault(os.path.realpath(r.file), r)
    refs = _qualify(list(by_file.items()))
    return sorted(refs, key=lambda r: r.notebook_id)


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
