"""A curated Markdown list of applied-ML papers and write-ups (e.g. eugeneyan/applied-ml).

Entries are list items (`1. ...` or `- ...`) under `##`/`###` headings, each starting
with a link `[Title](url)`, optionally followed by `([Paper](url))` and backticked
tags: the organisation(s) and a four-digit year, e.g.
``3. [Title](https://blog/...) ([Paper](https://arxiv.org/abs/...)) `Google` `2017` ``.
Links to in-page anchors or relative files (a table of contents, CONTRIBUTING.md) are
not entries. An item that starts with `[` but has no complete `[title](url)` link is a
malformed entry, reported with its line.

Per entry: title, url (the main link), section (the heading), venue (the
organisation tags, ', '-joined: who published the write-up), year (the year tag),
arXiv id / DOI when either link points to arxiv.org / doi.org. Id by
`record.best_id`, else `list:<slug of the title>`. sha256: of the entry's line.
"""

from __future__ import annotations

import re
from pathlib import Path

from mliter.corpus.papers.provenance import with_file_provenance
from mliter.corpus.papers.record import (Paper, RecordError, best_id, clean_text, normalize_arxiv_id, normalize_doi,
                                         report, slugify)
from mliter.io import sha256_bytes

_HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(\[.*)$")
_LINK = re.compile(r"^\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\(\s*(<[^>]+>|[^()\s]+(?:\([^()\s]*\))?[^()\s]*)\s*\)")
_PAPER = re.compile(r"\(\s*\[(?:paper|pdf)\]\(\s*([^()\s]+)\s*\)\s*\)", re.I)
_TAG = re.compile(r"`([^`]+)`")


def _ids(urls: list[str]) -> tuple[str, str]:
    arxiv = doi = ""
    for u in urls:
        if "arxiv.org/" in u and not arxiv:
            arxiv = normalize_arxiv_id(re.sub(r"\.pdf$", "", u.split("?")[0].rstrip("/")))
        if "doi.org/" in u and not doi:
            doi = normalize_doi(u)
    return arxiv, doi


def parse_markdown(text: str, file: object = "<list>", errors: list[RecordError] | None = None) -> list[Paper]:
    """Every linked entry under a heading, in file order."""
    papers = []
    section = ""
    for lineno, line in enumerate(text.splitlines(), start=1):
        h = _HEADING.match(line)
        if h:
            section = clean_text(h.group(2))
            continue
        item = _ITEM.match(line)
        if not item or not section:
            continue
        body = item.group(1)
        where = f"line {lineno} ({section})"
        link = _LINK.match(body)
        try:
            if not link:
                raise RecordError(file, where, "a list entry must start with a complete [title](url) link")
            title, url = clean_text(link.group(1)), link.group(2).strip("<>")
            if url.startswith("#") or "://" not in url:
                continue  # table of contents or a relative link: not an entry
            if not title:
                raise RecordError(file, where, "the entry's link has an empty title")
            rest = body[link.end():]
            paper = _PAPER.search(rest)
            tags = [clean_text(t) for t in _TAG.findall(rest)]
            years = [int(t) for t in tags if re.fullmatch(r"(19|20)\d\d", t)]
            orgs = [t for t in tags if not re.fullmatch(r"(19|20)\d\d", t)]
            arxiv_id, doi = _ids([url] + ([paper.group(1)] if paper else []))
            papers.append(Paper(
                paper_id=best_id(arxiv_id=arxiv_id, doi=doi, fallback=f"list:{slugify(title)}"),
                title=title, authors=(), venue=", ".join(orgs), year=years[0] if years else None, source="list",
                doi=doi, arxiv_id=arxiv_id, url=url, section=section,
                sha256=sha256_bytes(line.encode("utf-8")), record=f"{file}#L{lineno}",
            ))
        except RecordError as exc:
            report(errors, exc)
    return papers


def parse_path(path: Path, errors: list[RecordError] | None = None) -> list[Paper]:
    return with_file_provenance(parse_markdown(Path(path).read_text(encoding="utf-8"), path, errors), path)
