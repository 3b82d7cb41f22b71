"""The coder-file inputs and problem report the `mliter code` verbs of every study share."""

import argparse
from pathlib import Path

import pytest

from mliter.coding.arguments import add_codebook, add_coder_files, add_root, coder_inputs, report_problems
from mliter.coding.codebook import DEFAULT_CODEBOOK
from mliter.errors import InputError


def _parser(tmp_path: Path) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    add_coder_files(p, "coding/x")
    add_codebook(p, DEFAULT_CODEBOOK)
    add_root(p, tmp_path)
    return p


def test_coder_inputs_finds_the_study_files_unless_given(tmp_path):
    (tmp_path / "coders").mkdir()
    found = [tmp_path / "coders" / "coder_a.csv"]
    args = _parser(tmp_path).parse_args([])
    cb, root, files = coder_inputs(args, Path("coders"), lambda folder, cb: found if folder == tmp_path / "coders" else [])
    assert (root, files) == (tmp_path, found) and cb.version
    given = _parser(tmp_path).parse_args(["mine.csv"])
    assert coder_inputs(given, Path("coders"), lambda folder, cb: found)[2] == [Path("mine.csv")]


def test_coder_inputs_names_the_empty_folder(tmp_path):
    args = _parser(tmp_path).parse_args([])
    with pytest.raises(InputError, match=r"no coder files found in .*coders"):
        coder_inputs(args, Path("coders"), lambda folder, cb: [])


def test_report_problems_prints_each_and_exits_1(capsys):
    assert report_problems(["a.csv: row 2: bad", "b.csv: row 3: bad"], "ok", "2 problems") == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["a.csv: row 2: bad", "b.csv: row 3: bad"] and err.strip() == "2 problems"
    assert report_problems(iter(()), "all valid", "never") == 0
    assert capsys.readouterr() == ("", "all valid\n")
