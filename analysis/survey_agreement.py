"""Table and figure: inter-coder agreement for every code of the paper survey (kappa, alpha, n).

Reads coding/papers/agreement.csv (written by `mliter code agreement`): Krippendorff's alpha
over all coders (nominal on the value of categorical codes and on presence (count > 0) of
count codes and workflow parts; ordinal and interval on counts) and Cohen's kappa per coder
pair. Undefined statistics stay empty with the reason. Reported whatever the values.
"""

INPUTS = ["coding/papers/agreement.csv", "coding/papers.codebook.yaml", "mliter/coding/survey.py"]
OUTPUTS = ["figures/survey_agreement.csv", "figures/survey_agreement.md", "figures/survey_agreement.tex",
           "figures/survey_agreement.pdf", "figures/survey_agreement.png",
           "figures/variables/survey_agreement.json"]
CAPTIONS = {
    'survey_agreement': (
        "Inter-coder agreement per code on the papers coded by two or more coders: Krippendorff's alpha over "
        'all coders (nominal on the value of categorical codes and on presence of counts and parts; ordinal '
        "and interval on counts; 95% bootstrap intervals over papers) and Cohen's kappa per coder pair (95% "
        'normal-approximation interval).'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.coding.schema import AGREEMENT, CODEBOOK  # noqa: E402
from mliter.coding.survey import agreement_summary  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

ACCEPTABLE_ALPHA = 0.667  # Krippendorff's lowest limit for tentative conclusions


def plot(table: pd.DataFrame) -> None:
    """Dot plot: alpha per code with its bootstrap interval (ordinal on counts, nominal otherwise)."""
    apply_style()
    rows = table.iloc[::-1].reset_index(drop=True)
    is_count = rows["alpha_ordinal"].notna() | rows["code"].isin([c.code for c in CODEBOOK.counts])
    est = np.where(is_count, rows["alpha_ordinal"], rows["alpha_nominal"]).astype(float)
    low = np.where(is_count, rows["alpha_ordinal_low"], rows["alpha_nominal_low"]).astype(float)
    high = np.where(is_count, rows["alpha_ordinal_high"], rows["alpha_nominal_high"]).astype(float)
    fig, ax = plt.subplots(figsize=(6.0, 0.28 * len(rows) + 1.0))
    y = np.arange(len(rows))
    colors = [STAGE_COLORS.get(p, "#555555") if p else "#555555" for p in rows["part"]]
    ok = ~np.isnan(est)
    ax.errorbar(est[ok], y[ok], xerr=np.clip([est[ok] - low[ok], high[ok] - est[ok]], 0, None), fmt="none",
                ecolor="black", elinewidth=0.7, capsize=2)
    ax.scatter(est[ok], y[ok], c=[c for c, k in zip(colors, ok) if k], edgecolors="black", linewidths=0.5, zorder=3)
    for yi in y[~ok]:
        ax.text(0.02, yi, "undefined (no variation)", va="center", fontsize=7, color="#555555")
    ax.axvline(ACCEPTABLE_ALPHA, color="#999999", linestyle="--", linewidth=0.7)
    ax.axvline(0.8, color="#999999", linestyle=":", linewidth=0.7)
    labels = [f"{c} ({'ordinal' if k else 'nominal'})" for c, k in zip(rows["code"], is_count)]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(min(0.0, float(np.nanmin(low)) - 0.02) if ok.any() else 0.0, 1.02)
    ax.set_xlabel(f"Krippendorff's alpha, 95% bootstrap interval (n = {int(table['n'].max())} papers)")
    savefig(fig, "survey_agreement")


def _num(v):
    return float(v) if v is not None and pd.notna(v) else "undefined"


def main() -> None:
    table = agreement_summary(read(AGREEMENT), CODEBOOK)
    write_table(table, "survey_agreement",
                caption(CAPTIONS, "survey_agreement", {}))
    plot(table)
    counts = table[table["code"].isin([c.code for c in CODEBOOK.counts])]
    alphas = pd.to_numeric(counts["alpha_ordinal"], errors="coerce")
    nominal = table.set_index("code")["alpha_nominal"]
    values = {
        "nAgreementPapers": int(table["n"].max()) if len(table) else 0,
        "nAgreementCodes": len(table),
        "medianAlphaOrdinal": _num(alphas.median()) if alphas.notna().any() else "undefined",
        "minAlphaOrdinal": _num(alphas.min()) if alphas.notna().any() else "undefined",
        "nCountCodesAlphaAcceptable": int((alphas >= ACCEPTABLE_ALPHA).sum()),
        "nCountCodesAlphaUndefined": int(alphas.isna().sum()),
    }
    for code, key in (("domain", "alphaDomain"), ("evidence_basis", "alphaEvidence"),
                      *((f"part_{p}", f"alphaPart{p.capitalize()}") for p in CODEBOOK.parts)):
        values[key] = _num(nominal.get(code))
    write_fragment("survey_agreement", values)


if __name__ == "__main__":
    main()
