"""Presence per original domain (Wilson intervals, counts, unstated share, shortfall) and the flow of records."""

import pandas as pd
import pytest

from mliter.coding.flow import flow_table
from mliter.coding.presence import presence_table, shortfall_sentence, shortfalls


def _cons(rows):
    cols = ["paper_id", "domain", "dpr_data_sources", "dpr_cleaning", "dpr_features", "li_model_family",
            "li_hyperparameters", "li_training", "ppr_evaluation", "ppr_analysis", "ppr_interpretation", "unstated",
            "n_coders"]
    return pd.DataFrame(rows, columns=cols)


def test_presence_counts_and_fallbacks_per_original_domain(cb):
    cons = _cons([
        ("a", "language", 0, 0, 0, 3, 2, 0, 0, 1, 0, "li_hyperparameters", 2),
        ("b", "language", 0, 0, 0, 0, 0, 0, 0, 0, 0, "", 1),
        ("c", "health_medicine", 2, 0, 0, 0, 0, 0, 0, 0, 0, "", 1),
        ("d", "control_engineering", 0, 0, 0, 0, 0, 0, 2, 0, 0, "ppr_evaluation", 1),
    ])
    t = presence_table(cons, cb).set_index(["original_domain", "part"])
    nlp = t.loc[("nlp", "LI")]
    assert (nlp.papers, nlp.iterating, nlp.share) == (2, 1, 0.5)
    assert nlp.ci_low == pytest.approx(0.0945, abs=1e-3) and nlp.ci_high == pytest.approx(0.9055, abs=1e-3)
    assert nlp.iterations == 3 and nlp.nonzero_values == 2 and nlp.unstated_values == 1  # (3-1) + (2-1)
    assert t.loc[("nlp", "PPR")].iterations == 1  # an addition is one iteration
    other = t.loc[("other", "any")]
    assert (other.papers, other.iterating, other.unstated_share) == (2, 2, 0.5)
    assert t.loc[("all", "any")].papers == 4
    assert t.loc[("web_applications", "DPR")].papers == 0 and pd.isna(t.loc[("web_applications", "DPR")].share)
    short = shortfalls(presence_table(cons, cb), cb)
    assert short == {"social_sciences": 0, "natural_sciences": 0, "web_applications": 0, "nlp": 2, "computer_vision": 0}
    assert "natural language processing 2" in shortfall_sentence(short, cb)


def test_flow_counts_every_record_once(cb):
    papers = pd.DataFrame({"paper_id": list("abcdefg"), "n_records": [2, 1, 1, 1, 1, 1, 1]})
    screening = pd.DataFrame({
        "paper_id": list("abcdefg"),
        "decision": ["excluded", "excluded", "not_sampled", "excluded", "included", "included", "pending"],
        "reason": ["out_of_frame_test_fixture", "not_research", "", "not_ml", "", "", ""],
        "decided_by": ["rule", "rule", "not_sampled", "coder", "coders_agreed", "coder", "pending"]})
    cons = pd.DataFrame({"paper_id": ["e", "f"], "n_coders": [2, 1]})
    f = flow_table(papers, screening, cons, cb).groupby("step")["records"].sum()
    assert (f["captured"], f["deduplicated"], f["duplicates"]) == (8, 7, 1)
    assert (f["excluded_by_rule"], f["frame"], f["not_sampled"], f["sampled"]) == (2, 5, 1, 4)
    assert (f["excluded_by_coder"], f["pending"], f["included"], f["coded"], f["double_coded"]) == (1, 1, 2, 2, 1)
