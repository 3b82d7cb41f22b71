"""The notebook-trace evaluation: split, coder files, consensus, corrected shares, and the figures they feed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mliter.coding.eval_labels import PAIR_CODES, STAGES, validate
from mliter.coding.trace_eval import (
    consensus, corrected_shares, invert_shares, kappa, load_consensus, predict_cells, predict_pairs, read_coders,
)
from mliter.errors import MliterError
from mliter.paths import CODING, FIGURES, ROOT, TRACES
from mliter.corpus.rounds import FRESH_ROUNDS, scored_by
from tests.analysis_scripts import load_script


def test_kappa_of_identical_and_independent_labels():
    assert kappa(list("aabb"), list("aabb"))[0] == pytest.approx(1.0)
    assert kappa(list("aabb"), list("abab"))[0] == pytest.approx(0.0)


def test_consensus_prefers_adjudication_then_coder_a():
    a = pd.DataFrame({"cell_id": ["c1", "c2", "c3"], "stage": ["LI", "DPR", "EDA"], "stages": ["LI", "DPR", "EDA"]})
    b = pd.DataFrame({"cell_id": ["c1", "c2", "c3"], "stage": ["LI", "PPR", "load"], "stages": ["LI", "PPR", "load"]})
    adj = pd.DataFrame({"cell_id": ["c2"], "stage": ["PPR"]})
    cons, dis = consensus({"a": a, "b": b}, "cells", adj)
    got = dict(zip(cons.cell_id, zip(cons.stage, cons.how)))
    assert got == {"c1": ("LI", "agree"), "c2": ("PPR", "adjudicated"), "c3": ("EDA", "coder_a")}
    assert list(dis.cell_id) == ["c2", "c3"]


def test_matrix_inversion_recovers_true_shares():
    # rules call 20% of true A cells B; observed shares follow P^T p
    counts = np.array([[80, 20], [0, 100]])
    true = np.array([0.5, 0.5])
    observed = (counts / counts.sum(1, keepdims=True)).T @ true
    assert invert_shares(observed, counts) == pytest.approx(true)


def test_corrected_shares_are_deterministic_and_bounded():
    truth = ["A"] * 40 + ["B"] * 60
    pred = ["A"] * 30 + ["B"] * 10 + ["B"] * 60
    t1 = corrected_shares(["A"] * 30 + ["B"] * 70, truth, pred, ["A", "B"], n_boot=200)
    t2 = corrected_shares(["A"] * 30 + ["B"] * 70, truth, pred, ["A", "B"], n_boot=200)
    assert t1.equals(t2)
    assert t1.corrected_share.sum() == pytest.approx(1.0)
    assert t1.corrected_share[0] == pytest.approx(0.4)
    assert ((t1.ci_low <= t1.corrected_share + 1e-9) & (t1.corrected_share <= t1.ci_high + 1e-9)).all()


def test_split_keeps_every_repository_in_one_half():
    split = pd.read_csv(CODING / "eval_split.csv")
    assert split.repo.is_unique and set(split.half) == {"tuning", "heldout"}
    for kind in ("cells", "pairs"):
        s = pd.read_csv(CODING / "labels" / f"sample_{kind}.csv")
        merged = s.merge(split, on="repo", how="left", suffixes=("", "_split"))
        eval_rows = merged[merged.source.str.endswith("_eval")]
        assert (eval_rows.half == eval_rows.half_split).all()
    for g in ("nb_a", "nb_b", "nb_c", "pairs_dl", "pairs_ff"):
        assert (split.groupby("half")[g].sum() > 0).all(), g  # stratified: both halves hold each kind


def test_split_and_samples_are_reproducible(shared, tmp_path):
    from mliter.coding.eval_sample import build

    (tmp_path / "coding" / "labels").mkdir(parents=True)
    (tmp_path / "coding" / "change_labels.csv").write_bytes((CODING / "change_labels.csv").read_bytes())
    build(shared, tmp_path)
    for rel in ("coding/eval_split.csv", "coding/labels/sample_cells.csv", "coding/labels/sample_pairs.csv"):
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


def test_coder_files_are_valid_complete_and_two():
    files = sorted((CODING / "labels").glob("cells_*.csv")) + sorted((CODING / "labels").glob("pairs_*.csv"))
    assert len(files) == 4
    for f in files:
        assert validate(f) == [], f


def test_sample_sizes_meet_issue_floors():
    assert len(pd.read_csv(CODING / "labels" / "sample_cells.csv")) >= 500
    assert len(pd.read_csv(CODING / "labels" / "sample_pairs.csv")) >= 120


def test_consensus_files_are_current():
    for kind, key in (("cells", "cell_id"), ("pairs", "pair_id")):
        cons, _ = load_consensus(kind, ROOT)
        shipped = pd.read_csv(CODING / "labels" / f"consensus_{kind}.csv", dtype=str, keep_default_na=False)
        assert cons.sort_values(key).reset_index(drop=True).equals(shipped), kind


def test_predictions_are_what_the_frozen_rules_give(shared):
    cells = pd.read_csv(CODING / "labels" / "sample_cells.csv", dtype={"code_cell": int})
    fresh = predict_cells(cells, shared)
    shipped = pd.read_csv(TRACES / "eval_cells.csv", dtype=str, keep_default_na=False)
    assert fresh.astype(str).equals(shipped)
    pairs = pd.read_csv(CODING / "labels" / "sample_pairs.csv", dtype=str)
    some = pairs[pairs.half == "heldout"].head(12)
    got = predict_pairs(some, shared)
    want = pd.read_csv(TRACES / "eval_pairs.csv", dtype=str, keep_default_na=False).set_index("pair_id")
    assert list(got.code) == list(want.loc[got.pair_id, "code"])


def _recompute(kind: str, key: str, col: str, half: str, pred_file: str, labels=CODING / "labels") -> tuple[int, int]:
    sample = pd.read_csv(labels / f"sample_{kind}.csv", dtype=str)
    cons = pd.read_csv(labels / f"consensus_{kind}.csv", dtype=str)
    pred = pd.read_csv(TRACES / pred_file, dtype=str)
    m = cons.merge(pred, on=key, suffixes=("_h", "_r")).merge(sample, on=key)
    m = m[m.half == half]
    return len(m), int((m[col + "_h"] == m[col + "_r"]).sum())


ROUND2_ROW = {"cells": "round-2 held-out (fresh cells)", "pairs": "round-2 held-out (fresh series)"}
ROUND3_ROW = {"cells": "round-3 held-out (fresh repositories: cells)",
              "pairs": "round-3 held-out (fresh repositories: series)"}


def _fresh_rounds() -> list[int]:
    """Fresh rounds from 3 on whose labels are in the repository."""
    return sorted(int(p.name[5:]) for p in (CODING / "labels").glob("round*") if int(p.name[5:]) >= 3)


@pytest.mark.parametrize("kind,key,col", [("cells", "cell_id", "stage"), ("pairs", "pair_id", "code")])
def test_validity_figure_reports_the_held_out_score(kind, key, col):
    """figures/trace_validity.csv states every score the data gives, with its floor: round 1 (kept predictions),
    the round-2 rules on the tuning half and on the reused round-1 held-out half, and the fresh round-2 sample."""
    fig = pd.read_csv(FIGURES / "trace_validity.csv").set_index(["items", "label set"])
    checks = [("heldout", "round-1 rules: held-out half", f"frozen/rules1_sample1_{kind}.csv", CODING / "labels"),
              ("tuning", "round-1 rules: tuning half (in-sample)", f"frozen/rules1_sample1_{kind}.csv", CODING / "labels"),
              ("tuning", "round-2 rules: tuning half (in-sample)", f"frozen/rules2_sample1_{kind}.csv", CODING / "labels"),
              ("heldout", "round-1 held-out, reused after round-2 tuning", f"frozen/rules2_sample1_{kind}.csv",
               CODING / "labels"),
              ("heldout", ROUND2_ROW[kind], f"frozen/rules2_sample2_{kind}.csv", CODING / "labels" / "round2")]
    for half, name, pred, labels in checks:
        n, hits = _recompute(kind, key, col, half, pred, labels)
        row = fig.loc[(kind, name)]
        assert int(row["n"]) == n and int(row["agree"]) == hits, name
        assert row["ci_low"] <= hits / n <= row["ci_high"]
        assert -1 <= row["kappa"] <= 1
    floor = {"cells": 0.85, "pairs": 0.75}[kind]
    for name in ("round-1 rules: held-out half", "round-1 held-out, reused after round-2 tuning", ROUND2_ROW[kind]):
        assert fig.loc[(kind, name), "floor"] == floor
    assert int(fig.loc[(kind, "round-1 rules: held-out half"), "n"]) >= (300 if kind == "cells" else 45)
    assert int(fig.loc[(kind, ROUND2_ROW[kind]), "n"]) >= (240 if kind == "cells" else 90)
    # rounds 3 on: the held-out row and the in-sample row are there exactly when the round's sample has been
    # scored, and then state those scores: the frozen rules on their own sample, and on every earlier sample
    assert 3 in _fresh_rounds()
    for rnd in _fresh_rounds():
        labels = CODING / "labels" / f"round{rnd}"
        rules = scored_by(rnd)  # a replication round is scored by the replicated round's frozen producers
        by = "" if rules == rnd else f", round-{rules} producers (replication)"
        held, tuned = (f"round-{rnd} held-out (fresh repositories: {'cells' if kind == 'cells' else 'series'}){by}",
                       f"round-{rnd} rules: samples of rounds 1-{rnd - 1} (in-sample)")
        scored = (labels / f"consensus_{kind}.csv").exists() and (TRACES / f"frozen/rules{rules}_sample{rnd}_{kind}.csv").exists()
        assert ((kind, held) in fig.index) == scored, held
        if rnd == 3:
            assert held == ROUND3_ROW[kind] and scored
        if not scored:
            continue
        n, hits = _recompute(kind, key, col, "heldout", f"frozen/rules{rules}_sample{rnd}_{kind}.csv", labels)
        row = fig.loc[(kind, held)]
        assert (int(row["n"]), int(row["agree"]), row["floor"]) == (n, hits, floor)
        record = pd.read_csv(TRACES / f"frozen/rules{rules}_sample{rnd}_{kind}.csv", dtype=str)
        learned = f"round-{rnd} held-out (fresh repositories: cells){by}, learned coder"
        assert ((kind, learned) in fig.index) == ("stage_learned" in record), learned
        if "stage_learned" in record:  # the learned coder's stage on the same held-out cells, same record
            m = pd.read_csv(labels / "consensus_cells.csv", dtype=str).merge(record, on="cell_id",
                                                                             suffixes=("_h", "_r"))
            row = fig.loc[(kind, learned)]
            assert (int(row["n"]), int(row["agree"]), row["floor"]) == (
                len(m), int((m.stage_h == m.stage_learned).sum()), floor)
        if rules != rnd:  # a replication tuned nothing: no in-sample row of its own
            assert (kind, tuned) not in fig.index
            continue
        parts = [_recompute(kind, key, col, half, f"frozen/rules{rnd}_sample1_{kind}.csv") for half in ("tuning", "heldout")]
        parts += [_recompute(kind, key, col, "heldout", f"frozen/rules{rnd}_sample{s}_{kind}.csv",
                             CODING / "labels" / f"round{s}") for s in range(2, rnd)]
        row = fig.loc[(kind, tuned)]
        assert (int(row["n"]), int(row["agree"])) == (sum(p[0] for p in parts), sum(p[1] for p in parts))
        assert pd.isna(row["floor"])


def test_round3_rows_come_from_the_round3_sample_once_scored(tmp_path, monkeypatch):
    root, _, _ = _fresh_fixture(tmp_path, 3)
    tv = load_script("trace_validity", monkeypatch, root)
    assert tv.fresh_scored("cells", "cell_id", "stage", 3) is None  # labelled, not yet scored
    lab = root / "coding/labels/round3"
    (lab / "consensus_cells.csv").write_text("cell_id,stage,stages,union,how\nr3c0001,load,load,load,agree\n"
                                             "r3c0002,EDA,EDA,EDA;load,adjudicated\n")
    (root / "traces/eval_round3_cells.csv").write_text("cell_id,stage,stages\nr3c0001,load,load\nr3c0002,DPR,DPR\n")
    assert tv.fresh_scored("cells", "cell_id", "stage", 3) is None  # current predictions are not the frozen record
    (root / "traces/frozen").mkdir(parents=True, exist_ok=True)
    (root / "traces/frozen/rules3_sample3_cells.csv").write_text(
        "cell_id,stage,stages\nr3c0001,load,load\nr3c0002,DPR,DPR\n")
    m = tv.fresh_scored("cells", "cell_id", "stage", 3)
    assert list(m.stage_hand) == ["load", "EDA"] and list(m.stage_rule) == ["load", "DPR"]
    assert tv.FRESH[3]["cells"] == ROUND3_ROW["cells"]
    cs = load_script("corrected_shares", monkeypatch, root)
    assert cs.scored_round("cells") == 3 and cs.scored_round("pairs") is None
    assert cs.which("cells", 2) == "the round-3 held-out sample of fresh repositories, 2 cells"
    assert list(cs.heldout("cells", "cell_id", "stage").stage_rule) == ["load", "DPR"]


def test_corrected_share_tables_cover_every_stage_and_code():
    st = pd.read_csv(FIGURES / "stage_shares_corrected.csv")
    assert set(st.stage) == set(STAGES) and set(st.quantity) == {"share of code cells", "share of hidden executions"}
    for _, part in st.groupby("quantity"):
        assert part.raw_share.sum() == pytest.approx(1, abs=1e-3) and part.corrected_share.sum() == pytest.approx(1, abs=1e-3)
    ct = pd.read_csv(FIGURES / "change_type_shares_corrected.csv")
    assert set(ct.code) == set(PAIR_CODES)
    assert ((ct.ci_low <= ct.ci_high) & (ct.ci_low >= 0) & (ct.ci_high <= 1)).all()


def test_coder_agreement_figure_has_both_kinds():
    ag = pd.read_csv(FIGURES / "trace_coder_agreement.csv")
    assert set(ag["items"]) == {"cells", "pairs"} and (ag.kappa > 0.6).all()
    assert read_coders("cells", ROOT).keys() == {"a", "b"}


def _fresh_fixture(tmp_path, rnd: int = 2):
    """A repository root with a fresh round's sample (two cells, one pair), two coder files each, and material:
    round 2 reads its cells from the shared data and its series from outside; round 3 reads both from outside."""
    import json

    p = f"r{rnd}"
    cell_source = "notebooks_eval" if rnd == 2 else f"notebooks_round{rnd}"
    pair_source = f"notebook_versions_round{rnd}"
    root, data, material = tmp_path / "repo", tmp_path / "shared", tmp_path / f"fresh{rnd}"
    lab = root / f"coding/labels/round{rnd}"
    lab.mkdir(parents=True)
    (root / "traces").mkdir()

    def nb(path, sources):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
            for s in sources]}))

    cell_home = data if rnd == 2 else material
    nb(cell_home / cell_source / "o__r/x.ipynb", ["import pandas as pd", "df = pd.read_csv('t.csv')", "df.head()"])
    series = material / pair_source / "o__r/nb"
    nb(series / "v01_aaaaaaa.ipynb", ["from sklearn.linear_model import LogisticRegression",
                                      "m = LogisticRegression(C=1.0)"])
    nb(series / "v02_bbbbbbb.ipynb", ["from sklearn.linear_model import LogisticRegression",
                                      "m = LogisticRegression(C=0.1)"])
    (lab / "sample_cells.csv").write_text("cell_id,source,local_path,code_cell,repo,group,half\n"
                                          f"{p}c0001,{cell_source},o__r/x.ipynb,1,o/r,a,heldout\n"
                                          f"{p}c0002,{cell_source},o__r/x.ipynb,2,o/r,a,heldout\n")
    (lab / "sample_pairs.csv").write_text("pair_id,source,series,from_file,to_file,repo,kind,half\n"
                                          f"{p}p0001,{pair_source},o__r/nb,v01_aaaaaaa.ipynb,v02_bbbbbbb.ipynb,o/r,other,heldout\n")
    for c, second in (("a", "EDA"), ("b", "load")):
        (lab / f"cells_{c}.csv").write_text("cell_id,local_path,code_cell,stage,stages,coder,note\n"
                                            f"{p}c0001,o__r/x.ipynb,1,load,load,{c},\n"
                                            f"{p}c0002,o__r/x.ipynb,2,{second},{second},{c},\n")
        (lab / f"pairs_{c}.csv").write_text("pair_id,series,from_file,to_file,code,codes,coder,note\n"
                                            f"{p}p0001,o__r/nb,v01_aaaaaaa.ipynb,v02_bbbbbbb.ipynb,H,H,{c},\n")
    return root, data, material


def test_round2_labels_only_writes_consensus_and_runs_no_rule(tmp_path):
    from mliter.coding.trace_eval import build_tables

    root, data, _ = _fresh_fixture(tmp_path)
    written = build_tables(root, data, rnd=2, kinds=("cells",), predictions=False)
    lab = root / "coding/labels/round2"
    assert written == [lab / "consensus_cells.csv", lab / "disagreements_cells.csv"]
    assert (lab / "disagreements_cells.csv").read_text() == "cell_id,stage_a,stage_b\nr2c0002,EDA,load\n"
    assert not list((root / "traces").iterdir())
    (lab / "adjudication_cells.csv").write_text("cell_id,stage,stages,adjudicator,note\nr2c0002,EDA,EDA,x,shown\n")
    build_tables(root, data, rnd=2, kinds=("cells",), predictions=False)
    cons = pd.read_csv(lab / "consensus_cells.csv")
    assert list(cons.how) == ["agree", "adjudicated"] and list(cons.stage) == ["load", "EDA"]
    assert not (root / "coding/labels/consensus_cells.csv").exists()  # round 1 untouched


def test_round2_predictions_go_to_their_own_files(tmp_path):
    from mliter.coding.trace_eval import build_tables

    root, data, material = _fresh_fixture(tmp_path)
    build_tables(root, data, rnd=2, material=material)
    cells = pd.read_csv(root / "traces/eval_round2_cells.csv")
    pairs = pd.read_csv(root / "traces/eval_round2_pairs.csv")
    assert list(cells.cell_id) == ["r2c0001", "r2c0002"] and list(pairs.pair_id) == ["r2p0001"]
    assert pairs.code[0] == "H"  # only the regularisation constant changed
    assert not (root / "traces/eval_cells.csv").exists()


def test_round2_refuses_without_material_and_writes_nothing(tmp_path):
    from mliter.coding.trace_eval import build_tables
    from mliter.errors import InputError

    root, data, _ = _fresh_fixture(tmp_path)
    with pytest.raises(InputError, match=r"nowhere/notebook_versions_round2: folder not found"):
        build_tables(root, data, rnd=2, material=tmp_path / "nowhere")
    assert not list((root / "traces").iterdir())
    assert not (root / "coding/labels/round2/consensus_cells.csv").exists()


def test_round2_refuses_an_unlabelled_item(tmp_path):
    from mliter.coding.trace_eval import build_tables
    from mliter.errors import InputError

    root, data, material = _fresh_fixture(tmp_path)
    f = root / "coding/labels/round2/pairs_b.csv"
    f.write_text(f.read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match="pairs: 1 sampled items lack labels"):
        build_tables(root, data, rnd=2, material=material)
    assert not list((root / "traces").iterdir())


def test_cli_trace_eval_round2_names_the_missing_folder(tmp_path, capsys):
    from mliter.cli import main

    root, data, _ = _fresh_fixture(tmp_path)
    rc = main(["code", "trace-eval", "--round", "2", "--root", str(root), "--data", str(data),
               "--material", str(tmp_path / "gone")])
    assert rc != 0 and "gone/notebook_versions_round2: folder not found" in capsys.readouterr().err


@pytest.mark.parametrize("rnd", [2, *FRESH_ROUNDS])
def test_fresh_round_consensus_is_current(rnd):
    """Shipped consensus files are what the shipped coder and adjudication files give, and the coder files
    are valid against their round's sample; every disagreement of rounds 3 on has been adjudicated."""
    lab = CODING / "labels" / f"round{rnd}"
    for kind, key in (("cells", "cell_id"), ("pairs", "pair_id")):
        if not (lab / f"consensus_{kind}.csv").exists():
            continue
        cons, _ = load_consensus(kind, ROOT, rnd=rnd)
        if rnd >= 3:
            assert set(cons.how) <= {"agree", "adjudicated"}, kind
        shipped = pd.read_csv(lab / f"consensus_{kind}.csv", dtype=str, keep_default_na=False)
        assert cons.sort_values(key).reset_index(drop=True).equals(shipped), kind
        for f in sorted(lab.glob(f"{kind}_*.csv")):
            assert validate(f, lab) == [], f


