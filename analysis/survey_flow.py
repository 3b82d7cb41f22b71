"""Figure and table: the flow of records from capture to coding (captured, deduplicated, screened out by reason, coded).

Counts from corpus/papers.csv (records merged by deduplication), coding/papers/screening.csv
(mechanical rules, the stratified sample, coders' and adjudicator's screening decisions) and
the consensus (coded papers), in the manner of a PRISMA flow diagram.
"""

INPUTS = ["corpus/papers.csv", "coding/papers/screening.csv", "coding/papers/consensus.csv",
          "coding/papers.codebook.yaml", "mliter/coding/flow.py"]
OUTPUTS = ["figures/survey_flow.pdf", "figures/survey_flow.png", "figures/survey_flow.csv", "figures/survey_flow.md",
           "figures/survey_flow.tex", "figures/variables/survey_flow.json"]

import matplotlib.pyplot as plt  # noqa: E402

from mliter.coding.flow import flow_table  # noqa: E402
from mliter.coding.schema import CODEBOOK, CONSENSUS, SCREENING  # noqa: E402
from mliter.corpus.papers.schema import PAPERS  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

MAIN = ("captured", "deduplicated", "frame", "sampled", "included", "coded")
SIDE = {"deduplicated": ("duplicates",), "frame": ("excluded_by_rule",), "sampled": ("not_sampled",),
        "included": ("excluded_by_coder", "pending")}


def plot(table) -> None:
    apply_style()
    fig, ax = plt.subplots(figsize=(7.0, 5.2))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, len(MAIN))
    box = {"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black", "linewidth": 0.7}
    side = {"boxstyle": "round,pad=0.4", "facecolor": "#f2f2f2", "edgecolor": "#666666", "linewidth": 0.6}
    by_step = {s: g for s, g in table.groupby("step", sort=False)}
    for i, step in enumerate(MAIN):
        y = len(MAIN) - i - 0.5
        r = by_step[step].iloc[0]
        text = f"{r.stage}: {r.records}"
        if step == "coded":
            d = by_step["double_coded"].iloc[0]
            text += f"\n{d.stage}: {d.records}"
        ax.text(0.28, y, text, ha="center", va="center", fontsize=8, bbox=box)
        if i:
            ax.annotate("", xy=(0.28, y + 0.28), xytext=(0.28, y + 0.72), arrowprops={"arrowstyle": "->", "lw": 0.7})
        lines = []
        for s in SIDE.get(step, ()):
            for r2 in by_step.get(s, table.iloc[0:0]).itertuples():
                if r2.records:
                    lines.append(f"{r2.stage}{' (' + r2.reason + ')' if r2.reason else ''}: {r2.records}")
        if lines:
            ax.text(0.62, y + 0.5, "\n".join(lines), ha="left", va="center", fontsize=6.5, bbox=side)
            ax.annotate("", xy=(0.61, y + 0.5), xytext=(0.28, y + 0.5), arrowprops={"arrowstyle": "->", "lw": 0.6})
    savefig(fig, "survey_flow")


def main() -> None:
    table = flow_table(read(PAPERS), read(SCREENING), read(CONSENSUS), CODEBOOK)
    write_table(table, "survey_flow", "Flow of records: captured, deduplicated, excluded by the codebook's rules (by "
                "reason), outside the stratified sample, excluded by coders (by reason), included and coded.")
    plot(table)
    get = table.groupby("step")["records"].sum()
    write_fragment("survey_flow", {
        "nRecordsCaptured": int(get["captured"]), "nRecordsDeduplicated": int(get["deduplicated"]),
        "nExcludedByRule": int(get.get("excluded_by_rule", 0)), "nNotSampled": int(get["not_sampled"]),
        "nSampled": int(get["sampled"]), "nExcludedByCoder": int(get.get("excluded_by_coder", 0)),
        "nPendingScreening": int(get["pending"]), "nIncluded": int(get["included"]), "nCoded": int(get["coded"]),
        "nExcludedTestFixture": int(table.loc[table["reason"] == "out_of_frame_test_fixture", "records"].sum()),
    })


if __name__ == "__main__":
    main()
