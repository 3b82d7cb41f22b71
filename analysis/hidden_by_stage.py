"""Figure: where hidden executions concentrate, by workflow stage (bootstrap 95% intervals).

The notebook analogue of "which component did they iterate on": each hidden execution
is attributed to the cell that closes its gap in counts (see mliter.traces.notebooks.order), and
so to that cell's stage. Bars show the pooled share of all hidden executions per stage
and, beside it, the share of cells of that stage, so over-representation shows;
intervals resample notebooks (percentile bootstrap, fixed seed).

Those intervals are sampling error only. The stages themselves come from the primary producer
(coding/stage_producer.yaml), which is wrong on about a third of the cells of fresh repositories, so
each share also carries its misclassification-corrected estimate (matrix inversion of the producer's
held-out confusion matrix, bootstrap interval over the labelled cells), read from the table
analysis/corrected_shares.py owns, and the caption and the figure say how accurate the stages were.
"""

INPUTS = ["traces/stages.csv", "figures/stage_shares_corrected.csv", "figures/variables/trace_validity.json"]
OUTPUTS = ["figures/hidden_by_stage.pdf", "figures/hidden_by_stage.png",
           "figures/hidden_by_stage.csv", "figures/hidden_by_stage.md", "figures/hidden_by_stage.tex",
           "figures/variables/hidden_by_stage.json"]
CAPTIONS = {
    "hidden_by_stage": (
        "Hidden executions by stage over {nNotebooksWithHidden} notebooks that have any "
        "(pooled shares, bootstrap 95% intervals over notebooks). The stages are mined, not hand-coded: on the "
        "round-{traceStageRoundLatest} held-out sample of fresh repositories the primary producer gave "
        "{traceStageAccuracyLatest:.1%} of {traceStageNLatest} cells the coders' stage, so each share is shown "
        "beside its misclassification-corrected estimate (corrected_share: matrix inversion of the producer's "
        "held-out confusion matrix, bootstrap 95% interval over the labelled cells; figures/stage_shares_corrected.* "
        "names the held-out samples it pools)."
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.errors import InputError  # noqa: E402
from mliter.paths import FIGURES  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.stats import SEED  # noqa: E402
from mliter.report.style import STAGE_COLORS, apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.stage_error import describe, latest_stage_error  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.schema import STAGE_SUMMARY  # noqa: E402

ORDER = ["setup", "load", "EDA", "DPR", "LI", "PPR", "other"]
N_BOOT = 2000
#: The rows of figures/stage_shares_corrected.csv that correct this figure's shares.
CORRECTED_QUANTITY = "share of hidden executions"


def pooled_shares(hidden: np.ndarray, cells: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, c = hidden[idx].sum(axis=0), cells[idx].sum(axis=0)
    return h / max(h.sum(), 1), c / max(c.sum(), 1)


def corrected_hidden(path, raw: np.ndarray) -> pd.DataFrame:
    """The corrected share of hidden executions per stage (in ORDER), from the corrected-shares table.

    Its raw shares must be this figure's raw shares: they are mined from the same traces, so a mismatch means
    one of the two tables is stale (re-run `make figures`), and it is refused rather than shown beside them."""
    table = pd.read_csv(path)
    part = table[table["quantity"] == CORRECTED_QUANTITY].set_index("stage")
    missing = [s for s in ORDER if s not in part.index]
    if missing:
        raise InputError(f"{path}: no {CORRECTED_QUANTITY!r} row for {missing}")
    part = part.loc[ORDER]
    if not np.allclose(part["raw_share"].to_numpy(float), raw, rtol=1e-4, atol=1e-6):
        raise InputError(f"{path}: its raw {CORRECTED_QUANTITY} ({list(part['raw_share'])}) differ from "
                         f"traces/stages.csv's ({[round(float(v), 6) for v in raw]}): one of them is stale")
    return part[["corrected_share", "ci_low", "ci_high"]].reset_index(drop=True)


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
    corr = corrected_hidden(FIGURES / "stage_shares_corrected.csv", point_h)
    error = latest_stage_error()
    table = pd.DataFrame({"stage": ORDER, "share_hidden": point_h, "ci_low": lo, "ci_high": hi,
                          "corrected_share": corr["corrected_share"], "corrected_low": corr["ci_low"],
                          "corrected_high": corr["ci_high"],
                          "share_cells": point_c, "hidden_per_cell_ratio": ratio})
    write_table(table, "hidden_by_stage",
                caption(CAPTIONS, "hidden_by_stage", {"nNotebooksWithHidden": n, **error}))

    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    x = np.arange(len(ORDER))
    ax.bar(x - 0.2, point_h, width=0.4, color=[STAGE_COLORS[s] for s in ORDER], edgecolor="black", linewidth=0.5,
           yerr=[point_h - lo, hi - point_h], capsize=3, label="hidden executions")
    ax.bar(x + 0.2, point_c, width=0.4, color="white", edgecolor="black", linewidth=0.5, hatch="//",
           label="code cells")
    c_mid = corr["corrected_share"].to_numpy(float)
    ax.errorbar(x - 0.08, c_mid, yerr=[c_mid - corr["ci_low"].to_numpy(float), corr["ci_high"].to_numpy(float) - c_mid],
                fmt="D", color="#8b0000", markersize=3, capsize=2, linewidth=0.8,
                label="hidden executions, corrected for label error")
    ax.set_xticks(x, ORDER)
    ax.set_ylabel("share")
    ax.set_title(f"mined stages: {describe(error)}",
                 fontsize=7, loc="left")
    ax.legend(frameon=False, fontsize=7)
    savefig(fig, "hidden_by_stage")
    values = {"nNotebooksWithHidden": n}
    for s, h, lo_s, hi_s, c in zip(ORDER, point_h, lo, hi, c_mid):
        key = s.capitalize() if s.islower() else s
        values[f"hiddenShare{key}"] = float(h)
        values[f"hiddenShare{key}Low"] = float(lo_s)
        values[f"hiddenShare{key}High"] = float(hi_s)
        values[f"hiddenShare{key}Corrected"] = float(c)
    write_fragment("hidden_by_stage", values)


if __name__ == "__main__":
    main()
