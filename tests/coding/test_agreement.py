"""Agreement statistics on hand-checkable examples, the agreement table, disagreements and adjudication."""

import math

import numpy as np
import pandas as pd
import pytest

from mliter.cli import main
from mliter.coding.adjudicate import consensus, provenance, read_adjudication
from mliter.coding.agreement import agreement_table, alpha, kappa
from mliter.coding.disagreements import disagreements
from mliter.coding.schema import CONSENSUS, PROVENANCE, annotation_table
from mliter.coding.validate import AnnotationError, read_annotations, read_paper_ids




@pytest.fixture(scope="module")
def ann(cb, fx):
    return read_annotations([fx / "coder_a.csv", fx / "coder_b.csv"], cb, read_paper_ids(fx / "papers.csv"))


def test_kappa_by_hand():
    # table [[1,1],[0,2]]: observed 3/4, chance 2/4*1/4 + 2/4*3/4 = 1/2 -> kappa 0.5
    s = kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"])
    assert s.estimate == pytest.approx(0.5) and s.percent_agreement == pytest.approx(0.75) and s.n == 4
    assert s.ci_low < 0.5 < s.ci_high
    assert kappa(["a", "b", "c"], ["a", "b", "c"]).estimate == pytest.approx(1.0)


def test_kappa_degenerate_is_undefined_with_a_reason():
    s = kappa([False] * 5, [False] * 5, [False, True])
    assert s.estimate is None and "undefined" in s.note and "chance agreement 1" in s.note
    assert s.percent_agreement == 1.0
    empty = kappa([], [], ["a", "b"])
    assert empty.estimate is None and empty.n == 0 and "no paper" in empty.note
    assert "on all 5 sources" in kappa([True] * 5, [True] * 5, [False, True], unit="source").note
    with pytest.raises(ValueError, match="not among the categories"):
        kappa(["a"], ["z"], ["a", "b"])


def test_alpha_by_hand():
    m = np.array([[0, 0, 2, 3], [0, 2, 2, 3]], dtype=float)
    # interval: Do = 8/8, De = 192/56 -> 1 - 56/192
    assert alpha(m, "interval").estimate == pytest.approx(1 - 56 / 192)
    # ordinal (frequencies 0:3, 2:3, 3:2): d(0,2)=9, d(0,3)=30.25, d(2,3)=6.25 -> Do 18/8, De 600/56
    assert alpha(m, "ordinal").estimate == pytest.approx(1 - (18 / 8) / (600 / 56))
    with_missing = np.array([[0, 2, np.nan], [0, 2, 5]], dtype=float)
    s = alpha(with_missing, "ordinal")
    assert s.n == 2 and s.estimate == pytest.approx(1.0)


def test_alpha_degenerate_is_undefined():
    s = alpha(np.zeros((2, 4)), "ordinal")
    assert s.estimate is None and "one single value" in s.note and s.n == 4
    s = alpha(np.array([[1, np.nan], [np.nan, 2]], dtype=float), "interval")
    assert s.estimate is None and s.n == 0


def test_agreement_table_lists_every_code(cb, ann):
    t = agreement_table(ann, cb)
    assert set(t.code) == {c.code for c in cb.coded} | {"part_DPR", "part_LI", "part_PPR"}
    assert set(t.n) == {3}
    assert set(t.measure) == {"cohen_kappa", "krippendorff_alpha_nominal", "krippendorff_alpha_ordinal",
                              "krippendorff_alpha_interval"}
    row = t[(t.code == "li_hyperparameters") & (t.on == "presence") & (t.measure == "cohen_kappa")].iloc[0]
    assert row.estimate == pytest.approx(0.4) and row.coders == "coder_a;coder_b"  # see the fixture's values
    dom = t[t.code == "domain"]
    assert list(dom.measure) == ["cohen_kappa", "krippendorff_alpha_nominal"]
    assert dom.estimate.tolist() == pytest.approx([1.0, 1.0])
    li_training = t[t.code == "li_training"]
    assert li_training.estimate.isna().all() and li_training.note.str.startswith("undefined").all()


def test_disagreements_report(cb, ann, fx):
    d = disagreements(ann, cb, read_adjudication(fx / "adjudication.csv", cb))
    got = {(r.paper_id, r.code): (r.kind, r.coder_values, r.adjudicated_value) for r in d.itertuples()}
    assert got == {
        ("pmlr:v0/p1", "li_hyperparameters"): ("presence", "coder_a=2;coder_b=0", "2"),
        ("pmlr:v0/p1", "ppr_analysis"): ("count", "coder_a=1;coder_b=2", ""),
        ("pmlr:v0/p2", "dpr_features"): ("count", "coder_a=3;coder_b=2", ""),
    }


