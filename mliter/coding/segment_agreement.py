"""Agreement of segment coders: per-source presence of each code, and unitised agreement on the segments.

- Presence (the quantity every table and figure of the thread study rests on): a code is
  present in a source for a coder when the coder marked it there. Per code: Cohen's kappa of
  every coder pair sharing sources (`agreement.kappa`, statsmodels, normal-approximation
  interval) and Krippendorff's alpha (nominal) over all coders with a percentile bootstrap over
  sources (`agreement.alpha`) - the same functions as the paper survey. Groups of codes
  (`group_<g>`: any code of the group present) are compared the same way.
- Segments (where in the text): a unitised, character-level Krippendorff's alpha per code.
  Every character of every source coded by two or more coders is a unit that each coder
  either placed in a segment of the code or not; alpha (nominal, binary) is computed from the
  coincidence counts of those characters, so long stretches of agreed absence count as
  agreement, exactly as in Krippendorff's unitised alphas. It is computed from per-source
  sufficient statistics, so its 95% interval is a percentile bootstrap over sources (1,000
  resamples, fixed seed) at no cost. Whole-source rows (no offsets) are left out of it.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from mliter.coding.agreement import N_BOOT, Stat, alpha, coder_matrix, coder_pairs, kappa, paired_values
from mliter.coding.codebook import Codebook
from mliter.report.stats import SEED

KEY = "source_id"
COLUMNS = ["code", "group", "on", "coders", "measure", "n", "percent_agreement", "estimate", "ci_low", "ci_high",
           "note"]


def with_groups(pres: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Presence frame plus `group_<g>`: any code of group g present."""
    out = pres.copy()
    for g in codebook.groups:
        cols = [c.code for c in codebook.group_codes(g)]
        out[f"group_{g}"] = out[cols].any(axis=1) if len(out) else pd.Series(dtype=bool)
    return out


def presence_agreement(pres: pd.DataFrame, codebook: Codebook, n_boot: int = N_BOOT) -> pd.DataFrame:
    """Long table: per code and group, kappa per coder pair and alpha (nominal) over all coders, on presence."""
    frame = with_groups(pres, codebook)
    pairs = coder_pairs(frame, KEY) if len(frame) else []
    all_coders = ";".join(sorted(frame["coder"].unique())) if len(frame) else ""
    rows = []
    targets = [(c.code, c.part) for c in codebook.codes] + [(f"group_{g}", g) for g in codebook.groups]
    for column, group in targets:
        def add(coders: str, stat: Stat) -> None:
            rows.append({"code": column, "group": group, "on": "presence", "coders": coders, **asdict(stat)})

        if not pairs:
            add(all_coders, Stat("cohen_kappa", 0, None, None, note="undefined: no two coders share a source"))
        for c1, c2 in pairs:
            p = paired_values(frame, column, c1, c2, KEY)
            add(f"{c1};{c2}", kappa(list(p[c1]), list(p[c2]), [False, True], unit="source"))
        add(all_coders, alpha(coder_matrix(frame, column, [False, True], KEY), "nominal", n_boot=n_boot, unit="source"))
    return pd.DataFrame(rows, columns=COLUMNS)


def _mask(length: int, spans) -> np.ndarray:
    m = np.zeros(length, dtype=bool)
    for s, e in spans:
        m[int(s):int(e)] = True
    return m


def coincidences(seg: pd.DataFrame, texts: dict[str, str], code: str, coders_of: dict[str, list[str]]) -> np.ndarray:
    """Per multiply-coded source, the binary coincidence counts (o00, o01, o11) of `code` over its characters.

    With m coders of a source and n1 of them covering a character, that character adds
    n1(n1-1)/(m-1) to o11, n0(n0-1)/(m-1) to o00 and n1*n0/(m-1) to o01 (= o10).
    """
    out = []
    sub = seg[(seg["code"] == code) & seg["start"].notna()]
    by = {k: g for k, g in sub.groupby([KEY, "coder"])}
    for sid in sorted(coders_of):
        coders = coders_of[sid]
        m = len(coders)
        length = len(texts[sid])
        covered = np.zeros(length, dtype=int)
        for c in coders:
            g = by.get((sid, c))
            if g is not None:
                covered += _mask(length, zip(g["start"], g["end"]))
        n1 = covered.astype(float)
        n0 = m - n1
        out.append(((n0 * (n0 - 1)).sum() / (m - 1), (n1 * n0).sum() / (m - 1), (n1 * (n1 - 1)).sum() / (m - 1)))
    return np.array(out).reshape(-1, 3)


def binary_alpha(o00: float, o01: float, o11: float) -> float | None:
    """Krippendorff's alpha (nominal) of binary values from coincidence counts; None when undefined."""
    n0, n1 = o00 + o01, o11 + o01
    n = n0 + n1
    if n0 == 0 or n1 == 0 or n <= 1:
        return None
    return float(1 - (n - 1) * o01 / (n0 * n1))


def unitised_agreement(seg: pd.DataFrame, texts: dict[str, str], codebook: Codebook, n_boot: int = N_BOOT,
                       seed: int = SEED) -> pd.DataFrame:
    """Per code: the character-level alpha over sources coded by two or more coders, with a bootstrap interval."""
    per_source = seg.groupby(KEY)["coder"].apply(lambda s: sorted(set(s)))
    coders_of = {sid: cs for sid, cs in per_source.items() if len(cs) >= 2}
    all_coders = ";".join(sorted(seg["coder"].unique())) if len(seg) else ""
    rng = np.random.default_rng(seed)
    n_src = len(coders_of)
    draws = rng.integers(0, n_src, (n_boot, n_src)) if n_src else np.zeros((0, 0), dtype=int)
    rows = []
    for code in codebook.codes:
        base = {"code": code.code, "group": code.part, "on": "characters", "coders": all_coders,
                "measure": "krippendorff_alpha_unitised_nominal", "n": n_src}
        if code.segment == "none":
            rows.append({**base, "percent_agreement": None, "estimate": None, "ci_low": None, "ci_high": None,
                         "note": "not applicable: the code takes no segments"})
            continue
        if not n_src:
            rows.append({**base, "percent_agreement": None, "estimate": None, "ci_low": None, "ci_high": None,
                         "note": "undefined: no source coded by two or more coders"})
            continue
        co = coincidences(seg, texts, code.code, coders_of)
        total = co.sum(axis=0)
        est = binary_alpha(*total)
        share = float((total[0] + total[2]) / total.sum()) if total.sum() else None
        boots = [b for b in (binary_alpha(*co[idx].sum(axis=0)) for idx in draws) if b is not None]
        low, high = (float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))) if boots else (None, None)
        note = "" if est is not None else "undefined: no coder placed a segment of this code on any double-coded source"
        rows.append({**base, "percent_agreement": share, "estimate": est, "ci_low": low if est is not None else None,
                     "ci_high": high if est is not None else None, "note": note})
    return pd.DataFrame(rows, columns=COLUMNS)
