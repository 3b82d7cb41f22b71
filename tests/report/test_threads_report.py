"""The thread study's report functions on small hand-made frames."""

import pandas as pd
import pytest

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, load
from mliter.report.threads import (ALL, OTHER_TOOLS, code_by_participant, code_frequency, consensus_as_segments,
                                   cross, partnership, segment_overlap, theme_rows, with_meta)

CB = load(DEFAULT_INTERVIEW_CODEBOOK)
CODES = [c.code for c in CB.codes]


def cons(rows):
    out = []
    for sid, present in rows:
        out.append({"source_id": sid, **{c: c in present for c in CODES}})
    return pd.DataFrame(out)


def sources(ids, tools):
    return pd.DataFrame({"source_id": ids, "tool": tools, "date": ["2021-01-01"] * len(ids),
                         "participant": [f"p_{i}" for i in range(len(ids))]})


def test_frequency_pools_small_tools_and_has_intervals():
    ids = [f"s{i}" for i in range(10)]
    c = cons([(s, {"shortcoming_control", "stage_model_selection"} if i < 8 else {"none_codable"})
              for i, s in enumerate(ids)])
    frame = with_meta(c, sources(ids, ["Big"] * 8 + ["Tiny", "Tiny"]))
    assert set(frame.tool_group) == {"Big", OTHER_TOOLS}
    freq = code_frequency(frame, CB).set_index(["tool", "code"])
    row = freq.loc[("Big", "shortcoming_control")]
    assert (row.k, row.n) == (8, 8) and row.ci_low < 1 == row.share
    assert freq.loc[(ALL, "none_codable"), "k"] == 2
    assert cross(frame, ["shortcoming_control"], ["stage_model_selection"]).iat[0, 0] == 8
    part = partnership(frame, CB)
    assert part[part.stage == "any (all threads)"]["k"].tolist() == [0, 0]


def test_segment_overlap_needs_overlapping_spans():
    segs = pd.DataFrame({"source_id": ["a", "a", "b", "b"],
                         "code": ["shortcoming_budget", "stage_hyperparameter_search"] * 2,
                         "start": pd.array([0, 5, 0, 20], dtype="Int64"), "end": pd.array([10, 12, 10, 30], dtype="Int64")})
    out = segment_overlap(segs, ["shortcoming_budget"], ["stage_hyperparameter_search"])
    assert out.iat[0, 0] == 1


def test_code_by_participant_works_for_any_project():
    src = pd.DataFrame({"source_id": ["x/P1", "x/P2", "x/P3"], "participant": ["P1", "P2", ""]})
    seg = pd.DataFrame({"source_id": ["x/P1", "x/P1", "x/P2", "x/P3"],
                        "code": ["Stage/A", "Need/B", "Stage/A", "Stage/C"]})
    per_code, matrix = code_by_participant(src, seg)
    a = per_code.set_index("code").loc["Stage/A"]
    assert (a.segments, a.participants, a.n_participants) == (2, 2, 3)
    assert matrix.loc["P1", "Stage"] == 1 and matrix.loc["x/P3", "Stage"] == 1
    c = cons([("s1", {"goal_reliability"}), ("s2", {"none_codable"})])
    s, g = consensus_as_segments(c, sources(["s1", "s2"], ["T", "T"]), CB)
    assert sorted(g.code) == ["goal/goal_reliability", "none/none_codable"]


def test_theme_rows_fill_the_reading_with_computed_numbers():
    c = cons([("s1", {"goal_reliability"}), ("s2", set()), ("s3", {"shortcoming_reliability"}), ("s4", set())])
    rows = theme_rows([{"theme": "reliability", "published": "p", "codes": ["goal_reliability",
                                                                             "shortcoming_reliability"],
                        "reading": "{share} ({ci})"}], c)
    assert rows.iloc[0].k == 2 and rows.iloc[0].threads_show.startswith("50% (")
    assert rows.iloc[0].share == pytest.approx(0.5)
