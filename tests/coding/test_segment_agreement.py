"""Agreement of segment coders: presence kappa/alpha and the unitised character-level alpha."""

import krippendorff
import numpy as np
import pandas as pd
import pytest

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, load
from mliter.coding.segment_agreement import binary_alpha, coincidences, presence_agreement, unitised_agreement
from mliter.coding.segments import presence

CB = load(DEFAULT_INTERVIEW_CODEBOOK)


def seg_frame(rows):
    df = pd.DataFrame(rows, columns=["source_id", "coder", "code", "start", "end"]).assign(codebook_version="1.0")
    for c in ("start", "end"):
        df[c] = df[c].astype("Int64")
    return df[["source_id", "coder", "codebook_version", "code", "start", "end"]]


def test_binary_alpha_matches_the_krippendorff_package():
    rng = np.random.default_rng(3)
    texts, rows, matrix = {}, [], []
    for k in range(6):
        sid = f"s{k}"
        texts[sid] = "x" * 50
        masks = []
        for coder in ("a", "b"):
            s = int(rng.integers(0, 30))
            e = s + int(rng.integers(1, 20))
            rows.append((sid, coder, "goal_reliability", s, e))
            m = np.zeros(50)
            m[s:e] = 1
            masks.append(m)
        matrix.append(np.vstack(masks))
    seg = seg_frame(rows)
    co = coincidences(seg, texts, "goal_reliability", {f"s{k}": ["a", "b"] for k in range(6)})
    ours = binary_alpha(*co.sum(axis=0))
    theirs = krippendorff.alpha(reliability_data=np.hstack(matrix), level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_unitised_alpha_rewards_overlap_and_has_an_interval():
    texts = {f"s{k}": "y" * 100 for k in range(8)}
    same = seg_frame([(f"s{k}", c, "goal_simplicity", 10, 40) for k in range(8) for c in ("a", "b")])
    shifted = seg_frame([(f"s{k}", "a", "goal_simplicity", 10, 40) for k in range(8)]
                        + [(f"s{k}", "b", "goal_simplicity", 30 + k, 70) for k in range(8)])

    def row(t):
        return t.set_index("code").loc["goal_simplicity"]

    perfect, partial = row(unitised_agreement(same, texts, CB, n_boot=200)), row(unitised_agreement(shifted, texts, CB, n_boot=200))
    assert perfect["estimate"] == pytest.approx(1.0) and perfect["n"] == 8
    assert -1 < partial["estimate"] < 0.5 and partial["ci_low"] <= partial["estimate"] <= partial["ci_high"]
    unused = unitised_agreement(same, texts, CB, n_boot=50).set_index("code").loc["goal_reliability"]
    assert pd.isna(unused["estimate"]) and "no coder placed a segment" in unused["note"]


def test_presence_agreement_per_code_and_group():
    rows = []
    for k in range(10):
        rows += [(f"s{k}", "a", "shortcoming_budget" if k < 5 else "benefit_effort", 0, 5),
                 (f"s{k}", "b", "shortcoming_budget" if k < 4 else "benefit_effort", 0, 5)]
    table = presence_agreement(presence(seg_frame(rows), CB), CB, n_boot=200)
    kappa = table[(table.code == "shortcoming_budget") & (table.measure == "cohen_kappa")].iloc[0]
    assert kappa.n == 10 and kappa.percent_agreement == pytest.approx(0.9) and 0.5 < kappa.estimate < 1
    alpha = table[(table.code == "shortcoming_budget") & (table.measure == "krippendorff_alpha_nominal")].iloc[0]
    assert alpha.ci_low <= alpha.estimate <= alpha.ci_high
    group = table[(table.code == "group_shortcoming") & (table.measure == "cohen_kappa")].iloc[0]
    assert group.group == "shortcoming" and group.n == 10
    unused = table[(table.code == "user_novice") & (table.measure == "cohen_kappa")].iloc[0]
    assert pd.isna(unused.estimate) and "undefined" in unused.note
    assert "on all 10 sources" in unused.note and "paper" not in unused.note  # the unit is the thread (source)
