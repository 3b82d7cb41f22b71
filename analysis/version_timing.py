"""Figure and table: versions per workflow and the time between consecutive versions.

For each notebook workflow: how many versions it has, how many of them change something
(every readable version after the first), the time it spans and the gaps between
consecutive readable versions. The shared series keep at most ten evenly spaced versions of
each history, so gaps are between kept versions, not between all commits.
"""

INPUTS = ["traces/versions.csv", "coding/change_types.yaml"]
OUTPUTS = ["figures/version_timing.pdf", "figures/version_timing.png",
           "figures/version_timing.csv", "figures/version_timing.md", "figures/version_timing.tex",
           "figures/variables/version_timing.json"]
CAPTIONS = {
    'version_timing': (
        'Versions per notebook workflow, changes (readable versions after the first), span in days and gaps '
        'between consecutive readable versions in hours.'
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.iterations import per_workflow  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.versions.schema import VERSIONS  # noqa: E402


def main() -> None:
    apply_style()
    versions = read(VERSIONS)
    table = per_workflow(versions)
    write_table(table, "version_timing",
                caption(CAPTIONS, "version_timing", {}))
    gaps_h = versions.loc[versions["status"] == "ok", "minutes_since_previous"].dropna().astype(float) / 60

    fig, (left, right) = plt.subplots(1, 2, figsize=(6.4, 2.8))
    counts = table["versions"].value_counts().sort_index()
    left.bar(counts.index, counts.to_numpy(), color="#0072B2", edgecolor="black", linewidth=0.4)
    left.set_xlabel("versions per workflow")
    left.set_ylabel("workflows")
    left.set_xticks(counts.index)
    positive = np.sort(np.clip(gaps_h.to_numpy(), 1 / 60, None))
    right.step(positive, np.arange(1, len(positive) + 1) / len(positive), where="post", color="#E69F00")
    right.set_xscale("log")
    for h, label in ((1, "1 h"), (24, "1 day"), (24 * 7, "1 week"), (24 * 30, "1 month")):
        right.axvline(h, color="#999999", linewidth=0.5, linestyle=":")
        right.text(h * 1.15, 0.98, label, fontsize=7, rotation=90, va="top", ha="left", color="#666666")
    right.set_xlabel("hours since previous version")
    right.set_ylabel("share of changes (ECDF)")
    savefig(fig, "version_timing")

    write_fragment("version_timing", {
        "nVersionWorkflows": len(table),
        "medianVersionsPerWorkflow": float(table["versions"].median()),
        "nVersionGaps": int(len(gaps_h)),
        "medianVersionGapHours": float(gaps_h.median()),
        "shareVersionGapsUnderOneDay": float((gaps_h < 24).mean()),
        "shareVersionGapsOverOneMonth": float((gaps_h > 24 * 30).mean()),
    })


if __name__ == "__main__":
    main()
