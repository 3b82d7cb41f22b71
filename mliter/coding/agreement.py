"""Inter-coder agreement per code on the papers coded by two or more coders.

- Categorical codes: Cohen's kappa of each pair of coders from their contingency table
  (`statsmodels.stats.inter_rater.cohens_kappa`) with its 95% interval
  (normal approximation, clipped to [-1, 1]).
- Count codes: Krippendorff's alpha on the counts (`krippendorff`, ordinal and interval
  levels, all coders at once) and Cohen's kappa on presence (count > 0), the quantity the
  survey's "share of papers that iterate" figures rest on.
- Alpha intervals are percentile bootstraps over papers (fixed seed).
- Every kappa also has Krippendorff's alpha (nominal) over all coders beside it: with three
  or more coders, different pairs may share different papers, and alpha uses them all.
- Workflow parts (DPR, LI, PPR): kappa on presence of any iteration in the part.

Degenerate cases are explicit: when a statistic is undefined (no paper coded twice, a
single value used throughout so chance agreement is 1) the estimate is left empty and
`note` says why; it is never reported as 0 or 1 and never crashes the run.
"""

from __future__ import annotations

from mliter.errors import InputError
import itertools
import warnings
from dataclasses import asdict, dataclass

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from mliter.coding.codebook import Codebook
from mliter.report.stats import SEED

ALPHA_LEVELS = ("nominal", "ordinal", "interval")
#: Bootstrap resamples of the alpha intervals.
N_BOOT = 1000


@dataclass(frozen=True)
class Stat:
    """One agreement statistic; `estimate` is None when undefined, with the reason in `note`."""

    measure: str
    n: int
    percent_agreement: float | None
    estimate: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""


def kappa(a: list, b: list, categories: list | None = None, unit: str = "paper") -> Stat:
    """Cohen's kappa of two coders' labels of the same units (statsmodels on the contingency table).

    `unit` names what was coded (a paper, a source) in the notes of undefined cases, as in `alpha`.
    """
    if len(a) != len(b):
        raise InputError(f"kappa needs paired labels, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return Stat("cohen_kappa", 0, None, None, note=f"undefined: no {unit} coded by both coders")
    cats = list(categories) if categories is not None else sorted(set(a) | set(b), key=str)
    pos = {c: i for i, c in enumerate(cats)}
    missing = sorted({str(v) for v in list(a) + list(b) if v not in pos})
    if missing:
        raise InputError(f"labels {missing} are not among the categories {cats}")
    table = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b):
        table[pos[x], pos[y]] += 1
    agree = float(np.trace(table) / n)
    expected = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    if np.isclose(expected, 1.0):
        used = sorted({str(v) for v in list(a) + list(b)})
        return Stat("cohen_kappa", n, agree, None,
                    note=f"undefined: both coders used only {', '.join(used)} on all {n} {unit}s (chance agreement 1)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = cohens_kappa(table)
    # the normal-approximation interval can pass the bounds of kappa; it is clipped to [-1, 1]
    low, high = max(-1.0, float(res.kappa_low)), min(1.0, float(res.kappa_upp))
    return Stat("cohen_kappa", n, agree, float(res.kappa), low, high)


def alpha(matrix: np.ndarray, level: str, n_boot: int = N_BOOT, seed: int = SEED, unit: str = "paper") -> Stat:
    """Krippendorff's alpha of a coders x papers matrix (NaN = not coded) at `level`.

    The 95% interval is a percentile bootstrap over papers (fixed seed, so reruns agree);
    resamples in which alpha is undefined (a single value throughout) are left out.
    """
    if level not in ALPHA_LEVELS:
        raise InputError(f"level {level!r} is not one of {ALPHA_LEVELS}")
    m = np.asarray(matrix, dtype=float)
    pairable = (~np.isnan(m)).sum(axis=0) >= 2 if m.size else np.zeros(0, bool)
    m = m[:, pairable] if m.size else m
    n = int(pairable.sum())
    measure = f"krippendorff_alpha_{level}"
    if n == 0:
        return Stat(measure, 0, None, None, note=f"undefined: no {unit} coded by two or more coders")
    agree = float(np.mean([len(set(col[~np.isnan(col)])) == 1 for col in m.T]))
    values = np.unique(m[~np.isnan(m)])
    if len(values) < 2:
        return Stat(measure, n, agree, None,
                    note=f"undefined: one single value on all {n} {unit}s (no variation to agree on)")
    est = krippendorff.alpha(reliability_data=m, level_of_measurement=level)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        sample = m[:, rng.integers(0, n, n)]
        if len(np.unique(sample[~np.isnan(sample)])) > 1:
            boots.append(krippendorff.alpha(reliability_data=sample, level_of_measurement=level))
    low, high = (float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))) if boots else (None, None)
    return Stat(measure, n, agree, float(est), low, high)


