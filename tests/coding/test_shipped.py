"""The shipped survey tables: current with the coder files, one codebook version, a screened frame, size targets."""

import re

import pandas as pd
import pytest

from mliter.coding.adjudicate import consensus, provenance, read_adjudication
from mliter.coding.agreement import agreement_table, screening_agreement
from mliter.coding.codebook import load
from mliter.coding.disagreements import disagreements, screening_disagreements
from mliter.coding.schema import AGREEMENT, CONSENSUS, DISAGREEMENTS, PROVENANCE, SCREENING
from mliter.coding.screening import read_screeners, screening_table
from mliter.coding.validate import coder_files, read_annotations
from mliter.corpus.papers.schema import PAPERS
from mliter.paths import ROOT

FOLDER = ROOT / "coding" / "papers"
#: Written here independently of the codebook's rule, so a loosened rule cannot pass unnoticed.
TEST_FIXTURE_URL = re.compile(r"/(?:tests?|fixtures?|testdata)/", re.I)
pytestmark = pytest.mark.skipif(not (FOLDER / "consensus.csv").exists(), reason="no consensus shipped yet")


@pytest.fixture(scope="module")
def shipped():
    cb = load()
    papers = PAPERS.read(ROOT)
    ids = set(papers.paper_id)
    screening = SCREENING.read(ROOT)
    included = set(screening.loc[screening.decision == "included", "paper_id"])
    ann = read_annotations(coder_files(FOLDER / "coders", cb), cb, ids)
    ann = ann[ann.paper_id.isin(included)].reset_index(drop=True)
    screeners = read_screeners(coder_files(FOLDER / "screeners", cb), cb, ids)
    adj = read_adjudication(FOLDER / "adjudication.csv", cb)
    adj = adj[adj.paper_id.isin(included) | (adj.code == "screening")].reset_index(drop=True)
    prov = provenance(ann, cb, adj[adj.code != "screening"])
    derived = {CONSENSUS: consensus(prov, ann, cb), PROVENANCE: prov,
               AGREEMENT: pd.concat([agreement_table(ann, cb), screening_agreement(screeners)], ignore_index=True),
               DISAGREEMENTS: pd.concat([disagreements(ann, cb, adj), screening_disagreements(screeners, adj)],
                                        ignore_index=True)}
    return cb, papers, screening, screeners, adj, derived


def test_shipped_tables_are_current_with_the_coder_files(shipped):
    derived = shipped[-1]
    stale = [t.path for t, df in derived.items() if t.to_csv_bytes(df) != (ROOT / t.path).read_bytes()]
    assert not stale, f"run `mliter code screen`, `mliter code agreement` and `mliter code adjudicate`: stale {stale}"


def test_screening_is_current(shipped, shared):
    from mliter.corpus.papers.abstracts import load_abstracts

    cb, papers, _, screeners, adj, _ = shipped
    table = screening_table(pd.read_csv(ROOT / PAPERS.path, dtype=str, keep_default_na=False),
                            load_abstracts(shared), cb, screeners, adj)
    assert SCREENING.to_csv_bytes(table) == (ROOT / SCREENING.path).read_bytes(), "run `mliter code screen`"


def test_screening_covers_every_record_once(shipped):
    _, papers, screening, *_ = shipped
    assert screening.paper_id.is_unique
    assert set(screening.paper_id) == set(papers.paper_id)
    assert not (screening.decision == "pending").any(), "sampled records still wait for a coder's screening"


def test_no_test_fixture_record_is_included(shipped):
    _, papers, screening, *_ = shipped
    fixture_ids = set(papers.loc[papers.record_url.fillna("").str.contains(TEST_FIXTURE_URL), "paper_id"])
    assert len(fixture_ids) >= 200  # the arXiv, Semantic Scholar and ACL client test fixtures
    s = screening.set_index("paper_id").loc[sorted(fixture_ids)]
    assert (s.decision == "excluded").all() and (s.reason == "out_of_frame_test_fixture").all()


def test_no_excluded_record_in_the_consensus(shipped):
    screening, derived = shipped[2], shipped[-1]
    cons = pd.read_csv(ROOT / CONSENSUS.path, dtype=str)
    decision = screening.set_index("paper_id").decision
    assert (decision.loc[cons.paper_id] == "included").all()
    assert set(derived[CONSENSUS].paper_id) == set(cons.paper_id)


def test_every_consensus_row_follows_the_current_codebook(shipped):
    cb = shipped[0]
    cons = CONSENSUS.read(ROOT)
    assert (cons.codebook_version == cb.version).all()
    assert cb.compatible_versions == ()
    for f in coder_files(FOLDER / "coders", cb):
        assert set(pd.read_csv(f, dtype=str).codebook_version) == {cb.version}, f


def test_double_coding_agreement_and_domain_targets(shipped):
    cb = shipped[0]
    cons = CONSENSUS.read(ROOT)
    assert (cons.n_coders >= 2).mean() >= 0.40
    assert len({c for cs in cons.coders for c in cs.split(";")}) >= 2
    agreement = AGREEMENT.read(ROOT)
    codes = {c.code for c in cb.coded} | {f"part_{p}" for p in cb.parts} | {"screening"}
    assert codes <= set(agreement.code)
    assert (agreement.groupby("code").n.max() > 0).all()
    defined = agreement[agreement.estimate.notna()]
    assert defined.ci_low.notna().all() and defined.ci_high.notna().all()
    assert (agreement.estimate.notna() | agreement.note.fillna("").str.startswith("undefined")).all()
    presence = (ROOT / "figures" / "survey_presence.md").read_text(encoding="utf-8")
    coded = cons.domain.map(cb.original_domain).value_counts()
    for d in cb.original_domains:
        if d.key != "other" and coded.get(d.key, 0) < cb.minimum_coded:
            assert f"{d.label} {coded.get(d.key, 0)}" in presence, f"shortfall of {d.label} not stated"
    assert "lower bounds" in presence
