"""MLflow readers: every shared store, never modified, and tracking servers giving the file and SQL readers' tables."""

from __future__ import annotations

import hashlib

import pytest

from pipeline_fixtures import MLFLOW_BACKEND_DB, MLFLOW_DB, MLFLOW_FS, MLFLOW_TAR

pytest.importorskip("mlflow")

from mliter.traces.pipelines.mine import mine_store  # noqa: E402
from mliter.traces.pipelines.mlflow_store import MlflowReader, _run_of_source  # noqa: E402
from mliter.traces.pipelines.write import render  # noqa: E402


def _tree_digest(path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")) if path.is_dir() else [path]:
        h.update(str(p.relative_to(path.parent)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("store, runs, experiments, graphlets, pushed", [
    (MLFLOW_DB, 17, 3, 17, 1),
    (MLFLOW_BACKEND_DB, 1, 2, 1, 1),
    (MLFLOW_FS, 20, 20, 20, 0),
    (MLFLOW_TAR, 2198, 4, 2054, 0),  # 144 child runs belong to their parent's graphlet
])
def test_every_shared_mlflow_store(shared, mined_shared, store, runs, experiments, graphlets, pushed):
    path = shared / store
    name = path.parent.name if path.name == "mlruns" else path.name.removesuffix(".tar.gz")
    row = mined_shared[name].row
    assert row["status"] == "ok", row["error"]
    assert row["kind"] == "mlflow"
    assert (row["n_executions"], row["n_graphlets"], row["n_pushed"]) == (runs, graphlets, pushed)
    assert len({p.pipeline["pipeline"] for p in mined_shared[name].pipelines}) <= experiments
    assert row["has_durations"] is True


def test_registered_version_stage_and_aliases(mined_shared):
    result = mined_shared["1412010__nda-mlops-zoomcamp-2024__week-02__mlflow.db"]
    pushed = [g for p in result.pipelines for g in p.graphlets if g["pushed"]]
    assert [(g["trainer_id"], g["push_kind"]) for g in pushed] == [("92025337761b47258bb509b166789a29", "alias")]
    versions = [a for p in result.pipelines for a in p.artifacts]
    assert [(a["artifact_id"], a["producer_execution_id"]) for a in versions] == \
        [("nyc-taxi-model/1", "92025337761b47258bb509b166789a29")]
    # the other store's version has an empty run_id: the run comes from its source URI
    backend = mined_shared["1412010__nda-mlops-zoomcamp-2024__week-02__backend.db"]
    assert [g["push_kind"] for p in backend.pipelines for g in p.graphlets] == ["version"]


def test_run_of_source():
    rid = "d5c99529b7214afb82191601d37db10d"
    assert _run_of_source(f"run:/{rid}/models") == rid
    assert _run_of_source(f"runs:/{rid}/model") == rid
    assert _run_of_source(f"file:///x/mlruns/1/{rid}/artifacts/model") == rid
    assert _run_of_source("models:/x/1") == ""


def test_stores_are_never_modified(shared):
    for store in (MLFLOW_DB, MLFLOW_FS):
        path = shared / store
        before = _tree_digest(path)
        list(MlflowReader(str(path), "x").pipelines())
        assert _tree_digest(path) == before


def test_old_sql_schema_is_read_from_an_upgraded_copy(shared):
    r = MlflowReader(str(shared / MLFLOW_DB), "zoomcamp")
    assert r.schema_version == "5b0e9adcef9c"  # the store's own revision, reported as found
    copy = r._tmp.name
    provs = list(r.pipelines())
    assert sum(len(p.executions) for p in provs) == 17
    import os
    assert not os.path.exists(copy)  # the temporary copy is gone after reading


def test_tracking_servers_give_the_same_tables(mlflow_servers):
    for kind, copy in (("file", mlflow_servers["file_copy"]), ("sql", mlflow_servers["sql_copy"])):
        direct = mine_store(str(copy), "store")
        served = mine_store(mlflow_servers[kind], "store")
        assert served.row["n_graphlets"] == direct.row["n_graphlets"] > 0
        a, b = render([direct]), render([served])
        for path in a:
            if path.endswith("stores.csv"):
                continue  # uri and schema_version say how each was read
            assert a[path] == b[path], (kind, path)
        if kind == "sql":
            assert served.row["n_pushed"] == 1
