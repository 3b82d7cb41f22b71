"""Screening: mechanical rules, the stratified sample, coder decisions, adjudication and the `code screen` command."""

import copy
import shutil

import pandas as pd
import pytest
import yaml

from mliter.cli import main
from mliter.coding.adjudicate import read_adjudication
from mliter.coding.codebook import DEFAULT_CODEBOOK, CodebookError, parse
from mliter.coding.schema import SCREENING
from mliter.coding.screening import draw_sample, read_screeners, rule_decision, screening_table, validate_screener_file
from mliter.errors import MliterError

LONG = " ".join(["word"] * 40)


def test_rules_decide_in_codebook_order(cb):
    scr = cb.screening
    fixture = {"record_url": "https://github.com/x/y/blob/abc/tests/fixtures/q.json", "section": "Preface", "title": "Preface"}
    assert rule_decision(fixture, "", scr) == ("test_fixture_source", "out_of_frame_test_fixture")
    assert rule_decision({"section": "Keynotes", "title": "Keynote 2"}, LONG, scr) == ("front_matter_section", "not_research")
    assert rule_decision({"section": "", "title": "Preface: a workshop"}, LONG, scr) == ("front_matter_title", "not_research")
    assert rule_decision({"section": "", "title": "A study"}, "too short", scr) == ("missing_abstract", "out_of_frame_no_abstract")
    assert rule_decision({"section": "Contributed Papers", "title": "Testing keynote ideas",
                          "record_url": "https://github.com/mlresearch/v81/blob/abc/_posts/x.md"}, LONG, scr) == ("", "")


def test_sample_is_stratified_deterministic_and_order_free(cb):
    frame = pd.DataFrame({"paper_id": [f"pmlr:v1/h{i}" for i in range(50)] + [f"pmlr:v2/n{i}" for i in range(7)],
                          "venue": ["MLHC"] * 50 + ["ENLSP-IV 2024"] * 7})
    a = draw_sample(frame, cb.screening)
    b = draw_sample(frame.iloc[::-1].reset_index(drop=True), cb.screening).set_index("paper_id").loc[a["paper_id"]].reset_index()
    assert a.equals(b)
    took = a[a.sampled].groupby("stratum").size().to_dict()
    assert took == {"health": 36, "nlp": 7}
    assert a.loc[a.sampled, "double_coded"].sum() == 20  # ceil(0.45 * 43)
    assert not a.loc[~a.sampled, "double_coded"].any()


def _papers():
    return pd.DataFrame([
        {"paper_id": "p:fix", "venue": "ENLSP-IV 2024", "section": "", "title": "T", "record_url": "u/tests/a"},
        {"paper_id": "p:pre", "venue": "ENLSP-IV 2024", "section": "Preface", "title": "Preface", "record_url": "u/a"},
        {"paper_id": "p:a", "venue": "ENLSP-IV 2024", "section": "", "title": "A", "record_url": "u/a"},
        {"paper_id": "p:b", "venue": "ENLSP-IV 2024", "section": "", "title": "B", "record_url": "u/b"},
        {"paper_id": "p:c", "venue": "ENLSP-IV 2024", "section": "", "title": "C", "record_url": "u/c"},
        {"paper_id": "p:d", "venue": "ENLSP-IV 2024", "section": "", "title": "D", "record_url": "u/d"},
        {"paper_id": "p:x", "venue": "Elsewhere", "section": "", "title": "X", "record_url": "u/x"},
    ])


