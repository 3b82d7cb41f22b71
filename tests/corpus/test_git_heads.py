"""Notebooks at a pinned commit: the eligibility rule, seeded order, per-repository cap, byte copies, manifests."""

from __future__ import annotations

import csv
import hashlib
import subprocess

import pytest
from git_fixtures import commit, init, notebook

from mliter.cli import main as cli
from mliter.corpus import git_heads as gh
from mliter.errors import InputError

ML = "import numpy as np\nfrom sklearn.linear_model import LogisticRegression"


@pytest.fixture
def repo(tmp_path):
    r = init(tmp_path / "src")
    files = {f"nb/ml{k}.ipynb": notebook(ML, f"x = {k}", "model = LogisticRegression()", "model.fit(X, y)", "")
             for k in range(6)}
    files["nb/plain.ipynb"] = notebook("import pandas as pd", "df = pd.DataFrame()", "df.head()", "len(df)")
    files["nb/short.ipynb"] = notebook(ML, "  ", "\n", "x = 1")  # 2 non-blank code cells only
    files["nb/old.ipynb"] = notebook(ML, "a", "b", "c", nbformat=3)
    files["nb/.ipynb_checkpoints/ml0-checkpoint.ipynb"] = files["nb/ml0.ipynb"]
    commit(r, files, 1)
    commit(r, {"nb/late.ipynb": notebook("import torch", "a = 1", "b = 2", "c = 3")}, 2)
    return r


def test_eligible_needs_nbformat4_enough_cells_and_an_ml_import():
    assert gh.eligible(notebook(ML, "a", "b", "c").encode()) is not None
    assert gh.eligible(notebook("import pandas", "a", "b", "c").encode()) is None
    assert gh.eligible(notebook(ML, "a", "", "c").encode()) is None  # 3 non-blank
    assert gh.eligible(notebook(ML, "a", "b", "c", nbformat=3).encode()) is None
    assert gh.eligible(notebook(ML, "a", "b", "c").encode(), max_bytes=50) is None
    assert gh.eligible(b"not json") is None
    # an import in a comment or a string is not at the start of a line: not an ML import
    assert gh.eligible(notebook("x = 'import torch'", "# import torch", "b", "c").encode()) is None
    assert gh.eligible(notebook("  from fastai.vision.all import *", "a", "b", "c").encode()) is not None


def test_choose_takes_the_first_eligible_in_seeded_order_and_caps_per_repo(repo):
    chosen = gh.choose(repo, "o/r", per_repo=3, seed=7)
    paths = [c.path for c in chosen]
    assert len(paths) == 3 and all(p.startswith("nb/ml") or p == "nb/late.ipynb" for p in paths)
    eligible = [p for p in sorted(gh.head_notebooks(repo), key=lambda p: gh.order_key(7, "o/r", p))
                if p.startswith("nb/ml") or p == "nb/late.ipynb"]
    assert paths == eligible[:3]
    assert gh.choose(repo, "o/r", per_repo=3, seed=7) == chosen  # deterministic
    everything = {c.path for c in gh.choose(repo, "o/r", per_repo=99)}
    assert everything == {f"nb/ml{k}.ipynb" for k in range(6)} | {"nb/late.ipynb"}


def test_a_pinned_commit_sees_only_what_was_there(repo):
    first = subprocess.run(["git", "-C", str(repo), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.strip()
    chosen = gh.choose(repo, "o/r", rev=first, per_repo=99)
    assert {c.commit for c in chosen} == {first}
    assert "nb/late.ipynb" not in {c.path for c in chosen}
    with pytest.raises(gh.GitError):
        gh.choose(repo, "o/r", rev="no-such-rev")


def test_build_writes_byte_copies_and_a_verifiable_manifest(repo, tmp_path):
    out, shipped = tmp_path / "out", tmp_path / "corpus" / "notebooks_x.csv"
    got = gh.build([(repo, "o/r", "HEAD")], out, shipped, per_repo=2, seed=3)
    assert got == {"repos": 1, "notebooks": 2, "failed": 0}
    rows = list(csv.DictReader(open(shipped)))
    for r in rows:
        data = (out / r["local_path"]).read_bytes()
        assert r["local_path"] == "o__r/" + r["repo_path"]
        assert hashlib.sha256(data).hexdigest() == r["sha256"] and int(r["bytes"]) == len(data)
        assert r["url"] == f"https://raw.githubusercontent.com/o/r/{r['commit']}/{r['repo_path']}"
        assert r["license"] == "LICENSE (MIT)"
    assert (out / "MANIFEST.tsv").read_text().splitlines()[0].split("\t") == gh.MANIFEST_FIELDS
    before = shipped.read_bytes()
    gh.build([(repo, "o/r", "HEAD")], out, shipped, per_repo=2, seed=3)
    assert shipped.read_bytes() == before  # a rerun changes no byte


def test_nothing_is_written_when_no_notebook_passes(tmp_path):
    r = init(tmp_path / "plain")
    commit(r, {"a.ipynb": notebook("import pandas", "a", "b", "c")}, 1)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="no notebook passed the rule"):
        gh.build([(r, "o/plain", "HEAD")], out)
    assert not out.exists()


def test_cli_refuses_an_output_folder_inside_the_repository(repo, capsys):
    from mliter.paths import ROOT

    assert cli(["corpus", "notebooks-from-git", f"{repo}=o/r", "--out", str(ROOT / "raw_nb")]) != 0
    assert "inside the repository" in capsys.readouterr().err
    assert not (ROOT / "raw_nb").exists()


def test_cli_pins_a_commit_given_after_the_name(repo, tmp_path, capsys):
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD~1"], capture_output=True, text=True,
                          check=True).stdout.strip()
    out = tmp_path / "out"
    assert cli(["corpus", "notebooks-from-git", f"{repo}=o/r@{head}", "--out", str(out), "--per-repo", "9"]) == 0
    rows = list(csv.DictReader(open(out / "MANIFEST.tsv"), delimiter="\t"))
    assert {r["commit"] for r in rows} == {head} and len(rows) == 6
    assert "6 notebooks from 1 repositories" in capsys.readouterr().out
