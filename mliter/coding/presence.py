"""Presence, the survey's primary statistic: the share of papers that iterate on each workflow part.

A paper iterates on a part (DPR, LI, PPR) when any of the part's count codes is non-zero in
its consensus codes. Shares are reported overall and per domain of the original survey
(`original_domains` of the codebook: the coded `domain` mapped onto social sciences,
natural sciences, web applications, NLP, computer vision, and other), each with a Wilson
95% interval. Counts come second (iterations per paper), and beside them the share of the
non-zero count values that are the codebook's unstated-number fallback (`unstated`), so a
reader sees how much of a count was read from the paper and how much the rule supplied.
Everything is coded from abstracts, so every share and count is a lower bound of what the
full papers report.

Pure functions over the consensus table.
"""

from __future__ import annotations

import pandas as pd

from mliter.coding.codebook import Codebook
from mliter.report.stats import wilson

ALL = "all"
ANY = "any"


def with_original_domain(cons: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The consensus rows plus `original_domain` (the original-survey domain key of the coded domain)."""
    out = cons.copy()
    out["original_domain"] = [codebook.original_domain(d) for d in out["domain"]]
    return out


def _part_frame(cons: pd.DataFrame, codebook: Codebook, part: str) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Per paper: iterates on the part, iterations in it, non-zero values, unstated values."""
    codes = codebook.part_codes(part) if part != ANY else codebook.counts
    values = cons[[c.code for c in codes]].astype(int)
    iterating = (values > 0).any(axis=1)
    iterations = sum((values[c.code].map(c.iterations) for c in codes), start=pd.Series(0, index=cons.index))
    nonzero = (values > 0).sum(axis=1)
    listed = cons["unstated"].fillna("").astype(str).str.split(";")
    names = {c.code for c in codes}
    unstated = listed.map(lambda xs: sum(1 for x in xs if x in names))
    return iterating, iterations, nonzero, unstated


def presence_table(cons: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per (original domain or `all`, part or `any`): presence with Wilson interval, counts, fallbacks.

    Columns: original_domain, label, part, papers, iterating, share, ci_low, ci_high,
    iterations, iterations_per_paper, nonzero_values, unstated_values, unstated_share,
    shortfall (papers below the codebook's `minimum_coded`; `all` never has one).
    """
    frame = with_original_domain(cons, codebook)
    labels = {d.key: d.label for d in codebook.original_domains}
    rows = []
    for key in [d.key for d in codebook.original_domains] + [ALL]:
        sub = frame if key == ALL else frame[frame["original_domain"] == key]
        n = len(sub)
        for part in list(codebook.parts) + [ANY]:
            iterating, iterations, nonzero, unstated = _part_frame(sub, codebook, part) if n else (
                pd.Series(dtype=bool), pd.Series(dtype=int), pd.Series(dtype=int), pd.Series(dtype=int))
            k = int(iterating.sum())
            lo, hi = wilson(k, n)
            nz, un = int(nonzero.sum()), int(unstated.sum())
            rows.append({
                "original_domain": key, "label": labels.get(key, "all papers"), "part": part, "papers": n,
                "iterating": k, "share": k / n if n else float("nan"), "ci_low": lo, "ci_high": hi,
                "iterations": int(iterations.sum()), "iterations_per_paper": float(iterations.sum()) / n if n else float("nan"),
                "nonzero_values": nz, "unstated_values": un, "unstated_share": un / nz if nz else float("nan"),
                "shortfall": key != ALL and key != "other" and n < codebook.minimum_coded,
            })
    return pd.DataFrame(rows)


def shortfalls(table: pd.DataFrame, codebook: Codebook) -> dict[str, int]:
    """Original domains (not `other`) with fewer coded papers than `minimum_coded`: key -> papers."""
    first = table.drop_duplicates("original_domain")
    return {r.original_domain: int(r.papers) for r in first.itertuples() if r.shortfall}


def shortfall_sentence(short: dict[str, int], codebook: Codebook) -> str:
    """What the figures say about domains below the target (empty when none)."""
    if not short:
        return ""
    labels = {d.key: d.label for d in codebook.original_domains}
    parts = [f"{labels[k]} {n}" for k, n in short.items()]
    return (f"Below the target of {codebook.minimum_coded} coded papers (the material does not allow more): "
            + ", ".join(parts) + ".")
