"""Figure: stage composition of each notebook (share of its code cells per workflow stage).

One horizontal stacked bar per notebook, notebooks ordered by their share of
learning/inference cells, so the spread from data-heavy to model-heavy notebooks shows.

The stages are mined (the primary producer, coding/stage_producer.yaml), not hand-coded, and about a third of
the cells of fresh repositories get another stage than the coders give them. A notebook's few dozen cells cannot
carry a correction by the 7-by-7 held-out confusion matrix, so the bars stay raw; the caption and the figure
quote the producer's held-out accuracy and point to the corpus-level corrected shares
(figures/stage_shares_corrected.*, analysis/corrected_shares.py).
"""

INPUTS = ["traces/stages.csv", "figures/variables/trace_validity.json"]
OUTPUTS = ["figures/stage_composition.pdf", "figures/stage_composition.png",
           "figures/variables/stage_composition.json"]
CAPTIONS = {
    "stage_composition": (
        "Stage composition of {nNotebooksComposed} notebooks: the share of each notebook's code cells in each "
        "workflow stage, one bar per notebook, ordered by its share of learning/inference cells (every notebook "
        "is shown, so there is no sampling interval). The stages are mined and not corrected for misclassification: "
        "on the round-{traceStageRoundLatest} held-out sample of fresh repositories the primary producer gave "
        "{traceStageAccuracyLatest:.1%} of {traceStageNLatest} cells the coders' stage, and a notebook's cells are "
        "too few for a correction by that confusion matrix; the corpus-level corrected shares are in "
        "figures/stage_shares_corrected.*."
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.stage_error import describe, latest_stage_error  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.schema import STAGE_SUMMARY  # noqa: E402

ORDER = ["setup", "load", "EDA", "DPR", "LI", "PPR", "other"]


def main() -> None:
    apply_style()
    stages = read(STAGE_SUMMARY)
    wide = stages.pivot(index="notebook_id", columns="stage", values="n_cells").fillna(0)[ORDER]
    wide = wide[wide.sum(axis=1) > 0]
    shares = wide.div(wide.sum(axis=1), axis=0)
    shares = shares.sort_values(["LI", "DPR", "PPR"], kind="mergesort")
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    left = np.zeros(len(shares))
    y = np.arange(len(shares))
    for stage in ORDER:
        ax.barh(y, shares[stage].to_numpy(), left=left, height=1.0, color=STAGE_COLORS[stage], label=stage,
                linewidth=0)
        left += shares[stage].to_numpy()
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, len(shares) - 0.5)
    ax.set_yticks([])
    ax.set_xlabel("share of the notebook's code cells")
    ax.set_ylabel(f"{len(shares)} notebooks (ordered by LI share)")
    ax.legend(ncol=7, loc="upper center", bbox_to_anchor=(0.5, 1.08), frameon=False, handlelength=1)
    error = latest_stage_error()
    ax.text(0.0, -0.14, f"mined stages, not misclassification-corrected: {describe(error)}",
            transform=ax.transAxes, fontsize=7, ha="left", va="top")
    savefig(fig, "stage_composition")
    mean = shares.mean()
    pooled = wide.sum() / wide.to_numpy().sum()
    write_fragment("stage_composition", {
        **{f"meanShare{s.capitalize() if s.islower() else s}": float(mean[s]) for s in ORDER},
        **{f"pooledShare{s.capitalize() if s.islower() else s}": float(pooled[s]) for s in ORDER},
        "nNotebooksComposed": len(wide),
        "shareNotebooksWithLI": float((wide["LI"] > 0).mean()),
        "shareNotebooksWithDPR": float((wide["DPR"] > 0).mean()),
        "shareNotebooksWithPPR": float((wide["PPR"] > 0).mean()),
    })


if __name__ == "__main__":
    main()
