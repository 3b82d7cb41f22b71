"""Segment coder files: every rule of the codebook is checked and named by file, row and column."""

import pandas as pd
import pytest

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, load
from mliter.coding.segments import presence, read_segments, validate_segment_file
from mliter.coding.validate import AnnotationError
from tests.threads_fixtures import span, text, write_coder

CB = load(DEFAULT_INTERVIEW_CODEBOOK)
T1, T2, T7 = "github:acme/autotool#1", "github:acme/autotool#2", "github:other/gluon#7"
TEXTS = {s: text(s) for s in (T1, T2, T7)}
ACCOUNTS = {T1: {"quietfox", "maintainer9"}, T2: {"bluecat"}, T7: {"redowl"}}


def problems(tmp_path, rows, assigned=(T1, T2, T7), partial=False):
    path = write_coder(tmp_path, "coder_a", rows)
    return [str(p) for p in validate_segment_file(path, CB, TEXTS, assigned, partial, ACCOUNTS)]


def test_valid_file_reads_into_presence(tmp_path):
    s, e = span(T1, "I would like to see every pipeline it tried")
    rows = [(T1, "shortcoming_transparency", s, e, "wants the trials listed"), (T1, "stage_model_selection", s, e, ""),
            (T1, "user_data_scientist", None, None, ""), (T2, "none_codable", None, None, "log only"),
            (T7, "shortcoming_reproducibility", *span(T7, "I still get a different best model on each run"), "")]
    assert problems(tmp_path, rows) == []
    seg = read_segments([tmp_path / "coding/threads/coders/coder_a.csv"], CB, TEXTS, {"coder_a": {T1, T2, T7}})
    assert "note" not in seg.columns and len(seg) == 5
    pres = presence(seg, CB)
    assert pres.set_index("source_id").loc[T1, "shortcoming_transparency"]
    assert not pres.set_index("source_id").loc[T7, "shortcoming_transparency"]
    assert pres.set_index("source_id").loc[T2, "none_codable"]


def test_each_rule_is_reported_with_row_and_column(tmp_path):
    t1_len = len(TEXTS[T1])
    rows = [
        (T1, "shortcoming_control", 3, 8, ""),                       # row 2: cuts a word on both ends
        (T1, "none_codable", None, None, ""),                        # row 3: none_codable with others
        (T1, "user_novice", None, None, "says quietfox"),            # row 4: name in note
        (T1, "user_researcher", 0, t1_len + 5, ""),                  # row 5: past the end; 2 user codes
        (T2, "goal_reliability", None, None, ""),                    # row 6: offsets required
        ("github:nope#1", "stage_evaluation", 0, 4, ""),             # row 7: unknown source
        (T7, "made_up_code", 0, 4, ""),                              # row 8: unknown code
        (T7, "stage_evaluation", 9, 9, ""),                          # row 9: end not after start
    ]
    out = "\n".join(problems(tmp_path, rows, assigned=(T1, T2, T7)))
    for needle in ("row 2, column start: start 3 cuts a word", "row 2, column end: end 8 cuts a word",
                   "row 3, column code: none_codable in github:acme/autotool#1 together with",
                   "row 4, column note: note contains an account name",
                   "row 4, column code: 2 user codes", "row 5, column end: end", "past the end of the text",
                   "row 6, column start: missing offsets", "row 7, column source_id: unknown source id",
                   "row 8, column code: unknown code 'made_up_code'", "row 9, column end: end 9 is not after start 9"):
        assert needle in out, needle


def test_assignment_is_enforced_unless_partial(tmp_path):
    rows = [(T2, "none_codable", None, None, "")]
    assert any("assigned source github:acme/autotool#1 has no row" in p for p in problems(tmp_path, rows))
    assert problems(tmp_path, rows, partial=True) == []
    assert any("is not assigned to coder_a" in p for p in problems(tmp_path, rows, assigned=(T1,), partial=True))


def test_copied_note_and_bad_header(tmp_path):
    s, e = span(T1, "It would help if the tool printed a table of the trials.")
    copied = "it would help if the tool printed a table of"
    assert any("note copies the source text" in p
               for p in problems(tmp_path, [(T1, "partnership_wish", s, e, copied)], partial=True))
    path = tmp_path / "coder_a.csv"
    path.write_text("source_id,code\n", encoding="utf-8")
    out = [str(p) for p in validate_segment_file(path, CB, TEXTS)]
    assert any("row 1, column coder: missing column" in p for p in out)


def test_read_segments_refuses_invalid_files(tmp_path):
    path = write_coder(tmp_path, "coder_a", [(T1, "nonsense", 0, 1, "")])
    with pytest.raises(AnnotationError, match="unknown code"):
        read_segments([path], CB, TEXTS)


def test_presence_of_empty_frame_has_all_codes():
    out = presence(pd.DataFrame(columns=["source_id", "coder", "codebook_version", "code", "start", "end"]), CB)
    assert list(out.columns)[3:] == [c.code for c in CB.codes]