@pytest.mark.parametrize("rnd", sorted(FRESH_ROUNDS))
def test_fresh_round_reads_cells_and_pairs_from_the_outside_material(tmp_path, rnd):
    from mliter.coding.trace_eval import build_tables

    root, data, material = _fresh_fixture(tmp_path, rnd)
    lab = root / f"coding/labels/round{rnd}"
    written = build_tables(root, data, rnd=rnd, predictions=False)
    assert written[0] == lab / "consensus_cells.csv" and not list((root / "traces").iterdir())
    assert (lab / "disagreements_cells.csv").read_text() == f"cell_id,stage_a,stage_b\nr{rnd}c0002,EDA,load\n"
    build_tables(root, data, rnd=rnd, material=material)
    cells = pd.read_csv(root / f"traces/eval_round{rnd}_cells.csv")
    pairs = pd.read_csv(root / f"traces/eval_round{rnd}_pairs.csv")
    assert list(cells.cell_id) == [f"r{rnd}c0001", f"r{rnd}c0002"] and cells.stage[0] == "load"
    assert list(pairs.pair_id) == [f"r{rnd}p0001"] and pairs.code[0] == "H"
    assert not (root / "traces/eval_round2_cells.csv").exists() and not (root / "traces/eval_cells.csv").exists()
    assert not (root / "traces/frozen").exists()


