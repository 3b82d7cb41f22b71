"""Figure (headline): share of reported iterations by workflow part (DPR / LI / PPR), per domain, stacked.

Iterations per paper follow the codebook: an "alternatives" code with k variants stands for
k - 1 iterations, an "additions" code for k. Each bar is one domain's iterations split by
part; the chi-square test of domain x part (with Cramer's V, and a permutation p-value that
keeps each paper's iterations together) goes to the variables file.
"""

INPUTS = ["coding/papers/consensus.csv", "coding/papers.codebook.yaml", "mliter/coding/survey.py"]
OUTPUTS = ["figures/survey_iterations.pdf", "figures/survey_iterations.png",
           "figures/survey_iterations.csv", "figures/survey_iterations.md", "figures/survey_iterations.tex",
           "figures/variables/survey_iterations.json"]
CAPTIONS = {
    'survey_iterations': (
        "Reported iterations by workflow part per domain (counts and shares of the domain's iterations). Coded "
        'from abstracts: counts are lower bounds of what the full papers report.'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.coding.schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.coding.survey import domain_label, domain_part_test, iteration_shares, iterations_by_part  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

PARTS = list(CODEBOOK.parts)


def main() -> None:
    apply_style()
    per_paper = iterations_by_part(read(CONSENSUS), CODEBOOK)
    shares = iteration_shares(per_paper, CODEBOOK)
    write_table(shares, "survey_iterations",
                caption(CAPTIONS, "survey_iterations", {}))

    plot = shares[shares["iterations"] > 0].iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.0, 0.45 * len(plot) + 1.0))
    y = np.arange(len(plot))
    left = np.zeros(len(plot))
    for part in PARTS:
        vals = plot[f"{part}_share"].to_numpy()
        ax.barh(y, vals, left=left, color=STAGE_COLORS[part], edgecolor="black", linewidth=0.5, label=part)
        for yi, (lo, v) in enumerate(zip(left, vals)):
            if v >= 0.08:
                ax.text(lo + v / 2, yi, f"{v:.0%}", ha="center", va="center", fontsize=7)
        left += vals
    ax.set_yticks(y, [f"{domain_label(d)} (n={n})" for d, n in zip(plot["domain"], plot["papers"])])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of reported iterations (from abstracts: counts are lower bounds)")
    ax.legend(ncols=3, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    savefig(fig, "survey_iterations")

    test = domain_part_test(per_paper, CODEBOOK)
    overall = shares[shares["domain"] == "all"].iloc[0]
    values = {"nSurveyIterations": int(overall["iterations"]),
              "surveyChiSq": test["chi2"] if test["chi2"] is not None else "undefined",
              "surveyChiDof": test["dof"] if test["dof"] is not None else "undefined",
              "surveyChiP": test["p_value"] if test["p_value"] is not None else "undefined",
              "surveyChiPPerm": test["p_perm"] if test["p_perm"] is not None else "undefined",
              "surveyCramersV": test["cramers_v"] if test["cramers_v"] is not None else "undefined",
              "surveyChiDomains": len(test["domains"]), "surveyChiPapers": test["n_papers"]}
    for part in PARTS:
        values[f"iterShare{part.capitalize()}"] = float(overall[f"{part}_share"])
    write_fragment("survey_iterations", values)


if __name__ == "__main__":
    main()
