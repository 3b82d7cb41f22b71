"""Table: the SIGMOD 2021 study's headline numbers beside ours, with what limits the comparison.

The study (Xin, Miao, Parameswaran, Polyzotis; doi:10.1145/3448016.3457566) mined the ML
Metadata of production TFX pipelines inside one company; its numbers here are the ones its
abstract states. Ours come from the public stores in ../shared/data/provenance, mined by
`mliter mine pipelines` (traces/pipelines/*.csv), and the pruning simulation of
analysis/pipeline_pruning.py at the threshold that loses no pushed model.
"""

INPUTS = ["coding/change_types.yaml", "traces/pipelines/stores.csv", "traces/pipelines/pipelines.csv",
          "traces/pipelines/graphlets.csv", "mliter/report/pipelines.py", "mliter/traces/pipelines/predictor.py"]
OUTPUTS = ["figures/pipeline_paper.csv", "figures/pipeline_paper.md", "figures/pipeline_paper.tex"]

import pandas as pd  # noqa: E402

from mliter.report.load import read  # noqa: E402
from mliter.report.pipelines import PAPER  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.traces.pipelines.predictor import cross_validated, saving_curve  # noqa: E402
from mliter.traces.pipelines.schema import GRAPHLETS, PIPELINE_STORES, PIPELINES  # noqa: E402


def main() -> None:
    stores, pipelines, graphlets = read(PIPELINE_STORES), read(PIPELINES), read(GRAPHLETS)
    ok = stores[stores["status"] == "ok"]
    kinds = ok.set_index("store")["kind"]
    mlmd = pipelines[pipelines["store"].map(kinds) == "mlmd"]
    g_mlmd = graphlets[graphlets["store"].map(kinds) == "mlmd"]
    times = pd.to_datetime(pd.concat([pipelines["first_time"], pipelines["last_time"]]).dropna())
    curve = saving_curve(cross_validated(graphlets))
    safe = curve[curve["false_skip_rate"].fillna(1.0) == 0]
    best = safe.loc[safe["saved_of_waste"].fillna(-1).idxmax()] if len(safe) else None
    pushed = graphlets["pushed"].astype(bool)
    rows = [
        {"measure": "pipelines", "paper": PAPER["pipelines"],
         "ours": f"{len(pipelines)} in {len(ok)} stores ({len(mlmd)} ML Metadata contexts, "
                 f"{int((mlmd['n_graphlets'] > 0).sum())} of them trained)",
         "limits": "one public TFX project (interactive runs: each notebook session is its own pipeline context) "
                   "and four MLflow stores, whose experiments stand in for pipelines"},
        {"measure": "models trained (graphlets)", "paper": PAPER["models_trained"],
         "ours": f"{len(graphlets)} ({len(g_mlmd)} ML Metadata, {len(graphlets) - len(g_mlmd)} MLflow top-level runs)",
         "limits": "an MLflow run is a training by definition (docs/pipelines.md); the ML Metadata store holds 5"},
        {"measure": "period", "paper": PAPER["period"],
         "ours": f"{times.min():%Y-%m-%d} to {times.max():%Y-%m-%d} across stores" if len(times) else "",
         "limits": "stores of unrelated projects, each spanning days to weeks"},
        {"measure": "graphlets that pushed a model", "paper": "not stated in the abstract",
         "ours": f"{int(pushed.sum())} of {len(graphlets)} ({pushed.mean():.1%}); ML Metadata "
                 f"{int(g_mlmd['pushed'].astype(bool).sum())} of {len(g_mlmd)}",
         "limits": "most MLflow stores have no model registry, so nothing can count as pushed there"},
        {"measure": "wasted computation removed by early pruning", "paper": PAPER["pruning_saving"],
         "ours": (f"{best['saved_of_waste']:.1%} of the waste (95% CI {best['saved_of_waste_low']:.1%} to "
                  f"{best['saved_of_waste_high']:.1%}) at a false-skip rate of 0" if best is not None
                  else "no threshold keeps every pushed model"),
         "limits": f"{int(pushed.sum())} pushed graphlets to learn from; grouped cross-validation over "
                   f"{int(curve['n_pipelines'].iloc[0]) if len(curve) else 0} pipelines"},
    ]
    write_table(pd.DataFrame(rows), "pipeline_paper", "Headline numbers of Xin et al. (SIGMOD 2021, from its "
                "abstract) beside the same measures on the public stores mined here, and what limits the comparison.")


if __name__ == "__main__":
    main()
