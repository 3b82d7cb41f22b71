"""The survey's flow of records: captured, deduplicated, screened out by reason, sampled, coded.

A PRISMA-style count table from the shipped tables: `corpus/papers.csv` (its `n_records`
give the records captured before deduplication), `coding/papers/screening.csv` (rule and
coder decisions, the stratified sample) and the consensus (papers coded). Pure function; the
analysis script draws it.
"""

from __future__ import annotations

import pandas as pd

from mliter.coding.codebook import Codebook


def flow_table(papers: pd.DataFrame, screening: pd.DataFrame, cons: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Rows (step, stage, reason, records) in flow order; `reason` is set for the per-reason exclusion rows."""
    scr = codebook.screening
    captured = int(papers["n_records"].astype(int).sum())
    s = screening.merge(papers[["paper_id"]], on="paper_id", how="right")
    rows = [("captured", "records captured from the listed sources", "", captured),
            ("deduplicated", "records after deduplication", "", len(papers)),
            ("duplicates", "duplicates merged", "", captured - len(papers))]
    by_rule = s[s["decided_by"] == "rule"]
    for r in scr.reasons:
        k = int((by_rule["reason"] == r.reason).sum())
        if k:
            rows.append(("excluded_by_rule", f"excluded by a rule: {r.category}", r.reason, k))
    frame = len(s) - len(by_rule)
    rows.append(("frame", "sampling frame (no rule excluded)", "", frame))
    rows.append(("not_sampled", "outside the stratified sample", "", int((s["decision"] == "not_sampled").sum())))
    sampled = frame - rows[-1][3]
    rows.append(("sampled", "sampled for coding", "", sampled))
    by_coder = s[~s["decided_by"].isin(["rule", "not_sampled", "pending"])]
    for r in scr.reasons:
        k = int(((by_coder["decision"] == "excluded") & (by_coder["reason"] == r.reason)).sum())
        if k:
            rows.append(("excluded_by_coder", f"excluded by coders: {r.category}", r.reason, k))
    rows.append(("pending", "sampled, not yet screened by a coder", "", int((s["decision"] == "pending").sum())))
    included = set(s.loc[s["decision"] == "included", "paper_id"])
    rows.append(("included", "included by screening", "", len(included)))
    coded = set(cons["paper_id"]) & included
    rows.append(("coded", "included and coded (consensus)", "", len(coded)))
    rows.append(("double_coded", "of which coded by two coders", "", int(cons.loc[cons["paper_id"].isin(coded), "n_coders"].ge(2).sum())))
    return pd.DataFrame(rows, columns=["step", "stage", "reason", "records"])
