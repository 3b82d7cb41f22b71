"""The sources table of the thread study: one row per thread, ids, URL, tool, date, pseudonym; no text.

Built from the staged excerpts (`staged.read_staged`) or from full threads refreshed through
the GitHub client (`mliter corpus threads --refresh`); `text_origin` says which, and
`text_sha256` pins the exact text that coded offsets index into.
"""

from __future__ import annotations

import pandas as pd

from mliter.corpus.threads.pseudonym import pseudonym
from mliter.corpus.threads.staged import ThreadRecord
from mliter.errors import InputError

#: When the staged excerpts were gathered (shared data README).
STAGED_RETRIEVED = "2026-11-25"


def sources_frame(records: list[ThreadRecord], tools: dict[str, str], queries: dict[str, str], secret: bytes,
                  origin: str = "staged_excerpt", retrieved: str = STAGED_RETRIEVED) -> pd.DataFrame:
    """The `thread_sources` table for `records`; a repo missing from the tool map is an error naming it."""
    rows = []
    missing = sorted({r.repo for r in records if r.repo not in tools})
    if missing:
        raise InputError(f"repos without a tool in the tool map: {missing}")
    for r in records:
        account, account_basis = r.opener()
        date, date_basis = r.date()
        rows.append({
            "source_id": r.source_id, "kind": "thread", "tool": tools[r.repo], "repo": r.repo, "number": r.number,
            "url": r.url, "date": date, "date_basis": date_basis,
            "participant": pseudonym(account, secret), "participant_basis": account_basis,
            "query_id": queries.get(r.query, ""), "text_origin": origin, "text_chars": len(r.excerpt),
            "text_sha256": r.excerpt_sha256, "retrieved": retrieved,
        })
    return pd.DataFrame(rows)


def checked_texts(sources: pd.DataFrame, records: list[ThreadRecord], where: str = "sources table") -> dict[str, str]:
    """source id -> text, after checking every text's SHA-256 and length against the sources table.

    A text that changed since the table was built would shift every coded offset, so a
    mismatch is an error naming the source; a source without a text is one too.
    """
    by_id = {r.source_id: r for r in records}
    problems = []
    out = {}
    for row in sources.itertuples(index=False):
        rec = by_id.get(row.source_id)
        if rec is None:
            problems.append(f"{where}: source {row.source_id} has no text in the staged corpus")
        elif rec.excerpt_sha256 != row.text_sha256:
            problems.append(f"{where}: text of {row.source_id} differs from the one coded (sha256 "
                            f"{rec.excerpt_sha256[:12]} != {str(row.text_sha256)[:12]})")
        else:
            out[row.source_id] = rec.excerpt
    if problems:
        raise InputError("; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""))
    return out
