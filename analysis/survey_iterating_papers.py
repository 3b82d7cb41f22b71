"""Figure: share of papers that iterate on each workflow part, per domain, with Wilson 95% intervals.

A paper iterates on a part when any of the part's sub-codes is non-zero in the consensus
codes. Intervals are Wilson score intervals (`mliter.report.stats.wilson`) over the
domain's papers.
"""

INPUTS = ["coding/papers/consensus.csv", "coding/papers.codebook.yaml", "mliter/coding/survey.py"]
OUTPUTS = ["figures/survey_iterating_papers.pdf", "figures/survey_iterating_papers.png",
           "figures/survey_iterating_papers.csv", "figures/survey_iterating_papers.md",
           "figures/survey_iterating_papers.tex", "figures/variables/survey_iterating_papers.json"]
CAPTIONS = {
    'survey_iterating_papers': (
        'Papers that report iterating on each workflow part, per coded domain, of {nIteratingPapers} coded papers '
        '(Wilson 95% intervals). Coded from abstracts: shares are lower bounds of what the full papers report.'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.coding.schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.coding.survey import domain_label, iterating_shares, iterations_by_part  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

PARTS = list(CODEBOOK.parts)


def main() -> None:
    apply_style()
    shares = iterating_shares(iterations_by_part(read(CONSENSUS), CODEBOOK), CODEBOOK)
    n_papers = int(shares.loc[shares["domain"] == "all", "papers"].iloc[0])
    write_table(shares, "survey_iterating_papers",
                caption(CAPTIONS, "survey_iterating_papers", {"nIteratingPapers": n_papers}))

    domains = list(dict.fromkeys(shares["domain"]))
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    x = np.arange(len(domains))
    width = 0.8 / len(PARTS)
    for i, part in enumerate(PARTS):
        sub = shares[shares["part"] == part].set_index("domain").loc[domains]
        s = sub["share"].to_numpy()
        ax.bar(x + (i - (len(PARTS) - 1) / 2) * width, s, width=width, color=STAGE_COLORS[part], edgecolor="black",
               linewidth=0.5, label=part, yerr=np.clip([s - sub["ci_low"].to_numpy(), sub["ci_high"].to_numpy() - s], 0, None),
               capsize=2, error_kw={"linewidth": 0.7})
    n = shares.drop_duplicates("domain").set_index("domain")["papers"]
    ax.set_xticks(x, [f"{domain_label(d)}\n(n={n[d]})" for d in domains], rotation=30, ha="right", fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of papers iterating\n(from abstracts: lower bounds)")
    ax.legend(ncols=3, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    savefig(fig, "survey_iterating_papers")

    overall = shares[shares["domain"] == "all"].set_index("part")
    values: dict[str, float | int] = {"nIteratingPapers": n_papers}
    for part in PARTS:
        key = part.capitalize()
        values[f"shareIterating{key}"] = float(overall.loc[part, "share"])
        values[f"shareIterating{key}Low"] = float(overall.loc[part, "ci_low"])
        values[f"shareIterating{key}High"] = float(overall.loc[part, "ci_high"])
    write_fragment("survey_iterating_papers", values)


if __name__ == "__main__":
    main()
