"""Figure and table: how AUC moves after each kind of change in OpenML iteration sequences.

Each OpenML run is coded against the previous run of the same user on the same task
(traces/openml_runs.csv, coding/change_types.yaml). Left: the change in AUC from the
previous run (`delta_auc`) per change type; right: the run's distance from the mean AUC of
the task (`dist_from_mean_auc`). Points are runs; bars are means with 95% percentile
bootstrap intervals (one value: no interval); `?` collects runs whose change type the
records cannot tell. The shipped runs are the 31 run ids of the
recorded API responses (33 runs on three servers): most carry no AUC or no parameter values,
so almost every code has no data and the figure is a demonstration of the pipeline, not a
finding; the numbers in figures/variables say how thin it is.
"""

INPUTS = ["traces/openml_runs.csv", "coding/change_types.yaml", "mliter/report/openml.py"]
OUTPUTS = ["figures/openml_auc_change.pdf", "figures/openml_auc_change.png",
           "figures/openml_auc_change.csv", "figures/openml_auc_change.md", "figures/openml_auc_change.tex",
           "figures/variables/openml_auc_change.json"]
CAPTIONS = {
    'openml_auc_change': (
        'OpenML runs by change type: runs, mean change in AUC from the previous run and mean distance from '
        "the task's mean AUC, with 95% bootstrap intervals. Mined from the recorded API responses only (31 "
        'run ids): most codes have no runs with an AUC, so this is a pipeline demonstration. The change types '
        'are rule-derived; OpenML runs have no hand labels, so they are neither checked nor corrected for '
        'misclassification (docs/trace-validity.md).'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.openml import OPENML_CODES, auc_change_by_type  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.openml.schema import OPENML_RUNS  # noqa: E402


def _panel(ax, runs, table, value: str, mean: str, lo: str, hi: str, label: str) -> None:
    labels = list(table["change_type"])
    x = np.arange(len(labels))
    codes = runs["change_type"].fillna("").replace("", "unknown")
    for i, code in enumerate(labels):
        vals = runs.loc[codes == code, value].dropna().astype(float).to_numpy()
        if vals.size:
            jitter = (np.arange(vals.size) - (vals.size - 1) / 2) * 0.06
            ax.scatter(i + jitter, vals, s=10, color="#999999", zorder=2)
        row = table.iloc[i]
        if not np.isnan(row[mean]):
            err = None if np.isnan(row[lo]) else [[row[mean] - row[lo]], [row[hi] - row[mean]]]
            ax.errorbar(i, row[mean], yerr=err, fmt="o", color="#0072B2", capsize=3, zorder=3)
        n = int((runs.loc[codes == code, value].notna()).sum())
        ax.text(i, 1.0, f"n={n}", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_xticks(x, ["?" if lab == "unknown" else lab for lab in labels])
    ax.set_xlabel("change type")
    ax.set_ylabel(label)


def main() -> None:
    apply_style()
    runs = read(OPENML_RUNS)
    table = auc_change_by_type(runs)
    write_table(table, "openml_auc_change",
                caption(CAPTIONS, "openml_auc_change", {}))
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.8, 2.9))
    _panel(left, runs, table, "delta_auc", "mean_delta_auc", "delta_ci_low", "delta_ci_high", "AUC change from previous run")
    _panel(right, runs, table, "dist_from_mean_auc", "mean_dist_from_mean_auc", "dist_ci_low", "dist_ci_high",
           "AUC minus task mean")
    savefig(fig, "openml_auc_change")

    coded = runs["change_type"].fillna("")
    write_fragment("openml_auc_change", {
        "nOpenmlRuns": int(len(runs)),
        "nOpenmlRunIds": int(runs["rid"].nunique()),
        "nOpenmlSequences": int(runs.groupby(["user_id", "task_id"]).ngroups),
        "nOpenmlRunsWithAuc": int(runs["auc"].notna().sum()),
        "nOpenmlRunsWithDeltaAuc": int(runs["delta_auc"].notna().sum()),
        "nOpenmlRunsUnknownChange": int((coded == "").sum()),
        "nOpenmlCodesWithDeltaAuc": int((table.loc[table.change_type.isin(OPENML_CODES), "n_with_delta"] > 0).sum()),
        "meanOpenmlDeltaAucNoChange": float(table.set_index("change_type").loc["N", "mean_delta_auc"]),
    })


if __name__ == "__main__":
    main()
