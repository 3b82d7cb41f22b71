"""`mliter mine traces`: empty or wrong input never replaces shipped tables; every file is counted."""

import json

import pandas as pd

from mliter.cli import main

NB = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "import numpy"}]})


def _shipped(out):
    (out / "traces").mkdir(parents=True)
    (out / "traces" / "notebooks.csv").write_text("shipped\n")
    return out / "traces" / "notebooks.csv"


def test_empty_folder_is_an_error_and_leaves_shipped_tables(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    shipped = _shipped(tmp_path / "out")
    assert main(["mine", "traces", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "no notebooks found" in capsys.readouterr().err
    assert shipped.read_text() == "shipped\n"


def test_nothing_minable_is_an_error_and_leaves_shipped_tables(tmp_path, capsys):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.ipynb").write_text("{not json")
    shipped = _shipped(tmp_path / "out")
    assert main(["mine", "traces", str(tmp_path / "bad"), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "invalid_json" in err and "x.ipynb" in err
    assert shipped.read_text() == "shipped\n"


def test_two_folders_with_the_same_file_name_are_both_mined(tmp_path, capsys, monkeypatch):
    for name in ("A", "B"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "nb.ipynb").write_text(NB)
    monkeypatch.chdir(tmp_path)
    assert main(["mine", "traces", "A", "B", "A/nb.ipynb", "--out", "out", "--quiet"]) == 0
    assert "2 notebooks mined, 0 refused" in capsys.readouterr().out
    assert list(pd.read_csv(tmp_path / "out" / "traces" / "notebooks.csv").notebook_id) == \
        ["file:A/nb.ipynb", "file:B/nb.ipynb"]


def test_mistyped_cluster_is_named_before_any_work(tmp_path, capsys):
    (tmp_path / "A").mkdir()
    assert main(["mine", "traces", str(tmp_path / "A"), "--dask", "threads", "--quiet"]) == 2
    assert "local:N" in capsys.readouterr().err
