"""Disagreements, adjudication and consensus of segment coders (the thread study).

Presence of each code per source goes through the paper survey's adjudication
(`mliter.coding.adjudicate.provenance` / `consensus`, key `source_id`): single_coder, agreed,
adjudicated, or first_coder_default, each recorded with every coder's value. The consensus
segments of a present code are the union of the segments of the coders who marked it (merged
where they overlap or touch), each listing the coders whose segments it joins, so every
consensus segment traces to coder rows. Consensus must keep the codebook's per-source rules
(`none_codable` alone, at most one `user_*` code); a violation is an error naming the source.
"""

from __future__ import annotations

import pandas as pd

from mliter.coding.adjudicate import consensus, provenance
from mliter.coding.codebook import Codebook
from mliter.coding.disagreements import coder_values
from mliter.errors import InputError

KEY = "source_id"
DISAGREEMENT_COLUMNS = [KEY, "code", "coder_values", "coder_segments", "adjudicated_value"]
SEGMENT_COLUMNS = [KEY, "code", "start", "end", "coders", "method"]


def _spans(seg: pd.DataFrame) -> str:
    """`coder_a=284:379 416:565;coder_b=` style listing of each coder's segments (whole-source rows as `all`)."""
    parts = []
    for coder, g in seg.groupby("coder", sort=True):
        items = ["all" if pd.isna(s) else f"{int(s)}:{int(e)}" for s, e in zip(g["start"], g["end"])]
        parts.append(f"{coder}=" + " ".join(items))
    return ";".join(parts)


def disagreements(pres: pd.DataFrame, seg: pd.DataFrame, codebook: Codebook,
                  adjudication: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (source, code) whose presence differs between the source's coders."""
    adj = {}
    if adjudication is not None and len(adjudication):
        adj = {(r.source_id, r.code): str(r.value) for r in adjudication.itertuples(index=False)}
    rows = []
    multi = pres.groupby(KEY).filter(lambda g: g["coder"].nunique() > 1)
    for sid, group in multi.groupby(KEY, sort=True):
        coders = sorted(group["coder"])
        for code in codebook.codes:
            if group[code.code].nunique() < 2:
                continue
            marked = seg[(seg[KEY] == sid) & (seg["code"] == code.code)]
            listing = _spans(marked)
            have = {p.split("=")[0] for p in listing.split(";") if p}
            listing = ";".join(sorted([p for p in listing.split(";") if p] + [f"{c}=" for c in coders if c not in have]))
            rows.append({KEY: sid, "code": code.code, "coder_values": coder_values(group, code.code),
                         "coder_segments": listing, "adjudicated_value": adj.get((sid, code.code), "")})
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)


def merge_spans(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, list[str]]]:
    """Union of (start, end, coder) spans: overlapping or touching spans merge, keeping every coder."""
    out: list[tuple[int, int, list[str]]] = []
    for s, e, c in sorted(spans):
        if out and s <= out[-1][1]:
            ps, pe, pc = out[-1]
            out[-1] = (ps, max(pe, e), sorted(set(pc) | {c}))
        else:
            out.append((s, e, [c]))
    return out


def consensus_segments(prov: pd.DataFrame, seg: pd.DataFrame) -> pd.DataFrame:
    """Segments of every consensus-present code: the union of the marking coders' segments."""
    rows = []
    present = prov[prov["value"] == "present"]
    by = {k: g for k, g in seg.groupby([KEY, "code"])}
    for r in present.itertuples(index=False):
        g = by.get((r.source_id, r.code))
        if g is None:
            raise InputError(f"consensus has {r.code} present in {r.source_id} but no coder marked it")
        whole = g[g["start"].isna()]
        if len(whole):
            rows.append({KEY: r.source_id, "code": r.code, "start": None, "end": None,
                         "coders": ";".join(sorted(set(whole["coder"]))), "method": r.method})
        spans = [(int(s), int(e), c) for s, e, c in zip(g["start"], g["end"], g["coder"]) if not pd.isna(s)]
        for s, e, cs in merge_spans(spans):
            rows.append({KEY: r.source_id, "code": r.code, "start": s, "end": e, "coders": ";".join(cs),
                         "method": r.method})
    out = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    for col in ("start", "end"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out


def rule_violations(cons: pd.DataFrame, codebook: Codebook) -> list[str]:
    """Sources whose consensus breaks a per-source rule of the codebook."""
    problems = []
    exclusive = [c.code for c in codebook.exclusive_codes]
    for r in cons.itertuples(index=False):
        row = r._asdict()
        present = [c.code for c in codebook.codes if bool(row[c.code])]
        for code in exclusive:
            if code in present and len(present) > 1:
                problems.append(f"{row[KEY]}: consensus has {code} together with "
                                f"{', '.join(p for p in present if p != code)}")
        for group, rule in codebook.group_rules.items():
            limit = rule.get("max_codes_per_source")
            used = [c.code for c in codebook.group_codes(group) if c.code in present]
            if limit is not None and len(used) > limit:
                problems.append(f"{row[KEY]}: consensus has {len(used)} {group} codes ({', '.join(used)})")
        if not present:
            problems.append(f"{row[KEY]}: consensus has no code at all (not even {', '.join(exclusive)})")
    return problems


def build(pres: pd.DataFrame, seg: pd.DataFrame, codebook: Codebook, adjudication: pd.DataFrame | None):
    """(provenance, consensus, consensus segments, rule problems) of the coded sources."""
    prov = provenance(pres, codebook, adjudication, key=KEY)
    cons = consensus(prov, pres, codebook, key=KEY)
    return prov, cons, consensus_segments(prov, seg), rule_violations(cons, codebook)
