"""Figure: execution-order linearity of notebooks (Kendall tau and hidden executions).

Left: distribution of Kendall tau between document order and execution order;
right: cumulative distribution of hidden executions per notebook. The shares quoted in text
(out of order, linear, with hidden executions; Wilson 95% intervals) go to the
variables file. Notebooks with fewer than two executed cells are left out.
"""

INPUTS = ["traces/notebooks.csv"]
OUTPUTS = ["figures/execution_order.pdf", "figures/execution_order.png",
           "figures/execution_order.csv", "figures/execution_order.md", "figures/execution_order.tex",
           "figures/variables/execution_order.json"]
CAPTIONS = {
    "execution_order": (
        "Execution order of {nNotebooksOrdered} notebooks with at least two executed cells "
        "(shares with Wilson 95% intervals)."
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.stats import wilson  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.schema import NOTEBOOKS  # noqa: E402


def main() -> None:
    apply_style()
    nbs = read(NOTEBOOKS)
    nbs = nbs[nbs.executed_cells >= 2]
    n = len(nbs)
    flags = {
        "out of order": nbs.is_out_of_order.astype(bool),
        "linear (clean top-to-bottom run)": nbs.is_linear.astype(bool),
        "with hidden executions": nbs.hidden_executions > 0,
        "with unexecuted code cells": nbs.cells_without_count > 0,
    }
    rows = []
    for label, mask in flags.items():
        k = int(mask.sum())
        lo, hi = wilson(k, n)
        rows.append({"notebooks": label, "count": k, "share": k / n, "ci_low": lo, "ci_high": hi})
    table = pd.DataFrame(rows)
    write_table(table, "execution_order", caption(CAPTIONS, "execution_order", {"nNotebooksOrdered": n}))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.4, 2.8))
    tau = nbs.kendall_tau.dropna().to_numpy(dtype=float)
    ax1.hist(tau, bins=np.linspace(-1, 1, 41), color="#0072B2")
    ax1.set_xlabel("Kendall tau (document vs execution order)")
    ax1.set_ylabel("notebooks")
    hidden = np.sort(nbs.hidden_executions.to_numpy(dtype=float))
    ax2.step(hidden, np.arange(1, n + 1) / n, where="post", color="#E69F00")
    ax2.set_xscale("symlog", linthresh=1)
    ax2.set_ylim(0, 1)
    ax2.set_xlabel("hidden executions per notebook")
    ax2.set_ylabel("share of notebooks at or below")
    fig.tight_layout()
    savefig(fig, "execution_order")

    share = {r["notebooks"]: r for r in rows}
    write_fragment("execution_order", {
        "nNotebooksOrdered": n,
        "shareOutOfOrder": share["out of order"]["share"],
        "shareOutOfOrderLow": share["out of order"]["ci_low"],
        "shareOutOfOrderHigh": share["out of order"]["ci_high"],
        "shareLinear": share["linear (clean top-to-bottom run)"]["share"],
        "shareHiddenExecutions": share["with hidden executions"]["share"],
        "shareHiddenExecutionsLow": share["with hidden executions"]["ci_low"],
        "shareHiddenExecutionsHigh": share["with hidden executions"]["ci_high"],
        "medianKendallTau": float(np.median(tau)) if tau.size else float("nan"),
        "medianHiddenExecutions": float(np.median(hidden)),
        "meanHiddenExecutions": float(hidden.mean()),
    })


if __name__ == "__main__":
    main()
