"""ACL Anthology XML (`data/xml/<collection>.xml` of acl-org/acl-anthology).

A `<collection id>` holds `<volume id>`s; each `<paper id>` becomes one record with
the Anthology id (`2022.naloma-1.3` for new-style collections, `P19-1001` for old
ones; the paper's `<url>` when it is an id), title (markup such as `<fixed-case>`
dropped), authors (`<first> <last>`), year and venue from the volume's `<meta>`
(the acronym in the book title's closing parentheses when there is one, else the
book title), `<doi>`, `<abstract>` when present, url = the Anthology page. The
volume's `<frontmatter>` is not a paper. sha256: of the `<paper>` element's
canonical XML (C14N 2.0).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from mliter.corpus.papers.provenance import with_file_provenance
from mliter.corpus.papers.record import Paper, RecordError, clean_text, normalize_doi, report
from mliter.corpus.papers.xmlutil import canonical_bytes, parse_xml, text_of
from mliter.io import sha256_bytes

ANTHOLOGY_URL = "https://aclanthology.org/"


def anthology_id(collection: str, volume: str, paper: str) -> str:
    """The Anthology id of a paper: `2022.naloma-1.3` (new style) or `P19-1001` (old style)."""
    if re.fullmatch(r"[A-Z]\d\d", collection):
        return f"{collection}-{volume}{int(paper):03d}" if paper.isdigit() else f"{collection}-{volume}{paper}"
    return f"{collection}-{volume}.{paper}"


def _venue(meta: ET.Element | None) -> str:
    booktitle = clean_text(text_of(meta.find("booktitle"))) if meta is not None else ""
    m = re.search(r"\(([^()]+)\)\s*$", booktitle)
    return m.group(1).strip() if m else booktitle


def _person(el: ET.Element) -> str:
    return clean_text(f"{text_of(el.find('first'))} {text_of(el.find('last'))}")


def parse_collection(xml_text: str | bytes, file: object = "<acl>", errors: list[RecordError] | None = None
                     ) -> list[Paper]:
    """Every paper of a collection file, in file order."""
    root = parse_xml(xml_text, file, "paper", "@id")
    if root.tag != "collection" or not root.get("id"):
        raise RecordError(file, "root element", f"expected <collection id=...>, found <{root.tag}>")
    coll = root.get("id")
    papers = []
    for vol in root.findall("volume"):
        meta = vol.find("meta")
        year_text = clean_text(text_of(meta.find("year"))) if meta is not None else ""
        for el in vol.findall("paper"):
            where = f"volume {vol.get('id')} paper {el.get('id')}"
            try:
                if not vol.get("id") or not el.get("id"):
                    raise RecordError(file, where, "volume and paper need an 'id' attribute")
                url_text = clean_text(text_of(el.find("url")))
                aid = url_text if url_text and "://" not in url_text else anthology_id(coll, vol.get("id"),
                                                                                       el.get("id"))
                where = f"{where} ({aid})"
                title = clean_text(text_of(el.find("title")))
                if not title:
                    raise RecordError(file, where, "no <title>")
                year = clean_text(text_of(el.find("year"))) or year_text
                if year and not year.isdigit():
                    raise RecordError(file, where, f"<year> {year!r} is not a year")
                papers.append(Paper(
                    paper_id=f"acl:{aid}", title=title,
                    authors=tuple(a for a in (_person(x) for x in el.findall("author")) if a),
                    venue=_venue(meta), year=int(year) if year else None, source="acl",
                    doi=normalize_doi(text_of(el.find("doi"))), url=ANTHOLOGY_URL + aid,
                    abstract=clean_text(text_of(el.find("abstract"))),
                    sha256=sha256_bytes(canonical_bytes(el)), record=f"{file}#{aid}",
                ))
            except RecordError as exc:
                report(errors, exc)
    return papers


def parse_path(path: Path, errors: list[RecordError] | None = None) -> list[Paper]:
    return with_file_provenance(parse_collection(Path(path).read_bytes(), path, errors), path)
