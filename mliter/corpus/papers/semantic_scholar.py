"""Semantic Scholar Graph API responses (JSON), bare or recorded in VCR cassettes (YAML).

A document is a paper object (`{"paperId", "title", ...}`), a search or batch response
(`{"data": [paper, ...]}` or a list of papers), or a citation/reference object
(`{"citingPaper": paper}` / `{"citedPaper": paper}`). A VCR cassette (`.yaml`, as the
`semanticscholar` client records its tests) holds `interactions`, each with the
request `uri` and the response body string; every body is read as above and records
are named `interaction <n>`. Author listings hold no papers and give none.

Per paper: id by `record.best_id` from `externalIds` (ACL, then ArXiv, then DOI),
else `s2:<paperId>`; venue = `publicationVenue.name`, else `venue`; authors' `name`;
abstract when requested. sha256: of the paper object's canonical JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

from mliter.corpus.papers.jsonutil import canonical_json, load_json, read_json
from mliter.corpus.papers.provenance import with_file_provenance
from mliter.corpus.papers.record import (Paper, RecordError, best_id, clean_text, normalize_arxiv_id, report,
                                         normalize_doi)
from mliter.io import sha256_bytes

S2_PAPER_URL = "https://www.semanticscholar.org/paper/"


def paper_from_object(obj: Any, file: object, where: str) -> Paper:
    """One record from an S2 paper object; RecordError names the file and the entry (paperId)."""
    if not isinstance(obj, dict):
        raise RecordError(file, where, f"expected a paper object, found {type(obj).__name__}")
    pid = clean_text(obj.get("paperId"))
    if not pid:
        raise RecordError(file, where, "paper object has no 'paperId'")
    where = f"{where} (paperId {pid})"
    title = clean_text(obj.get("title"))
    if not title:
        raise RecordError(file, where, "paper has no title (request the 'title' field)")
    ext = obj.get("externalIds") or {}
    if not isinstance(ext, dict):
        raise RecordError(file, where, "'externalIds' is not an object")
    doi, arxiv_id = normalize_doi(ext.get("DOI")), normalize_arxiv_id(ext.get("ArXiv"))
    acl = clean_text(ext.get("ACL"))
    authors = obj.get("authors") or []
    if not isinstance(authors, list):
        raise RecordError(file, where, "'authors' is not a list")
    venue = obj.get("publicationVenue") or {}
    year = obj.get("year")
    if year is not None and not isinstance(year, int):
        raise RecordError(file, where, f"'year' is {year!r}, expected an integer")
    return Paper(
        paper_id=best_id(native=f"acl:{acl}" if acl else "", arxiv_id=arxiv_id, doi=doi, fallback=f"s2:{pid}"),
        title=title,
        authors=tuple(clean_text(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")),
        venue=clean_text(venue.get("name") if isinstance(venue, dict) else "") or clean_text(obj.get("venue")),
        year=year,
        source="semantic_scholar",
        doi=doi,
        arxiv_id=arxiv_id,
        url=clean_text(obj.get("url")) or S2_PAPER_URL + pid,
        abstract=clean_text(obj.get("abstract")),
        sha256=sha256_bytes(canonical_json(obj)),
        record=f"{file}#{pid}",
    )


def _paper_objects(doc: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(name, object) of every paper a document holds."""
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            yield from _paper_objects(item, f"{where}[{i}]")
    elif isinstance(doc, dict):
        if "data" in doc and isinstance(doc["data"], list):
            for i, item in enumerate(doc["data"]):
                if isinstance(item, dict) and "authorId" in item and "paperId" not in item:
                    continue  # an author listing: no papers
                yield from _paper_objects(item, f"{where}.data[{i}]")
        elif "citingPaper" in doc or "citedPaper" in doc:
            key = "citingPaper" if "citingPaper" in doc else "citedPaper"
            yield f"{where}.{key}", doc[key]
        else:
            yield where, doc
    else:
        yield where, doc


def parse_document(doc: Any, file: object, where: str = "document",
                   errors: list[RecordError] | None = None) -> list[Paper]:
    papers = []
    for name, obj in _paper_objects(doc, where):
        try:
            papers.append(paper_from_object(obj, file, name))
        except RecordError as exc:
            report(errors, exc)
    return papers


def parse_cassette(text: str, file: object, errors: list[RecordError] | None = None) -> list[Paper]:
    """Papers in the response bodies of a VCR cassette."""
    try:
        cassette = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RecordError(file, "cassette", f"not valid YAML: {exc}") from None
    if not isinstance(cassette, dict) or not isinstance(cassette.get("interactions"), list):
        raise RecordError(file, "cassette", "expected a VCR cassette with an 'interactions' list")
    papers = []
    for n, inter in enumerate(cassette["interactions"], start=1):
        where = f"interaction {n}"
        try:
            response = (inter or {}).get("response") or {}
            status = (response.get("status") or {}).get("code", 200)
            if status != 200:
                raise RecordError(file, where, f"recorded response has HTTP status {status}")
            body = (response.get("body") or {}).get("string")
            if not isinstance(body, (str, bytes)):
                raise RecordError(file, where, "response has no body string")
            papers.extend(parse_document(load_json(body, file, where), file, where, errors))
        except RecordError as exc:
            report(errors, exc)
    return papers


def parse_path(path: Path, errors: list[RecordError] | None = None) -> list[Paper]:
    """Records of an S2 JSON response or VCR cassette, with the file's provenance."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        papers = parse_cassette(path.read_text(encoding="utf-8"), path, errors)
    else:
        papers = parse_document(read_json(path), path, errors=errors)
    return with_file_provenance(papers, path)
