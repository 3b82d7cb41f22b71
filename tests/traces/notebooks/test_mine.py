"""Mining notebooks into rows: features per cell, metrics, errors, resume, Dask."""

import json
import os
import shutil

import pandas as pd
import pytest

from mliter.corpus.notebooks import NotebookRef, discover
from mliter.traces.notebooks import mine as mine_mod
from mliter.traces.notebooks.mine import mine_batch, mine_bytes, mine_ref
from mliter.traces.notebooks.parse import Limits, NotebookError
from mliter.traces.notebooks.stages import DEFAULT_RULES, StageRules
from mliter.traces.notebooks.write import trace_frames, write_traces


@pytest.fixture(scope="module")
def rules():
    return StageRules.from_csv(DEFAULT_RULES)


@pytest.fixture
def folder(tmp_path, fixtures):
    dst = tmp_path / "nbs"
    shutil.copytree(fixtures / "notebooks", dst)
    return dst


def test_workflow_notebook(fixtures, rules):
    data = (fixtures / "notebooks" / "workflow.ipynb").read_bytes()
    m = mine_bytes("file:workflow.ipynb", data, rules)
    row = m.notebook
    assert row["n_cells"] == 13 and row["n_code_cells"] == 12 and row["n_markdown_cells"] == 1
    assert row["n_empty_code_cells"] == 1
    # counts in document order: 1 2 3 7 5 8 9 - 10 - - 4
    assert row["executed_cells"] == 9 and row["max_count"] == 10
    assert row["hidden_executions"] == 1 and row["out_of_order_pairs"] == 6
    assert row["is_out_of_order"] and not row["is_linear"]
    assert row["cells_without_count"] == 2 and row["n_syntax_errors"] == 1 and row["n_error_outputs"] == 1
    assert row["libraries"] == "numpy;pandas;sklearn"
    cells = {c["cell_index"]: c for c in m.cells}
    assert cells[1]["stage_rules"] == "setup" and cells[1]["magics"] == "magic:%matplotlib;shell:pip"
    assert cells[2]["stage_rules"] == "load" and cells[2]["apis"] == "pandas.read_csv"
    assert cells[3]["stage_rules"] == "EDA" and "execute_result:text/html" in cells[3]["output_types"]
    assert cells[4]["stage_rules"] == "DPR"
    assert cells[5]["stage_rules"] == "LI" and "sklearn.ensemble.RandomForestClassifier" in cells[5]["apis"]
    assert cells[6]["status"] == "syntax_error" and cells[6]["error_names"] == "SyntaxError"
    assert cells[7]["stage_rules"] == "PPR"
    assert cells[9]["status"] == "non_python"
    assert cells[10]["status"] == "empty"
    assert cells[11]["stage_rules"] == "LI"  # a function definition takes the stage of what it does
    assert cells[12]["stage_rules"] == "LI"  # ... and so does a call of it
    assert cells[4]["hidden_before"] == 1  # count 7 closes the gap left by the hidden execution 6
    stages = {s["stage"]: s for s in m.stages}
    assert sum(s["n_cells"] for s in m.stages) == 11
    assert stages["DPR"]["hidden_executions"] == 1 and stages["DPR"]["share_hidden"] == 1.0


def test_no_output_or_code_text_in_rows(fixtures, rules):
    data = (fixtures / "notebooks" / "workflow.ipynb").read_bytes()
    text = json.dumps(mine_bytes("file:workflow.ipynb", data, rules).to_json())
    for leaked in ("SECRET_TOKEN", "/home/alice", "train.csv", "n_estimators", "echo hello", "<table>"):
        assert leaked not in text


def test_batch_records_bad_notebooks_and_goes_on(folder, rules, tmp_path):
    refs = discover([folder])
    results = mine_batch(refs, rules, "x", progress=False)
    frames = trace_frames(results)
    errors = frames["trace_errors"].set_index("notebook_id")
    assert set(errors.index) == {"file:truncated.ipynb", "file:future_format.ipynb", "file:not_a_notebook.ipynb"}
    assert errors.loc["file:truncated.ipynb", "reason"] == "invalid_json"
    assert errors.loc["file:truncated.ipynb", "message"].startswith("truncated.ipynb: ")
    assert set(frames["notebook_traces"].notebook_id) == {"file:workflow.ipynb", "file:old_v3.ipynb"}
    paths = write_traces(results, tmp_path / "out", parquet=True)
    assert all(p.exists() and p.with_suffix(".parquet").exists() for p in paths)
    back = pd.read_parquet(paths[1].with_suffix(".parquet"))
    assert len(back) == len(frames["cell_traces"])


