"""Round-2 draw of fresh held-out cells: only held-out notebooks, never a round-1 cell, deterministic."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from mliter.coding.eval_sample import build_round2_cells, draw_round2_cells
from mliter.errors import InputError
from mliter.paths import CODING


def _nb(path: Path, sources: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "markdown", "source": "# title", "metadata": {}}]
    cells += [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
              for s in sources]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))


def _write(path: Path, rows: list[dict], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def material(tmp_path):
    data, root = tmp_path / "data", tmp_path / "repo"
    nbs = data / "notebooks_eval"
    _nb(nbs / "o__held/a.ipynb", [f"x{i} = {i}" for i in range(8)] + ["   "])
    _nb(nbs / "o__held/b.ipynb", ["import os", "", "y = 1"])
    _nb(nbs / "o__tune/c.ipynb", [f"z{i} = {i}" for i in range(8)])
    _write(nbs / "MANIFEST.tsv", [
        {"local_path": "o__held/a.ipynb", "repo": "o/held", "group": "a"},
        {"local_path": "o__held/b.ipynb", "repo": "o/held", "group": "b"},
        {"local_path": "o__tune/c.ipynb", "repo": "o/tune", "group": "a"},
    ], "\t")
    _write(root / "coding/eval_split.csv", [{"repo": "o/held", "half": "heldout"}, {"repo": "o/tune", "half": "tuning"}])
    _write(root / "coding/labels/sample_cells.csv", [
        {"cell_id": "c0001", "source": "notebooks_eval", "local_path": "o__held/a.ipynb", "code_cell": 0,
         "repo": "o/held", "group": "a", "half": "heldout"},
        {"cell_id": "c0002", "source": "notebooks_eval", "local_path": "o__held/b.ipynb", "code_cell": 2,
         "repo": "o/held", "group": "b", "half": "heldout"}])
    return data, root


def test_round2_cells_are_fresh_heldout_nonblank_and_deterministic(material):
    data, root = material
    before = (root / "coding/labels/sample_cells.csv").read_bytes()
    got = build_round2_cells(data, root, seed=5)
    out = root / "coding/labels/round2/sample_cells.csv"
    rows = list(csv.DictReader(open(out)))
    assert got == {"notebooks": 2, "repos": 1, "cells": 5}
    assert [r["cell_id"] for r in rows] == [f"r2c{n:04d}" for n in range(1, 6)]
    assert {r["half"] for r in rows} == {"heldout"} and {r["repo"] for r in rows} == {"o/held"}
    picked = {(r["local_path"], int(r["code_cell"])) for r in rows}
    assert ("o__held/a.ipynb", 0) not in picked and ("o__held/b.ipynb", 2) not in picked  # round-1 cells
    assert ("o__held/a.ipynb", 8) not in picked and ("o__held/b.ipynb", 1) not in picked  # blank cells
    assert ("o__held/b.ipynb", 0) in picked  # the one fresh non-blank cell of b
    first = out.read_bytes()
    build_round2_cells(data, root, seed=5)
    assert out.read_bytes() == first
    assert (root / "coding/labels/sample_cells.csv").read_bytes() == before  # round 1 untouched
    assert list(rows[0]) == ["cell_id", "source", "local_path", "code_cell", "repo", "group", "half"]


def test_round2_cells_refuse_to_write_an_empty_sample(material):
    data, root = material
    (root / "coding/eval_split.csv").write_text("repo,half\no/held,tuning\no/tune,tuning\n")
    with pytest.raises(InputError, match="nothing written"):
        build_round2_cells(data, root)
    assert not (root / "coding/labels/round2/sample_cells.csv").exists()


def test_draw_changes_with_the_seed(material):
    data, root = material
    rows = [{"local_path": "o__held/a.ipynb", "repo": "o/held", "group": "a"}]
    draws = {tuple(r["code_cell"] for r in draw_round2_cells(data / "notebooks_eval", rows, {"o/held": "heldout"},
                                                              set(), random.Random(s), per_notebook=3))
             for s in range(6)}
    assert len(draws) > 1


def test_shipped_round2_cells_are_fresh_and_heldout():
    r2 = list(csv.DictReader(open(CODING / "labels/round2/sample_cells.csv")))
    r1 = {(r["local_path"], r["code_cell"]) for r in csv.DictReader(open(CODING / "labels/sample_cells.csv"))}
    split = {r["repo"]: r["half"] for r in csv.DictReader(open(CODING / "eval_split.csv"))}
    assert len(r2) >= 200
    assert not {(r["local_path"], r["code_cell"]) for r in r2} & r1
    assert {split[r["repo"]] for r in r2} == {"heldout"}


def test_shipped_round2_cells_are_reproducible(shared, tmp_path):
    (tmp_path / "coding/labels").mkdir(parents=True)
    for rel in ("coding/eval_split.csv", "coding/labels/sample_cells.csv"):
        (tmp_path / rel).write_bytes((CODING.parent / rel).read_bytes())
    build_round2_cells(shared, tmp_path)
    rel = "coding/labels/round2/sample_cells.csv"
    assert (tmp_path / rel).read_bytes() == (CODING.parent / rel).read_bytes()


def test_shipped_round2_pairs_are_every_consecutive_pair_of_the_shipped_series(tmp_path):
    from mliter.coding.eval_sample import build_round2_pairs

    for rel in ("coding/eval_split.csv", "corpus/notebook_versions_round2.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((CODING.parent / rel).read_bytes())
    got = build_round2_pairs(tmp_path)
    rel = "coding/labels/round2/sample_pairs.csv"
    assert (tmp_path / rel).read_bytes() == (CODING.parent / rel).read_bytes()
    manifest = list(csv.DictReader(open(CODING.parent / "corpus/notebook_versions_round2.csv")))
    assert got["pairs"] == len(manifest) - got["series"] >= 70
    assert got["pairs"] == len(list(csv.DictReader(open(CODING.parent / rel))))


def test_round2_pairs_refuse_a_series_of_a_tuning_repository(tmp_path):
    from mliter.coding.eval_sample import build_round2_pairs

    _write(tmp_path / "coding/eval_split.csv", [{"repo": "o/t", "half": "tuning"}])
    _write(tmp_path / "corpus/notebook_versions_round2.csv", [
        {"local_path": f"o__t/nb/v0{k}_abcdef{k}.ipynb", "repo": "o/t", "version_index": k} for k in (1, 2)])
    with pytest.raises(InputError, match="not in the held-out half: o/t"):
        build_round2_pairs(tmp_path)
    assert not (tmp_path / "coding/labels/round2/sample_pairs.csv").exists()
