"""Screening: which records of `corpus/papers.csv` are applied-ML research papers, and which are coded.

The criteria are data (`screening` and `sampling` in `coding/papers.codebook.yaml`). Three
steps, each recorded per record in `coding/papers/screening.csv`:

1. mechanical rules, in codebook order (test-fixture source, front-matter section or title,
   missing abstract): the first that matches excludes the record (`decided_by = rule`);
2. the stratified sample: records no rule excluded are drawn per stratum (the venue's
   expected domain), ranked by SHA-256 of "<seed>:<paper_id>"; records outside the sample are
   `not_sampled` (in the frame, not screened by a coder, not coded);
3. coders screen the sampled records (`coding/papers/screeners/<coder>.csv`): one coder's
   decision, two coders' agreed decision, or on disagreement the adjudicator's decision
   (`adjudication.csv`, code `screening`), else the first screener's (flagged
   `first_screener_default`). Before any coder has screened a record it is `pending`.

Pure functions over frames; reading and writing happen in `mliter.coding.commands`.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from mliter.coding.codebook import Codebook, Screening
from mliter.coding.validate import AnnotationError, Problem, copied_run, csv_rows, records

SCREENER_COLUMNS = ("paper_id", "screener", "codebook_version", "decision", "reason", "note")
DECISIONS = ("include", "exclude")
#: Values of `decided_by` in screening.csv.
DECIDED_BY = ("rule", "not_sampled", "pending", "coder", "coders_agreed", "adjudicator", "first_screener_default")
NOTE_MAX = 400


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def rule_decision(record: Mapping[str, str], abstract: str, screening: Screening) -> tuple[str, str]:
    """(rule id, reason) of the first mechanical rule that matches the record, or ("", "")."""
    for rule in screening.rules:
        if rule.field == "abstract":
            hit = _words(abstract) < screening.min_abstract_words
        else:
            hit = re.search(rule.pattern, str(record.get(rule.field) or "").strip(), re.I) is not None
        if hit:
            return rule.rule, rule.reason
    return "", ""


def rank_key(seed: str, paper_id: str, salt: str = "") -> str:
    return hashlib.sha256(f"{seed}:{salt}{paper_id}".encode("utf-8")).hexdigest()


def stratum_of(venue: str, screening: Screening) -> str:
    for s in screening.strata:
        if venue in s.venues:
            return s.stratum
    return ""


def draw_sample(frame: pd.DataFrame, screening: Screening) -> pd.DataFrame:
    """Per record of `frame` (paper_id, venue; records no rule excluded): stratum, sampled, double_coded.

    `take` records per stratum by ascending SHA-256 of "<seed>:<paper_id>" (all when take is
    all); records of venues in no stratum are not sampled. The double-coded subset is the
    ceil(share * n) sampled records with the smallest SHA-256 of "<seed>:double:<paper_id>".
    """
    import math

    out = frame[["paper_id", "venue"]].copy()
    out["stratum"] = [stratum_of(v, screening) for v in out["venue"]]
    out["sampled"] = False
    for s in screening.strata:
        ids = sorted(out.loc[out["stratum"] == s.stratum, "paper_id"], key=lambda p: rank_key(screening.seed, p))
        chosen = set(ids if s.take is None else ids[:s.take])
        out.loc[out["paper_id"].isin(chosen), "sampled"] = True
    sampled = sorted(out.loc[out["sampled"], "paper_id"], key=lambda p: rank_key(screening.seed, p, "double:"))
    k = math.ceil(screening.double_coding_share * len(sampled))
    out["double_coded"] = out["paper_id"].isin(set(sampled[:k]))
    return out[["paper_id", "stratum", "sampled", "double_coded"]]


def validate_screener_file(path: str | Path, codebook: Codebook, paper_ids: Iterable[str] | None,
                           abstracts: Mapping[str, str] | None = None) -> list[Problem]:
    """Problems of one coder screening file `coding/papers/screeners/<coder>.csv` (empty list when valid)."""
    path = Path(path)
    name = str(path)
    problems: list[Problem] = []
    scr = codebook.screening
    known = None if paper_ids is None else set(paper_ids)
    try:
        rows = csv_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [Problem(name, None, None, f"cannot be read: {exc}")]
    if not rows:
        return [Problem(name, None, None, "file is empty", "a header row: " + ",".join(SCREENER_COLUMNS))]
    header = [h.strip() for h in rows[0]]
    if tuple(header) != SCREENER_COLUMNS:
        return [Problem(name, 1, None, f"header {header}", ",".join(SCREENER_COLUMNS))]
    coder = path.stem
    if not re.fullmatch(codebook.coder_pattern, coder):
        problems.append(Problem(name, None, None, f"file name {path.name!r} is not a valid coder id",
                                f"coding/papers/screeners/<coder>.csv with <coder> matching {codebook.coder_pattern}"))
    seen: dict[str, int] = {}
    for r, rec in records(rows, header, name, problems):
        pid = rec["paper_id"]
        if known is not None and pid not in known:
            problems.append(Problem(name, r, "paper_id", f"unknown paper id {pid!r}", "an id of corpus/papers.csv"))
        elif pid in seen:
            problems.append(Problem(name, r, "paper_id", f"paper {pid!r} is screened twice (first in row {seen[pid]})",
                                    "one row per paper"))
        seen.setdefault(pid, r)
        if rec["screener"] != coder:
            problems.append(Problem(name, r, "screener", f"screener {rec['screener']!r} differs from the file name",
                                    repr(coder)))
        if rec["codebook_version"] != codebook.version:
            problems.append(Problem(name, r, "codebook_version", f"codebook version {rec['codebook_version']!r}",
                                    repr(codebook.version)))
        if rec["decision"] not in DECISIONS:
            problems.append(Problem(name, r, "decision", f"decision {rec['decision']!r}", "include or exclude"))
        elif rec["decision"] == "include" and rec["reason"]:
            problems.append(Problem(name, r, "reason", "an included paper has no exclusion reason", "empty"))
        elif rec["decision"] == "exclude" and rec["reason"] not in scr.reason_ids:
            problems.append(Problem(name, r, "reason", f"reason {rec['reason']!r}", "one of " + ", ".join(scr.reason_ids)))
        if len(rec["note"]) > NOTE_MAX:
            problems.append(Problem(name, r, "note", f"note is {len(rec['note'])} characters long",
                                    f"at most {NOTE_MAX} characters"))
        elif abstracts and pid in abstracts and copied_run(rec["note"], abstracts[pid]):
            problems.append(Problem(name, r, "note", "note copies the abstract", "a note in the screener's own words"))
    return problems


def read_screeners(paths: Iterable[str | Path], codebook: Codebook, paper_ids: Iterable[str] | None) -> pd.DataFrame:
    """Every coder screening decision (paper_id, screener, decision, reason), or AnnotationError."""
    paths = [Path(p) for p in paths]
    problems = [p for path in paths for p in validate_screener_file(path, codebook, paper_ids)]
    if problems:
        raise AnnotationError(problems)
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths]
    cols = ["paper_id", "screener", "decision", "reason"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True).apply(lambda s: s.str.strip())
    out = out[out["paper_id"] != ""][cols]
    return out.sort_values(["paper_id", "screener"], kind="mergesort").reset_index(drop=True)


def _outcome(decision: str, reason: str) -> str:
    """One value per screening decision, as the adjudicator writes it: 'included' or the exclusion reason."""
    return "included" if decision == "include" else reason


def screening_table(papers: pd.DataFrame, abstracts: Mapping[str, str], codebook: Codebook,
                    screeners: pd.DataFrame | None = None, adjudication: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per record of `papers`: the screening decision, its reason, who or what decided, the stratum.

    `adjudication` rows with code `screening` decide screening disagreements; their value is
    `included` or an exclusion reason.
    """
    scr = codebook.screening
    if scr is None:
        raise ValueError(f"codebook {codebook.version} has no screening section")
    reasons = {r.reason: r for r in scr.reasons}
    recs = papers.to_dict("records")
    rules = [rule_decision(r, abstracts.get(r["paper_id"], ""), scr) for r in recs]
    base = pd.DataFrame({"paper_id": [r["paper_id"] for r in recs], "venue": [r.get("venue", "") for r in recs],
                         "rule": [x[0] for x in rules], "rule_reason": [x[1] for x in rules]})
    frame = base[base["rule"] == ""]
    sample = draw_sample(frame, scr)
    base = base.merge(sample, on="paper_id", how="left")
    base["stratum"] = base["stratum"].fillna("")
    base["sampled"] = base["sampled"].fillna(False).astype(bool)
    base["double_coded"] = base["double_coded"].fillna(False).astype(bool)
    by_paper: dict[str, list] = {}
    if screeners is not None:
        for r in screeners.itertuples(index=False):
            by_paper.setdefault(r.paper_id, []).append(r)
    adj = {}
    if adjudication is not None and len(adjudication):
        for r in adjudication[adjudication["code"] == "screening"].itertuples(index=False):
            adj[r.paper_id] = r
    rows = []
    for r in base.itertuples(index=False):
        row = {"paper_id": r.paper_id, "stratum": r.stratum, "double_coded": bool(r.double_coded and r.sampled),
               "screener_values": "", "codebook_version": codebook.version}
        decisions = sorted(by_paper.get(r.paper_id, []), key=lambda x: x.screener)
        if r.rule:
            row.update(decision="excluded", reason=r.rule_reason, decided_by="rule", screener=f"rule:{r.rule}")
        elif not r.sampled:
            row.update(decision="not_sampled", reason="", decided_by="not_sampled",
                       screener="sampling" if r.stratum else "sampling:no_stratum")
        elif not decisions:
            row.update(decision="pending", reason="", decided_by="pending", screener="")
        else:
            outcomes = [_outcome(d.decision, d.reason) for d in decisions]
            row["screener_values"] = ";".join(f"{d.screener}={o}" for d, o in zip(decisions, outcomes))
            names = ";".join(d.screener for d in decisions)
            if len(set(outcomes)) == 1:
                value, by, who = outcomes[0], "coder" if len(decisions) == 1 else "coders_agreed", names
            elif r.paper_id in adj:
                value, by, who = adj[r.paper_id].value, "adjudicator", adj[r.paper_id].adjudicator
            else:
                value, by, who = outcomes[0], "first_screener_default", decisions[0].screener
            row.update(decision="included" if value == "included" else "excluded",
                       reason="" if value == "included" else value, decided_by=by, screener=who)
        row["category"] = reasons[row["reason"]].category if row["reason"] else ""
        rows.append(row)
    stray = sorted(set(adj) - {r["paper_id"] for r in rows if r["decided_by"] == "adjudicator"})
    if stray:
        from mliter.errors import InputError

        raise InputError(f"screening adjudication rows that resolve no screening disagreement: {stray[:10]}")
    return pd.DataFrame(rows, columns=["paper_id", "decision", "reason", "category", "decided_by", "screener",
                                       "screener_values", "stratum", "double_coded", "codebook_version"])


def assignments(table: pd.DataFrame) -> dict[str, list[str]]:
    """The coders' work lists from a screening table: every sampled record (A), the double-coded ones (B)."""
    live = table[table["decided_by"] != "rule"]
    live = live[live["decision"] != "not_sampled"]
    return {"all": sorted(live["paper_id"]), "double": sorted(live.loc[live["double_coded"], "paper_id"])}
