"""Reading the adjudication file: records are CSV records, not lines of text."""

from mliter.coding.adjudicate import read_adjudication


def test_a_unicode_line_break_inside_a_quoted_reason_stays_in_the_reason(cb, tmp_path):
    # U+2028/U+2029/U+0085 in a field, quoted or not (csv and pandas leave it unquoted): str.splitlines() cut
    # the record there (rows of the wrong width) or, inside quotes, turned the break into "\n"
    reason = "tuned settings\u2028no number given\u2029rule gives 2\x85done"
    f = tmp_path / "adjudication.csv"
    f.write_text(f'paper_id,code,value,adjudicator,reason\npmlr:v0/p1,li_hyperparameters,2,adj,"{reason}"\n'
                 "pmlr:v0/p2,domain,language,adj,unquoted\u2028reason\n", encoding="utf-8", newline="")
    got = read_adjudication(f, cb)
    assert list(got["paper_id"]) == ["pmlr:v0/p1", "pmlr:v0/p2"]
    assert got["reason"].tolist() == [reason, "unquoted\u2028reason"]
