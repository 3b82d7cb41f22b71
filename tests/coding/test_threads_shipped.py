"""The shipped thread coding is complete and consistent: coverage, double-coding share, provenance, agreement rows."""

import pandas as pd
import pytest

from mliter.coding.assignment import read_assignment
from mliter.coding.segments import coder_files, presence, read_segments
from mliter.coding.threads_schema import (AGREEMENT, CODEBOOK, CONSENSUS, CONSENSUS_SEGMENTS, PROVENANCE,
                                          SEGMENT_AGREEMENT)
from mliter.corpus.threads.schema import SOURCES
from mliter.paths import ROOT

FOLDER = ROOT / "coding/threads"
pytestmark = pytest.mark.skipif(not (FOLDER / "consensus.csv").exists(), reason="no shipped thread consensus yet")


def shipped_segments():
    files = coder_files(FOLDER / "coders", CODEBOOK)
    return read_segments(files, CODEBOOK, None, read_assignment(FOLDER / "assignment.csv"), partial=False)


def test_every_thread_is_assigned_and_the_sample_is_double_coded():
    ids = set(SOURCES.read(ROOT)["source_id"])
    assignment = read_assignment(FOLDER / "assignment.csv")
    assert assignment["coder_a"] == ids
    assert len(assignment["coder_b"]) / len(ids) >= 0.40


def test_consensus_traces_to_coder_values():
    seg = shipped_segments()
    pres = presence(seg, CODEBOOK).set_index(["source_id", "coder"])
    prov = PROVENANCE.read(ROOT)
    cons = CONSENSUS.read(ROOT).set_index("source_id")
    assert len(prov) == len(cons) * len(CODEBOOK.codes)
    for r in prov.itertuples():
        for pair in r.coder_values.split(";"):
            coder, value = pair.split("=")
            assert bool(pres.loc[(r.source_id, coder), r.code]) == (value == "present"), (r.source_id, r.code, coder)
        assert bool(cons.loc[r.source_id, r.code]) == (r.value == "present")
        if r.method == "adjudicated":
            assert r.adjudicator and r.reason
    coded = {(s, c) for s, c in zip(seg.source_id, seg.code)}
    for r in CONSENSUS_SEGMENTS.read(ROOT).itertuples():
        assert (r.source_id, r.code) in coded
        assert set(r.coders.split(";")) <= set(seg[(seg.source_id == r.source_id) & (seg.code == r.code)].coder)


def test_every_code_has_agreement_rows_with_n():
    agr = AGREEMENT.read(ROOT)
    units = SEGMENT_AGREEMENT.read(ROOT)
    for c in CODEBOOK.codes:
        rows = agr[(agr.code == c.code) & (agr.measure == "krippendorff_alpha_nominal")]
        assert len(rows) == 1 and pd.notna(rows.n.iloc[0])
        assert len(units[units.code == c.code]) == 1
