"""The shipped survey tables: current with the coder files, traceable, and meeting the survey's size targets."""

import pandas as pd
import pytest

from mliter.coding.adjudicate import consensus, provenance, read_adjudication
from mliter.coding.agreement import agreement_table
from mliter.coding.codebook import load
from mliter.coding.disagreements import disagreements
from mliter.coding.schema import AGREEMENT, CONSENSUS, DISAGREEMENTS, PROVENANCE
from mliter.coding.validate import coder_files, read_annotations, read_paper_ids
from mliter.paths import ROOT

FOLDER = ROOT / "coding" / "papers"
pytestmark = pytest.mark.skipif(not (FOLDER / "consensus.csv").exists(), reason="no consensus shipped yet")


@pytest.fixture(scope="module")
def derived():
    cb = load()
    ann = read_annotations(coder_files(FOLDER, cb), cb, read_paper_ids(ROOT / "corpus" / "papers.csv"))
    adj = read_adjudication(FOLDER / "adjudication.csv", cb)
    prov = provenance(ann, cb, adj)
    return cb, ann, {CONSENSUS: consensus(prov, ann, cb), PROVENANCE: prov,
                     AGREEMENT: agreement_table(ann, cb), DISAGREEMENTS: disagreements(ann, cb, adj)}


def test_shipped_tables_are_current_with_the_coder_files(derived):
    _, _, tables = derived
    stale = [t.path for t, df in tables.items() if t.to_csv_bytes(df) != (ROOT / t.path).read_bytes()]
    assert not stale, f"run `mliter code agreement` and `mliter code adjudicate`: stale {stale}"


def test_every_consensus_value_traces_to_coder_values(derived):
    _, _, tables = derived
    prov = tables[PROVENANCE]
    for r in prov.itertuples():
        values = {kv.split("=", 1)[1] for kv in r.coder_values.split(";")}
        assert r.value in values or r.method == "adjudicated", r
        assert (r.method == "adjudicated") == bool(r.reason)


def test_survey_size_targets(derived):
    cb, ann, tables = derived
    cons = tables[CONSENSUS]
    assert len(cons) >= 150
    assert cons.loc[cons.domain != "other", "domain"].nunique() >= 5
    assert (cons.n_coders >= 2).mean() >= 0.30
    agreement = tables[AGREEMENT]
    assert {c.code for c in cb.coded} <= set(agreement.code)
    assert set(pd.read_csv(ROOT / "figures" / "survey_agreement.csv")["code"]) >= {c.code for c in cb.coded}
