"""The figures built on mined stages carry the stage producer's held-out error (issue 7, item 8)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mliter.errors import InputError
from mliter.paths import ROOT
from mliter.report.captions import fill
from tests.analysis_scripts import load_script

FIG = ROOT / "figures"
ORDER = ["setup", "load", "EDA", "DPR", "LI", "PPR", "other"]


def _captions(script: str) -> dict[str, str]:
    return json.loads((FIG / "captions.json").read_text())[f"analysis/{script}.py"]["captions"]


def test_hidden_by_stage_shows_each_share_beside_its_corrected_estimate():
    variables = json.loads((FIG / "variables.json").read_text())
    first = (FIG / "hidden_by_stage.md").read_text().splitlines()[0]
    assert f"{variables['traceStageAccuracyLatest']:.1%} of {variables['traceStageNLatest']} cells" in first
    assert f"round-{variables['traceStageRoundLatest']} held-out" in first
    shown = pd.read_csv(FIG / "hidden_by_stage.csv")
    corrected = pd.read_csv(FIG / "stage_shares_corrected.csv")
    corrected = corrected[corrected.quantity == "share of hidden executions"].set_index("stage").loc[ORDER]
    assert list(shown.stage) == ORDER
    np.testing.assert_allclose(shown.share_hidden, corrected.raw_share, rtol=1e-4)
    np.testing.assert_allclose(shown.corrected_share, corrected.corrected_share, rtol=1e-4)
    assert ((shown.corrected_low <= shown.corrected_share + 1e-9)
            & (shown.corrected_share <= shown.corrected_high + 1e-9)).all()
    assert variables["hiddenShareLICorrected"] == pytest.approx(float(corrected.loc["LI", "corrected_share"]), abs=1e-4)


def test_stage_composition_says_it_is_not_corrected_and_how_wrong_stages_are():
    variables = json.loads((FIG / "variables.json").read_text())
    text = fill(_captions("stage_composition")["stage_composition"], variables)
    assert "not corrected for misclassification" in text
    assert f"{variables['traceStageAccuracyLatest']:.1%} of {variables['traceStageNLatest']} cells" in text
    assert "?" not in text  # every number it names is built


def test_corrected_share_captions_name_the_producer_and_the_held_out_set():
    variables = json.loads((FIG / "variables.json").read_text())
    first = (FIG / "stage_shares_corrected.md").read_text().splitlines()[0]
    assert variables["stageProducerForCorrection"] in first and "rules' misclassification" not in first
    assert f"{variables['nHeldOutCellsForCorrection']} cells" in first
    assert variables["heldOutPairsForCorrection"] in (FIG / "change_type_shares_corrected.md").read_text()


def _corrected_table(path, raw, stages=ORDER):
    rows = [{"quantity": "share of code cells", "stage": s, "raw_share": 1 / len(stages), "corrected_share": 0.1,
             "ci_low": 0, "ci_high": 0.2} for s in stages]
    rows += [{"quantity": "share of hidden executions", "stage": s, "raw_share": r, "corrected_share": r,
              "ci_low": 0, "ci_high": 1} for s, r in zip(stages, raw)]
    pd.DataFrame(rows).to_csv(path, index=False)


def test_hidden_by_stage_refuses_a_stale_or_partial_correction(tmp_path):
    hidden = load_script("hidden_by_stage")
    raw = np.array([0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1])
    good = tmp_path / "good.csv"
    _corrected_table(good, raw)
    assert list(hidden.corrected_hidden(good, raw).corrected_share) == pytest.approx(list(raw))
    stale = tmp_path / "stale.csv"
    _corrected_table(stale, np.roll(raw, 1))
    with pytest.raises(InputError, match=r"stale\.csv: .*one of them is stale"):
        hidden.corrected_hidden(stale, raw)
    partial = tmp_path / "partial.csv"
    _corrected_table(partial, raw[:6], ORDER[:6])
    with pytest.raises(InputError, match=r"partial\.csv: no 'share of hidden executions' row for \['other'\]"):
        hidden.corrected_hidden(partial, raw)


def test_latest_stage_error_names_the_fragment_and_the_missing_number(tmp_path):
    from mliter.report.stage_error import KEYS, describe, latest_stage_error

    full = {"traceStageAccuracyLatest": 0.729, "traceStageNLatest": 240, "traceStageRoundLatest": 8, "other": 1}
    (tmp_path / "trace_validity.json").write_text(json.dumps(full))
    error = latest_stage_error(tmp_path)
    assert tuple(error) == KEYS and describe(error) == "73% right on 240 held-out cells of fresh repositories (round 8)"
    (tmp_path / "trace_validity.json").write_text(json.dumps({k: full[k] for k in KEYS[:2]}))
    with pytest.raises(InputError, match=r"trace_validity\.json: no traceStageRoundLatest"):
        latest_stage_error(tmp_path)
    (tmp_path / "trace_validity.json").unlink()
    with pytest.raises(InputError, match=r"trace_validity\.json: cannot be read"):
        latest_stage_error(tmp_path)