@pytest.mark.parametrize("rnd", sorted(FRESH_ROUNDS))
def test_fresh_round_material_defaults_to_its_environment_variable(tmp_path, monkeypatch, rnd):
    from mliter.coding.trace_eval import material_folder

    sample = pd.DataFrame({"source": [f"notebooks_round{rnd}"]})
    monkeypatch.setenv(f"MLITER_ROUND{rnd}_DATA", str(tmp_path / "m"))
    assert material_folder(sample, tmp_path / "shared") == tmp_path / "m"
    assert material_folder(sample, tmp_path / "shared", tmp_path / "given") == tmp_path / "given"
    mixed = pd.DataFrame({"source": ["notebooks_eval", f"notebooks_round{rnd}"]})
    assert material_folder(mixed, tmp_path / "shared", tmp_path / "given") == tmp_path / "shared"


@pytest.mark.parametrize("rnd", sorted(FRESH_ROUNDS))
def test_cli_trace_eval_fresh_round_labels_only_needs_no_shared_data(tmp_path, capsys, rnd):
    from mliter.cli import main

    root, _, material = _fresh_fixture(tmp_path, rnd)
    rc = main(["code", "trace-eval", "--round", str(rnd), "--root", str(root), "--data", str(tmp_path / "noshared"),
               "--labels-only"])
    assert rc == 0 and f"round{rnd}/consensus_pairs.csv" in capsys.readouterr().out
    assert not (root / f"traces/eval_round{rnd}_cells.csv").exists()
    rc = main(["code", "trace-eval", "--round", str(rnd), "--root", str(root), "--material", str(tmp_path / "gone")])
    err = capsys.readouterr().err
    assert rc != 0 and f"gone/notebooks_round{rnd}: folder not found" in err
    assert f"mliter corpus fetch --only notebooks_round{rnd}.csv --out {tmp_path / 'gone'}" in err  # how to rebuild it
    # the one scoring run after the freeze: predictions and the frozen record, from the outside material only
    from mliter.coding.trace_eval import RULES_ROUND

    rc = main(["code", "trace-eval", "--round", str(rnd), "--root", str(root), "--data", str(tmp_path / "noshared"),
               "--material", str(material), "--record"])
    if rnd > RULES_ROUND and scored_by(rnd) != RULES_ROUND:  # drawn after the rules in the code and no replication
        # of them: no record until that round's frozen rules are merged
        assert rc != 0 and f"round-{RULES_ROUND} rules cannot be recorded on the round-{rnd} sample" in \
            capsys.readouterr().err
        assert not (root / "traces/frozen").exists()
        return
    assert rc == 0
    for kind in ("cells", "pairs"):  # the rules the code holds now, recorded on this round's sample
        kept = root / f"traces/frozen/rules{RULES_ROUND}_sample{rnd}_{kind}.csv"
        assert kept.read_bytes() == (root / f"traces/eval_round{rnd}_{kind}.csv").read_bytes()


