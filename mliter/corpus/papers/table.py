"""Paper records -> the shipped table `corpus/papers.csv` (metadata only, never abstracts)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from mliter.corpus.papers.record import Paper

#: Fields of `Paper` that never reach a shipped file.
NOT_SHIPPED = ("abstract", "record")


def papers_frame(papers: Iterable[Paper]) -> pd.DataFrame:
    """One row per paper in the columns of `mliter.corpus.papers_schema.PAPERS`."""
    from mliter.corpus.papers_schema import PAPERS

    rows = []
    for p in papers:
        rows.append({
            "paper_id": p.paper_id, "title": p.title, "authors": ";".join(p.authors), "venue": p.venue,
            "year": p.year, "doi": p.doi, "arxiv_id": p.arxiv_id, "url": p.url, "section": p.section,
            "source": p.source, "sources": ";".join(p.sources), "merged_ids": ";".join(p.merged_ids),
            "record_url": p.record_url, "commit": p.commit, "license": p.license,
            "retrieved_at": p.retrieved_at, "sha256": p.sha256,
        })
    df = pd.DataFrame(rows, columns=PAPERS.column_names)
    df["year"] = df["year"].astype("Int64")
    return df


def papers_from_frame(df: pd.DataFrame) -> list[Paper]:
    """Records back from a shipped table (for `--append`: abstracts are not there, by design)."""
    out = []
    for r in df.to_dict("records"):
        def s(name: str) -> str:
            v = r.get(name)
            return "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)

        year = r.get("year")
        out.append(Paper(
            paper_id=s("paper_id"), title=s("title"), authors=tuple(a for a in s("authors").split(";") if a),
            venue=s("venue"), year=None if year is None or year is pd.NA else int(year), source=s("source"),
            doi=s("doi"), arxiv_id=s("arxiv_id"), url=s("url"), section=s("section"),
            retrieved_at=s("retrieved_at"), sha256=s("sha256"), record_url=s("record_url"), commit=s("commit"),
            license=s("license"), sources=tuple(x for x in s("sources").split(";") if x),
            merged_ids=tuple(x for x in s("merged_ids").split(";") if x),
        ))
    return out
