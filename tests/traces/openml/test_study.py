"""The OpenML study's analyses on a fixture in the published schema, with answers worked out by hand."""

from __future__ import annotations

import math
import zipfile

import pandas as pd
import pytest

from mliter.cli import main
from mliter.errors import InputError
from mliter.paths import ROOT
from mliter.traces.openml.published import read_published
from mliter.traces.openml.study import (PUBLISHED_COLUMNS, StudyParameters, canonical, compare_modes, mode_tests,
                                        sequences)

FIXTURE = ROOT / "tests" / "fixtures" / "openml_workflows" / "workflows.csv"


@pytest.fixture(scope="module")
def seqs() -> pd.DataFrame:
    return sequences(read_published(FIXTURE)).set_index("user_id")


def test_modes(seqs):
    # user 1: gaps 30, 45, 120 min; user 2: 0.1, 0.2, 0.5, 0.05; user 3: 0.5 given and 20 from start_time
    assert seqs["mode"].to_dict() == {1: "manual", 2: "automated", 3: "mixed", 4: "single", 5: "unknown"}
    assert seqs.loc[3, "n_machine_pace"] == 1 and seqs.loc[3, "n_human_pace"] == 1
    assert seqs.loc[3, "median_gap_mins"] == pytest.approx(10.25)


def test_threshold_moves_the_mode():
    loose = sequences(read_published(FIXTURE), StudyParameters(automated_minutes=60)).set_index("user_id")
    assert loose.loc[1, "mode"] == "mixed" and loose.loc[3, "mode"] == "automated"


def test_wasted_iterations(seqs):
    # user 1: .80 .85 .83 .85 -> .83 and the tie .85 waste; user 2: .70 .72 .71 .74 .73 -> .71 and .73 waste;
    # user 3: first AUC missing, so iteration 2 has nothing to improve on; iteration 3 improves
    assert seqs[["n_assessable", "n_wasted"]].loc[[1, 2, 3]].values.tolist() == [[3, 2], [4, 2], [1, 0]]
    assert seqs.loc[5, "n_wasted"] == 1 and seqs.loc[4, "n_assessable"] == 0 and math.isnan(seqs.loc[4, "share_wasted"])


def test_options_explored_read_sets_in_any_order(seqs):
    # user 1: rows 1 and 2 print the same parameter set in another order
    assert seqs.loc[1, ["n_model_options", "n_model_params_options", "n_ppr_options"]].tolist() == [2, 3, 0]
    # user 2: {StandardScaler, PCA} twice in two orders, plus StandardScaler and MinMaxScaler
    assert seqs.loc[2, ["n_model_options", "n_model_params_options", "n_ppr_options"]].tolist() == [1, 5, 3]
    assert canonical("{'b', 'a'}") == canonical("{'a', 'b'}") and canonical("set()") == ""
    assert canonical('{"x": {"b": 1, "a": 2}}') == canonical('{"x": {"a": 2, "b": 1}}')
    assert canonical("b;a") == "a;b"


def test_auc_reached(seqs):
    assert seqs.loc[1, "best_auc"] == pytest.approx(0.85) and seqs.loc[2, "best_auc"] == pytest.approx(0.74)
    assert seqs.loc[3, "best_dist_from_mean_auc"] == pytest.approx(0.0)


def test_compare_modes_pools_wasted_iterations_with_intervals(seqs):
    table = compare_modes(seqs.reset_index()).set_index("mode")
    assert table.loc["manual", "share_wasted"] == pytest.approx(2 / 3)
    assert table.loc["automated", "share_wasted"] == pytest.approx(0.5)
    assert table.loc["mixed", ["n_sequences", "n_runs", "n_wasted"]].tolist() == [1, 3, 0]
    assert 0 < table.loc["manual", "wasted_ci_low"] < 2 / 3 < table.loc["manual", "wasted_ci_high"] < 1
    assert table.loc["automated", "mean_ppr_options"] == 3
    p = mode_tests(seqs.reset_index())
    assert 0 <= p["share_wasted"] <= 1


def test_traces_table_has_the_published_columns():
    shipped = pd.read_csv(ROOT / "traces" / "openml_runs.csv")
    assert tuple(shipped.columns) == PUBLISHED_COLUMNS
    assert len(sequences(shipped)) == shipped.groupby(["user_id", "task_id"]).ngroups


def test_reader_accepts_zip_and_refuses_other_headers(tmp_path):
    archive = tmp_path / "openml_workflows.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURE, "openml_workflows/workflows.csv")
    assert read_published(archive).equals(read_published(FIXTURE))
    bad = tmp_path / "bad.csv"
    bad.write_text(FIXTURE.read_text().replace("time_delta_in_mins", "minutes", 1))
    with pytest.raises(InputError, match=r"bad.csv: not the OpenML study's 14-column schema.*missing "
                                         r"\['time_delta_in_mins'\], unexpected \['minutes'\]"):
        read_published(bad)
    indexed = tmp_path / "indexed.csv"
    indexed.write_text("".join("," + line for line in FIXTURE.read_text().splitlines(keepends=True)))
    with pytest.raises(InputError, match="unexpected"):
        read_published(indexed)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty.csv: not a readable CSV"):
        read_published(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text(FIXTURE.read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match="no runs"):
        read_published(header_only)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(FIXTURE.read_text().replace("\n102,", "\nxx,", 1))
    with pytest.raises(InputError, match=r"row 3, column rid"):
        read_published(wrong)


def test_import_command(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["import", "openml-workflows", str(FIXTURE), "--out", str(out)]) == 0
    modes = pd.read_csv(out / "openml_workflows_modes.csv").set_index("mode")
    assert modes.loc["automated", "n_wasted"] == 2
    assert len(pd.read_csv(out / "openml_workflows_sequences.csv")) == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["import", "openml-workflows", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert "bad.csv: not the OpenML study's 14-column schema" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