def test_adjudication_provenance_traces_every_value(cb, ann, fx):
    adj = read_adjudication(fx / "adjudication.csv", cb)
    prov = provenance(ann, cb, adj)
    assert len(prov) == 6 * len(cb.coded)
    key = prov.set_index(["paper_id", "code"])
    assert tuple(key.loc[("pmlr:v0/p1", "li_hyperparameters"), ["value", "method", "adjudicator"]]) == ("2", "adjudicated", "adj")
    assert tuple(key.loc[("pmlr:v0/p1", "ppr_analysis"), ["value", "method"]]) == ("1", "first_coder_default")
    assert tuple(key.loc[("pmlr:v0/p3", "li_hyperparameters"), ["value", "method"]]) == ("6", "agreed")
    assert tuple(key.loc[("pmlr:v0/p6", "domain"), ["value", "method", "coder_values"]]) == (
        "social_science_policy", "single_coder", "coder_b=social_science_policy")
    # every consensus value is one of its coders' values or an adjudicated one
    for r in prov.itertuples():
        coder_vals = {kv.split("=", 1)[1] for kv in r.coder_values.split(";")}
        assert r.value in coder_vals or r.method == "adjudicated"
    cons = consensus(prov, ann, cb)
    row = cons.set_index("paper_id").loc["pmlr:v0/p1"]
    assert (row.n_coders, row.coders, row.li_hyperparameters, row.n_adjudicated, row.n_defaulted) == (
        2, "coder_a;coder_b", 2, 1, 1)
    assert list(CONSENSUS.conform(cons).columns) == CONSENSUS.column_names
    assert list(PROVENANCE.conform(prov).columns) == PROVENANCE.column_names


def test_adjudication_errors(cb, ann, tmp_path):
    bad = tmp_path / "adjudication.csv"
    bad.write_text("paper_id,code,value,adjudicator,reason\npmlr:v0/p1,li_magic,2,adj,x\n"
                   "pmlr:v0/p1,li_model_family,1,adj,x\npmlr:v0/p2,dpr_features,2,,\n")
    with pytest.raises(AnnotationError) as err:
        read_adjudication(bad, cb)
    text = str(err.value)
    assert "row 2, column code: unknown code 'li_magic'" in text
    assert "row 3, column value: value 1 is not allowed" in text
    assert "row 4, column adjudicator" in text and "row 4, column reason" in text
    stray = tmp_path / "stray.csv"
    stray.write_text("paper_id,code,value,adjudicator,reason\npmlr:v0/p3,domain,language,adj,no disagreement here\n")
    with pytest.raises(ValueError, match="resolve no disagreement"):
        provenance(ann, cb, read_adjudication(stray, cb))


def test_cli_agreement_and_adjudicate_write_declared_tables(fx, tmp_path, capsys):
    (tmp_path / "coding" / "papers" / "coders").mkdir(parents=True)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "papers.csv").write_bytes((fx / "papers.csv").read_bytes())
    for name in ("coder_a.csv", "coder_b.csv"):
        (tmp_path / "coding" / "papers" / "coders" / name).write_bytes((fx / name).read_bytes())
    (tmp_path / "coding" / "papers" / "adjudication.csv").write_bytes((fx / "adjudication.csv").read_bytes())
    assert main(["code", "agreement", "--root", str(tmp_path), "--only-version", "2.0"]) == 0
    assert not (tmp_path / "coding" / "papers" / "agreement.csv").exists()
    assert "3 coded by two or more coders" in capsys.readouterr().out
    assert main(["code", "agreement", "--root", str(tmp_path)]) == 0
    assert main(["code", "adjudicate", "--root", str(tmp_path)]) == 0
    cons = CONSENSUS.read(tmp_path)
    assert len(cons) == 6 and set(cons.n_coders) == {1, 2}
    first = (tmp_path / CONSENSUS.path).read_bytes()
    assert main(["code", "adjudicate", "--root", str(tmp_path)]) == 0
    assert (tmp_path / CONSENSUS.path).read_bytes() == first
    out = capsys.readouterr().out
    assert "agreed=" in out and "first_coder_default=2" in out


def test_annotation_schema_follows_the_codebook(cb):
    t = annotation_table("coder_a", cb)
    assert t.column_names == list(cb.columns)
    assert t.foreign_keys[0].resource == "papers"
    assert not math.isnan(t.columns[4].maximum)


def test_three_coders_pairs_without_shared_papers_are_left_out(cb, ann):
    third = ann[ann.paper_id.isin(["pmlr:v0/p4", "pmlr:v0/p5"])].assign(coder="coder_c")
    third.loc[third.paper_id == "pmlr:v0/p5", "domain"] = "web_industry"
    t = agreement_table(pd.concat([ann, third], ignore_index=True), cb)
    dom = t[t.code == "domain"].set_index(["measure", "coders"])
    assert set(dom.index) == {("cohen_kappa", "coder_a;coder_b"), ("cohen_kappa", "coder_a;coder_c"),
                              ("krippendorff_alpha_nominal", "coder_a;coder_b;coder_c")}
    assert dom.loc[("cohen_kappa", "coder_a;coder_c"), "n"] == 2
    # alpha over all coders uses the 3 papers of a/b and the 2 of a/c: 5 papers, 4 agree
    nominal = dom.loc[("krippendorff_alpha_nominal", "coder_a;coder_b;coder_c")]
    assert nominal.n == 5 and nominal.percent_agreement == pytest.approx(0.8)


def test_alpha_bootstrap_interval_is_deterministic_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 4, 40).astype(float)
    noisy = np.where(rng.random(40) < 0.2, rng.integers(0, 4, 40), truth).astype(float)
    m = np.vstack([truth, noisy])
    a, b = alpha(m, "ordinal", n_boot=300), alpha(m, "ordinal", n_boot=300)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low < a.estimate < a.ci_high <= 1
