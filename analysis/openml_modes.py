"""Figure and table: the OpenML study's comparison of manual, automated and mixed iteration.

Each (user, task) sequence of traces/openml_runs.csv is classified by the pace of its iterations (under a minute
between runs: machine pace), and the three modes are compared on wasted iterations (runs that do not improve on
the sequence's best AUC so far), options explored and the AUC reached (definitions: docs/openml.md,
mliter.traces.openml.study). The same analysis runs on the study's published table with
`mliter import openml-workflows`; the shipped runs are recorded test-suite responses, so the figure demonstrates
the analysis and its n says how little it can show.
"""

INPUTS = ["traces/openml_runs.csv", "coding/change_types.yaml"]
OUTPUTS = ["figures/openml_modes.pdf", "figures/openml_modes.png", "figures/openml_modes.csv",
           "figures/openml_modes.md", "figures/openml_modes.tex", "figures/variables/openml_modes.json"]
CAPTIONS = {
    "openml_modes": (
        "OpenML sequences by mode of iteration ({nOpenmlSeqManual} manual, {nOpenmlSeqAutomated} automated, "
        "{nOpenmlSeqMixed} mixed of {nOpenmlSeqWithMode} sequences with a known pace; {nOpenmlSeqSingle} single-run "
        "and {nOpenmlSeqUnknown} without times left out): share of wasted iterations (Wilson 95% intervals, "
        "pooled over assessable iterations) and mean options explored and best AUC minus the task mean "
        "(bootstrap 95% intervals over sequences)."
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.captions import caption  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.openml.schema import OPENML_RUNS  # noqa: E402
from mliter.traces.openml.study import MODES, compare_modes, sequences  # noqa: E402

PANELS = [("share_wasted", "wasted_ci_low", "wasted_ci_high", "share of wasted iterations"),
          ("mean_ppr_options", "ppr_options_ci_low", "ppr_options_ci_high", "pre-processing options"),
          ("mean_hyperparameter_options", "hyperparameter_options_ci_low", "hyperparameter_options_ci_high",
           "hyperparameter options"),
          ("mean_best_dist", "best_dist_ci_low", "best_dist_ci_high", "best AUC minus task mean")]


def _values(table) -> dict:
    t = table.set_index("mode")
    values: dict = {f"nOpenmlSeq{m.capitalize()}": int(t.loc[m, "n_sequences"]) for m in (*MODES, "single", "unknown")}
    values["nOpenmlSeqWithMode"] = int(t.loc[list(MODES), "n_sequences"].sum())
    for m in MODES:
        key = m.capitalize()
        for col, name in (("share_wasted", "ShareWasted"), ("wasted_ci_low", "ShareWastedLow"),
                          ("wasted_ci_high", "ShareWastedHigh"), ("mean_ppr_options", "PprOptions"),
                          ("ppr_options_ci_low", "PprOptionsLow"), ("ppr_options_ci_high", "PprOptionsHigh"),
                          ("mean_hyperparameter_options", "HyperOptions"),
                          ("hyperparameter_options_ci_low", "HyperOptionsLow"),
                          ("hyperparameter_options_ci_high", "HyperOptionsHigh"), ("mean_best_dist", "BestDist"),
                          ("best_dist_ci_low", "BestDistLow"), ("best_dist_ci_high", "BestDistHigh")):
            v = t.loc[m, col]
            if v == v:  # NaN (no data for the mode) is left out, so a claim on it reads "not addressable"
                values[f"openml{key}{name}"] = float(v)
        values[f"nOpenmlAssessable{key}"] = int(t.loc[m, "n_assessable"])
    return values


def main() -> None:
    apply_style()
    table = compare_modes(sequences(read(OPENML_RUNS)))
    values = _values(table)
    write_table(table, "openml_modes", caption(CAPTIONS, "openml_modes", values))
    shown = table[table["mode"].isin(MODES)].reset_index(drop=True)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(7.2, 2.6))
    x = np.arange(len(shown))
    for ax, (mean, lo, hi, label) in zip(axes, PANELS):
        m = shown[mean].to_numpy(dtype=float)
        low, high = shown[lo].to_numpy(dtype=float), shown[hi].to_numpy(dtype=float)
        ok = ~np.isnan(m)
        err = np.vstack([np.nan_to_num(m - low), np.nan_to_num(high - m)])
        ax.bar(x[ok], m[ok], yerr=err[:, ok], color="#0072B2", capsize=3, width=0.6)
        for i in x[~ok]:
            ax.text(i, 0, "n/a", ha="center", va="bottom", fontsize=7, color="#666666")
        ax.set_xticks(x, [f"{mode}\n(n={n})" for mode, n in zip(shown["mode"], shown["n_sequences"])], fontsize=7)
        ax.set_title(label, fontsize=8)
    fig.tight_layout()
    savefig(fig, "openml_modes")
    write_fragment("openml_modes", values)


if __name__ == "__main__":
    main()