def test_frozen_records_cover_their_samples():
    """traces/frozen/rules<R>_sample<S>_*.csv (round R's frozen rules as scored) hold exactly round S's sampled
    items and are declared tables, whatever rules run now."""
    from mliter.coding.trace_schema import FROZEN_RECORDS, TABLES

    declared = {t.path for t in TABLES}
    for rules, smp in FROZEN_RECORDS:
        labels = CODING / "labels" / ("" if smp == 1 else f"round{smp}")
        for kind in ("cells", "pairs"):
            path = f"traces/frozen/rules{rules}_sample{smp}_{kind}.csv"
            rec = pd.read_csv(ROOT / path, dtype=str)
            sample = pd.read_csv(labels / f"sample_{kind}.csv", dtype=str)
            assert set(rec.iloc[:, 0]) == set(sample.iloc[:, 0]) and path in declared, path
    assert set(FROZEN_RECORDS) >= {(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)}
    # every round from 3 on that is recorded on its own sample is recorded on every earlier one (in-sample rows)
    for rules, smp in FROZEN_RECORDS:
        if rules == smp and rules >= 3:
            assert all((rules, s) in FROZEN_RECORDS for s in range(1, rules)), rules


def test_record_is_written_once_and_never_replaced(tmp_path, monkeypatch):
    """--record keeps the scored predictions; a later scoring that differs is refused and writes nothing."""
    from mliter.coding import trace_eval
    from mliter.errors import InputError

    root, data, _ = _fresh_fixture(tmp_path)
    first = pd.DataFrame({"cell_id": ["r2c0001", "r2c0002"], "stage": ["load", "EDA"], "stages": ["load", "EDA"]})
    monkeypatch.setattr(trace_eval, "predict_cells", lambda sample, where: first)
    trace_eval.build_tables(root, data, rnd=2, kinds=("cells",), record=True, rules_round=2)
    kept = root / "traces/frozen/rules2_sample2_cells.csv"
    assert pd.read_csv(kept).stage.tolist() == ["load", "EDA"]
    trace_eval.build_tables(root, data, rnd=2, kinds=("cells",), record=True, rules_round=2)  # same predictions: fine
    monkeypatch.setattr(trace_eval, "predict_cells", lambda sample, where: first.assign(stage=["DPR", "EDA"]))
    with pytest.raises(InputError, match="rules2_sample2_cells.csv: a different frozen record"):
        trace_eval.build_tables(root, data, rnd=2, kinds=("cells",), record=True, rules_round=2)
    assert pd.read_csv(kept).stage.tolist() == ["load", "EDA"]
    assert pd.read_csv(root / "traces/eval_round2_cells.csv").stage.tolist() == ["load", "EDA"]  # nothing written
    trace_eval.build_tables(root, data, rnd=2, kinds=("cells",))  # re-scoring without --record is allowed
    assert pd.read_csv(root / "traces/eval_round2_cells.csv").stage.tolist() == ["DPR", "EDA"]
    assert pd.read_csv(kept).stage.tolist() == ["load", "EDA"]
    # later rules are recorded beside, never over, an earlier round's record of the same sample
    trace_eval.build_tables(root, data, rnd=2, kinds=("cells",), record=True, rules_round=3)
    assert pd.read_csv(root / "traces/frozen/rules3_sample2_cells.csv").stage.tolist() == ["DPR", "EDA"]
    assert pd.read_csv(kept).stage.tolist() == ["load", "EDA"]
    # rules are never recorded on a sample drawn after them
    with pytest.raises(InputError, match="round-1 rules cannot be recorded on the round-2 sample"):
        trace_eval.build_tables(root, data, rnd=2, kinds=("cells",), record=True, rules_round=1)
    assert not (root / "traces/frozen/rules1_sample2_cells.csv").exists()


