"""Codebook loading and validation of annotation files (own fixtures under tests/fixtures/coding_papers)."""

import copy

import pytest
import yaml

from mliter.cli import main
from mliter.coding.codebook import DEFAULT_CODEBOOK, CodebookError, parse
from mliter.coding.sample import double_coding_sample
from mliter.coding.validate import (AnnotationError, copied_run, read_annotations, read_paper_ids,
                                    validate_file)




@pytest.fixture(scope="module")
def ids(fx):
    return read_paper_ids(fx / "papers.csv")


def test_codebook_has_every_part_and_documented_codes(cb):
    assert cb.version == "2.0" and cb.accepted_versions == ("2.0",)
    assert {c.part for c in cb.counts} == {"DPR", "LI", "PPR"}
    assert all(len(cb.part_codes(p)) == 3 for p in ("DPR", "LI", "PPR"))
    assert {"health_medicine", "life_natural_sciences", "social_science_policy", "language", "vision_imaging",
            "control_engineering", "web_industry"} <= set(cb["domain"].values)
    assert cb["li_model_family"].allowed_counts == (0, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    assert cb["ppr_analysis"].allowed_counts == tuple(range(11))
    assert cb["li_model_family"].iterations(3) == 2 and cb["ppr_analysis"].iterations(3) == 3


def test_codebook_errors_name_the_code_and_field():
    data = yaml.safe_load(DEFAULT_CODEBOOK.read_text())
    broken = copy.deepcopy(data)
    del broken["codes"][4]["exclude"]
    with pytest.raises(CodebookError, match="code li_model_family: missing `exclude`"):
        parse(broken)
    broken = copy.deepcopy(data)
    broken["codes"][1]["type"] = "float"
    with pytest.raises(CodebookError, match="code dpr_data_sources: type 'float'"):
        parse(broken)
    broken = copy.deepcopy(data)
    broken["compatible_versions"] = [data["version"]]
    with pytest.raises(CodebookError, match="compatible_versions lists the current version"):
        parse(broken)
    broken = copy.deepcopy(data)
    broken["file_format"]["columns"].pop(5)
    with pytest.raises(CodebookError, match="file_format.columns"):
        parse(broken)


def test_valid_files_have_no_problems(cb, fx, ids):
    assert validate_file(fx / "coder_a.csv", cb, ids) == []
    assert validate_file(fx / "coder_b.csv", cb, ids) == []


def test_bad_file_reports_file_row_column_and_allowed_values(cb, fx, ids):
    problems = validate_file(fx / "bad" / "coder_x.csv", cb, ids)
    found = {(p.row, p.column) for p in problems}
    text = "\n".join(map(str, problems))
    assert (1, "li_magic") in found and "unknown column 'li_magic'" in text  # unknown code
    assert (3, "li_model_family") in found and "value 'three' is not a whole number" in text  # wrong type
    assert (4, "paper_id") in found and "missing paper id" in text
    assert (5, "paper_id") in found and "unknown paper id 'pmlr:v0/nope'" in text
    assert (6, "li_model_family") in found and "value 1 is not allowed" in text
    assert (6, "ppr_analysis") in found and "value 11 is out of range" in text
    assert (7, "paper_id") in found and "coded twice by this coder (first in row 2)" in text
    assert {(8, "codebook_version"), (8, "domain"), (8, "coder")} <= found
    assert "bad/coder_x.csv, row 3, column li_model_family" in text
    assert "(expected an integer 0 or 2..10" in text
    assert "(expected '2.0'" in text
    assert "(expected one of health_medicine, life_natural_sciences" in text
    assert all(p.file.endswith("coder_x.csv") for p in problems)
    assert (2, "li_model_family") not in found


def test_cli_validate_exits_1_with_row_numbers(fx, capsys):
    args = ["--root", str(fx), "--papers", "papers.csv", "--no-copy-check"]
    assert main(["code", "validate", str(fx / "bad" / "coder_x.csv"), *args]) == 1
    out = capsys.readouterr().out
    assert "row 3, column li_model_family" in out and "row 5, column paper_id" in out
    assert main(["code", "validate", str(fx / "coder_a.csv"), str(fx / "coder_b.csv"), *args]) == 0


def test_notes_copied_from_the_abstract_are_rejected(cb, fx, ids, tmp_path):
    abstract = "We compare three model families for predicting sepsis onset from bedside vital signs in adults."
    assert copied_run("they compare three model families for predicting sepsis onset from bedside data", abstract)
    assert copied_run("three families compared, sepsis from vitals", abstract) is None
    f = tmp_path / "coder_c.csv"
    rows = (fx / "coder_a.csv").read_text().replace("coder_a", "coder_c").splitlines()
    rows[2] = rows[2].rsplit(",", 1)[0] + ",compare three model families for predicting sepsis onset from bedside"
    f.write_text("\n".join(rows) + "\n")
    problems = validate_file(f, cb, ids, {"pmlr:v0/p2": abstract})
    assert [(p.row, p.column) for p in problems] == [(3, "note")]


def test_read_annotations_types_counts_and_refuses_bad_files(cb, fx, ids):
    ann = read_annotations([fx / "coder_a.csv", fx / "coder_b.csv"], cb, ids)
    assert len(ann) == 9 and "note" not in ann.columns
    assert ann["li_model_family"].dtype.kind == "i"
    assert list(ann["paper_id"]) == sorted(ann["paper_id"])
    with pytest.raises(AnnotationError, match="row 3, column li_model_family"):
        read_annotations([fx / "bad" / "coder_x.csv"], cb, ids)


def test_double_coding_sample_is_deterministic_and_sized():
    ids = [f"pmlr:v1/p{i}" for i in range(50)]
    s = double_coding_sample(ids, 0.4)
    assert len(s) == 20 and s == double_coding_sample(list(reversed(ids)), 0.4)
    assert set(s) <= set(double_coding_sample(ids, 0.6))
    with pytest.raises(ValueError):
        double_coding_sample(ids, 0)


def test_cli_sample_leaves_out_front_matter(fx, capsys):
    assert main(["code", "sample", "--share", "1", "--root", str(fx), "--papers", "papers.csv"]) == 0
    out = capsys.readouterr().out.split()
    assert len(out) == 6 and "pmlr:v0/pre" not in out


def test_malformed_rows_and_files(cb, ids, tmp_path):
    f = tmp_path / "coder_q.csv"
    f.write_text(",".join(cb.columns) + "\n"
                 + "pmlr:v0/p1,coder_q,2.0,language,0,0,0,0,0,0,0,0\n"
                 + "pmlr:v0/p2,coder_q,2.0,language,,0,0,0,0,0,0,0,0,abstract,,\n")
    problems = {(p.row, p.column): p.message for p in validate_file(f, cb, ids)}
    assert problems[(2, None)] == "row has 12 fields"
    assert problems[(3, "dpr_data_sources")] == "empty value"
    (tmp_path / "coder_e.csv").write_bytes(b"")
    assert "file is empty" in str(validate_file(tmp_path / "coder_e.csv", cb, ids)[0])
    (tmp_path / "coder_l.csv").write_bytes(b"paper_id\n\xff\xfe\n")
    assert "not UTF-8" in str(validate_file(tmp_path / "coder_l.csv", cb, ids)[0])
    (tmp_path / "Bad Name.csv").write_text(",".join(cb.columns) + "\n")
    assert "not a valid coder id" in str(validate_file(tmp_path / "Bad Name.csv", cb, ids)[0])


def _coder_file(tmp_path, cb, fx, edit):
    """coder_a.csv with one cell of its first data row replaced."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO((fx / "coder_a.csv").read_text(encoding="utf-8"), newline="")))
    col, value = edit
    rows[1][rows[0].index(col)] = value
    out = tmp_path / "coder_a.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def test_note_with_unicode_line_separator_is_one_field(tmp_path, cb, fx, ids):
    note = next(c.code for c in cb.codes if c.type == "text")
    path = _coder_file(tmp_path, cb, fx, (note, "first line\u2028second\u0085third"))
    assert validate_file(path, cb, ids) == []


def test_count_of_thousands_of_digits_is_a_row_problem(tmp_path, cb, fx, ids):
    path = _coder_file(tmp_path, cb, fx, ("li_model_family", "9" * 5000))
    (problem,) = validate_file(path, cb, ids)
    assert problem.row == 2 and problem.column == "li_model_family" and "5000 digits" in problem.message
    assert len(str(problem)) < 400


def test_field_beyond_the_csv_limit_is_a_row_problem(tmp_path, cb, fx, ids):
    note = next(c.code for c in cb.codes if c.type == "text")
    path = _coder_file(tmp_path, cb, fx, (note, "x" * 200_000))
    problems = validate_file(path, cb, ids)
    assert problems and problems[0].row == 2 and str(problems[0]).startswith(str(path))


def test_messages_quote_long_values_cut_short(tmp_path, cb, ids):
    long = "x" * 100_000
    path = tmp_path / "coder_a.csv"
    path.write_text(",".join(cb.columns) + f",{long},{long}\n", encoding="utf-8")
    problems = validate_file(path, cb, ids)
    assert problems and all(len(str(p)) < 2000 for p in problems)


def test_check_coder_file_starts_every_check_with_the_file_named(tmp_path):
    from mliter.coding.codebook import load
    from mliter.coding.validate import check_coder_file

    codebook = load(DEFAULT_CODEBOOK)
    bad = tmp_path / "c9.csv"
    bad.write_bytes(b"paper_id\n\xff\n")
    problems, add, rows = check_coder_file(bad, codebook, "<coder>.csv")
    assert rows is None and len(problems) == 1 and "not UTF-8" in str(problems[0]) and str(bad) in str(problems[0])
    good = tmp_path / "c8.csv"
    good.write_text("paper_id,coder\np1,c8\n", encoding="utf-8")
    problems, add, rows = check_coder_file(good, codebook, "<coder>.csv")
    assert rows == [["paper_id", "coder"], ["p1", "c8"]] and problems == []
    add(2, "coder", "wrong", "right")
    assert [str(p) for p in problems] == [f"{good}, row 2, column coder: wrong (expected right)"]
