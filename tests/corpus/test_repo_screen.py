"""Screening candidate repositories: exclusion, missing mirrors, license, ML notebooks, history, per-kind choice."""

from __future__ import annotations

import csv

import pytest
from git_fixtures import MIT, commit, init, notebook

from mliter.cli import main as cli
from mliter.corpus import repo_screen as rs
from mliter.corpus.rounds import FRESH_ROUNDS
from mliter.errors import InputError

ML = "import torch"


def _mirror(mirrors, name, license=True, ml=5, touches=3):
    r = init(mirrors / name.replace("/", "+") / "repo", license=MIT if license else None)
    for t in range(1, touches + 1):
        files = {f"n{k}.ipynb": notebook(ML if k < ml else "import pandas", f"x = {t}") for k in range(6)}
        if t > 1:  # later commits touch only n0
            files = {"n0.ipynb": files["n0.ipynb"]}
        commit(r, files, t)
    return r


@pytest.fixture
def mirrors(tmp_path):
    m = tmp_path / "mirrors"
    _mirror(m, "o/good1")
    _mirror(m, "o/nolicence", license=False)
    _mirror(m, "o/fewml", ml=2)
    _mirror(m, "o/flat", touches=2)
    _mirror(m, "o/good2")
    _mirror(m, "o/good3")
    _mirror(m, "o/used")
    return m


CANDS = [("1", "dl", "o/nolicence"), ("2", "dl", "o/good1"), ("3", "dl", "o/missing"), ("4", "dl", "o/used"),
         ("5", "dl", "o/good2"), ("6", "dl", "o/good3"), ("7", "tab", "o/fewml"), ("8", "tab", "o/flat")]


def test_screen_keeps_every_candidate_with_its_reason_and_chooses_the_first_per_kind(mirrors):
    rows = rs.screen([dict(zip(("order", "kind", "repo"), c)) for c in reversed(CANDS)], mirrors, {"o/used"})
    by = {r["repo"]: r for r in rows}
    assert [r["repo"] for r in rows] == [c[2] for c in CANDS]  # in list order, whatever the input order
    assert by["o/nolicence"]["why"] == "no licence file"
    assert by["o/missing"]["why"].startswith("no snapshot")
    assert by["o/used"]["why"] == "excluded"
    assert by["o/fewml"]["why"] == "<5 ML notebooks" and by["o/fewml"]["ml_nb"] == 2
    assert by["o/flat"]["why"] == "no notebook touched by >=3 commits"
    assert by["o/good1"]["nb_touched3"] == 1 and by["o/good1"]["head_nb"] == 6 and by["o/good1"]["commits"] == 3
    assert [r["repo"] for r in rows if r["chosen"] == "yes"] == ["o/good1", "o/good2"]


def test_a_candidate_without_a_mirror_after_its_kinds_choice_is_not_fetched_not_refused(mirrors):
    cands = [*CANDS, ("9", "dl", "o/later"), ("10", "tab", "o/alsomissing")]
    by = {r["repo"]: r for r in rs.screen([dict(zip(("order", "kind", "repo"), c)) for c in cands], mirrors, set())}
    assert by["o/later"]["why"] == "not fetched: 2 eligible earlier in its kind" and by["o/later"]["chosen"] == "no"
    assert by["o/missing"]["why"] == rs.NO_MIRROR  # before the kind had two: it could have changed the choice
    assert by["o/alsomissing"]["why"] == rs.NO_MIRROR  # the kind never got two


KINDS = ("tabular_applied", "vision", "nlp_llm", "time_series", "audio_speech", "feature_engineering", "generative")


def test_kind_imports_name_the_kinds_after_the_default_and_match_import_statements_only():
    assert tuple(rs.KIND_IMPORTS) == KINDS[1:]
    got = rs.kind_counts(["import torchvision.models as m", "from transformers import AutoModel\nimport cv2",
                          "x = 'import librosa'", "import librosax", "from statsmodels.tsa.arima.model import ARIMA",
                          "import statsmodels.api as sm", "from sklearn.feature_selection import RFE",
                          "  from diffusers import UNet2DModel"])
    assert got == {"vision": 2, "nlp_llm": 1, "time_series": 1, "feature_engineering": 1, "generative": 1}


def test_kind_by_imports_takes_the_commonest_kind_of_a_third_of_the_ml_notebooks_or_the_default():
    from collections import Counter
    assert rs.kind_by_imports(Counter({"vision": 3, "nlp_llm": 2}), 9, KINDS) == "vision"
    assert rs.kind_by_imports(Counter({"vision": 2, "nlp_llm": 2}), 6, KINDS) == "vision"  # tie: the earlier kind
    assert rs.kind_by_imports(Counter({"vision": 2}), 7, KINDS) == "tabular_applied"  # under a third
    assert rs.kind_by_imports(Counter(), 0, KINDS) == "tabular_applied"


def test_candidates_without_a_kind_get_theirs_from_their_notebooks(tmp_path):
    m = tmp_path / "mirrors"
    r = init(m / "o+vis" / "repo", license=MIT)
    files = {f"n{k}.ipynb": notebook("import torch\nimport torchvision" if k < 3 else ML, "x = 1") for k in range(6)}
    for t in (1, 2, 3):
        commit(r, files if t == 1 else {"n0.ipynb": notebook(ML, f"x = {t}")}, t)
    _mirror(m, "o/tab")
    rows = rs.screen([{"order": "1", "repo": "o/vis"}, {"order": "2", "repo": "o/tab"},
                      {"order": "3", "repo": "o/gone"}, {"order": "4", "repo": "o/used"}], m, {"o/used"}, kinds=KINDS)
    by = {r["repo"]: r for r in rows}
    # n0's HEAD version no longer imports torchvision: 2 of 6 ML notebooks, a third
    assert (by["o/vis"]["kind"], by["o/vis"]["kind_nb"], by["o/vis"]["chosen"]) == ("vision", "vision:2", "yes")
    assert (by["o/tab"]["kind"], by["o/tab"]["kind_nb"], by["o/tab"]["chosen"]) == ("tabular_applied", "", "yes")
    assert by["o/gone"]["kind"] == by["o/used"]["kind"] == rs.UNREAD and by["o/gone"]["why"] == rs.NO_MIRROR
    with pytest.raises(InputError, match="o/vis"):
        rs.screen([{"order": "1", "repo": "o/vis", "kind": ""}], m, set())


