"""Version series from git histories: the mechanical rule, byte copies, the manifests, bare mirrors, refusals."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from git_fixtures import ENV, commit as _commit, git as _git

from mliter.cli import main as cli
from mliter.corpus import git_series as gs
from mliter.errors import InputError


def _nb(n: int, nbformat: int = 4, pad: int = 0) -> str:
    src = f"lr = {n}" + " " * pad
    return json.dumps({"nbformat": nbformat, "nbformat_minor": 2, "metadata": {},
                       "cells": [{"cell_type": "code", "source": src, "metadata": {}, "outputs": [],
                                  "execution_count": None}]})


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "src"
    r.mkdir()
    _git(r, "init", "-q")
    (r / "LICENSE").write_text("MIT License\n\nPermission is hereby granted, free of charge, ...\n")
    # a/long.ipynb: 12 distinct versions plus one that returns to an earlier blob and one nbformat 3
    for k in range(1, 13):
        _commit(r, {"a/long.ipynb": _nb(k)}, k)
    _commit(r, {"a/long.ipynb": _nb(5)}, 13)  # blob seen before: not a new version
    _commit(r, {"a/long.ipynb": _nb(99, nbformat=3)}, 14)  # dropped: not nbformat 4
    # b/long.ipynb shares the stem; short.ipynb has 3 versions only; big.ipynb is over the size limit
    for k in range(1, 5):
        _commit(r, {"b/long.ipynb": _nb(100 + k), "short.ipynb": _nb(200 + min(k, 3)),
                    "big.ipynb": _nb(300 + k, pad=2000 if k > 1 else 0)}, 14 + k)
    return r


def test_rule_keeps_distinct_usable_versions_evenly_spaced(repo):
    s = gs.check_series(repo, "o/r", "a/long.ipynb")
    assert s.distinct == 13  # 12 + the nbformat-3 one; the repeated blob counts once
    assert len(s.kept) == 10
    kept_lr = [json.loads(subprocess.run(["git", "-C", str(repo), "cat-file", "blob", v.blob], capture_output=True,
                                         check=True).stdout)["cells"][0]["source"] for v in s.kept]
    assert kept_lr[0] == "lr = 1" and kept_lr[-1] == "lr = 12"  # first and last of the 12 usable ones
    assert gs.evenly_spaced(12) == [0, 1, 2, 4, 5, 6, 7, 9, 10, 11]
    assert gs.check_series(repo, "o/r", "short.ipynb") is None  # 3 versions < 4
    assert gs.check_series(repo, "o/r", "big.ipynb", max_bytes=1000) is None  # 3 of 4 too big
    assert gs.check_series(repo, "o/r", "big.ipynb") is not None


def test_build_writes_byte_copies_manifests_and_is_deterministic(repo, tmp_path):
    out, shipped = tmp_path / "fresh", tmp_path / "ship.csv"
    got = gs.build([(repo, "o/r")], out, shipped=shipped, per_repo=5, progress=False)
    assert got == {"repos": 1, "series": 3, "versions": 18, "pairs": 15, "failed": 0}
    rows = list(csv.DictReader(open(out / "MANIFEST.tsv"), delimiter="\t"))
    assert list(rows[0]) == gs.MANIFEST_FIELDS
    assert {Path(r["local_path"]).parent.name for r in rows} == {"a__long", "b__long", "big"}  # stems disambiguated
    for r in csv.DictReader(open(shipped)):
        data = (out / r["local_path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"] and int(r["bytes"]) == len(data)
        blob = subprocess.run(["git", "hash-object", "--stdin"], input=data, capture_output=True).stdout.decode()
        assert blob.strip() == r["blob"]
        assert r["url"] == f"https://raw.githubusercontent.com/o/r/{r['commit']}/{r['path_at_commit']}"
        assert r["license"] == "LICENSE (MIT)"
        assert Path(r["local_path"]).name.startswith(f"v{int(r['version_index']):02d}_{r['commit'][:7]}")
    first = (out / "MANIFEST.tsv").read_bytes(), shipped.read_bytes()
    gs.build([(repo, "o/r")], out, shipped=shipped, per_repo=5, progress=False)
    assert ((out / "MANIFEST.tsv").read_bytes(), shipped.read_bytes()) == first


def test_per_repo_cap_exclusions_and_bare_mirrors(repo, tmp_path):
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True, capture_output=True, env=ENV)
    one = gs.choose_series(bare, "o/r", per_repo=1)
    assert len(one) == 1
    every = {s.path for s in gs.choose_series(bare, "o/r", per_repo=9)}
    assert every == {"a/long.ipynb", "b/long.ipynb", "big.ipynb"}
    assert one[0].path in every
    left = {s.path for s in gs.choose_series(bare, "o/r", exclude={("o/r", "a/long.ipynb")}, per_repo=9)}
    assert left == every - {"a/long.ipynb"}
    # the seed only reorders: another seed may pick another first series, never an ineligible one
    assert {gs.choose_series(bare, "o/r", per_repo=1, seed=s)[0].path for s in range(8)} <= every


def test_nothing_written_when_no_series_passes(repo, tmp_path):
    out = tmp_path / "fresh"
    with pytest.raises(InputError, match="nothing written"):
        gs.build([(repo, "o/r")], out, min_versions=50, progress=False)
    assert not out.exists()


def test_cli_refuses_output_inside_the_repository(repo, capsys):
    from mliter.paths import ROOT

    assert cli(["corpus", "versions-from-git", f"{repo}=o/r", "--out", str(ROOT / "tmp_series")]) != 0
    assert "inside the repository" in capsys.readouterr().err
    assert not (ROOT / "tmp_series").exists()


def test_cli_writes_series(repo, tmp_path, capsys):
    assert cli(["corpus", "versions-from-git", f"{repo}=o/r", "--out", str(tmp_path / "f"), "--quiet",
                "--manifest", str(tmp_path / "m.csv")]) == 0
    assert "consecutive pairs from 1 repositories" in capsys.readouterr().out
    assert (tmp_path / "m.csv").exists()
