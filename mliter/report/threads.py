"""The AutoML-user study's quantities from coded sources: frequencies, co-occurrence, partnership, themes.

Pure functions over the consensus presence table (`thread_consensus`, one boolean column
per code) and the sources table, or over any coded project's generic sources and segments
tables (`mliter.coding.qda.tables`), so an imported interview project yields the same
code-by-participant tables as the threads. Every share comes with a Wilson 95% interval.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from mliter.coding.codebook import Codebook
from mliter.report.stats import wilson

#: Tools with fewer coded threads than this are pooled as "other tools" in per-tool tables.
MIN_TOOL_THREADS = 8
OTHER_TOOLS = "other tools"
ALL = "all threads"


def _share(k: int, n: int) -> dict:
    lo, hi = wilson(k, n)
    return {"k": int(k), "n": int(n), "share": k / n if n else float("nan"), "ci_low": lo, "ci_high": hi}


def with_meta(cons: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Consensus rows joined to tool and year; tools with few threads pooled (`tool_group`)."""
    meta = sources[["source_id", "tool", "date"]].copy()
    meta["year"] = pd.to_datetime(meta["date"], errors="coerce").dt.year.astype("Int64")
    out = cons.merge(meta, on="source_id", how="left")
    counts = out["tool"].value_counts()
    keep = set(counts[counts >= MIN_TOOL_THREADS].index)
    out["tool_group"] = out["tool"].where(out["tool"].isin(keep), OTHER_TOOLS)
    return out


def tool_order(frame: pd.DataFrame) -> list[str]:
    """Tool groups by number of threads (descending, then name), `other tools` last."""
    counts = frame["tool_group"].value_counts()
    named = sorted((t for t in counts.index if t != OTHER_TOOLS), key=lambda t: (-counts[t], t))
    return named + ([OTHER_TOOLS] if OTHER_TOOLS in counts.index else [])


def sources_by_tool_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Coded threads per tool (rows, every tool) and year (columns), with totals; unknown year as `unknown`."""
    years = frame["year"].astype("string").fillna("unknown")
    table = pd.crosstab(frame["tool"], years)
    cols = sorted(c for c in table.columns if c != "unknown") + (["unknown"] if "unknown" in table.columns else [])
    table = table[cols]
    table["total"] = table.sum(axis=1)
    table = table.sort_values(["total"], ascending=False, kind="mergesort")
    table = table.loc[sorted(table.index, key=lambda t: (-table.loc[t, "total"], t))]
    table.loc["all tools"] = table.sum(axis=0)
    return table.reset_index().rename(columns={"tool": "tool"})


def code_frequency(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Long table: per tool group (and all threads) and code, threads with the code, n, share, Wilson interval."""
    rows = []
    for tool in tool_order(frame) + [ALL]:
        sub = frame if tool == ALL else frame[frame["tool_group"] == tool]
        for c in codebook.codes:
            rows.append({"tool": tool, "code": c.code, "group": c.part, **_share(int(sub[c.code].sum()), len(sub))})
    return pd.DataFrame(rows)