def test_screening_table_merges_rules_sample_coders_and_adjudicator(cb):
    abstracts = {p: LONG for p in ("p:fix", "p:pre", "p:a", "p:b", "p:c", "p:d", "p:x")}
    screeners = pd.DataFrame([
        ("p:a", "c1", "include", ""), ("p:a", "c2", "include", ""),
        ("p:b", "c1", "include", ""), ("p:b", "c2", "exclude", "not_applied_method"),
        ("p:c", "c1", "exclude", "not_ml"), ("p:c", "c2", "include", ""),
    ], columns=["paper_id", "screener", "decision", "reason"])
    adj = pd.DataFrame([("p:b", "screening", "not_applied_method", "adj", "why")],
                       columns=["paper_id", "code", "value", "adjudicator", "reason"])
    t = screening_table(_papers(), abstracts, cb, screeners, adj).set_index("paper_id")
    assert list(t.loc["p:fix", ["decision", "reason", "decided_by"]]) == ["excluded", "out_of_frame_test_fixture", "rule"]
    assert t.loc["p:pre", "screener"] == "rule:front_matter_section"
    assert list(t.loc["p:a", ["decision", "decided_by", "screener"]]) == ["included", "coders_agreed", "c1;c2"]
    assert list(t.loc["p:b", ["decision", "reason", "decided_by", "screener"]]) == [
        "excluded", "not_applied_method", "adjudicator", "adj"]
    assert t.loc["p:b", "category"] == "not applied"
    assert list(t.loc["p:c", ["decision", "reason", "decided_by"]]) == ["excluded", "not_ml", "first_screener_default"]
    assert t.loc["p:c", "screener_values"] == "c1=not_ml;c2=included"
    assert list(t.loc["p:d", ["decision", "decided_by"]]) == ["pending", "pending"]
    assert list(t.loc["p:x", ["decision", "screener"]]) == ["not_sampled", "sampling:no_stratum"]
    stray = pd.DataFrame([("p:a", "screening", "included", "adj", "why")], columns=adj.columns)
    with pytest.raises(MliterError, match="resolve no screening disagreement"):
        screening_table(_papers(), abstracts, cb, screeners, stray)


def test_screener_file_problems_name_row_and_column(cb, tmp_path):
    f = tmp_path / "screeners" / "c9.csv"
    f.parent.mkdir()
    f.write_text("paper_id,screener,codebook_version,decision,reason,note\n"
                 "p:a,c9,2.0,include,,fine\n"
                 "p:b,c8,1.2,maybe,,\n"
                 "p:c,c9,2.0,exclude,too_dull,\n"
                 "p:a,c9,2.0,include,not_ml,\n"
                 "p:z,c9,2.0,include,,\n")
    problems = {(p.row, p.column) for p in validate_screener_file(f, cb, {"p:a", "p:b", "p:c"})}
    assert {(3, "screener"), (3, "codebook_version"), (3, "decision"), (4, "reason"), (5, "paper_id"),
            (6, "paper_id")} <= problems
    assert (2, None) not in problems and (2, "reason") not in problems
    with pytest.raises(MliterError, match="problem"):
        read_screeners([f], cb, {"p:a", "p:b", "p:c"})


def test_screener_note_with_a_unicode_line_break_is_one_field(cb, tmp_path):
    # csv and pandas leave a field holding U+2028 unquoted (only CR, LF, comma and quote need quotes), and
    # str.splitlines() cut the record there ("row has N fields" problems); quoted ones must hold as well
    f = tmp_path / "screeners" / "c9.csv"
    f.parent.mkdir()
    f.write_text('paper_id,screener,codebook_version,decision,reason,note\n'
                 "p:a,c9,2.0,include,,first line\u2028second\u2029third\n"
                 'p:b,c9,2.0,exclude,not_ml,"quoted\u2028with, a comma"\n', encoding="utf-8", newline="")
    assert validate_screener_file(f, cb, {"p:a", "p:b"}) == []


def test_adjudication_accepts_screening_values_only_from_the_codebook(cb, tmp_path):
    f = tmp_path / "adjudication.csv"
    f.write_text("paper_id,code,value,adjudicator,reason\np:a,screening,included,adj,ok\np:b,screening,maybe,adj,no\n")
    with pytest.raises(MliterError, match="row 3, column value: screening value 'maybe'"):
        read_adjudication(f, cb)


def test_codebook_rejects_rules_with_unknown_reasons_and_incomplete_domain_maps():
    data = yaml.safe_load(DEFAULT_CODEBOOK.read_text())
    broken = copy.deepcopy(data)
    broken["screening"]["rules"][0]["reason"] = "boring"
    with pytest.raises(CodebookError, match="reason 'boring'"):
        parse(broken)
    broken = copy.deepcopy(data)
    broken["original_domains"]["other"]["domains"].remove("control_engineering")
    with pytest.raises(CodebookError, match="missing \\['control_engineering'\\]"):
        parse(broken)


