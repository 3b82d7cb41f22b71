"""`mliter mine pipelines`: the shipped tables, error rows, and bad stores that write nothing."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from mliter.cli import main
from mliter.traces.pipelines.mine import split_name, store_name
from mliter.traces.pipelines.schema import GRAPHLETS, PIPELINE_STORES, TABLES
from mliter.traces.pipelines.synthetic import write_store
from mliter.traces.pipelines.write import render
from pipeline_fixtures import MLMD


def _written(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_shipped_tables_are_what_the_shared_stores_give(repo_root, mined_shared):
    """traces/pipelines/*.csv is exactly what mining every shared store gives now."""
    results = [mined_shared[k] for k in sorted(mined_shared)]
    for rel, data in render(results).items():
        assert (repo_root / rel).read_bytes() == data, f"{rel} is stale: run `make pipelines`"
    stores = PIPELINE_STORES.read(repo_root)
    assert set(stores["status"]) == {"ok"} and len(stores) == 5


def test_shipped_tables_hold_identifiers_not_values(repo_root):
    text = "".join((repo_root / t.path).read_text(encoding="utf-8") for t in TABLES)
    for secret in ("module_path", "tfx_user_code", "serving_model_dir", "nkumala16", "train_args"):
        assert secret not in text


@pytest.fixture()
def tfx_copy(shared, tmp_path):
    path = tmp_path / "tfx.sqlite"
    shutil.copyfile(shared / MLMD, path)
    return path


def _bad_stores(tmp_path, tfx_copy):
    corrupt = tmp_path / "corrupt.sqlite"
    data = tfx_copy.read_bytes()
    corrupt.write_bytes(data[:100] + b"\xde\xad" * 50 + data[200:4096])  # a torn copy: header kept, pages lost
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database\n" * 20)
    future = write_store(tmp_path / "future.sqlite", 2, 2, schema_version=42).path
    notrain = write_store(tmp_path / "notrain.sqlite", 2, 2).path
    with sqlite3.connect(notrain) as conn:
        conn.execute("DELETE FROM Execution WHERE type_id IN (4, 5, 6)")  # no training, no evaluation, no push
    return {"corrupt": (corrupt, "corrupt"), "garbage": (garbage, "corrupt"), "future": (future, "42"),
            "notrain": (notrain, "no training executions")}


@pytest.mark.parametrize("which", ["corrupt", "garbage", "future", "notrain", "locked"])
def test_a_bad_store_fails_clearly_and_writes_nothing(tmp_path, tfx_copy, capsys, which):
    out = tmp_path / "out"
    out.mkdir()
    if which == "locked":
        path, needle = tfx_copy, "locked"
        holder = sqlite3.connect(tfx_copy, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process writing: readers are locked out
    else:
        path, needle = _bad_stores(tmp_path, tfx_copy)[which]
        holder = None
    try:
        code = main(["mine", "pipelines", "--quiet", "--out", str(out), f"{which}={path}"])
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
    err = capsys.readouterr().err
    assert code != 0
    assert f"{which}:" in err and needle in err, err
    assert _written(out) == []  # nothing half-written


def test_a_bad_store_is_an_error_row_and_the_batch_goes_on(tmp_path, tfx_copy, capsys):
    out = tmp_path / "out"
    bad = tmp_path / "garbage.sqlite"
    bad.write_bytes(b"x" * 1000)
    missing = tmp_path / "nowhere.sqlite"
    code = main(["mine", "pipelines", "--quiet", "--out", str(out), f"tfx={tfx_copy}", str(bad), str(missing)])
    assert code == 1
    stores = PIPELINE_STORES.read(out).set_index("store")
    assert stores.loc["tfx", "status"] == "ok"
    assert stores.loc["garbage.sqlite", "error_kind"] == "corrupt"
    assert stores.loc["nowhere.sqlite", "error_kind"] == "missing"
    assert "garbage.sqlite" in stores.loc["garbage.sqlite", "error"]
    graphlets = GRAPHLETS.read(out)
    assert set(graphlets["store"]) == {"tfx"} and len(graphlets) == 5
    assert "garbage.sqlite" in capsys.readouterr().err


def test_rerun_is_byte_identical(tmp_path, tfx_copy):
    out = tmp_path / "out"
    assert main(["mine", "pipelines", "--quiet", "--out", str(out), f"tfx={tfx_copy}"]) == 0
    first = {p: (out / p).read_bytes() for p in _written(out)}
    assert main(["mine", "pipelines", "--quiet", "--out", str(out), f"tfx={tfx_copy}"]) == 0
    assert {p: (out / p).read_bytes() for p in _written(out)} == first
    assert len(first) == len(TABLES)


def test_names_of_stores():
    assert split_name("kfp=mysql://u:p@h:3306/db") == ("kfp", "mysql://u:p@h:3306/db")
    assert split_name("mysql://u:p@h/db?charset=utf8") == (None, "mysql://u:p@h/db?charset=utf8")
    assert split_name("/a/b=c.sqlite") == (None, "/a/b=c.sqlite")
    assert store_name("/x/proj/mlruns") == "proj"
    assert store_name("/x/store.tar.gz") == "store"
    assert store_name("mysql://root:pw@127.0.0.1:3306/metadb") == "127.0.0.1__metadb"


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["mine", "pipelines", "--help"])
    assert "example" in capsys.readouterr().out


def test_an_unreachable_tracking_server_is_an_error_row(tmp_path, tfx_copy, monkeypatch):
    pytest.importorskip("mlflow")
    import socket

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    out = tmp_path / "out"
    code = main(["mine", "pipelines", "--quiet", "--out", str(out), f"tfx={tfx_copy}", f"down=http://127.0.0.1:{port}"])
    assert code == 1
    stores = PIPELINE_STORES.read(out).set_index("store")
    assert stores.loc["down", "status"] == "error" and "down:" in stores.loc["down", "error"]
    assert stores.loc["tfx", "status"] == "ok"


def test_an_unforeseen_failure_is_an_error_row(tmp_path, tfx_copy, monkeypatch):
    from mliter.traces.pipelines import mine

    real = mine.mine_store

    def flaky(target, name=None, **kw):
        if name == "boom":
            raise KeyError("a bug")
        return real(target, name, **kw)

    monkeypatch.setattr(mine, "mine_store", flaky)
    results = mine.mine_stores([f"boom={tfx_copy}", f"tfx={tfx_copy}"])
    assert [r.row["status"] for r in results] == ["error", "ok"]
    assert "KeyError" in results[0].row["error"] and results[0].row["error"].startswith("boom:")
