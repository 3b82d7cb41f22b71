"""What coders read: each paper's title and abstract, straight from the local material.

Abstracts are the authors' text and most sources carry no license for it, so they
never go into a shipped file; coders read them here, on their own machine, from the
same recorded sources `corpus/papers.csv` was built from. Ids are those of the
shipped table: a merged paper's abstract comes from whichever of its records has one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from mliter.corpus.papers.dedup import deduplicate
from mliter.corpus.papers.load import default_paths, parse_sources
from mliter.corpus.papers.record import Paper, RecordError


def load_papers(shared_root: str | Path | None = None, sources: Iterable[str | Path] | None = None,
                errors: list[RecordError] | None = None) -> dict[str, Paper]:
    """Deduplicated papers (with abstracts, in memory) of the default corpus or of `sources`, by id."""
    paths = list(sources) if sources is not None else default_paths(shared_root)
    return {p.paper_id: p for p in deduplicate(parse_sources(paths, errors))}


def load_abstracts(shared_root: str | Path | None = None, sources: Iterable[str | Path] | None = None
                   ) -> dict[str, str]:
    """paper_id -> abstract ('' when no source of that paper has one)."""
    return {pid: p.abstract for pid, p in load_papers(shared_root, sources, errors=[]).items()}


def format_for_coder(p: Paper) -> str:
    """A plain-text card: id, title, venue/year, authors, links and the abstract."""
    lines = [p.paper_id, f"  title:   {p.title}", f"  venue:   {p.venue} {p.year or ''}".rstrip(),
             f"  authors: {'; '.join(p.authors)}"]
    if p.section:
        lines.append(f"  section: {p.section}")
    for name in ("url", "doi", "arxiv_id"):
        if getattr(p, name):
            lines.append(f"  {name + ':':8} {getattr(p, name)}")
    lines.append("  abstract:")
    lines.append("    " + (p.abstract or "(no abstract in the recorded sources: code from the full text)"))
    return "\n".join(lines)
