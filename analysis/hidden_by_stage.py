"""Figure: where hidden executions concentrate, by workflow stage (bootstrap 95% intervals).

The notebook analogue of "which component did they iterate on": each hidden execution
is attributed to the cell that closes its gap in counts (see mliter.traces.notebooks.order), and
so to that cell's stage. Bars show the pooled share of all hidden executions per stage
and, beside it, the share of cells of that stage, so over-representation shows;
intervals resample notebooks (percentile bootstrap, fixed seed).
"""

INPUTS = ["traces/stages.csv"]
OUTPUTS = ["figures/hidden_by_stage.pdf", "figures/hidden_by_stage.png",
           "figures/hidden_by_stage.csv", "figures/hidden_by_stage.md", "figures/hidden_by_stage.tex",
           "figures/variables/hidden_by_stage.json"]
CAPTIONS = {
    "hidden_by_stage": (
        "Hidden executions by stage over {nNotebooksWithHidden} notebooks that have any "
        "(pooled shares, bootstrap 95% intervals over notebooks)."
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.stats import SEED  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.schema import STAGE_SUMMARY  # noqa: E402

ORDER = ["setup", "load", "EDA", "DPR", "LI", "PPR", "other"]
N_BOOT = 2000


def pooled_shares(hidden: np.ndarray, cells: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, c = hidden[idx].sum(axis=0), cells[idx].sum(axis=0)
    return h / max(h.sum(), 1), c / max(c.sum(), 1)


def main() -> None:
    apply_style()
    stages = read(STAGE_SUMMARY)
    hidden = stages.pivot(index="notebook_id", columns="stage", values="hidden_executions")[ORDER].fillna(0)
    cells = stages.pivot(index="notebook_id", columns="stage", values="n_cells")[ORDER].fillna(0)
    keep = hidden.sum(axis=1) > 0
    H, C = hidden[keep].to_numpy(float), cells[keep].to_numpy(float)
    n = len(H)
    point_h, point_c = pooled_shares(H, C, np.arange(n))
    rng = np.random.default_rng(SEED)
    boots = np.array([pooled_shares(H, C, rng.integers(0, n, n))[0] for _ in range(N_BOOT)])
    lo, hi = np.quantile(boots, 0.025, axis=0), np.quantile(boots, 0.975, axis=0)
    ratio = np.divide(point_h, point_c, out=np.full_like(point_h, np.nan), where=point_c > 0)
    table = pd.DataFrame({"stage": ORDER, "share_hidden": point_h, "ci_low": lo, "ci_high": hi,
                          "share_cells": point_c, "hidden_per_cell_ratio": ratio})
    write_table(table, "hidden_by_stage", caption(CAPTIONS, "hidden_by_stage", {"nNotebooksWithHidden": n}))

    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    x = np.arange(len(ORDER))
    ax.bar(x - 0.2, point_h, width=0.4, color=[STAGE_COLORS[s] for s in ORDER], edgecolor="black", linewidth=0.5,
           yerr=[point_h - lo, hi - point_h], capsize=3, label="hidden executions")
    ax.bar(x + 0.2, point_c, width=0.4, color="white", edgecolor="black", linewidth=0.5, hatch="//",
           label="code cells")
    ax.set_xticks(x, ORDER)
    ax.set_ylabel("share")
    ax.legend(frameon=False)
    savefig(fig, "hidden_by_stage")
    values = {"nNotebooksWithHidden": n}
    for s, h, lo_s, hi_s in zip(ORDER, point_h, lo, hi):
        key = s.capitalize() if s.islower() else s
        values[f"hiddenShare{key}"] = float(h)
        values[f"hiddenShare{key}Low"] = float(lo_s)
        values[f"hiddenShare{key}High"] = float(hi_s)
    write_fragment("hidden_by_stage", values)


if __name__ == "__main__":
    main()
