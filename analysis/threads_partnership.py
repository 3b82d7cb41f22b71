"""Figure and table: the partnership users ask for - what they keep doing by hand and what they want the tool to do,
by workflow stage (share of the partnership threads with each stage code, Wilson 95% intervals)."""

INPUTS = ["coding/threads/consensus.csv", "coding/interviews.codebook.yaml", "mliter/report/threads.py"]
OUTPUTS = ["figures/threads_partnership.csv", "figures/threads_partnership.md", "figures/threads_partnership.tex",
           "figures/threads_partnership.pdf", "figures/threads_partnership.png",
           "figures/variables/threads_partnership.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.coding.threads_schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import partnership  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    cons = read(CONSENSUS)
    table = partnership(cons, CODEBOOK)
    write_table(table, "threads_partnership", "Partnership codes by workflow stage: k of the n threads with the "
                "partnership code also carry the stage code (first row per code: k of all coded threads).")
    apply_style()
    fig, ax = plt.subplots(figsize=(6.0, 3.4))
    stages = [c.code for c in CODEBOOK.group_codes("stage")]
    width = 0.38
    for i, (p, color) in enumerate(zip([c.code for c in CODEBOOK.group_codes("partnership")], ["#E69F00", "#0072B2"])):
        sub = table[(table["partnership"] == p) & (table["stage"].isin(stages))].set_index("stage").reindex(stages)
        x = np.arange(len(stages)) + (i - 0.5) * width
        share = sub["share"].to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([share - sub["ci_low"].to_numpy(dtype=float),
                                       sub["ci_high"].to_numpy(dtype=float) - share]))
        n = int(sub["n"].iloc[0]) if len(sub) else 0
        ax.bar(x, np.nan_to_num(share), width, yerr=np.clip(err, 0, None), color=color, capsize=2,
               label=f"{p.replace('partnership_', '')} (n={n})", error_kw={"elinewidth": 0.6})
    ax.set_xticks(range(len(stages)), [s.replace("stage_", "") for s in stages], rotation=25, ha="right")
    ax.set_ylabel("share of the partnership threads")
    ax.legend()
    savefig(fig, "threads_partnership")
    first = table[table["stage"] == "any (all threads)"].set_index("partnership")
    write_fragment("threads_partnership", {
        "sharePartnershipWish": float(first.loc["partnership_wish", "share"]),
        "sharePartnershipManual": float(first.loc["partnership_manual", "share"]),
    })


if __name__ == "__main__":
    main()
