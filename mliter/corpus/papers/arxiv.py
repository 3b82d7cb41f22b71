"""arXiv API responses (Atom 1.0 feeds), read with `xml.etree`.

A response is the raw Atom XML (`.xml`/`.atom`), or a recorded response that wraps it
as JSON (`{"url": ..., "status_code": ..., "body": "<feed ...>"}`, as the arxiv.py
client's test fixtures do; their bodies hold UTF-8 read as Latin-1, which
`repair_mojibake` undoes). Each `<entry>` becomes one record: id `arxiv:<id>`
without version, title, authors (`<author><name>`), year of `<published>`, DOI from
`<arxiv:doi>`, the abstract (`<summary>`), url = the abstract page. An arXiv error
feed (an entry whose id is `.../api/errors...`) is reported as an error.
sha256: of the entry's canonical XML (C14N 2.0).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from mliter.corpus.papers.provenance import with_file_provenance
from mliter.corpus.papers.record import Paper, RecordError, clean_text, normalize_arxiv_id, normalize_doi, report
from mliter.corpus.papers.xmlutil import canonical_bytes, parse_xml, text_of
from mliter.io import sha256_bytes

NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom",
      "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}


def paper_from_entry(entry: ET.Element, file: object, n: int) -> Paper:
    """One record from an Atom `<entry>`; RecordError names the file and the entry."""
    raw_id = clean_text(text_of(entry.find("atom:id", NS)))
    where = f"entry {n}" + (f" ({raw_id})" if raw_id else "")
    if "/api/errors" in raw_id:
        raise RecordError(file, where, f"the arXiv API returned an error: {clean_text(text_of(entry.find('atom:summary', NS)))}")
    arxiv_id = normalize_arxiv_id(raw_id)
    if not arxiv_id:
        raise RecordError(file, where, f"<id> {raw_id!r} is not an arXiv abstract URL")
    title = clean_text(text_of(entry.find("atom:title", NS)))
    if not title:
        raise RecordError(file, where, "no <title>")
    published = clean_text(text_of(entry.find("atom:published", NS)))
    year = int(published[:4]) if published[:4].isdigit() else None
    authors = tuple(clean_text(text_of(a.find("atom:name", NS))) for a in entry.findall("atom:author", NS))
    return Paper(
        paper_id=f"arxiv:{arxiv_id}",
        title=title,
        authors=tuple(a for a in authors if a),
        venue="arXiv",
        year=year,
        source="arxiv",
        doi=normalize_doi(text_of(entry.find("arxiv:doi", NS))),
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        abstract=clean_text(text_of(entry.find("atom:summary", NS))),
        sha256=sha256_bytes(canonical_bytes(entry)),
        record=f"{file}#{arxiv_id}",
    )


def parse_feed(xml_text: str | bytes, file: object = "<atom>", errors: list[RecordError] | None = None
               ) -> list[Paper]:
    """Every entry of an Atom feed (in feed order)."""
    root = parse_xml(xml_text, file, "entry", "id")
    if root.tag != f"{{{NS['atom']}}}feed":
        raise RecordError(file, "root element", f"expected an Atom <feed>, found <{root.tag}>")
    papers = []
    for n, entry in enumerate(root.findall("atom:entry", NS), start=1):
        try:
            papers.append(paper_from_entry(entry, file, n))
        except RecordError as exc:
            report(errors, exc)
    return papers


def read_body(path: Path) -> str:
    """The Atom XML of a response file: the file itself, or the 'body' of a recorded JSON response."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() != ".json":
        return text
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RecordError(path, "document", f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("body"), str):
        raise RecordError(path, "document", "expected a recorded response {'url', 'status_code', 'body': <Atom XML>}")
    if doc.get("status_code", 200) != 200:
        raise RecordError(path, "document", f"recorded response has HTTP status {doc['status_code']}")
    return repair_mojibake(doc["body"])


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 bytes that a recorder decoded as Latin-1 (`Ï\x89` for `ω`), else return `text` as is.

    The arxiv.py client's recorded responses store the body that way. The repair is
    applied only when it is unambiguous: every character fits in one byte, some are
    non-ASCII, and those bytes decode as UTF-8 (text that is really Latin-1 almost
    never does).
    """
    if all(ord(c) < 128 for c in text) or any(ord(c) > 255 for c in text):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return text


def parse_path(path: Path, errors: list[RecordError] | None = None) -> list[Paper]:
    """Records of a recorded or fetched arXiv response file, with the file's provenance."""
    return with_file_provenance(parse_feed(read_body(Path(path)), path, errors), path)
