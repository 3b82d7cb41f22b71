"""Finding notebooks: one file mined once however it is named, two files never sharing an id."""

import json
import os

import pytest

from mliter.corpus.notebooks import SourceError, discover, portable

NB = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})


@pytest.fixture
def two_folders(tmp_path, monkeypatch):
    for name in ("A", "B"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "nb.ipynb").write_text(NB)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_files_sharing_a_name_are_kept_apart(two_folders):
    refs = discover(["A", "B"])
    assert [r.notebook_id for r in refs] == ["file:A/nb.ipynb", "file:B/nb.ipynb"]
    assert [r.local_path for r in refs] == ["A/nb.ipynb", "B/nb.ipynb"]
    assert len(discover(["A/nb.ipynb", "B/nb.ipynb"])) == 2


def test_a_single_folder_keeps_its_short_ids(two_folders):
    assert [r.notebook_id for r in discover(["A"])] == ["file:nb.ipynb"]


def test_one_file_named_three_ways_is_mined_once(two_folders):
    (two_folders / "list.txt").write_text("A/nb.ipynb\n./A/nb.ipynb\nA//nb.ipynb\n")
    refs = discover(["list.txt"])
    assert [r.notebook_id for r in refs] == ["file:A/nb.ipynb"]
    assert len(discover(["A", "A/nb.ipynb", "./A/nb.ipynb", "list.txt"])) == 1


def test_a_file_name_that_is_not_utf8_becomes_portable_text(tmp_path):
    (tmp_path / os.fsdecode(b"caf\xe9.ipynb")).write_text(NB)
    (ref,) = discover([tmp_path])
    assert ref.notebook_id == "file:caf%E9.ipynb" and ref.file.is_file()
    ref.notebook_id.encode("utf-8")
    assert portable("café.ipynb") == "café.ipynb"


def test_manifest_ids_naming_two_files_are_an_error(tmp_path):
    (tmp_path / "a.ipynb").write_text(NB)
    (tmp_path / "b.ipynb").write_text(NB)
    (tmp_path / "m.tsv").write_text("notebook_id\tlocal_path\ngit:x/y\ta.ipynb\ngit:x/y\tb.ipynb\n")
    with pytest.raises(SourceError, match="git:x/y"):
        discover([tmp_path / "m.tsv"])
