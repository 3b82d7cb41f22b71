"""Coder viewer and validator: round 1 as before, round 2 from coding/labels/round2/ and an outside data root."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mliter.coding import eval_labels as el
from mliter.paths import CODING


def _nb(path: Path, sources: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None} for s in sources]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))


@pytest.fixture
def round2(tmp_path):
    labels, data = tmp_path / "labels", tmp_path / "fresh"
    labels.mkdir()
    (labels / "sample_pairs.csv").write_text(
        "pair_id,source,series,from_file,to_file,repo,kind,half\n"
        "r2p0001,notebook_versions_round2,o__r/nb,v01_aaaaaaa.ipynb,v02_bbbbbbb.ipynb,o/r,dl,heldout\n")
    (labels / "sample_cells.csv").write_text(
        "cell_id,source,local_path,code_cell,repo,group,half\n"
        "r2c0001,notebooks_eval,o__r/x.ipynb,1,o/r,a,heldout\n")
    _nb(data / "notebook_versions_round2/o__r/nb/v01_aaaaaaa.ipynb", ["lr = 0.1"])
    _nb(data / "notebook_versions_round2/o__r/nb/v02_bbbbbbb.ipynb", ["lr = 0.01"])
    return labels, data


def test_round2_pair_viewer_reads_the_outside_data_root(round2, monkeypatch):
    labels, data = round2
    out = io.StringIO()
    el.show_pair("r2p0001", out, labels=labels, root=data)
    assert "-lr = 0.1" in out.getvalue() and "+lr = 0.01" in out.getvalue()
    monkeypatch.setenv(el.ROUND2_DATA_ENV, str(data))
    out2 = io.StringIO()
    el.show_pair("r2p0001", out2, labels=labels)
    assert out2.getvalue() == out.getvalue()


def test_round2_pair_viewer_names_a_missing_folder(round2, tmp_path):
    labels, _ = round2
    with pytest.raises(SystemExit, match="folder not found.*MLITER_ROUND2_DATA"):
        el.show_pair("r2p0001", io.StringIO(), labels=labels, root=tmp_path / "nowhere")


def test_round2_validate_checks_against_the_round2_sample(round2, tmp_path):
    labels, _ = round2
    f = tmp_path / "cells_a.csv"
    f.write_text("cell_id,local_path,code_cell,stage,stages,coder,note\nr2c0001,o__r/x.ipynb,1,LI,LI;setup,a,fits\n")
    assert el.validate(f, labels) == []
    assert any("not in sample_cells.csv" in p for p in el.validate(f))  # round 1 does not know r2 ids
    f.write_text("cell_id,local_path,code_cell,stage,stages,coder,note\nr2c0001,o__r/x.ipynb,2,LI,DPR,a,\n")
    problems = el.validate(f, labels)
    assert any(":2: code_cell" in p for p in problems) and any("must contain stage" in p for p in problems)


def test_cli_round_flag_selects_the_sample(capsys):
    assert el.main(["--round", "2", "show-notebook", "c0001"]) == 1
    assert "round-2 ids need --round 2" in capsys.readouterr().out
    assert el.ROUNDS[2] == CODING / "labels" / "round2"
