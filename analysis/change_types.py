"""Figure and table: how often each change type occurs, per source, side by side.

Every version of every workflow is coded with one change type against the previous readable
version of the same workflow (coding/change_types.yaml, one classifier for every source).
Shares are over readable versions; `share_of_changes` leaves out the starting versions (S).
Notebook versions come from git histories (the 20 shared series keep at most ten evenly
spaced versions each, so one step can span several commits). OpenML runs come from
traces/openml_runs.csv (published 14-column schema, same classifier); runs whose change
type the records cannot tell (empty change_type) are left out and counted separately.
"""

INPUTS = ["traces/versions.csv", "traces/openml_runs.csv", "coding/change_types.yaml",
          "figures/variables/trace_validity.json"]
OUTPUTS = ["figures/change_types.pdf", "figures/change_types.png",
           "figures/change_types.csv", "figures/change_types.md", "figures/change_types.tex",
           "figures/variables/change_types.json"]
CAPTIONS = {
    "change_types": (
        "Change types per source: versions coded with each type and their share of readable versions "
        "(share_of_changes leaves out starting versions, S); {nOpenMLRunsUndetermined} OpenML runs whose records "
        "cannot tell their change type are left out. The shares are as the rules classify, not corrected for "
        "misclassification: on the round-{traceChangeRoundLatest} held-out notebook pairs of fresh repositories (the latest scored) the rules agree with the hand labels "
        "{traceChangeAccuracyLatest:.1%} of the time (n = {traceChangeNLatest}, kappa "
        "{traceChangeKappaLatest:.2f}); corrected notebook shares are in change_type_shares_corrected. OpenML "
        "change types have no hand labels, so they are neither checked nor corrected (docs/trace-validity.md)."
    ),
}

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.iterations import change_distribution, code_names  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.traces.openml.schema import OPENML_RUNS  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import read_fragment, write_fragment  # noqa: E402
from mliter.traces.versions.schema import VERSIONS  # noqa: E402

#: Version sources as shown in the figure.
SOURCE_LABELS = {"git": "notebooks (git)", "folder": "notebooks (git)", "kaggle": "notebooks (Kaggle)",
                 "kaggle-api": "notebooks (Kaggle)"}
COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]


def main() -> None:
    apply_style()
    versions = read(VERSIONS)
    ok = versions[versions["status"] == "ok"]
    by_source = {label: ok.loc[ok["source"].map(SOURCE_LABELS).fillna(ok["source"]) == label, "change_type"]
                 for label in sorted(set(ok["source"].map(SOURCE_LABELS).fillna(ok["source"])))}
    runs = read(OPENML_RUNS)
    by_source["OpenML runs"] = runs["change_type"]
    n_undetermined = int(runs["change_type"].isna().sum())
    kinds = {label: "openml" if label == "OpenML runs" else "notebook" for label in by_source}
    table = change_distribution(by_source, kinds)
    sources = list(by_source)
    validity = read_fragment("trace_validity")
    error = {k: validity[k]
             for k in ("traceChangeAccuracyLatest", "traceChangeNLatest", "traceChangeKappaLatest",
                       "traceChangeRoundLatest")}
    write_table(table, "change_types", caption(CAPTIONS, "change_types",
                                               {"nOpenMLRunsUndetermined": n_undetermined, **error}))

    names = code_names()
    codes = list(names)
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    width = 0.8 / len(sources)
    y = np.arange(len(codes))
    for i, source in enumerate(sources):
        raw = table[table["source"] == source].set_index("code").loc[codes, "share"]
        n = int(table[table["source"] == source]["n"].sum())
        pos = y + (i - (len(sources) - 1) / 2) * width
        ax.barh(pos, raw.fillna(0).to_numpy(), height=width, color=COLORS[i % len(COLORS)],
                edgecolor="black", linewidth=0.4, label=f"{source} (n={n})")
        for p, missing in zip(pos, raw.isna()):
            if missing:
                ax.text(0.002, p, "n/a", va="center", fontsize=6, color="#666666")
    ax.set_yticks(y, [f"{c}  {names[c]}" for c in codes])
    ax.invert_yaxis()
    ax.set_xlabel("share of versions")
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(f"rule-derived, not misclassification-corrected (notebooks: held-out accuracy "
                 f"{error['traceChangeAccuracyLatest']:.0%}; OpenML: no hand labels)", fontsize=7, loc="left")
    savefig(fig, "change_types")

    values: dict[str, object] = {}
    for source in sources:
        key = "".join(w.capitalize() for w in source.replace("(", " ").replace(")", " ").split())
        sub = table[table["source"] == source].set_index("code")
        values[f"nVersions{key}"] = int(sub["n"].sum())
        for code in codes:
            if sub.loc[code, "share"] == sub.loc[code, "share"]:  # not NaN: the code applies to the source
                values[f"changeShare{key}{code}"] = float(sub.loc[code, "share"])
    values["nOpenMLRunsUndetermined"] = n_undetermined
    write_fragment("change_types", values)


if __name__ == "__main__":
    main()
