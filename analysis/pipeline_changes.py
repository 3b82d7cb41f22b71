"""Figure and table: what changed between consecutive model graphlets of a pipeline.

Each graphlet is compared with the previous one of its pipeline on four parts (input data,
code or module, hyperparameters, schema; see docs/pipelines.md for what each compares) and
coded with the change-type codebook (coding/change_types.yaml) where its facets apply. A part
is compared only when both graphlets record it, so n differs per part. The pushed share beside
each says whether graphlets that changed that part pushed more or less often.
"""

INPUTS = ["traces/pipelines/graphlets.csv", "coding/change_types.yaml", "mliter/report/pipelines.py"]
OUTPUTS = ["figures/pipeline_changes.pdf", "figures/pipeline_changes.png", "figures/pipeline_changes.csv",
           "figures/pipeline_changes.md", "figures/pipeline_changes.tex", "figures/pipeline_change_types.csv",
           "figures/pipeline_change_types.md", "figures/pipeline_change_types.tex",
           "figures/variables/pipeline_changes.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.pipelines import change_types, changes_summary  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.pipelines.schema import GRAPHLETS  # noqa: E402


def main() -> None:
    apply_style()
    graphlets = read(GRAPHLETS)
    table = changes_summary(graphlets)
    write_table(table, "pipeline_changes", "What changed between consecutive graphlets of a pipeline: graphlets "
                "compared (both record the part), changed, share with 95% Wilson interval, and the pushed share "
                "of graphlets that changed the part and that did not.")
    codes = change_types(graphlets)
    write_table(codes, "pipeline_change_types", "Graphlets by change type against the previous graphlet "
                "(coding/change_types.yaml: S first, H hyperparameters, D data, O code or module, N none of these).")
    fig, ax = plt.subplots(figsize=(5.0, 2.6))
    y = np.arange(len(table))
    share = table["changed_share"].to_numpy(dtype=float)
    err = np.nan_to_num([share - table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float) - share])
    ax.errorbar(np.nan_to_num(share), y, xerr=err, fmt="o", color="#0072B2", capsize=3)
    for i, r in table.reset_index(drop=True).iterrows():
        ax.text(1.02, i, f"{r.n_changed}/{r.n_compared}", va="center", fontsize=7, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, table["part"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of consecutive graphlets that changed it")
    savefig(fig, "pipeline_changes")
    t = table.set_index("part")
    write_fragment("pipeline_changes", {
        "nGraphletPairsHparams": int(t.loc["hparams", "n_compared"]),
        "hparamsChangedShare": float(t.loc["hparams", "changed_share"]),
        "nGraphletPairsCode": int(t.loc["code", "n_compared"]),
        "codeChangedShare": float(t.loc["code", "changed_share"]),
        "nGraphletPairsData": int(t.loc["data", "n_compared"]),
    })


if __name__ == "__main__":
    main()