def test_cli_screen_writes_one_row_per_record(fixtures, tmp_path, capsys):
    vol = tmp_path / "vol"
    shutil.copytree(fixtures / "papers" / "pmlr_v999", vol)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "papers_sources.txt").write_text(f"{vol}\n")
    assert main(["corpus", "papers", "--out", str(tmp_path)]) == 0
    data = yaml.safe_load(DEFAULT_CODEBOOK.read_text())
    data["screening"]["min_abstract_words"] = 5
    data["sampling"]["strata"] = [{"stratum": "nlp", "venues": ["WIE"], "take": 1}]
    book = tmp_path / "book.yaml"
    book.write_text(yaml.safe_dump(data))
    assert main(["code", "screen", "--root", str(tmp_path), "--codebook", str(book), "--shared", str(tmp_path)]) == 0
    t = SCREENING.read(tmp_path)
    papers = pd.read_csv(tmp_path / "corpus" / "papers.csv")
    assert sorted(t.paper_id) == sorted(papers.paper_id)
    assert sorted(t.decision) == ["not_sampled", "pending"]
    first = (tmp_path / SCREENING.path).read_bytes()
    assert main(["code", "screen", "--root", str(tmp_path), "--codebook", str(book), "--shared", str(tmp_path)]) == 0
    assert (tmp_path / SCREENING.path).read_bytes() == first
    (tmp_path / "corpus" / "papers.csv").write_text("paper_id,venue\n")
    assert main(["code", "screen", "--root", str(tmp_path), "--codebook", str(book)]) == 2
    assert (tmp_path / SCREENING.path).read_bytes() == first


SCREENED = ("paper_id,screener,codebook_version,decision,reason,note\n"
            "pmlr:v0/p1,coder_a,2.0,include,,\npmlr:v0/p2,coder_a,2.0,exclude,not_ml,\n"
            "pmlr:v0/p6,coder_a,2.0,include,,\n")


def _cross_check(fx, tmp_path, capsys, coded: str) -> str:
    """`mliter code validate` of a coder file (text `coded`) with its screening file; what it printed."""
    (tmp_path / "coders").mkdir()
    (tmp_path / "screeners").mkdir()
    (tmp_path / "coders" / "coder_a.csv").write_text(coded, encoding="utf-8", newline="")
    (tmp_path / "screeners" / "coder_a.csv").write_text(SCREENED)
    args = ["code", "validate", str(tmp_path / "coders" / "coder_a.csv"), str(tmp_path / "screeners" / "coder_a.csv"),
            "--root", str(fx), "--papers", "papers.csv", "--no-copy-check"]
    assert main(args) == 1
    return capsys.readouterr().out


def test_validate_cross_checks_a_coders_codes_against_their_screening(fx, tmp_path, capsys):
    out = _cross_check(fx, tmp_path, capsys, (fx / "coder_a.csv").read_text(encoding="utf-8"))  # codes p1..p5
    assert "row 3, column paper_id: paper 'pmlr:v0/p2' is coded but excluded" in out
    assert "screeners/coder_a.csv, row 4, column paper_id: paper 'pmlr:v0/p6' is included but has no row" in out


def test_cross_check_rows_are_csv_records_even_with_a_unicode_line_break_in_a_note(fx, tmp_path, capsys):
    # (mliter.coding.commands) row 2 (p1) gets a U+2028 in its note, unquoted as csv and pandas write it (only
    # CR, LF, comma and quote need quotes); str.splitlines() cut the record there, so p2 was reported as row 4
    lines = (fx / "coder_a.csv").read_text(encoding="utf-8").split("\n")
    lines[1] += "\u2028second line of the note"
    out = _cross_check(fx, tmp_path, capsys, "\n".join(lines))
    assert "coder_a.csv, row 3, column paper_id: paper 'pmlr:v0/p2' is coded but excluded" in out
    assert "row 4, column paper_id: paper 'pmlr:v0/p2'" not in out
