"""Summaries behind the iteration figures, on a small hand-made versions table."""

from __future__ import annotations

import math

import pandas as pd

from mliter.report.iterations import change_distribution, per_workflow, stages_by_change


def _versions() -> pd.DataFrame:
    rows = [
        ("a", 1, "2020-01-01T00:00:00Z", "ok", "S", "load;DPR;LI", None),
        ("a", 2, "2020-01-01T06:00:00Z", "ok", "H", "LI", 360.0),
        ("a", 3, "2020-01-02T06:00:00Z", "error", None, None, None),
        ("a", 4, "2020-01-03T06:00:00Z", "ok", "P", "DPR;EDA", 2880.0),
        ("b", 1, "2020-02-01T00:00:00Z", "ok", "S", "load", None),
        ("b", 2, "2020-02-01T00:30:00Z", "ok", "H", "DPR;LI", 30.0),
    ]
    return pd.DataFrame(rows, columns=["workflow_id", "version", "timestamp", "status", "change_type",
                                       "stages_touched", "minutes_since_previous"])


def test_change_distribution_keeps_every_code_and_shares():
    v = _versions()
    t = change_distribution({"nb": v.loc[v.status == "ok", "change_type"]})
    assert list(t["code"])[0] == "S" and "X" in set(t["code"])
    h = t.set_index("code").loc["H"]
    assert h["n"] == 2 and h["share"] == 2 / 5 and h["share_of_changes"] == 2 / 3
    assert t.set_index("code").loc["E", "n"] == 0
    assert math.isnan(t.set_index("code").loc["S", "share_of_changes"])


def test_change_distribution_marks_codes_a_source_cannot_have():
    v = _versions()
    t = change_distribution({"nb": v["change_type"], "runs": v["change_type"]}, {"runs": "openml"})
    assert list(dict.fromkeys(t["source"])) == ["nb", "runs"]  # order as given
    runs = t[t["source"] == "runs"].set_index("code")
    assert runs["n"].isna()["V"] and runs.loc["H", "n"] == 2 and not runs["n"].isna()["N"]


def test_per_workflow_counts_and_gaps():
    t = per_workflow(_versions()).set_index("workflow_id")
    assert t.loc["a", "versions"] == 4 and t.loc["a", "readable"] == 3 and t.loc["a", "changes"] == 2
    assert t.loc["a", "span_days"] == 2.25
    assert t.loc["a", "median_gap_hours"] == (6 + 48) / 2 and t.loc["b", "max_gap_hours"] == 0.5


def test_stages_by_change_shares_exclude_S_and_errors():
    t = stages_by_change(_versions()).set_index("code")
    assert t.loc["H", "n"] == 2 and t.loc["H", "LI"] == 1.0 and t.loc["H", "DPR"] == 0.5
    assert t.loc["P", "EDA"] == 1.0 and t.loc["all", "n"] == 3 and t.loc["all", "load"] == 0


def test_label_agreement_per_sample_and_confusion():
    from mliter.report.iterations import label_agreement

    labels = pd.DataFrame({"version_id": ["a", "b", "c", "d"], "sample": ["heldout", "heldout", "heldout", "tuning-1"],
                           "code": ["H", "P", "V", "X"]})
    versions = pd.DataFrame({"version_id": ["a", "b", "c", "d"], "change_type": ["H", "P", "P", "X"]})
    agreement, confusion = label_agreement(labels, versions)
    assert list(agreement["sample"]) == ["tuning-1", "heldout"]
    held = agreement.set_index("sample").loc["heldout"]
    assert held["n"] == 3 and held["agreeing"] == 2 and held["ci_low"] < 2 / 3 < held["ci_high"]
    conf = confusion.set_index("hand")
    assert conf.loc["V", "P"] == 1 and conf.loc["P", "P"] == 1 and list(conf.columns) == ["P", "H", "V"]
    import pytest
    with pytest.raises(ValueError, match="without a classified row"):
        label_agreement(labels.assign(version_id=["a", "b", "c", "zz"]), versions)


def test_shipped_hand_labels_agree_with_the_classifier(repo_root):
    """A regression floor for the held-out agreement (0.80 when the labels were made)."""
    from mliter.report.iterations import label_agreement
    from mliter.traces.versions.schema import CHANGE_LABELS, VERSIONS

    labels, versions = CHANGE_LABELS.read(repo_root), VERSIONS.read(repo_root)
    assert set(labels["sample"]) == {"tuning-1", "tuning-2", "tuning-3", "heldout"}
    assert (labels.groupby("sample").size() == 20).all()
    versions = versions.set_index("version_id")
    # every pair is two consecutive versions of one workflow
    for row in labels.itertuples():
        later, earlier = versions.loc[row.version_id], versions.loc[row.previous_version_id]
        assert later["workflow_id"] == earlier["workflow_id"] and later["version"] == earlier["version"] + 1
    agreement, _ = label_agreement(labels, versions.reset_index())
    assert agreement.set_index("sample").loc["heldout", "share"] >= 0.7
