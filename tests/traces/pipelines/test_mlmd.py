"""ML Metadata reader: the shared TFX store, read-only opening, schema versions, and MariaDB equivalence."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest

from pipeline_fixtures import MLMD, load_into_mysql
from mliter.traces.pipelines.graphlets import cut
from mliter.traces.pipelines.mine import mine_store
from mliter.traces.pipelines.mlmd import MlmdReader
from mliter.traces.pipelines.model import StoreError
from mliter.traces.pipelines.synthetic import write_store
from mliter.traces.pipelines.write import render


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shared_tfx_store_counts_and_graphlets(shared):
    path = shared / MLMD
    before = _sha(path)
    reader = MlmdReader(str(path), "tfx")
    pipelines = list(reader.pipelines())
    assert reader.schema_version == 10
    assert len(pipelines) == 13  # 13 pipeline contexts, every execution in one of them
    assert sum(len(p.executions) for p in pipelines) == 113
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    touched = conn.execute("select count(distinct artifact_id) from Event").fetchone()[0]
    conn.close()
    owned = set().union(*(p.owned_artifacts for p in pipelines))
    assert len(owned) == touched
    graphlets = [g for p in pipelines for g in cut(p)[1]]
    assert [g.trainer for g in graphlets] == ["77", "78", "89", "99", "108"]
    assert [g.pushed for g in graphlets] == [False, True, True, True, True]
    first, second = graphlets[0], graphlets[1]
    assert first.upstream == ("72", "73", "74", "75", "76") and first.downstream == ()
    # the second training of that pipeline reuses the same upstream: it is not counted twice
    assert second.upstream == () and set(second.downstream) == {"79", "80", "81", "82", "83"}
    assert second.signatures["code"] != first.signatures["code"]  # another user module wheel
    assert second.signatures["data"] == first.signatures["data"]
    assert _sha(path) == before  # never written


def test_unknown_schema_version_is_refused_by_name(tmp_path):
    store = write_store(tmp_path / "future.sqlite", 2, 2, schema_version=99).path
    with pytest.raises(StoreError) as err:
        MlmdReader(str(store), "future")
    assert "future" in str(err.value) and "schema version 99" in str(err.value)
    assert err.value.kind == "schema"


def test_store_without_training_names_the_store(tmp_path):
    store = write_store(tmp_path / "notrain.sqlite", 3, 2).path
    conn = sqlite3.connect(store)
    conn.execute("DELETE FROM Execution WHERE type_id = 4")  # no Trainer left
    conn.execute("DELETE FROM Event WHERE artifact_id IN (SELECT id FROM Artifact WHERE type_id = 9)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        mine_store(str(store), "notrain")
    assert err.value.kind == "no_training" and str(err.value).startswith("notrain:")


def test_reader_is_read_only_even_on_a_writable_file(tmp_path, shared):
    copy = tmp_path / "store.sqlite"
    shutil.copyfile(shared / MLMD, copy)
    before = _sha(copy)
    r = MlmdReader(str(copy), "copy")
    with r.engine.connect() as conn, pytest.raises(Exception, match="readonly"):
        conn.exec_driver_sql("UPDATE MLMDEnv SET schema_version = 11")
    list(r.pipelines())
    assert _sha(copy) == before


def test_mariadb_gives_the_same_tables_as_sqlite(shared, mariadb, tmp_path):
    url = load_into_mysql(shared / MLMD, mariadb, "tfx_metadata")
    from_sqlite = mine_store(str(shared / MLMD), "tfx")
    from_mysql = mine_store(url, "tfx")
    assert from_mysql.row["kind"] == "mlmd" and from_mysql.row["schema_version"] == "10"
    a, b = render([from_sqlite]), render([from_mysql])
    for path in a:
        if path.endswith("stores.csv"):  # the uri column says where each was read
            strip = lambda data: [line.split(",")[:2] + line.split(",")[3:] for line in data.decode().splitlines()]  # noqa: E731
            assert strip(a[path]) == strip(b[path])
        else:
            assert a[path] == b[path], path
    assert from_mysql.row["n_graphlets"] == 5
    # and the records themselves, property values included
    ra = [p for p in MlmdReader(str(shared / MLMD), "tfx").pipelines()]
    rb = [p for p in MlmdReader(url, "tfx").pipelines()]
    assert [(p.executions, p.artifacts, p.events) for p in ra] == [(p.executions, p.artifacts, p.events) for p in rb]
    assert "root@127.0.0.1" in from_mysql.row["uri"]
