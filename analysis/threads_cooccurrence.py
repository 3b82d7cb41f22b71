"""Figure and table: co-occurrence of codes in the same thread (counts and Jaccard index)."""

INPUTS = ["coding/threads/consensus.csv", "coding/interviews.codebook.yaml", "mliter/report/threads.py"]
OUTPUTS = ["figures/threads_cooccurrence.csv", "figures/threads_cooccurrence.md", "figures/threads_cooccurrence.tex",
           "figures/threads_cooccurrence.pdf", "figures/threads_cooccurrence.png",
           "figures/variables/threads_cooccurrence.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.coding.threads_schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import cooccurrence  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    cons = read(CONSENSUS)
    codes = [c.code for c in CODEBOOK.codes if c.code not in {x.code for x in CODEBOOK.exclusive_codes}]
    pairs = cooccurrence(cons, codes)
    write_table(pairs[pairs["both"] > 0].reset_index(drop=True), "threads_cooccurrence",
                "Pairs of codes present in the same thread: threads with both, with each, and the Jaccard index.")
    m = np.zeros((len(codes), len(codes)))
    pos = {c: i for i, c in enumerate(codes)}
    for r in pairs.itertuples():
        m[pos[r.code_a], pos[r.code_b]] = m[pos[r.code_b], pos[r.code_a]] = r.both
    for c in codes:
        m[pos[c], pos[c]] = cons[c].sum()
    apply_style()
    fig, ax = plt.subplots(figsize=(6.8, 6.0))
    im = ax.imshow(np.ma.masked_where(m == 0, m), cmap="viridis", aspect="equal")
    ax.set_xticks(range(len(codes)), codes, rotation=90, fontsize=5)
    ax.set_yticks(range(len(codes)), codes, fontsize=5)
    ax.set_title(f"threads with both codes (diagonal: with the code), n = {len(cons)}", fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.04)
    savefig(fig, "threads_cooccurrence")
    top = pairs.sort_values(["both", "code_a", "code_b"], ascending=[False, True, True], kind="mergesort")
    best = top.iloc[0] if len(top) else None
    write_fragment("threads_cooccurrence", {
        "topCooccurringPair": f"{best.code_a} + {best.code_b}".replace("_", " ") if best is not None else "none",
        "nTopCooccurringPair": int(best.both) if best is not None else 0,
    })


if __name__ == "__main__":
    main()