def cooccurrence(frame: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Long table over code pairs (a < b in codebook order): threads with both, with each, Jaccard index."""
    rows = []
    for a, b in itertools.combinations(codes, 2):
        both = int((frame[a] & frame[b]).sum())
        either = int((frame[a] | frame[b]).sum())
        rows.append({"code_a": a, "code_b": b, "both": both, "n_a": int(frame[a].sum()), "n_b": int(frame[b].sum()),
                     "jaccard": both / either if either else float("nan")})
    return pd.DataFrame(rows)


def cross(frame: pd.DataFrame, rows: list[str], cols: list[str]) -> pd.DataFrame:
    """Threads with both codes, for each row code x column code (a matrix frame)."""
    return pd.DataFrame([[int((frame[r] & frame[c]).sum()) for c in cols] for r in rows], index=rows, columns=cols)


def segment_overlap(segs: pd.DataFrame, rows: list[str], cols: list[str]) -> pd.DataFrame:
    """Threads where a segment of a row code overlaps a segment of a column code (finer than co-presence)."""
    out = pd.DataFrame(0, index=rows, columns=cols)
    spans = segs.dropna(subset=["start"])
    for _sid, g in spans.groupby("source_id"):
        by = {c: list(zip(x["start"].astype(int), x["end"].astype(int))) for c, x in g.groupby("code")}
        for r in rows:
            for c in cols:
                if any(s1 < e2 and s2 < e1 for s1, e1 in by.get(r, []) for s2, e2 in by.get(c, [])):
                    out.loc[r, c] += 1
    return out


def partnership(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per partnership code and stage (and any stage): threads with both, their share of the partnership threads."""
    stages = [c.code for c in codebook.group_codes("stage")]
    rows = []
    for p in [c.code for c in codebook.group_codes("partnership")]:
        sub = frame[frame[p]]
        rows.append({"partnership": p, "stage": "any (all threads)", **_share(len(sub), len(frame))})
        for s in stages:
            rows.append({"partnership": p, "stage": s, **_share(int(sub[s].sum()), len(sub))})
    return pd.DataFrame(rows)


def code_by_participant(sources: pd.DataFrame, segments: pd.DataFrame, depth: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per code: segments, participants with it, share of participants; participant x code segment counts).

    Works on any coded project's generic tables (`source_id, participant` and `source_id, code`).
    `depth` cuts code paths (`dimension/value`) to their first `depth` parts for the matrix.
    A source without a participant counts as its own participant.
    """
    who = sources.set_index("source_id")["participant"].astype("string").fillna("")
    who = who.where(who != "", who.index.to_series())
    seg = segments.assign(participant=segments["source_id"].map(who))
    n_part = int(who.nunique())
    per_code = seg.groupby("code").agg(segments=("source_id", "size"), participants=("participant", "nunique"))
    per_code = per_code.reset_index()
    shares = [_share(int(k), n_part) for k in per_code["participants"]]
    per_code["share"] = [s["share"] for s in shares]
    per_code["ci_low"] = [s["ci_low"] for s in shares]
    per_code["ci_high"] = [s["ci_high"] for s in shares]
    per_code["n_participants"] = n_part
    per_code = per_code.sort_values(["participants", "segments", "code"], ascending=[False, False, True],
                                    kind="mergesort").reset_index(drop=True)
    cut = seg["code"].str.split("/").str[:depth].str.join("/")
    matrix = pd.crosstab(seg["participant"], cut)
    return per_code, matrix


def consensus_as_segments(cons: pd.DataFrame, sources: pd.DataFrame, codebook: Codebook) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The thread consensus in the generic (sources, segments) shape: one segment row per present code."""
    present = cons.melt(id_vars=["source_id"], value_vars=[c.code for c in codebook.codes], var_name="code")
    present = present[present["value"].astype(bool)]
    group = {c.code: c.part for c in codebook.codes}
    segs = present.assign(code=present["code"].map(lambda c: f"{group[c]}/{c}"))[["source_id", "code"]]
    return sources[sources["source_id"].isin(cons["source_id"])][["source_id", "participant"]], segs


def theme_rows(themes: list[dict], frame: pd.DataFrame) -> pd.DataFrame:
    """The published themes beside the threads: per theme, threads with any of its codes, share and interval."""
    rows = []
    for t in themes:
        codes = t["codes"]
        hit = frame[codes].any(axis=1) if codes else pd.Series(False, index=frame.index)
        s = _share(int(hit.sum()), len(frame))
        rows.append({"theme": t["theme"], "published": t["published"], "codes": ";".join(codes), **s,
                     "threads_show": t["reading"].format(share=f"{100 * s['share']:.0f}%",
                                                         ci=f"{100 * s['ci_low']:.0f}-{100 * s['ci_high']:.0f}%")
                     if s["n"] else "no coded threads"})
    return pd.DataFrame(rows)


def heat_values(freq: pd.DataFrame, tools: list[str], codes: list[str]) -> np.ndarray:
    """tools x codes matrix of shares from `code_frequency` output."""
    idx = freq.set_index(["tool", "code"])["share"]
    return np.array([[idx.get((t, c), np.nan) for c in codes] for t in tools], dtype=float)
