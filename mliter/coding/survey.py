"""The survey's quantities from the consensus codes: iterations and iterating papers by workflow part.

Pure functions over the `paper_consensus` table (and the corpus table for metadata), used
by the analysis scripts. Iterations follow the codebook's rule per code
(`Code.iterations`: alternatives minus one, or the additions themselves), so the figures
count changes, not variants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association

from mliter.coding.codebook import Codebook
from mliter.report.stats import SEED, wilson

#: Domains with fewer coded papers than this are left out of the per-domain test.
MIN_PAPERS_TEST = 5


def iterations_by_part(cons: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per paper: paper_id, domain and the iterations it reports in each workflow part."""
    out = cons[["paper_id", "domain"]].copy()
    for part in codebook.parts:
        cols = codebook.part_codes(part)
        out[part] = sum((cons[c.code].astype(int).map(c.iterations) for c in cols),
                        start=pd.Series(0, index=cons.index))
    return out


def domain_order(per_paper: pd.DataFrame, codebook: Codebook) -> list[str]:
    """Domains present, in codebook order (stable across reruns and revisions)."""
    present = set(per_paper["domain"])
    return [d for d in codebook["domain"].values if d in present]


def iteration_shares(per_paper: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per domain (and `all`): papers, iterations per part and each part's share of the domain's iterations."""
    parts = list(codebook.parts)
    rows = []
    for dom in domain_order(per_paper, codebook) + ["all"]:
        sub = per_paper if dom == "all" else per_paper[per_paper["domain"] == dom]
        totals = {p: int(sub[p].sum()) for p in parts}
        total = sum(totals.values())
        row = {"domain": dom, "papers": len(sub), "iterations": total}
        for p in parts:
            row[f"{p}_iterations"] = totals[p]
        for p in parts:
            row[f"{p}_share"] = totals[p] / total if total else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def iterating_shares(per_paper: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per domain (and `all`) and part: papers iterating on the part, their share and a Wilson 95% interval."""
    rows = []
    for dom in domain_order(per_paper, codebook) + ["all"]:
        sub = per_paper if dom == "all" else per_paper[per_paper["domain"] == dom]
        for p in codebook.parts:
            k, n = int((sub[p] > 0).sum()), len(sub)
            lo, hi = wilson(k, n)
            rows.append({"domain": dom, "part": p, "papers": n, "iterating": k,
                         "share": k / n if n else float("nan"), "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def domain_part_test(per_paper: pd.DataFrame, codebook: Codebook, n_perm: int = 2000,
                     seed: int = SEED, min_papers: int = MIN_PAPERS_TEST) -> dict:
    """Chi-square test of domain x workflow part on the iteration counts, with Cramer's V.

    Rows are the named domains (not the mixed `other`) with at least `min_papers` papers and
    at least one iteration; cells are iterations. Iterations are clustered within papers, so besides the asymptotic p-value a
    permutation p-value shuffles domain labels over papers (fixed seed), which keeps each
    paper's iterations together.
    """
    parts = list(codebook.parts)
    counts = per_paper.groupby("domain")["paper_id"].count()
    keep = [d for d in domain_order(per_paper, codebook) if counts.get(d, 0) >= min_papers and d != "other"]
    sub = per_paper[per_paper["domain"].isin(keep)]
    table = sub.groupby("domain")[parts].sum().reindex(keep)
    table = table[table.sum(axis=1) > 0]
    table = table.loc[:, table.sum(axis=0) > 0]
    result = {"domains": list(table.index), "parts": list(table.columns), "table": table,
              "n_papers": int(sub["domain"].isin(table.index).sum()), "n_iterations": int(table.to_numpy().sum())}
    if table.shape[0] < 2 or table.shape[1] < 2:
        return {**result, "chi2": None, "dof": None, "p_value": None, "cramers_v": None, "p_perm": None,
                "note": "undefined: fewer than two domains or parts with iterations"}
    chi2, p, dof, _ = chi2_contingency(table.to_numpy())
    v = association(table.to_numpy(), method="cramer")
    sub = sub[sub["domain"].isin(table.index)]
    labels, values = sub["domain"].to_numpy(), sub[list(table.columns)].to_numpy()
    rng = np.random.default_rng(seed)
    doms = list(table.index)
    exceed = 0
    for _ in range(n_perm):
        perm = rng.permutation(labels)
        t = np.vstack([values[perm == d].sum(axis=0) for d in doms])
        if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
            stat = 0.0
        else:
            stat = chi2_contingency(t)[0]
        exceed += stat >= chi2 - 1e-12
    return {**result, "chi2": float(chi2), "dof": int(dof), "p_value": float(p), "cramers_v": float(v),
            "p_perm": (exceed + 1) / (n_perm + 1), "note": ""}


DOMAIN_LABELS = {
    "health_medicine": "health & medicine", "life_natural_sciences": "life & natural sciences",
    "social_science_policy": "social science & policy", "language": "language",
    "vision_imaging": "vision & imaging", "control_engineering": "control & engineering",
    "web_industry": "web & industry", "other": "other", "all": "all domains",
}


def domain_label(domain: str) -> str:
    return DOMAIN_LABELS.get(domain, domain.replace("_", " "))


def corpus_summary(cons: pd.DataFrame, papers: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Coded papers per domain, per venue and per year (long table: grouping, level, papers, share)."""
    merged = cons[["paper_id", "domain"]].merge(papers[["paper_id", "venue", "year"]], on="paper_id", how="left")
    n = len(merged)
    rows = []
    for dom in domain_order(merged, codebook):
        rows.append(("domain", domain_label(dom), int((merged["domain"] == dom).sum())))
    venues = merged["venue"].fillna("").replace("", "(no venue)")
    for venue, k in sorted(venues.value_counts().items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append(("venue", str(venue), int(k)))
    years = merged["year"].astype("Int64")
    for year, k in sorted(years.value_counts(dropna=True).items()):
        rows.append(("year", str(int(year)), int(k)))
    if years.isna().any():
        rows.append(("year", "(unknown)", int(years.isna().sum())))
    out = pd.DataFrame(rows, columns=["grouping", "level", "papers"])
    out["share"] = out["papers"] / n if n else float("nan")
    return out


def agreement_summary(agreement: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per code (codebook order, then the parts) from the long agreement table.

    `n` counts papers coded by two or more coders; `on` says what kappa and nominal alpha
    compare (the value of categorical codes, presence for counts and parts);
    `agreement` is the share of those papers with identical values of that, `exact_agreement`
    the share with identical counts. Then Krippendorff's alpha over all coders (nominal,
    ordinal, interval) and, per coder pair sharing papers, Cohen's kappa with its 95%
    interval and its n. Undefined statistics are empty, with the reasons in `note`.
    """
    rows = []
    names = {c.code: c for c in codebook.coded}
    order = [c.code for c in codebook.coded] + [f"part_{p}" for p in codebook.parts] + ["screening"]
    pairs = sorted(set(agreement.loc[agreement["measure"] == "cohen_kappa", "coders"]))
    for code in order:
        sub = agreement[agreement["code"] == code]
        if sub.empty:
            continue
        c = names.get(code)

        def pick(measure: str, column: str, sub=sub):
            hit = sub[sub["measure"] == measure]
            return hit[column].iloc[0] if len(hit) else float("nan")

        screening = code == "screening"
        on = "value" if screening or (c is not None and c.type == "categorical") else "presence"
        name = c.name if c else ("Screening decision (include or exclude)" if screening else f"any {code[5:]} iteration")
        row = {"code": code, "name": name,
               "part": (c.part or "") if c else ("" if screening else code[5:]), "on": on,
               "n": int(pick("krippendorff_alpha_nominal", "n")),
               "agreement": pick("krippendorff_alpha_nominal", "percent_agreement"),
               "exact_agreement": (pick("krippendorff_alpha_ordinal", "percent_agreement")
                                   if c is not None and c.type == "count"
                                   else pick("krippendorff_alpha_nominal", "percent_agreement")),
               "alpha_nominal": pick("krippendorff_alpha_nominal", "estimate"),
               "alpha_nominal_low": pick("krippendorff_alpha_nominal", "ci_low"),
               "alpha_nominal_high": pick("krippendorff_alpha_nominal", "ci_high"),
               "alpha_ordinal": pick("krippendorff_alpha_ordinal", "estimate"),
               "alpha_ordinal_low": pick("krippendorff_alpha_ordinal", "ci_low"),
               "alpha_ordinal_high": pick("krippendorff_alpha_ordinal", "ci_high"),
               "alpha_interval": pick("krippendorff_alpha_interval", "estimate")}
        for pair in pairs:
            hit = sub[(sub["measure"] == "cohen_kappa") & (sub["coders"] == pair)]
            key = pair.replace(";", "_")
            for col, src in (("kappa", "estimate"), ("kappa_low", "ci_low"), ("kappa_high", "ci_high"), ("n", "n")):
                row[f"{col}_{key}"] = hit[src].iloc[0] if len(hit) else float("nan")
        notes = sorted({f"{r.measure} ({r.coders}): {r.note}" for r in sub.itertuples() if isinstance(r.note, str) and r.note})
        row["note"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)


def domain_by_venue(cons: pd.DataFrame, papers: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Cross-table of coded papers: one row per domain (codebook order), one column per venue, plus totals.

    Shows that domains are assigned per paper: one venue can hold papers of several domains.
    """
    merged = cons[["paper_id", "domain"]].merge(papers[["paper_id", "venue"]], on="paper_id", how="left")
    merged["venue"] = merged["venue"].fillna("").replace("", "(no venue)")
    table = pd.crosstab(merged["domain"], merged["venue"])
    venues = sorted(table.columns, key=lambda v: (-int(table[v].sum()), v))
    table = table.reindex(index=domain_order(merged, codebook), columns=venues, fill_value=0)
    table["total"] = table.sum(axis=1)
    table.loc["all"] = table.sum(axis=0)
    out = table.reset_index().rename(columns={"index": "domain"})
    out["domain"] = out["domain"].map(domain_label)
    out.columns.name = None
    return out
