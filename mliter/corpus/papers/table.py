"""Paper records -> the shipped table `corpus/papers.csv` (metadata only, never abstracts)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from mliter.corpus.papers.record import Paper

#: Fields of `Paper` that never reach a shipped file.
NOT_SHIPPED = ("abstract", "record")


def papers_frame(papers: Iterable[Paper]) -> pd.DataFrame:
    """One row per paper in the columns of `mliter.corpus.papers.schema.PAPERS`."""
    from mliter.corpus.papers.schema import PAPERS

    rows = []
    for p in papers:
        rows.append({
            "paper_id": p.paper_id, "title": p.title, "authors": ";".join(p.authors), "venue": p.venue,
            "year": p.year, "doi": p.doi, "arxiv_id": p.arxiv_id, "url": p.url, "section": p.section,
            "source": p.source, "sources": ";".join(p.sources), "merged_ids": ";".join(p.merged_ids),
            "n_records": p.n_records,
            "record_url": p.record_url, "commit": p.commit, "license": p.license,
            "retrieved_at": p.retrieved_at, "sha256": p.sha256,
        })
    df = pd.DataFrame(rows, columns=PAPERS.column_names)
    df["year"] = df["year"].astype("Int64")
    return df