def test_resume_skips_finished_notebooks(folder, rules, tmp_path, monkeypatch):
    refs = discover([folder])
    ckpt = tmp_path / "ckpt.jsonl"
    first = mine_batch(refs[:2], rules, "r1", checkpoint=ckpt, progress=False)
    calls = []
    real = mine_mod.mine_ref
    monkeypatch.setattr(mine_mod, "mine_ref", lambda r, *a, **k: calls.append(r.notebook_id) or real(r, *a, **k))
    again = mine_batch(refs, rules, "r1", checkpoint=ckpt, progress=False)
    assert sorted(calls) == sorted(r.notebook_id for r in refs[2:])
    assert [m.to_json() for m in again[:2]] == [m.to_json() for m in first]
    calls.clear()
    mine_batch(refs, rules, "r2", checkpoint=ckpt, progress=False)  # changed rules: everything again
    assert len(calls) == len(refs)


def test_interrupted_checkpoint_line_is_ignored(folder, rules, tmp_path):
    refs = discover([folder])
    ckpt = tmp_path / "ckpt.jsonl"
    mine_batch(refs[:1], rules, "r", checkpoint=ckpt, progress=False)
    with open(ckpt, "a") as fh:
        fh.write('{"key": "cut sho')
    assert len(mine_batch(refs, rules, "r", checkpoint=ckpt, progress=False)) == len(refs)


def test_ten_thousand_cells(rules):
    cells = [{"cell_type": "code", "execution_count": i + 1, "metadata": {}, "outputs": [],
              "source": f"x{i} = df['c{i % 7}'].fillna({i})"} for i in range(10_000)]
    cells[5000]["execution_count"] = 20_000
    data = json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}).encode()
    m = mine_bytes("file:big.ipynb", data, rules)
    assert m.notebook["n_code_cells"] == 10_000
    assert m.notebook["out_of_order_pairs"] == 4999
    assert m.notebook["hidden_executions"] == 20_000 - 10_000


def test_unreadable_file_is_an_error_row(rules, tmp_path):
    ref = NotebookRef("file:gone.ipynb", tmp_path / "gone.ipynb", "gone.ipynb")
    m = mine_ref(ref, rules)
    assert m.error["reason"] == "unreadable" and m.error["message"].startswith("gone.ipynb: ")


# -- robustness: one notebook can only become a row of notebooks.csv or of errors.csv -------------

GOOD = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "import pandas as pd", "outputs": []}]}


