"""Figure and table (primary statistic): share of papers iterating on DPR, LI and PPR, overall and per original domain.

Presence comes first: a paper iterates on a part when any of its count codes is non-zero in
the consensus. Shares per domain of the original survey (Xin et al. 2018: social sciences,
natural sciences, web applications, NLP, computer vision; the rest is `other`) carry Wilson
95% intervals. Counts come second (iterations per paper), with the share of non-zero values
that are the codebook's unstated-number fallback beside them. Every value is coded from
abstracts, so shares and counts are lower bounds. A domain below the codebook's target of
coded papers is named in the figure, the table and the variables.
"""

INPUTS = ["coding/papers/consensus.csv", "coding/papers.codebook.yaml", "mliter/coding/presence.py"]
OUTPUTS = ["figures/survey_presence.pdf", "figures/survey_presence.png",
           "figures/survey_presence.csv", "figures/survey_presence.md", "figures/survey_presence.tex",
           "figures/variables/survey_presence.json"]

import textwrap  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.coding.presence import ALL, ANY, presence_table, shortfall_sentence, shortfalls  # noqa: E402
from mliter.coding.schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

PARTS = list(CODEBOOK.parts)
LOWER_BOUND = "Coded from abstracts: shares and counts are lower bounds of what the full papers report."


def plot(table, short) -> None:
    apply_style()
    keys = list(dict.fromkeys(table["original_domain"]))
    n = table.drop_duplicates("original_domain").set_index("original_domain")["papers"]
    labels = table.drop_duplicates("original_domain").set_index("original_domain")["label"]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(7.0, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(len(keys))
    width = 0.8 / len(PARTS)
    for i, part in enumerate(PARTS):
        sub = table[table["part"] == part].set_index("original_domain").loc[keys]
        s = sub["share"].to_numpy(dtype=float)
        off = x + (i - (len(PARTS) - 1) / 2) * width
        err = np.clip(np.nan_to_num([s - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - s]), 0, None)
        ax.bar(off, np.nan_to_num(s), width=width, color=STAGE_COLORS[part], edgecolor="black", linewidth=0.5,
               label=part, yerr=err, capsize=2, error_kw={"linewidth": 0.7})
        per = sub["iterations_per_paper"].to_numpy(dtype=float)
        bx.bar(off, np.nan_to_num(per), width=width, color=STAGE_COLORS[part], edgecolor="black", linewidth=0.5)
        for xi, p, u in zip(off, per, sub["unstated_share"].to_numpy(dtype=float)):
            if not np.isnan(u) and not np.isnan(p):
                bx.text(xi, p, f"{u:.0%}", ha="center", va="bottom", fontsize=5.5, rotation=90)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of papers iterating\n(Wilson 95% interval)")
    ax.legend(ncols=3, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    bx.set_ylabel("iterations per paper\n(label: share unstated)")
    ticks = [textwrap.fill(labels[k], 14) + f"\n(n={n[k]}{', below ' + str(CODEBOOK.minimum_coded) if k in short else ''})"
             for k in keys]
    bx.set_xticks(x, ticks, fontsize=6.5)
    note = LOWER_BOUND + (" " + shortfall_sentence(short, CODEBOOK) if short else "")
    fig.text(0.01, -0.06, textwrap.fill(note, 130), fontsize=6.5, ha="left", va="top")
    savefig(fig, "survey_presence")


def main() -> None:
    table = presence_table(read(CONSENSUS), CODEBOOK)
    short = shortfalls(table, CODEBOOK)
    caption = ("Share of papers that report iterating on each workflow part (primary statistic), overall and per "
               "domain of the original survey, with Wilson 95% intervals; then iterations (counts) and the share of "
               "non-zero count values that are the unstated-number fallback. " + LOWER_BOUND
               + (" " + shortfall_sentence(short, CODEBOOK) if short else ""))
    write_table(table, "survey_presence", caption)
    plot(table, short)
    overall = table[table["original_domain"] == ALL].set_index("part")
    values = {"nPresencePapers": int(overall.loc[ANY, "papers"]),
              "shareIteratingAnyPart": float(overall.loc[ANY, "share"]),
              "shareUnstatedValues": float(overall.loc[ANY, "unstated_share"]),
              "nDomainsBelowTarget": len(short), "domainsBelowTarget": ", ".join(sorted(short)) or "none",
              "targetCodedPerDomain": CODEBOOK.minimum_coded}
    for part in PARTS:
        key = part.capitalize()
        values[f"presence{key}"] = float(overall.loc[part, "share"])
        values[f"presence{key}Low"] = float(overall.loc[part, "ci_low"])
        values[f"presence{key}High"] = float(overall.loc[part, "ci_high"])
        values[f"unstatedShare{key}"] = float(overall.loc[part, "unstated_share"])
    for d in CODEBOOK.original_domains:
        values["nCoded" + "".join(w.capitalize() for w in d.key.split("_"))] = int(
            table.loc[table["original_domain"] == d.key, "papers"].iloc[0])
    write_fragment("survey_presence", values)


if __name__ == "__main__":
    main()
