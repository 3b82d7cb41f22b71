"""The thread study end to end on a miniature corpus: validate, agreement, adjudication, consensus, provenance."""

from mliter.cli import main
from mliter.coding.qda.files import read_qdpx
from mliter.coding.segment_consensus import merge_spans
from mliter.coding.threads_schema import CONSENSUS, CONSENSUS_SEGMENTS, DISAGREEMENTS, PROVENANCE
from tests.threads_fixtures import make_study, span, write_coder

T1, T2, T7 = "github:acme/autotool#1", "github:acme/autotool#2", "github:other/gluon#7"


def run(root, data, *argv):
    return main(["code", "segments", *argv, "--root", str(root), "--data", str(data)])


def coded_study(tmp_path):
    root, data = make_study(tmp_path)
    a1 = span(T1, "I would like to see every pipeline it tried")
    b1 = span(T1, "see every pipeline it tried, because only the final score is shown")
    w = span(T1, "It would help if the tool printed a table of the trials.")
    r7 = span(T7, "I still get a different best model on each run")
    write_coder(root, "coder_a", [(T1, "shortcoming_transparency", *a1, ""), (T1, "partnership_wish", *w, ""),
                                  (T2, "none_codable", None, None, ""), (T7, "shortcoming_reproducibility", *r7, "")])
    write_coder(root, "coder_b", [(T1, "shortcoming_transparency", *b1, ""), (T7, "shortcoming_reproducibility", *r7, ""),
                                  (T7, "goal_reproducibility", *r7, "")])
    return root, data, a1, b1


def test_pipeline_traces_every_consensus_value(tmp_path, capsys):
    root, data, a1, b1 = coded_study(tmp_path)
    assert run(root, data, "validate", str(root / "coding/threads/coders/coder_a.csv")) == 0
    assert run(root, data, "agreement") == 0
    dis = DISAGREEMENTS.read(root)
    assert set(zip(dis.source_id, dis.code)) == {(T1, "partnership_wish"), (T7, "goal_reproducibility")}
    row = dis.set_index("code").loc["partnership_wish"]
    assert row.coder_values == "coder_a=present;coder_b=absent" and row.coder_segments.endswith(";coder_b=")
    # open disagreements: the check fails, naming them
    assert run(root, data, "check-adjudication") == 1
    assert "open disagreement github:acme/autotool#1 partnership_wish" in capsys.readouterr().out
    (root / "coding/threads/adjudication.csv").write_text(
        "source_id,code,value,adjudicator,reason\n"
        f"{T1},partnership_wish,present,adj_1,the opener asks for a printed table: a wish\n"
        f"{T7},goal_reproducibility,absent,adj_1,only the failure is stated; no goal voiced\n", encoding="utf-8")
    assert run(root, data, "check-adjudication") == 0
    assert run(root, data, "adjudicate") == 0
    prov = PROVENANCE.read(root).set_index(["source_id", "code"])
    assert prov.loc[(T1, "partnership_wish"), "method"] == "adjudicated"
    assert prov.loc[(T1, "partnership_wish"), "coder_values"] == "coder_a=present;coder_b=absent"
    assert prov.loc[(T1, "shortcoming_transparency"), "method"] == "agreed"
    assert prov.loc[(T2, "none_codable"), "method"] == "single_coder"
    cons = CONSENSUS.read(root).set_index("source_id")
    assert bool(cons.loc[T1, "partnership_wish"]) and not bool(cons.loc[T7, "goal_reproducibility"])
    assert cons.loc[T1, "n_adjudicated"] == 1 and cons.loc[T2, "n_coders"] == 1
    segs = CONSENSUS_SEGMENTS.read(root)
    tr = segs[(segs.source_id == T1) & (segs.code == "shortcoming_transparency")].iloc[0]
    assert (tr.start, tr.end, tr.coders) == (a1[0], b1[1], "coder_a;coder_b")  # union of the overlapping spans
    # every consensus segment's code is present in the consensus of its thread
    for r in segs.itertuples():
        assert bool(cons.loc[r.source_id, r.code])
    # the coded threads open as a REFI-QDA project whose selections are the consensus segments
    out = tmp_path / "threads.qdpx"
    assert main(["code", "qda", "export-threads", str(out), "--root", str(root), "--data", str(data)]) == 0
    project = read_qdpx(out)
    spans = {(s.name, sel.start, sel.end) for s in project.sources for sel in s.selections}
    assert (T1, a1[0], b1[1]) in spans and len(project.sources) == 3
    paths = project.code_paths()
    coded = {(s.name, paths[c.code_guid].split("/")[1]) for s in project.sources for sel in s.selections
             for c in sel.codings}
    assert coded == {(r.source_id, r.code) for r in segs.itertuples()}


def test_adjudication_that_breaks_a_rule_is_refused_and_writes_nothing(tmp_path, capsys):
    root, data, *_ = coded_study(tmp_path)
    (root / "coding/threads/adjudication.csv").write_text(
        "source_id,code,value,adjudicator,reason\n"
        f"{T1},partnership_wish,absent,adj_1,no wish\n{T7},goal_reproducibility,present,adj_1,goal voiced\n"
        f"{T1},stage_evaluation,present,adj_1,not disputed\n", encoding="utf-8")
    assert run(root, data, "adjudicate") == 2
    assert "resolve no disagreement" in capsys.readouterr().err
    assert not (root / "coding/threads/consensus.csv").exists()


def test_merge_spans_keeps_every_coder():
    assert merge_spans([(0, 5, "a"), (3, 9, "b"), (20, 25, "b")]) == [(0, 9, ["a", "b"]), (20, 25, ["b"])]
