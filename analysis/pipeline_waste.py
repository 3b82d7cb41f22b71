"""Figure and table: where compute goes, per component type, in graphlets that pushed and that did not.

Compute is recorded wall time (ML Metadata create to last update; MLflow run start to end) in
traces/pipelines/executions.csv; executions outside any graphlet (pipelines that never
trained) are shown apart. The wasted share of a component is its compute in graphlets that
pushed nothing over its compute in all graphlets. Every store mined records durations; the
execution counts are in the table too, for stores that do not.
"""

INPUTS = ["coding/change_types.yaml", "traces/pipelines/executions.csv", "traces/pipelines/graphlets.csv", "mliter/report/pipelines.py"]
OUTPUTS = ["figures/pipeline_waste.pdf", "figures/pipeline_waste.png", "figures/pipeline_waste.csv",
           "figures/pipeline_waste.md", "figures/pipeline_waste.tex", "figures/variables/pipeline_waste.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.pipelines import waste_by_component  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.pipelines.schema import EXECUTIONS, GRAPHLETS  # noqa: E402


def main() -> None:
    apply_style()
    executions, graphlets = read(EXECUTIONS), read(GRAPHLETS)
    table = waste_by_component(executions, graphlets)
    write_table(table, "pipeline_waste", "Executions and recorded compute (seconds) per component, in graphlets "
                "that pushed a model, in graphlets that did not, and outside any graphlet; wasted share = compute "
                "in graphlets that pushed nothing over compute in all graphlets.")
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for o, colour, label in (("pushed", "#009E73", "pushed"), ("not_pushed", "#D55E00", "pushed nothing"),
                             ("outside", "#999999", "no graphlet")):
        v = table[f"compute_{o}_s"].to_numpy(dtype=float) / 3600
        ax.barh(y, v, left=left, color=colour, label=label)
        left += v
    for i, r in table.reset_index(drop=True).iterrows():
        ax.text(left[i], i, f" n={r.n_executions}", va="center", fontsize=6)
    ax.set_yticks(y, table["component"], fontsize=7)
    ax.set_xlabel("recorded compute (hours)")
    ax.legend(frameon=False, fontsize=7)
    savefig(fig, "pipeline_waste")
    g = graphlets
    total = float(g["compute_s"].astype(float).sum())
    wasted = float(g.loc[~g["pushed"].astype(bool), "compute_s"].astype(float).sum())
    write_fragment("pipeline_waste", {
        "pipelineComputeHours": total / 3600,
        "pipelineWastedShare": wasted / total if total else float("nan"),
        "nPipelineExecutions": int(len(executions)),
        "nPipelineExecutionsOutside": int(executions["graphlet_index"].isna().sum()),
    })


if __name__ == "__main__":
    main()
