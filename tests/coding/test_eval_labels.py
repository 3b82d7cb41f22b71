"""Coder viewer and validator: round 1 as before, rounds 2 and 3 from coding/labels/round<N>/ and an outside data root."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mliter.coding import eval_labels as el
from mliter.corpus.rounds import FRESH_ROUNDS
from mliter.paths import CODING


def _nb(path: Path, sources: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None} for s in sources]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))


HEADERS = {"cells": "cell_id,source,local_path,code_cell,repo,group,half",
           "pairs": "pair_id,source,series,from_file,to_file,repo,kind,half"}


def _sample(labels: Path, kind: str, *rows: str) -> None:
    labels.mkdir(exist_ok=True)
    (labels / f"sample_{kind}.csv").write_text("\n".join((HEADERS[kind], *rows)) + "\n")


@pytest.fixture
def round2(tmp_path):
    labels, data = tmp_path / "labels", tmp_path / "fresh"
    _sample(labels, "pairs", "r2p0001,notebook_versions_round2,o__r/nb,v01_aaaaaaa.ipynb,v02_bbbbbbb.ipynb,o/r,dl,heldout")
    _sample(labels, "cells", "r2c0001,notebooks_eval,o__r/x.ipynb,1,o/r,a,heldout")
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
    assert "round-1 ids need no --round" in capsys.readouterr().out
    assert el.main(["--round", "2", "show-notebook", "r4c0001"]) == 1
    assert "round-4 ids need --round 4" in capsys.readouterr().out
    assert el.ROUNDS[2] == CODING / "labels" / "round2"


@pytest.fixture(params=sorted(FRESH_ROUNDS))
def fresh(request, tmp_path):
    """A fresh round's sample (mliter.corpus.rounds), its material outside the labels folder."""
    rnd = FRESH_ROUNDS[request.param]
    n, labels, data = rnd.number, tmp_path / f"labels{rnd.number}", tmp_path / rnd.default_folder
    _sample(labels, "cells", f"r{n}c0001,{rnd.notebooks_source},o__r/nb/x.ipynb,1,o/r,{rnd.kinds[0]},heldout",
            f"r{n}c0002,{rnd.notebooks_source},o__r/nb/x.ipynb,2,o/r,{rnd.kinds[0]},heldout")
    _sample(labels, "pairs", f"r{n}p0001,{rnd.versions_source},o__r/s,v01_aaaaaaa.ipynb,v02_bbbbbbb.ipynb,o/r,dl,heldout")
    _nb(data / rnd.notebooks_source / "o__r/nb/x.ipynb", ["import fastai", "learn = make()", "learn.fit(3)"])
    _nb(data / rnd.versions_source / "o__r/s/v01_aaaaaaa.ipynb", ["epochs = 3"])
    _nb(data / rnd.versions_source / "o__r/s/v02_bbbbbbb.ipynb", ["epochs = 5"])
    return rnd, labels, data


def test_fresh_notebook_viewer_reads_the_outside_material(fresh, monkeypatch):
    rnd, labels, data = fresh
    n = rnd.number
    monkeypatch.setenv(rnd.data_env, str(data))
    out = io.StringIO()
    el.show_notebook(f"r{n}c0002", out, labels=labels)
    text = out.getvalue()
    assert f"code cell 1  <<< SAMPLED r{n}c0001" in text and f"code cell 2  <<< SAMPLED r{n}c0002" in text
    assert "learn.fit(3)" in text and "code cell 0\n" in text
    out2 = io.StringIO()
    monkeypatch.delenv(rnd.data_env)
    el.show_notebook(f"r{n}c0002", out2, labels=labels, root=data)  # --data-root wins without the variable
    assert out2.getvalue() == text
    with pytest.raises(SystemExit, match=f"folder not found.*MLITER_ROUND{n}_DATA.*notebooks_round{n}/"):
        el.show_notebook(f"r{n}c0001", io.StringIO(), labels=labels, root=data / "nowhere")


def test_fresh_pair_viewer_and_default_folder(fresh, monkeypatch):
    rnd, labels, data = fresh
    out = io.StringIO()
    el.show_pair(f"r{rnd.number}p0001", out, labels=labels, root=data)
    assert "-epochs = 3" in out.getvalue() and "+epochs = 5" in out.getvalue()
    monkeypatch.delenv(rnd.data_env, raising=False)
    assert el.data_root(rnd.versions_source) == el.ROOT.parent / f"fresh{rnd.number}"
    assert el.data_root(rnd.notebooks_source, data) == data
    assert el.data_root("notebooks_eval") == el.DATA  # shared material is never redirected


@pytest.mark.parametrize("n", sorted(FRESH_ROUNDS))
def test_fresh_cli_validates_against_its_round_sample(n, capsys, tmp_path):
    assert el.ROUNDS[n] == CODING / "labels" / f"round{n}"
    if not (el.ROUNDS[n] / "sample_pairs.csv").is_file():  # declared, not drawn yet: a clear refusal
        assert el.main(["--round", str(n), "show-pair", f"r{n}p0001"]) == 1
        assert f"no sample drawn for round {n} yet" in capsys.readouterr().out
        return
    assert el.main(["--round", str(n), "show-pair", "r2p0001"]) == 1
    assert "round-2 ids need --round 2" in capsys.readouterr().out
    f = tmp_path / "pairs_a.csv"
    f.write_text("pair_id,series,from_file,to_file,code,codes,coder,note\n")
    assert el.main(["--round", str(n), "validate", str(f)]) == 1
    assert f"sampled pairs not labelled yet (first: r{n}p0001)" in capsys.readouterr().out


def test_a_round_without_a_sample_is_refused_by_name(monkeypatch, capsys, tmp_path):
    """A round declared before its sample is drawn: the viewer names the missing file and the command that
    draws it, for every subcommand, and returns 1 (no traceback)."""
    monkeypatch.setitem(el.ROUNDS, 3, tmp_path / "round3")
    f = tmp_path / "cells_a.csv"
    f.write_text("cell_id,local_path,code_cell,stage,stages,coder,note\n")
    for args in (["show-pair", "r3p0001"], ["show-notebook", "r3c0001"], ["validate", str(f)]):
        assert el.main(["--round", "3", *args]) == 1
        out = capsys.readouterr().out
        assert "no sample drawn for round 3 yet" in out and "mliter.coding.eval_sample round3-" in out