def test_unreadable_adjudication_names_the_file(tmp_path):
    from mliter.coding.trace_eval import build_tables
    from mliter.errors import InputError

    root, data, _ = _fresh_fixture(tmp_path)
    bad = root / "coding/labels/round2/adjudication_cells.csv"
    bad.write_text("cell_id,stage,stages,adjudicator,note\nr2c0001,load,load,x,fine\nr2c0002,EDA,EDA,x,one, two, three\n")
    with pytest.raises(InputError, match="adjudication_cells.csv: not a readable CSV"):
        build_tables(root, data, rnd=2, kinds=("cells",), predictions=False)


def test_corrected_stage_shares_use_the_primary_producers_column(tmp_path, monkeypatch):
    # from round 5 the learned coder can be the primary stage: its held-out errors, not the rules', correct the shares
    root, _, _ = _fresh_fixture(tmp_path, 3)
    lab = root / "coding/labels/round3"
    (lab / "consensus_cells.csv").write_text("cell_id,stage,stages,union,how\nr3c0001,load,load,load,agree\n"
                                             "r3c0002,EDA,EDA,EDA;load,adjudicated\n")
    (root / "traces/frozen").mkdir(parents=True, exist_ok=True)
    (root / "traces/frozen/rules3_sample3_cells.csv").write_text(
        "cell_id,stage,stages,stage_learned\nr3c0001,load,load,DPR\nr3c0002,DPR,DPR,EDA\n")
    cs = load_script("corrected_shares", monkeypatch, root)
    assert list(cs.heldout("cells", "cell_id", "stage").stage_rule) == ["load", "DPR"]
    assert list(cs.heldout("cells", "cell_id", "stage", "stage_learned").stage_rule) == ["DPR", "EDA"]
    (root / "traces/frozen/rules3_sample3_cells.csv").write_text("cell_id,stage,stages\nr3c0001,load,load\n")
    with pytest.raises(MliterError, match="rules3_sample3_cells.csv.*stage_learned"):  # names the file and column
        cs.heldout("cells", "cell_id", "stage", "stage_learned")
    shipped = pd.read_csv(FIGURES / "stage_shares_corrected.csv")
    cells = pd.read_csv(TRACES / "cells.csv", keep_default_na=False)
    cells = cells[cells.status != "empty"]
    raw = shipped[shipped.quantity == "share of code cells"].set_index("stage").raw_share
    for stage, share in (cells.stage.value_counts() / len(cells)).items():  # raw shares are the primary column's
        assert raw[stage] == pytest.approx(share, abs=1e-3), stage


