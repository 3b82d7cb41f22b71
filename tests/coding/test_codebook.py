"""Codebook checks: every malformed codebook is a CodebookError naming the file and the code or field."""

import copy

import pytest
import yaml

from mliter.coding.codebook import DEFAULT_CODEBOOK, CodebookError, load, parse

DATA = yaml.safe_load(DEFAULT_CODEBOOK.read_text())


def broken(edit):
    data = copy.deepcopy(DATA)
    edit(data)
    return data


def test_invalid_coder_pattern_is_named():
    data = broken(lambda d: d["file_format"].__setitem__("coder_pattern", "([a-z"))
    with pytest.raises(CodebookError, match=r"book.yaml, file_format.coder_pattern: '\(\[a-z' is not a valid"):
        parse(data, "book.yaml")


def test_one_compatible_version_as_a_string_is_one_version():
    cb = parse(broken(lambda d: d.__setitem__("compatible_versions", "1.1")), "book.yaml")
    assert cb.compatible_versions == ("1.1",)
    with pytest.raises(CodebookError, match="compatible_versions"):
        parse(broken(lambda d: d.__setitem__("compatible_versions", {"a": 1})), "book.yaml")


@pytest.mark.parametrize("edit,where", [
    (lambda d: d["codes"][4].__setitem__("max", "ten"), "code li_model_family, max"),
    (lambda d: d["codes"][4].__setitem__("min", [0]), "code li_model_family, min"),
    (lambda d: d["codes"].__setitem__(2, "not a mapping"), "codes[2]"),
    (lambda d: d.__setitem__("parts", ["DPR"]), "parts"),
    (lambda d: d.__setitem__("codes", {"a": 1}), "codes"),
    (lambda d: d["file_format"].__setitem__("columns", ["paper_id"]), "file_format.columns[0]"),
    (lambda d: d["codes"][0].__setitem__("code", 7), "codes[0]"),
    (lambda d: d.__setitem__("version", ["1"]), "version"),
])
def test_malformed_fields_name_the_file_and_the_code(edit, where):
    with pytest.raises(CodebookError) as err:
        parse(broken(edit), "book.yaml")
    assert str(err.value).startswith("book.yaml") and where in str(err.value)


def test_codebook_file_not_utf8_is_named(tmp_path):
    bad = tmp_path / "book.yaml"
    bad.write_bytes(b"version: '1.\xff'\n")
    with pytest.raises(CodebookError, match="book.yaml: not UTF-8"):
        load(bad)


def test_top_level_not_a_mapping():
    with pytest.raises(CodebookError, match="book.yaml"):
        parse(["a list"], "book.yaml")
