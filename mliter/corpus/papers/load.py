"""Read paper records from local sources of any supported format.

`detect` decides a source's format from what it is (a PMLR volume folder) or what
it holds (the root element of an XML file, the keys of a JSON document, a VCR
cassette, Markdown), so `mliter corpus papers` takes any mix of paths. Each format's
parser lives in its own module with a `parse_path(path, errors)` function.

Which sources make the shipped corpus is data, not code: see `sources`.
"""

from __future__ import annotations

from mliter.errors import InputError
import importlib
import json
from pathlib import Path
from typing import Iterable

from mliter.corpus.papers.record import Paper, RecordError, report

#: format name -> module with `parse_path(path, errors) -> list[Paper]`
PARSERS = {
    "pmlr": "mliter.corpus.papers.pmlr",
    "arxiv": "mliter.corpus.papers.arxiv",
    "semantic_scholar": "mliter.corpus.papers.semantic_scholar",
    "acl": "mliter.corpus.papers.acl",
    "openalex": "mliter.corpus.papers.openalex",
    "list": "mliter.corpus.papers.markdown_list",
}

def _head(path: Path, n: int = 4096) -> str:
    with open(path, "rb") as fh:
        return fh.read(n).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


def detect(path: str | Path) -> str:
    """The format of a local source; ValueError names the path when it is none we read."""
    path = Path(path)
    if path.is_dir():
        from mliter.corpus.papers.pmlr import is_volume_folder

        if is_volume_folder(path):
            return "pmlr"
        raise RecordError(path, "folder", "a folder source must be a PMLR volume (with _posts/ or a .bib)")
    if not path.is_file():
        raise RecordError(path, "path", "no such file or folder")
    suffix = path.suffix.lower()
    head = _head(path)
    if suffix == ".md":
        return "list"
    if suffix in (".yaml", ".yml"):
        return "semantic_scholar"  # VCR cassettes of the Graph API
    if suffix in (".xml", ".atom"):
        if "<feed" in head:
            return "arxiv"
        if "<collection" in head or "<volume" in head:
            return "acl"
        raise RecordError(path, "root element", "XML is neither an Atom feed (arXiv) nor an ACL Anthology collection")
    if suffix == ".json":
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise RecordError(path, "document", f"not valid JSON: {exc}") from None
        if isinstance(doc, dict) and isinstance(doc.get("body"), str) and "<feed" in doc["body"][:2000]:
            return "arxiv"
        if _looks_openalex(doc):
            return "openalex"
        return "semantic_scholar"
    raise RecordError(path, "file", "unknown source format (expected a PMLR folder, .xml, .json, .yaml or .md)")


def _looks_openalex(doc) -> bool:
    items = doc.get("results") if isinstance(doc, dict) and isinstance(doc.get("results"), list) else [doc]
    return any(isinstance(w, dict) and str(w.get("id", "")).startswith("https://openalex.org/W") for w in items)


def parse_path(path: str | Path, errors: list[RecordError] | None = None, fmt: str | None = None) -> list[Paper]:
    """Every paper record of one local source (format detected unless `fmt` is given)."""
    fmt = fmt or detect(path)
    if fmt not in PARSERS:
        raise InputError(f"unknown paper source format {fmt!r}; known: {sorted(PARSERS)}")
    return importlib.import_module(PARSERS[fmt]).parse_path(Path(path), errors)


def parse_sources(paths: Iterable[str | Path], errors: list[RecordError] | None = None) -> list[Paper]:
    """Records of all sources, in the given order (not deduplicated).

    With an `errors` list, a source or record that cannot be read is recorded there
    and the rest continue; without one, the first problem raises.
    """
    out: list[Paper] = []
    for p in paths:
        try:
            out.extend(parse_path(p, errors))
        except RecordError as exc:
            report(errors, exc)
    return out
