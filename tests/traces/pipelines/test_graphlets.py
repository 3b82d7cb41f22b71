"""Graphlet cutting and comparison on hand-made records (ML Metadata and MLflow shapes)."""

from __future__ import annotations

from mliter.traces.pipelines.graphlets import change_type, changes_between, cut
from mliter.traces.pipelines.metrics import pipeline_rows
from mliter.traces.pipelines.model import Artifact, Event, Execution, Provenance, component_of

TFX = "tfx.components.{0}.component.{1}"


def _ex(i, comp, t, state="COMPLETE", config=(), dur=10, pipeline="p"):
    mod = {"ExampleGen": "example_gen.csv_example_gen", "Trainer": "trainer", "Evaluator": "evaluator",
           "Pusher": "pusher", "StatisticsGen": "statistics_gen", "Transform": "transform",
           "ExampleValidator": "example_validator", "Resolver": "resolver"}[comp]
    name = "CsvExampleGen" if comp == "ExampleGen" else comp
    return Execution(str(i), TFX.format(mod, name), component_of(name), state, pipeline, t * 1000,
                     t * 1000 + dur * 1000, config=tuple(config))


def _pipeline():
    """gen1 -> stats1 -> train A -> eval -> push; failed transform; gen2 -> train B (no push); resolver."""
    ex = [_ex(1, "ExampleGen", 0), _ex(2, "StatisticsGen", 20), _ex(3, "Trainer", 40, config=[("module_path", "m1")]),
          _ex(4, "Evaluator", 60), _ex(5, "Pusher", 80), _ex(6, "Transform", 100, state="RUNNING", dur=0),
          _ex(7, "ExampleGen", 120), _ex(8, "Trainer", 140, config=[("module_path", "m2")]),
          _ex(9, "Resolver", 150, dur=0), _ex(10, "Evaluator", 160)]
    arts = [Artifact("a1", "Examples", "LIVE", properties=(("span", "1"),)), Artifact("a2", "ExampleStatistics", "LIVE"),
            Artifact("m1", "Model", "LIVE"), Artifact("b1", "ModelBlessing", "LIVE"),
            Artifact("p1", "PushedModel", "LIVE", properties=(("pushed", "1"),)),
            Artifact("a7", "Examples", "LIVE", properties=(("span", "2"),)), Artifact("m2", "Model", "LIVE"),
            Artifact("b2", "ModelBlessing", "LIVE")]
    ev = [Event("1", "a1", "output"), Event("2", "a1", "input"), Event("2", "a2", "output"), Event("3", "a1", "input"),
          Event("3", "m1", "output"), Event("4", "m1", "input"), Event("4", "b1", "output"), Event("5", "m1", "input"),
          Event("5", "b1", "input"), Event("5", "p1", "output"), Event("7", "a7", "output"), Event("8", "a7", "input"),
          Event("8", "m2", "output"), Event("10", "m2", "input"), Event("10", "b2", "output")]
    return Provenance("s", "mlmd", "s", "10", ex, arts, ev)


def test_mlmd_graphlets():
    prov = _pipeline()
    _, (a, b) = cut(prov)
    assert (a.trainer, a.upstream, a.downstream, a.pushed) == ("3", ("1", "2"), ("4", "5"), True)
    # the failed Transform ran since training A and feeds nothing: upstream of the next training;
    # the Resolver has no lineage: it joins the latest training before it
    assert (b.trainer, b.upstream, b.downstream, b.pushed) == ("8", ("6", "7"), ("9", "10"), False)
    ch = changes_between(a, b)
    assert ch == {"data": True, "code": True, "hparams": None, "schema": None}
    assert change_type(None, changes_between(None, a)) == "S"
    assert change_type(a, ch) == "D"  # data before code in the codebook's precedence
    rows = pipeline_rows(prov, [a, b])
    g2 = rows.graphlets[1]
    assert g2["n_incomplete_upstream"] == 1 and g2["previous_pushed"] is True
    assert g2["compute_s"] == 30.0 and g2["compute_prunable_s"] == 20.0  # ExampleGen is kept, the rest is pruned
    assert rows.pipeline["compute_unpushed_s"] == 30.0 and rows.pipeline["n_graphlets"] == 2
    parts = {r["execution_id"]: (r["graphlet_index"], r["graphlet_part"]) for r in rows.executions}
    assert parts["6"] == (2, "upstream") and parts["9"] == (2, "downstream") and parts["5"] == (1, "downstream")


def test_pushed_model_marked_not_pushed_does_not_count():
    prov = _pipeline()
    prov.artifacts[4] = Artifact("p1", "PushedModel", "LIVE", properties=(("pushed", "0"),))
    _, (a, _) = cut(prov)
    assert a.pushed is False


def _run(rid, t, parent=None, params=(), state="FINISHED"):
    return Execution(rid, "mlflow.run", "run", state, "0", t, t + 5000, parent=parent,
                     config=tuple(("param:" + k, v) for k, v in params))


def test_mlflow_runs_parent_and_children_form_one_graphlet():
    runs = [_run("r1", 0, params=[("lr", "1")]), _run("c1", 10, parent="r1", params=[("lr", "2")]),
            _run("c2", 20, parent="r1"), _run("gc", 25, parent="c2"), _run("r2", 30, params=[("lr", "1")]),
            _run("r3", 40, params=[("lr", "3")])]
    mv = [Artifact("m/1", "ModelVersion", "READY", properties=(("stage", "Production"),)),
          Artifact("m/2", "ModelVersion", "READY", properties=(("aliases", "champion"), ("stage", "None")))]
    prov = Provenance("s", "mlflow", "s", "file", runs, mv, [Event("c1", "m/1", "output"), Event("r3", "m/2", "output")])
    _, gls = cut(prov)
    assert [(g.trainer, set(g.downstream), g.push_kind) for g in gls] == \
        [("r1", {"c1", "c2", "gc"}, "stage"), ("r2", set(), ""), ("r3", set(), "alias")]
    assert changes_between(gls[1], gls[2])["hparams"] is True
    assert change_type(gls[1], changes_between(gls[1], gls[2])) == "H"
