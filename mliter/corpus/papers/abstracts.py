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
from mliter.corpus.papers.load import parse_sources
from mliter.corpus.papers.record import Paper, RecordError
from mliter.corpus.papers.sources import SOURCE_LIST, collect, read_source_list


def load_papers(shared_root: str | Path | None = None, sources: Iterable[str | Path] | None = None,
                errors: list[RecordError] | None = None, root: str | Path | None = None) -> dict[str, Paper]:
    """Deduplicated papers (abstracts in memory), by id: of `sources` paths, else of the source list.

    The source list is `corpus/papers_sources.txt` under `root` (the repository), the
    same list `corpus/papers.csv` is built from, so the ids match the shipped table.
    """
    if sources is not None:
        records = parse_sources(list(sources), errors)
    else:
        from mliter.paths import ROOT

        specs = read_source_list(Path(root or ROOT) / SOURCE_LIST)
        records = collect(specs, shared_root, errors=errors)
    return {p.paper_id: p for p in deduplicate(records)}


def load_abstracts(shared_root: str | Path | None = None, sources: Iterable[str | Path] | None = None,
                   root: str | Path | None = None) -> dict[str, str]:
    """paper_id -> abstract ('' when no source of that paper has one); `root` is the repository of the source list."""
    return {pid: p.abstract for pid, p in load_papers(shared_root, sources, errors=[], root=root).items()}


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
