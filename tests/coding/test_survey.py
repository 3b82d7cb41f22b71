"""Survey quantities from consensus codes: iterations per part, iterating shares, the domain x part test."""

import pandas as pd
import pytest

from mliter.coding.adjudicate import consensus, provenance, read_adjudication
from mliter.coding.survey import (corpus_summary, domain_part_test, iterating_shares, iteration_shares,
                                  iterations_by_part)
from mliter.coding.validate import read_annotations, read_paper_ids


@pytest.fixture(scope="module")
def cons(cb, fx):
    ann = read_annotations([fx / "coder_a.csv", fx / "coder_b.csv"], cb, read_paper_ids(fx / "papers.csv"))
    return consensus(provenance(ann, cb, read_adjudication(fx / "adjudication.csv", cb)), ann, cb)


def test_iterations_follow_the_codebook_rule(cb, cons):
    per = iterations_by_part(cons, cb).set_index("paper_id")
    # p1: sources 2 -> 1; families 3 -> 2, hyperparameters 2 -> 1; evaluation 2 -> 1, analyses 1 -> 1
    assert tuple(per.loc["pmlr:v0/p1", ["DPR", "LI", "PPR"]]) == (1, 3, 2)
    # p5: cleaning 2 -> 1; training 2 -> 1; analyses 1 + interpretation 2 -> 3
    assert tuple(per.loc["pmlr:v0/p5", ["DPR", "LI", "PPR"]]) == (1, 1, 3)


def test_iteration_and_iterating_shares(cb, cons):
    per = iterations_by_part(cons, cb)
    shares = iteration_shares(per, cb).set_index("domain")
    allrow = shares.loc["all"]
    assert allrow.papers == 6 and allrow.iterations == per[["DPR", "LI", "PPR"]].to_numpy().sum()
    assert allrow.DPR_share + allrow.LI_share + allrow.PPR_share == pytest.approx(1.0)
    assert list(shares.index[:2]) == ["health_medicine", "social_science_policy"]  # codebook order
    it = iterating_shares(per, cb).set_index(["domain", "part"])
    dpr = it.loc[("all", "DPR")]
    assert (dpr.iterating, dpr.papers) == (3, 6) and dpr.ci_low < 0.5 < dpr.ci_high
    assert it.loc[("health_medicine", "LI")].share == 1.0


def _papers(rows):
    return pd.DataFrame([{"paper_id": f"p{i}", "domain": d, "DPR": a, "LI": b, "PPR": c}
                         for i, (d, a, b, c) in enumerate(rows)])


def test_domain_part_test_separated_and_uniform(cb):
    separated = _papers([("language", 2, 0, 0)] * 5 + [("control_engineering", 0, 2, 0)] * 5)
    t = domain_part_test(separated, cb, n_perm=500)
    assert t["parts"] == ["DPR", "LI"] and t["cramers_v"] == pytest.approx(1.0)
    assert t["p_value"] < 0.01 and t["p_perm"] < 0.05
    uniform = _papers([("language", 1, 1, 1)] * 5 + [("control_engineering", 1, 1, 1)] * 5)
    u = domain_part_test(uniform, cb, n_perm=200)
    assert u["chi2"] == pytest.approx(0.0) and u["cramers_v"] == pytest.approx(0.0) and u["p_perm"] == 1.0
    with_other = domain_part_test(pd.concat([separated, _papers([("other", 0, 0, 3)] * 6)]), cb, n_perm=100)
    assert with_other["domains"] == ["language", "control_engineering"]
    small = _papers([("language", 2, 0, 0)] * 5 + [("control_engineering", 0, 2, 0)] * 4)
    s = domain_part_test(small, cb)
    assert s["chi2"] is None and "undefined" in s["note"]


def test_corpus_summary(cb, cons, fx):
    papers = pd.read_csv(fx / "papers.csv", keep_default_na=False)
    t = corpus_summary(cons, papers, cb)
    venue = t[t.grouping == "venue"].set_index("level")["papers"]
    assert venue.to_dict() == {"FIX": 4, "OTHER": 2}
    assert t[t.grouping == "domain"]["papers"].sum() == 6


def test_agreement_summary_one_row_per_code(cb, fx):
    from mliter.coding.agreement import agreement_table
    from mliter.coding.survey import agreement_summary

    ann = read_annotations([fx / "coder_a.csv", fx / "coder_b.csv"], cb, read_paper_ids(fx / "papers.csv"))
    s = agreement_summary(agreement_table(ann, cb), cb).set_index("code")
    assert len(s) == len(cb.coded) + 3
    assert s.loc["li_hyperparameters", "kappa_coder_a_coder_b"] == pytest.approx(0.4)
    assert s.loc["li_hyperparameters", "n_coder_a_coder_b"] == 3
    assert s.loc["ppr_analysis", "exact_agreement"] == pytest.approx(2 / 3)  # p1 differs (1 vs 2)
    assert s.loc["ppr_analysis", "agreement"] == pytest.approx(1.0)  # both > 0 on p1
    assert pd.isna(s.loc["li_training", "alpha_ordinal"]) and "undefined" in s.loc["li_training", "note"]


def test_domain_by_venue_totals(cb, cons, fx):
    from mliter.coding.survey import domain_by_venue

    papers = pd.read_csv(fx / "papers.csv", keep_default_na=False)
    t = domain_by_venue(cons, papers, cb).set_index("domain")
    assert list(t.columns) == ["FIX", "OTHER", "total"]
    assert t.loc["health & medicine", "FIX"] == 2 and t.loc["all domains", "total"] == 6
    assert (t.drop(index="all domains")["total"] == t.drop(index="all domains")[["FIX", "OTHER"]].sum(axis=1)).all()
