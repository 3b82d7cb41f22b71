"""XML helpers shared by the Atom (arXiv) and ACL Anthology readers: parse with errors that name the record."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from mliter.corpus.papers.record import RecordError


def parse_xml(text: str | bytes, file: object, record_tag: str, id_tag: str) -> ET.Element:
    """The root element; on malformed XML a RecordError naming the record being read where it broke.

    `record_tag`/`id_tag` say what a record is (`entry`/`id` in Atom, `paper`/`@id` in
    ACL XML) so that the error names the last record opened before the break, e.g. the
    truncated last entry of a cut-off download.
    """
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = exc.position
        s = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
        lines = s.splitlines(keepends=True)
        upto = "".join(lines[:line - 1]) + (lines[line - 1][:col] if line - 1 < len(lines) else "")
        starts = [m.start() for m in re.finditer(rf"<(\w+:)?{record_tag}[\s>]", upto)]
        entry = "document"
        if starts:
            tail = upto[starts[-1]:]
            if id_tag.startswith("@"):
                m = re.search(rf'{id_tag[1:]}="([^"]*)"', tail)
            else:
                m = re.search(rf"<{id_tag}>([^<]*)</{id_tag}>", tail)
            entry = f"{record_tag} {len(starts)}" + (f" ({m.group(1).strip()})" if m else "")
        raise RecordError(file, entry, f"not well-formed XML at line {line}, column {col}: {exc}") from None


def canonical_bytes(el: ET.Element) -> bytes:
    """C14N 2.0 serialisation of one element: the bytes a record's sha256 is taken of."""
    return ET.canonicalize(ET.tostring(el, encoding="unicode")).encode("utf-8")


def text_of(el: ET.Element | None) -> str:
    """All text inside an element (children included), or '' for None."""
    return "".join(el.itertext()) if el is not None else ""