def test_cli_reads_kinds_for_a_frame_without_them(tmp_path, mirrors, capsys):
    frame = tmp_path / "frame.csv"
    frame.write_text("order,repo,query\n1,o/good1,notebooks\n2,o/fewml,kaggle\n")
    out = tmp_path / "repos.csv"
    assert cli(["corpus", "screen-repos", str(frame), "--mirrors", str(mirrors), "--out", str(out)]) != 0
    assert "--kinds" in capsys.readouterr().err
    assert cli(["corpus", "screen-repos", str(frame), "--mirrors", str(mirrors), "--kinds", ",".join(KINDS),
                "--out", str(out)]) == 0
    rows = list(csv.DictReader(open(out)))
    assert list(rows[0]) == rs.FIELDS_KINDS_READ and [r["kind"] for r in rows] == ["tabular_applied"] * 2


def test_exclusions_come_from_any_table_with_a_repo_column(tmp_path):
    (tmp_path / "a.tsv").write_text("local_path\trepo\nx\tO/Used\n")
    (tmp_path / "b.csv").write_text("repo,half\nother/one,tuning\n,x\n")
    assert rs.read_exclusions([tmp_path / "a.tsv", tmp_path / "b.csv"]) == {"o/used", "other/one"}
    with pytest.raises(InputError, match="missing.csv"):
        rs.read_exclusions([tmp_path / "missing.csv"])


def test_cli_writes_the_screened_table(mirrors, tmp_path, capsys):
    cands = tmp_path / "cands.tsv"
    cands.write_text("order\tkind\trepo\n" + "".join("\t".join(c) + "\n" for c in CANDS))
    (tmp_path / "used.csv").write_text("repo\no/used\n")
    out = tmp_path / "repos.csv"
    assert cli(["corpus", "screen-repos", str(cands), "--mirrors", str(mirrors), "--exclude", str(tmp_path / "used.csv"),
                "--per-kind", "1", "--out", str(out)]) == 0
    rows = list(csv.DictReader(open(out)))
    assert list(rows[0]) == rs.FIELDS
    assert [r["repo"] for r in rows if r["chosen"] == "yes"] == ["o/good1"]
    assert "1 of 8 candidates chosen" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    assert cli(["corpus", "screen-repos", str(bad), "--mirrors", str(mirrors), "--out", str(out)]) != 0
    assert "order, kind, repo" in capsys.readouterr().err


@pytest.mark.parametrize("n", sorted(FRESH_ROUNDS))
def test_shipped_candidate_tables_choose_by_the_rule(n):
    """Every fresh round's shipped candidate table: in list order, `chosen` is exactly the first two eligible
    of each kind, each kind has its two, and a candidate left unfetched comes after its kind's choice. Round 7's
    amendment (coding/labels/round7/README.md): an eligible candidate that gives the draw fewer than 5 notebooks
    is passed over (`why` says it was replaced) and the next eligible one of its kind takes its place."""
    from collections import Counter

    from mliter.paths import ROOT

    rnd = FRESH_ROUNDS[n]
    rows = list(csv.DictReader(open(ROOT / rnd.repos_table, newline="", encoding="utf-8")))
    assert [int(r["order"]) for r in rows] == sorted(int(r["order"]) for r in rows)
    if rnd.kinds_read:  # kinds read from the notebooks (round 9 on): every candidate fetched, `unread` if not read
        assert {r["kind"] for r in rows} <= set(rnd.kinds) | {rs.UNREAD} and list(rows[0]) == rs.FIELDS_KINDS_READ
        assert all((r["kind"] == rs.UNREAD) == (not r["head_commit"]) for r in rows), "read exactly when screened"
        assert not any(r["why"].startswith("not fetched") for r in rows)
    else:
        assert {r["kind"] for r in rows} == set(rnd.kinds)
    taken: Counter = Counter()
    for r in rows:
        if r["why"].startswith("not fetched"):
            assert taken[r["kind"]] == rs.PER_KIND, r["repo"]
        passed_over = r["why"].startswith("eligible; ") and "replaced by the amendment" in r["why"]
        want = r["why"].startswith("eligible") and not passed_over and taken[r["kind"]] < rs.PER_KIND
        assert not passed_over or n >= 7, r["repo"]  # the amendment holds from round 7 on
        assert r["chosen"] == ("yes" if want else "no"), r["repo"]
        taken[r["kind"]] += want
    if rnd.kinds_read:  # a kind has what the frame gave: one or two
        assert {k for k, v in taken.items() if v} == set(rnd.filled_kinds)
    else:
        assert taken == {k: rs.PER_KIND if k in rnd.filled_kinds else 0 for k in rnd.kinds}
    for r in rows:  # a kind left unfilled was screened to the end of every list: no candidate of it went unfetched
        if r["kind"] in rnd.unfilled_kinds:
            assert not r["why"].startswith(("not fetched", "eligible")), r["repo"]