def test_replication_rows_and_pooled_rows_add_up(monkeypatch):
    """A replication round is reported under the producers that scored it, and a producer scored on several
    held-out samples gets a pooled row whose counts are the sum of its rounds' rows; the corrected shares rest on
    the same pooled items."""
    import json

    tv = load_script("trace_validity", monkeypatch, ROOT)
    assert tv.pooled_rounds(7) == [7, 8] and tv.pooled_rounds(6) == [6]
    assert tv.fresh_name(8, "pairs") == "round-8 held-out (fresh repositories: series), round-7 producers (replication)"
    assert tv.fresh_name(7, "cells") == "round-7 held-out (fresh repositories: cells)"
    fig = pd.read_csv(FIGURES / "trace_validity.csv").set_index(["items", "label set"])
    variables = json.loads((FIGURES / "variables.json").read_text())
    checked = 0
    for kind, learned in (("cells", False), ("cells", True), ("pairs", False)):
        pooled = tv.pooled_name(7, kind, learned)
        singles = [tv.learned_name(r) if learned else tv.fresh_name(r, kind) for r in tv.pooled_rounds(7)]
        if not all((kind, s) in fig.index for s in singles):
            assert (kind, pooled) not in fig.index  # round 8 not scored yet: no pooled row
            continue
        row = fig.loc[(kind, pooled)]
        assert int(row["n"]) == sum(int(fig.loc[(kind, s), "n"]) for s in singles)
        assert int(row["agree"]) == sum(int(fig.loc[(kind, s), "agree"]) for s in singles)
        assert row["floor"] == {"cells": 0.85, "pairs": 0.75}[kind]
        checked += 1
    assert checked == (3 if (TRACES / "frozen/rules7_sample8_cells.csv").exists() else 0)
    # the corrections rest on every held-out sample of the latest scored producers (the primary producer's rows);
    # when they were scored on more than one, the captions quote that pooled row, and it is the corrections' n
    for kind, short in (("cells", "Stage"), ("pairs", "Change")):
        rules = scored_by(variables[f"trace{short}RoundLatest"])
        names = [tv.learned_name(r) if kind == "cells" else tv.fresh_name(r, kind) for r in tv.pooled_rounds(rules)]
        n = sum(int(fig.loc[(kind, name), "n"]) for name in names if (kind, name) in fig.index)
        held = variables["nHeldOutCellsForCorrection" if kind == "cells" else "nHeldOutPairsForCorrection"]
        assert n == held
        pooled = tv.pooled_name(rules, kind, kind == "cells")
        if sum((kind, name) in fig.index for name in names) > 1:
            assert variables[f"trace{short}NPooled"] == int(fig.loc[(kind, pooled), "n"]) == held
        else:
            assert (kind, pooled) not in fig.index


