"""Figure and table: which workflow stages each kind of notebook change touched.

For every notebook version after the first, the code cells it added, removed or changed
carry stage labels from the foundation's rule table (coding/stage_rules.csv, the same
labels as traces/stages.csv). The heat map gives, per change type, the share of its
versions whose changed cells include each stage (a version can touch several), and a last
row for all changes together.
"""

INPUTS = ["traces/versions.csv", "coding/change_types.yaml", "figures/variables/trace_validity.json"]
OUTPUTS = ["figures/change_stages.pdf", "figures/change_stages.png",
           "figures/change_stages.csv", "figures/change_stages.md", "figures/change_stages.tex",
           "figures/variables/change_stages.json"]
CAPTIONS = {
    'change_stages': (
        'Share of notebook versions of each change type whose added, removed or changed code cells include '
        'each stage (rows need not sum to one); n = versions of that type. Both the change types and the '
        'stage labels are rule-derived and these shares are not corrected for misclassification (accuracy on '
        'the latest scored held-out sample of fresh repositories, round {traceChangeRoundLatest}: change types {traceChangeAccuracyLatest:.1%} of '
        '{traceChangeNLatest} pairs, primary stages {traceStageAccuracyLatest:.1%} of {traceStageNLatest} '
        'cells): no item is hand-labelled for both, so '
        'there is no joint error estimate to correct with (docs/trace-validity.md).'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.iterations import STAGE_ORDER, stages_by_change  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import read_fragment, write_fragment  # noqa: E402
from mliter.traces.versions.schema import VERSIONS  # noqa: E402


def main() -> None:
    apply_style()
    table = stages_by_change(read(VERSIONS))
    validity = read_fragment("trace_validity")
    error = {k: validity[k] for k in ("traceChangeAccuracyLatest", "traceChangeNLatest", "traceChangeRoundLatest",
                                      "traceStageAccuracyLatest", "traceStageNLatest")}
    write_table(table, "change_stages", caption(CAPTIONS, "change_stages", error))
    shown = table[table["n"] > 0]
    data = shown[STAGE_ORDER].to_numpy(float)
    fig, ax = plt.subplots(figsize=(6.0, 0.35 * len(shown) + 1.0))
    im = ax.imshow(data, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(np.arange(len(STAGE_ORDER)), STAGE_ORDER)
    ax.set_yticks(np.arange(len(shown)), [f"{c} (n={n})" for c, n in zip(shown["code"], shown["n"])])
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 else "black")
    ax.spines[:].set_visible(False)
    fig.colorbar(im, ax=ax, fraction=0.04, label="share of versions")
    ax.set_title(f"rule-derived, not misclassification-corrected (held-out accuracy: change types "
                 f"{error['traceChangeAccuracyLatest']:.0%}, stages {error['traceStageAccuracyLatest']:.0%})",
                 fontsize=7, loc="left")
    savefig(fig, "change_stages")

    every = table[table["code"] == "all"].iloc[0]
    values = {"nNotebookChanges": int(every["n"])}
    for stage in STAGE_ORDER:
        key = stage.capitalize() if stage.islower() else stage
        values[f"changesTouching{key}"] = float(every[stage])
    write_fragment("change_stages", values)


if __name__ == "__main__":
    main()
