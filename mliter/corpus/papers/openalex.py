"""OpenAlex works (JSON), per the documented Work object.

A document is one Work (`GET /works/W...`) or a list response
(`{"meta": {...}, "results": [Work, ...]}`, from `GET /works?search=...`). Per Work:
`id` (`https://openalex.org/W...`), `title` (else `display_name`),
`publication_year`, `doi` (a doi.org URL), `ids`, `authorships[].author.display_name`
(else `raw_author_name`), `primary_location.source.display_name` as the venue and
`primary_location.landing_page_url` as the url, and `abstract_inverted_index`
(word -> positions; OpenAlex ships no plain-text abstracts), rebuilt by
`abstract_from_inverted_index`. arXiv ids come from arXiv DOIs (`10.48550/arxiv.X`)
or an arxiv.org landing page. Id by `record.best_id` (arXiv, DOI, else
`openalex:W...`). sha256: of the Work's canonical JSON.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mliter.corpus.papers.jsonutil import canonical_json, read_json
from mliter.corpus.papers.provenance import with_file_provenance
from mliter.corpus.papers.record import (Paper, RecordError, best_id, clean_text, normalize_arxiv_id, normalize_doi,
                                         report)
from mliter.io import sha256_bytes


def abstract_from_inverted_index(index: Any, file: object = "", where: str = "") -> str:
    """Plain text of an `abstract_inverted_index` ({word: [positions]}); '' for null."""
    if index is None:
        return ""
    if not isinstance(index, dict):
        raise RecordError(file, where, "abstract_inverted_index is not an object of word -> positions")
    slots: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(isinstance(i, int) and i >= 0 for i in positions):
            raise RecordError(file, where, f"abstract_inverted_index[{word!r}] is not a list of positions")
        for i in positions:
            slots[i] = word
    return clean_text(" ".join(slots[i] for i in sorted(slots)))


def _arxiv_id(work: dict, doi: str) -> str:
    m = re.fullmatch(r"10\.48550/arxiv\.(.+)", doi)
    if m:
        return normalize_arxiv_id(m.group(1))
    for loc in [work.get("primary_location")] + list(work.get("locations") or []):
        if isinstance(loc, dict) and "arxiv.org/abs/" in str(loc.get("landing_page_url") or ""):
            return normalize_arxiv_id(loc["landing_page_url"])
    return ""


def paper_from_work(work: Any, file: object, where: str) -> Paper:
    """One record from a Work object; RecordError names the file and the work."""
    if not isinstance(work, dict):
        raise RecordError(file, where, f"expected a Work object, found {type(work).__name__}")
    wid = clean_text(work.get("id"))
    m = re.fullmatch(r"https://openalex\.org/(W\d+)", wid)
    if not m:
        raise RecordError(file, where, f"'id' {wid!r} is not an OpenAlex work id (https://openalex.org/W...)")
    wid = m.group(1)
    where = f"{where} ({wid})"
    title = clean_text(work.get("title") or work.get("display_name"))
    if not title:
        raise RecordError(file, where, "work has no title")
    year = work.get("publication_year")
    if year is not None and not isinstance(year, int):
        raise RecordError(file, where, f"'publication_year' is {year!r}, expected an integer")
    ids = work.get("ids") or {}
    doi = normalize_doi(work.get("doi") or (ids.get("doi") if isinstance(ids, dict) else ""))
    arxiv_id = _arxiv_id(work, doi)
    authors = []
    for a in work.get("authorships") or []:
        if not isinstance(a, dict):
            raise RecordError(file, where, "an authorships item is not an Authorship object")
        name = (a.get("author") or {}).get("display_name") or a.get("raw_author_name")
        if name:
            authors.append(clean_text(name))
    loc = work.get("primary_location") or {}
    source = (loc.get("source") or {}) if isinstance(loc, dict) else {}
    return Paper(
        paper_id=best_id(arxiv_id=arxiv_id, doi=doi, fallback=f"openalex:{wid}"),
        title=title,
        authors=tuple(authors),
        venue=clean_text(source.get("display_name")),
        year=year,
        source="openalex",
        doi=doi,
        arxiv_id=arxiv_id,
        url=clean_text(loc.get("landing_page_url") if isinstance(loc, dict) else "") or f"https://openalex.org/{wid}",
        abstract=abstract_from_inverted_index(work.get("abstract_inverted_index"), file, where),
        sha256=sha256_bytes(canonical_json(work)),
        record=f"{file}#{wid}",
    )


def parse_document(doc: Any, file: object, errors: list[RecordError] | None = None) -> list[Paper]:
    """Works of a single-Work or list response."""
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        items = [(f"results[{i}]", w) for i, w in enumerate(doc["results"])]
    elif isinstance(doc, dict) and "id" in doc:
        items = [("work", doc)]
    else:
        raise RecordError(file, "document", "expected a Work object or a list response with 'results'")
    papers = []
    for where, work in items:
        try:
            papers.append(paper_from_work(work, file, where))
        except RecordError as exc:
            report(errors, exc)
    return papers


def parse_path(path: Path, errors: list[RecordError] | None = None) -> list[Paper]:
    return with_file_provenance(parse_document(read_json(path), path, errors), path)