def test_join_labels_refuses_a_sample_item_without_a_label_or_a_prediction():
    """A held-out score or correction never shrinks silently: a sampled cell missing from the predictions (or the
    consensus) is an error naming the predictions' file."""
    from mliter.coding.trace_eval import join_labels

    sample = pd.DataFrame({"cell_id": ["c1", "c2"], "half": ["heldout", "heldout"]})
    cons = pd.DataFrame({"cell_id": ["c1", "c2"], "stage": ["LI", "DPR"]})
    pred = pd.DataFrame({"cell_id": ["c1", "c2"], "stage": ["LI", "LI"], "stage_learned": ["LI", "DPR"]})
    m = join_labels(cons, pred, sample, "cells", keep=("stage_learned",))
    assert list(m.columns) == ["cell_id", "stage_hand", "stage_rule", "stage_learned", "half"]
    assert "stage_learned" not in join_labels(cons, pred, sample, "cells").columns
    with pytest.raises(MliterError, match=r"frozen\.csv: 1 sampled cells lack a consensus label or a prediction"):
        join_labels(cons, pred.iloc[:1], sample, "cells", where="frozen.csv")
    with pytest.raises(MliterError, match=r"cells: 1 sampled cells lack"):
        join_labels(cons.iloc[1:], pred, sample, "cells")


def test_round_numbers_are_spelled_for_variable_names(monkeypatch):
    """Variable names take letters only (LaTeX macros): every declared round has its word, 10 on included."""
    tv = load_script("trace_validity", monkeypatch, ROOT)
    assert [tv.round_word(n) for n in (2, 9, 10, 13, 20, 21, 99)] == [
        "Two", "Nine", "Ten", "Thirteen", "Twenty", "TwentyOne", "NinetyNine"]
    assert all(tv.WORDS[n].isalpha() for n in FRESH_ROUNDS)
    with pytest.raises(ValueError, match="round 100"):
        tv.round_word(100)
