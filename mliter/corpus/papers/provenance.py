"""Where a recorded file came from: the shared material's PROVENANCE.tsv, looked up per file.

The recorded inputs (`../shared/data/...`) are byte copies of files in public GitHub
repositories; PROVENANCE.tsv names, per local path, the repository, the path in it,
the commit and the license. A paper record read from such a file gets a permanent
`record_url` (the blob at that commit), the `commit` and the `license`. The capture
date of these files is not recorded, so `retrieved_at` stays empty for them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class FileProvenance:
    repo: str
    repo_path: str
    commit: str
    license: str

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}/blob/{self.commit}/{quote(self.repo_path)}"


@lru_cache(maxsize=16)
def _table(tsv: Path) -> dict[str, FileProvenance]:
    with open(tsv, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return {r["local_path"]: FileProvenance(r.get("repo", ""), r.get("repo_path", ""), r.get("commit", ""),
                                                r.get("license", "")) for r in rows}


def lookup(path: str | Path) -> FileProvenance | None:
    """Provenance of `path` from the nearest PROVENANCE.tsv in a parent folder, or None."""
    path = Path(path).resolve()
    for parent in path.parents:
        tsv = parent / "PROVENANCE.tsv"
        if tsv.is_file():
            return _table(tsv).get(path.relative_to(parent).as_posix())
    return None


def provenance_fields(path: str | Path) -> dict[str, str]:
    """`record_url`, `commit`, `license` for a recorded file ({} when it has no provenance)."""
    prov = lookup(path)
    if prov is None:
        return {}
    return {"record_url": prov.url, "commit": prov.commit, "license": prov.license}


def with_file_provenance(papers: list, path: str | Path) -> list:
    """The records read from `path`, with that file's provenance (`Paper.with_provenance`)."""
    prov = provenance_fields(path)
    return [p.with_provenance(**prov) for p in papers]
