"""Figure and table: which model families reach which AUC (OpenML study exports).

From the study exports (traces/openml_family_evaluations.csv: per dataset and family, the
best score of the family's flows). Left: the distribution over datasets of each family's
best AUC in study 34 (box: quartiles, whiskers 1.5 IQR). Right: the share of datasets on
which the family reaches the best AUC of all families, with 95% Wilson intervals (ties
count for every tied family). The table adds accuracy for studies 1, 14 and 34. A family
with more flows tried per dataset has more chances to be best (see n_flows_max), so the
shares compare what was run, not families in the abstract.
"""

INPUTS = ["traces/openml_family_evaluations.csv", "coding/change_types.yaml", "mliter/report/openml.py"]
OUTPUTS = ["figures/openml_operator_auc.pdf", "figures/openml_operator_auc.png",
           "figures/openml_operator_auc.csv", "figures/openml_operator_auc.md", "figures/openml_operator_auc.tex",
           "figures/variables/openml_operator_auc.json"]
CAPTIONS = {
    'openml_operator_auc': (
        'Model families in the OpenML study exports: datasets, flows tried per dataset (max), median of the '
        "family's best score per dataset, mean gap to the best family, and the share of datasets where the "
        'family is best with a 95% Wilson interval.'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.openml import family_summary  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.openml.schema import FAMILY_SCORES  # noqa: E402

STUDY, MEASURE = 34, "area_under_roc_curve"


def main() -> None:
    apply_style()
    fam = read(FAMILY_SCORES)
    summary = family_summary(fam)
    write_table(summary, "openml_operator_auc",
                caption(CAPTIONS, "openml_operator_auc", {}))
    auc = summary[(summary.study_id == STUDY) & (summary.measure == MEASURE)].reset_index(drop=True)
    order = list(auc["family"])
    sel = fam[(fam.study_id == STUDY) & (fam.measure == MEASURE)]
    data = [sel.loc[sel.family == f, "best_score"].dropna().astype(float).to_numpy() for f in order]

    fig, (left, right) = plt.subplots(1, 2, figsize=(6.8, 3.2), sharey=True)
    y = np.arange(len(order))
    left.boxplot(data, positions=y, orientation="horizontal", widths=0.6, showfliers=False,
                 medianprops={"color": "#0072B2"})
    left.set_yticks(y, order)
    left.invert_yaxis()
    left.set_xlabel(f"best AUC per dataset (study {STUDY})")
    share = auc["share_best"].to_numpy()
    err = np.vstack([share - auc["share_best_ci_low"].to_numpy(), auc["share_best_ci_high"].to_numpy() - share])
    right.barh(y, share, xerr=err, color="#E69F00", edgecolor="black", linewidth=0.4, capsize=2)
    right.set_xlabel("share of datasets where best")
    savefig(fig, "openml_operator_auc")

    top = auc.iloc[0]
    write_fragment("openml_operator_auc", {
        "nAucDatasets": int(sel["instance"].nunique()),
        "topAucFamily": str(top["family"]),
        "topAucFamilyMedianBest": float(top["median_best_score"]),
        "topAucFamilyShareBest": float(top["share_best"]),
        "topAucFamilyShareBestLow": float(top["share_best_ci_low"]),
        "topAucFamilyShareBestHigh": float(top["share_best_ci_high"]),
    })


if __name__ == "__main__":
    main()
