"""Figure and table: predicting, before training, which graphlets push; what stopping the rest would save.

A logistic regression (statsmodels, small ridge penalty) on what is known before a training
starts (first graphlet, previous pushed, what changed, graphlets so far, failed upstream) is
scored out of fold with cross-validation grouped by pipeline (mliter/traces/pipelines/
predictor.py). Left: ROC of those predictions. Right: the saving curve of the policy that stops
a graphlet predicted not to push right after data validation, as the threshold rises (x: share
of graphlets stopped): compute saved (of all graphlet compute, and of the compute of graphlets
that pushed nothing) beside the false-skip rate (pushed models that would have been lost), with
95% bootstrap bands over pipelines. With six pushed graphlets among the shared stores the
predictor has almost nothing to learn from; the numbers say so, they are not a finding.
"""

INPUTS = ["coding/change_types.yaml", "traces/pipelines/graphlets.csv", "mliter/traces/pipelines/predictor.py"]
OUTPUTS = ["figures/pipeline_pruning.pdf", "figures/pipeline_pruning.png", "figures/pipeline_pruning.csv",
           "figures/pipeline_pruning.md", "figures/pipeline_pruning.tex", "figures/variables/pipeline_pruning.json"]

import matplotlib.pyplot as plt  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.pipelines.predictor import cross_validated, roc, saving_curve  # noqa: E402
from mliter.traces.pipelines.schema import GRAPHLETS  # noqa: E402

COLUMNS = ["threshold", "n_graphlets", "n_pushed", "n_pipelines", "skipped_share", "saved_share", "saved_share_low",
           "saved_share_high", "saved_of_waste", "saved_of_waste_low", "saved_of_waste_high", "saved_share_executions",
           "false_skip_rate", "false_skip_rate_low", "false_skip_rate_high"]


def main() -> None:
    apply_style()
    scored = cross_validated(read(GRAPHLETS))
    points, auc = roc(scored)
    curve = saving_curve(scored)
    write_table(curve[COLUMNS], "pipeline_pruning", "Early pruning simulated on the mined graphlets: per threshold "
                "on the out-of-fold push probability, share of graphlets stopped after data validation, compute "
                "saved (of all graphlet compute, and of the compute of graphlets that pushed nothing) and the "
                "false-skip rate, with 95% bootstrap intervals over pipelines.")
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.8, 2.9))
    n, k = int(scored["p_push"].notna().sum()), int(scored["pushed"].astype(bool).sum())
    if len(points):
        left.plot(points["fpr"], points["tpr"], color="#0072B2", drawstyle="steps-post")
    left.plot([0, 1], [0, 1], color="#999999", linewidth=0.5)
    left.set_xlabel("false positive rate")
    left.set_ylabel("true positive rate")
    left.set_title(f"AUC {auc:.2f} (n={n}, {k} pushed)", fontsize=8)
    x = curve["skipped_share"].to_numpy(dtype=float)
    for key, colour, label in (("saved_share", "#0072B2", "compute saved"),
                               ("saved_of_waste", "#009E73", "waste saved"),
                               ("false_skip_rate", "#D55E00", "pushed models lost")):
        right.fill_between(x, curve[f"{key}_low"].to_numpy(dtype=float), curve[f"{key}_high"].to_numpy(dtype=float),
                           color=colour, alpha=0.15, linewidth=0)
        right.plot(x, curve[key].to_numpy(dtype=float), "-", color=colour, label=label)
    right.set_xlim(0, 1)
    right.set_ylim(0, 1.02)
    right.set_xlabel("share of graphlets stopped after validation")
    right.set_ylabel("share (95% bootstrap band)")
    right.legend(frameon=False, fontsize=7)
    savefig(fig, "pipeline_pruning")
    zero_loss = curve[curve["false_skip_rate"].fillna(1.0) == 0]
    write_fragment("pipeline_pruning", {
        "pruningAuc": auc,
        "nPruningGraphlets": n,
        "nPruningPushed": k,
        "nPruningPipelines": int(curve["n_pipelines"].iloc[0]) if len(curve) else 0,
        "pruningSavedAtNoLoss": float(zero_loss["saved_share"].max()) if len(zero_loss) else float("nan"),
        "pruningSavedOfWasteAtNoLoss": float(zero_loss["saved_of_waste"].max()) if len(zero_loss) else float("nan"),
    })


if __name__ == "__main__":
    main()
