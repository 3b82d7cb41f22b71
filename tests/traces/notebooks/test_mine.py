"""Mining notebooks into rows: features per cell, metrics, errors, resume, Dask."""

import json
import shutil

import pandas as pd
import pytest

from mliter.corpus.notebooks import NotebookRef, discover
from mliter.traces.notebooks import mine as mine_mod
from mliter.traces.notebooks.mine import mine_batch, mine_bytes, mine_ref
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
    assert cells[1]["stage"] == "setup" and cells[1]["magics"] == "magic:%matplotlib;shell:pip"
    assert cells[2]["stage"] == "load" and cells[2]["apis"] == "pandas.read_csv"
    assert cells[3]["stage"] == "EDA" and "execute_result:text/html" in cells[3]["output_types"]
    assert cells[4]["stage"] == "DPR"
    assert cells[5]["stage"] == "LI" and "sklearn.ensemble.RandomForestClassifier" in cells[5]["apis"]
    assert cells[6]["status"] == "syntax_error" and cells[6]["error_names"] == "SyntaxError"
    assert cells[7]["stage"] == "PPR"
    assert cells[9]["status"] == "non_python"
    assert cells[10]["status"] == "empty"
    assert cells[11]["stage"] == "LI"  # a function definition takes the stage of what it does
    assert cells[12]["stage"] == "LI"  # ... and so does a call of it
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


def test_dask_gives_the_same_rows(folder, rules):
    refs = discover([folder])
    local = mine_batch(refs, rules, "x", progress=False)
    spread = mine_batch(refs, rules, "x", progress=False, dask_scheduler="synchronous", chunk=2)
    assert [m.to_json() for m in spread] == [m.to_json() for m in local]


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