def coder_pairs(ann: pd.DataFrame, key: str = "paper_id") -> list[tuple[str, str]]:
    """Coder pairs that coded at least one unit in common (different pairs may share no unit)."""
    papers = ann.groupby("coder")[key].apply(set)
    return [(a, b) for a, b in itertools.combinations(sorted(papers.index), 2) if papers[a] & papers[b]]


def paired_values(ann: pd.DataFrame, column: str, c1: str, c2: str, key: str = "paper_id") -> pd.DataFrame:
    wide = ann.pivot(index=key, columns="coder", values=column)
    return wide[[c1, c2]].dropna()


def coder_matrix(ann: pd.DataFrame, column: str, categories: list | None = None, key: str = "paper_id") -> np.ndarray:
    """Coders x units matrix of `column` (NaN where a coder did not code a unit); categories become ranks."""
    if not len(ann):
        return np.zeros((0, 0))
    values = ann[column]
    if categories is not None:
        values = values.map({c: i for i, c in enumerate(categories)})
    wide = ann.assign(_v=values.astype(float)).pivot(index=key, columns="coder", values="_v")
    return wide.to_numpy(dtype=float).T


def with_parts(ann: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Annotations plus one presence column per workflow part: `part_<P>` = any sub-code > 0."""
    out = ann.copy()
    for part in codebook.parts:
        cols = [c.code for c in codebook.part_codes(part)]
        out[f"part_{part}"] = (out[cols] > 0).any(axis=1) if cols else False
    return out


def agreement_table(ann: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per (code, on, coders, measure): the agreement table of `coding/papers/agreement.csv`.

    `ann` is `validate.read_annotations` output. Per code: Cohen's kappa for every coder pair
    that shares papers, and Krippendorff's alpha over all coders at once (nominal on the value
    of categorical codes and on presence; ordinal and interval on counts), which stays
    defined when different pairs of coders double-coded different papers.
    """
    ann = with_parts(ann, codebook)
    rows: list[dict] = []
    pairs = coder_pairs(ann)
    all_coders = ";".join(sorted(ann["coder"].unique()))

    def add(code: str, on: str, coders: str, stat: Stat) -> None:
        rows.append({"code": code, "on": on, "coders": coders, **asdict(stat)})

    def kappas(frame: pd.DataFrame, code: str, column: str, on: str, cats: list) -> None:
        if not pairs:
            add(code, on, all_coders, Stat("cohen_kappa", 0, None, None, note="undefined: no two coders share a paper"))
        for c1, c2 in pairs:
            p = paired_values(frame, column, c1, c2)
            add(code, on, f"{c1};{c2}", kappa(list(p[c1]), list(p[c2]), cats))
        add(code, on, all_coders, alpha(coder_matrix(frame, column, cats), "nominal"))

    for code in codebook.coded:
        if code.type == "categorical":
            kappas(ann, code.code, code.code, "value", list(code.values))
            continue
        for level in ("ordinal", "interval"):
            add(code.code, "count", all_coders, alpha(coder_matrix(ann, code.code), level))
        kappas(ann.assign(**{code.code: ann[code.code] > 0}), code.code, code.code, "presence", [False, True])
    for part in codebook.parts:
        kappas(ann, f"part_{part}", f"part_{part}", "presence", [False, True])
    return pd.DataFrame(rows, columns=["code", "on", "coders", "measure", "n", "percent_agreement", "estimate",
                                       "ci_low", "ci_high", "note"])


def screening_agreement(screeners: pd.DataFrame) -> pd.DataFrame:
    """Agreement on the screening decision (include vs exclude) of papers two or more coders screened.

    Same statistics and table shape as `agreement_table` (code `screening`, on `value`):
    Cohen's kappa per pair of screeners sharing papers and Krippendorff's alpha (nominal).
    """
    cols = ["code", "on", "coders", "measure", "n", "percent_agreement", "estimate", "ci_low", "ci_high", "note"]
    if screeners is None or not len(screeners):
        return pd.DataFrame(columns=cols)
    frame = screeners.rename(columns={"screener": "coder"})[["paper_id", "coder", "decision"]]
    cats = ["include", "exclude"]
    rows = []
    for c1, c2 in coder_pairs(frame):
        p = paired_values(frame, "decision", c1, c2)
        rows.append({"code": "screening", "on": "value", "coders": f"{c1};{c2}", **asdict(kappa(list(p[c1]), list(p[c2]), cats))})
    coders = ";".join(sorted(frame["coder"].unique()))
    rows.append({"code": "screening", "on": "value", "coders": coders, **asdict(alpha(coder_matrix(frame, "decision", cats), "nominal"))})
    return pd.DataFrame(rows, columns=cols)


def double_coded(ann: pd.DataFrame) -> pd.Series:
    """Number of coders per paper."""
    return ann.groupby("paper_id")["coder"].nunique()