def _poisoned(tmp_path):
    """A batch of good notebooks with one of each kind that used to stop a whole batch."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(5):
        (folder / f"good{i}.ipynb").write_text(json.dumps(GOOD))
    big = json.loads(json.dumps(GOOD))
    big["cells"][0]["execution_count"] = 2**63
    (folder / "count.ipynb").write_text(json.dumps(big))
    raw = json.dumps(GOOD)
    (folder / "lang.ipynb").write_text(raw.replace('"metadata": {}, "cells"',
                                                   '"metadata": {"language_info": {"name": "\\ud83d"}}, "cells"', 1))
    (folder / "minor.ipynb").write_text(raw.replace('"nbformat_minor": 5', '"nbformat_minor": "\\udfff"'))
    out = json.loads(raw)
    out["cells"][0]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                   "data": {"PLACEHOLDER": "x", "token=ghp_abc alice@example.com": "y"}}]
    (folder / "outkey.ipynb").write_text(json.dumps(out).replace("PLACEHOLDER", "\\udc00"))
    leak = json.loads(raw)
    leak["metadata"] = {"language_info": {"name": "token=ghp_abc alice@example.com"}}
    (folder / "leak.ipynb").write_text(json.dumps(leak))
    (folder / os.fsdecode(b"caf\xe9.ipynb")).write_text(raw)
    return folder


def test_poisoned_batch_is_fully_accounted_for_and_written(tmp_path, rules):
    folder = _poisoned(tmp_path)
    refs = discover([folder])
    results = mine_batch(refs, rules, "x", progress=False)
    frames = trace_frames(results)
    ok, bad = set(frames["notebook_traces"].notebook_id), set(frames["trace_errors"].notebook_id)
    assert ok | bad == {r.notebook_id for r in refs} and not ok & bad and len(refs) == 11
    assert frames["trace_errors"].set_index("notebook_id").loc["file:count.ipynb", "reason"] == "bad_execution_count"
    assert "file:caf%E9.ipynb" in ok
    paths = write_traces(results, tmp_path / "out")  # every value encodes as UTF-8
    shipped = b"".join(p.read_bytes() for p in paths)
    assert b"ghp_" not in shipped and b"alice" not in shipped
    langs = set(frames["notebook_traces"].language)
    assert langs <= {"python", "other"}
    assert set(frames["notebook_traces"].nbformat) == {"4.5", "4.other"}
    assert set(frames["cell_traces"].output_types) == {"", "display_data:other"}


def test_a_crash_inside_mining_is_an_error_row_naming_the_file(tmp_path, rules, monkeypatch):
    folder = _poisoned(tmp_path)
    monkeypatch.setattr(mine_mod, "order_metrics", lambda counts: 1 / 0)
    results = mine_batch(discover([folder]), rules, "x", progress=False)
    assert all(m.error and m.error["message"].startswith(m.error["local_path"] + ": ") for m in results)
    assert {m.error["reason"] for m in results} == {"internal_error", "bad_execution_count"}


def test_time_bound_per_notebook_is_an_error_row(rules):
    data = json.dumps({**GOOD, "cells": GOOD["cells"] * 50}).encode()
    with pytest.raises(NotebookError) as err:
        mine_bytes("file:slow.ipynb", data, rules, Limits(max_seconds=0))
    assert err.value.reason == "timeout" and "cell 0" in err.value.message


def test_memory_bound_per_notebook_is_an_error_row(rules, monkeypatch):
    readings = iter([100 * 2**20, 100 * 2**20, 5000 * 2**20])
    monkeypatch.setattr(mine_mod, "resident_bytes", lambda: next(readings))
    monkeypatch.setattr(mine_mod.Budget, "MEMORY_STEP", 1)
    data = json.dumps({**GOOD, "cells": GOOD["cells"] * 3}).encode()
    with pytest.raises(NotebookError) as err:
        mine_bytes("file:big.ipynb", data, rules, Limits(max_memory_mb=1024))
    assert err.value.reason == "memory_limit" and "cell 1" in err.value.message


def test_resident_memory_is_read_where_the_system_has_it():
    value = mine_mod.resident_bytes()
    assert value is None or value > 1_000_000


def test_syntax_trees_are_released_cell_by_cell(rules):
    """Peak memory of a notebook of six large cells stays near that of one (trees were all kept)."""
    import tracemalloc

    body = "".join(f"v{i} = f(a[{i}], b={i}, c=[{i}, {i}+1], d={{'k': {i}}})\n" for i in range(500))
    one = json.dumps({**GOOD, "cells": [{**GOOD["cells"][0], "source": body}]}).encode()
    six = json.dumps({**GOOD, "cells": [{**GOOD["cells"][0], "source": body}] * 6}).encode()

    def peak(data):
        tracemalloc.start()
        try:
            mine_bytes("file:x.ipynb", data, rules)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    p1, p6 = peak(one), peak(six)
    assert p6 < 2 * p1, (p1, p6)  # keeping every tree took 3.4 times as much


def test_checkpoint_made_under_other_limits_is_not_reused(folder, rules, tmp_path):
    refs = [r for r in discover([folder]) if r.notebook_id == "file:workflow.ipynb"]
    ckpt = tmp_path / "ckpt.jsonl"
    strict = mine_batch(refs, rules, "r", Limits(max_cells=3), checkpoint=ckpt, progress=False)
    assert strict[0].error["reason"] == "too_many_cells"
    again = mine_batch(refs, rules, "r", Limits(), checkpoint=ckpt, progress=False)
    assert again[0].error is None


def test_checkpoint_made_by_other_code_is_not_reused(folder, rules, tmp_path, monkeypatch):
    refs = discover([folder])
    ckpt = tmp_path / "ckpt.jsonl"
    mine_batch(refs, rules, "r", checkpoint=ckpt, progress=False)
    calls = []
    real = mine_mod.mine_ref
    monkeypatch.setattr(mine_mod, "mine_ref", lambda r, *a, **k: calls.append(r.notebook_id) or real(r, *a, **k))
    monkeypatch.setattr(mine_mod, "_CODE_VERSION", "a-newer-miner")
    mine_batch(refs, rules, "r", checkpoint=ckpt, progress=False)
    assert len(calls) == len(refs)


def test_large_tables_are_written_as_partitioned_parquet(folder, rules, tmp_path):
    results = mine_batch(discover([folder]), rules, "x", progress=False)
    write_traces(results, tmp_path / "out", parquet=True, partition_rows=5)
    cells = tmp_path / "out" / "traces" / "cells.parquet"
    parts = sorted(p.name for p in cells.iterdir())
    frames = trace_frames(results)
    assert len(parts) == -(-len(frames["cell_traces"]) // 5) and parts[0] == "part-00000.parquet"
    back = pd.read_parquet(cells)
    assert list(back.cell_index) == list(pd.read_csv(tmp_path / "out" / "traces" / "cells.csv").cell_index)
    assert (tmp_path / "out" / "traces" / "errors.parquet").is_file()  # small tables stay one file
    write_traces(results, tmp_path / "out", parquet=True)  # and a rerun at the default size replaces the folder
    assert cells.is_file()


def test_a_batch_memo_changes_no_byte_of_the_rows(shared, rules):
    """Cells repeated across notebooks are copied from the batch's memo, not parsed again: same rows."""
    from mliter.traces.notebooks.code import CellMemo

    refs = discover([shared / "notebooks"])[::3]
    memo = CellMemo()
    for ref in refs:
        data = ref.file.read_bytes()
        plain = json.dumps(mine_bytes(ref.notebook_id, data, rules).to_json(), sort_keys=True)
        assert json.dumps(mine_bytes(ref.notebook_id, data, rules, memo=memo).to_json(), sort_keys=True) == plain
    assert memo.hits > 100
