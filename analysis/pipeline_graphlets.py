"""Figure and table: model graphlets per pipeline and the share that pushed a model, per store.

A graphlet is one model training with the executions that fed it since the previous training
and the evaluation, validation and push that followed it (traces/pipelines/graphlets.csv, cut
as in docs/pipelines.md). Left: graphlets per pipeline (ML Metadata pipeline contexts; MLflow
experiments). Right: share of graphlets that pushed, per store, with 95% Wilson intervals.
The shared stores are five small public projects, not production fleets: n is on every bar.
"""

INPUTS = ["coding/change_types.yaml", "traces/pipelines/stores.csv", "traces/pipelines/pipelines.csv",
          "traces/pipelines/graphlets.csv", "mliter/report/pipelines.py"]
OUTPUTS = ["figures/pipeline_graphlets.pdf", "figures/pipeline_graphlets.png", "figures/pipeline_graphlets.csv",
           "figures/pipeline_graphlets.md", "figures/pipeline_graphlets.tex", "figures/pipeline_pushed.csv",
           "figures/pipeline_pushed.md", "figures/pipeline_pushed.tex", "figures/variables/pipeline_graphlets.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.pipelines import graphlets_per_pipeline, stores_summary, with_kind  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.pipelines.schema import GRAPHLETS, PIPELINE_STORES, PIPELINES  # noqa: E402


def _label(store: str) -> str:
    """A short label: the project and the store file of `owner__project__file` names."""
    parts = store.split("__")
    return "/".join(p[:18] for p in parts[1:]) if len(parts) > 1 else store[:30]


def main() -> None:
    apply_style()
    stores, pipelines, graphlets = read(PIPELINE_STORES), read(PIPELINES), read(GRAPHLETS)
    pipelines = with_kind(pipelines, stores)
    per = graphlets_per_pipeline(pipelines)
    write_table(per, "pipeline_graphlets", "Model graphlets per pipeline by store kind (ML Metadata pipeline "
                "contexts, MLflow experiments): pipelines, mean with 95% bootstrap interval, median and maximum.")
    pushed = stores_summary(stores[stores["status"] == "ok"], graphlets)
    write_table(pushed, "pipeline_pushed", "Share of model graphlets that pushed a model, per mined store, with "
                "95% Wilson intervals.")

    fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.0), gridspec_kw={"width_ratios": [1, 1.2]})
    for row, (kind, colour) in enumerate((("mlmd", "#0072B2"), ("mlflow", "#E69F00"))):
        v = np.sort(pipelines.loc[pipelines["kind"] == kind, "n_graphlets"].astype(int).to_numpy())
        jitter = (np.arange(v.size) % 7 - 3) * 0.05
        left.scatter(v, row + jitter, s=9, color=colour, alpha=0.8)
        left.text(1.0, row, f" n={v.size}", transform=left.get_yaxis_transform(), va="center", fontsize=7)
    left.set_xscale("symlog", linthresh=1)
    left.set_yticks([0, 1], ["ML Metadata\npipelines", "MLflow\nexperiments"])
    left.set_ylim(-0.6, 1.6)
    left.set_xlabel("graphlets per pipeline")
    y = np.arange(len(pushed))
    share = pushed["pushed_share"].to_numpy(dtype=float)
    err = [share - pushed["pushed_ci_low"].to_numpy(dtype=float), pushed["pushed_ci_high"].to_numpy(dtype=float) - share]
    right.errorbar(share, y, xerr=err, fmt="o", color="#0072B2", capsize=3)
    right.set_yticks(y, [_label(s) for s in pushed["store"]], fontsize=6)
    for i, r in pushed.reset_index(drop=True).iterrows():
        right.text(1.02, i, f"{r.n_pushed}/{r.n_graphlets}", va="center", fontsize=6, transform=right.get_yaxis_transform())
    right.set_xlim(0, 1)
    right.set_xlabel("share of graphlets that pushed")
    fig.tight_layout()
    savefig(fig, "pipeline_graphlets")

    write_fragment("pipeline_graphlets", {
        "nPipelineStores": int((stores["status"] == "ok").sum()),
        "nPipelines": int(len(pipelines)),
        "nGraphlets": int(len(graphlets)),
        "nGraphletsPushed": int(graphlets["pushed"].astype(bool).sum()),
        "nMlmdGraphlets": int(graphlets["store"].isin(stores.loc[stores["kind"] == "mlmd", "store"]).sum()),
        "nMlmdPipelinesWithGraphlets": int(((pipelines["kind"] == "mlmd") & (pipelines["n_graphlets"] > 0)).sum()),
    })


if __name__ == "__main__":
    main()
