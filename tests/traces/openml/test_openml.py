"""OpenML source: parsing, flows to signatures, sequences in the published schema, the cached fetch."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mliter.corpus.openml import API, OPENML_CACHE_STATUSES, OpenMLApi
from mliter.http import PoliteClient
from mliter.traces.openml import commands as openml_commands
from mliter.traces.openml.parse import (
    OpenMLApiError, OpenMLParseError, clean_flow_name, flow_from_name, parse_flow, parse_flow_list, parse_runs,
    parse_setup, parse_task,
)
from mliter.traces.openml.schema import OPENML_RUN_SOURCES, OPENML_RUNS
from mliter.traces.openml.sequences import PUBLISHED_COLUMNS, sequence_rows
from mliter.traces.openml.signature import flow_signature, structure_signature
from mliter.traces.openml.store import OpenMLStore, collection_of, fetch_live, load_recorded

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

CODES = "openml/codes"
EXPECTED = {1: "S", 2: "H", 3: "R", 4: "N", 5: "M", 6: "P", 7: "C"}


@pytest.fixture(scope="module")
def fixture_rows(fixtures: Path) -> pd.DataFrame:
    stores = load_recorded(fixtures / CODES)
    assert list(stores) == ["test"]  # org/openml/test/... names the server
    return pd.DataFrame([m.row for m in sequence_rows(stores["test"])])


@pytest.mark.parametrize("rid,code", sorted(EXPECTED.items()))
def test_one_fixture_run_per_change_code(fixture_rows: pd.DataFrame, rid: int, code: str) -> None:
    row = fixture_rows.set_index("rid").loc[rid]
    assert row["change_type"] == code


def test_sequence_order_iter_auc_and_time(fixture_rows: pd.DataFrame) -> None:
    user7 = fixture_rows[fixture_rows.user_id == 7]
    # the run list names the runs newest first: the order comes from the upload time
    assert user7["rid"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert user7["iter"].tolist() == list(range(1, 8))
    user8 = fixture_rows[fixture_rows.user_id == 8]
    assert user8["rid"].tolist() == [8, 9] and user8["iter"].tolist() == [1, 2]  # restarts per user
    r2 = fixture_rows.set_index("rid").loc[2]
    assert r2["delta_auc"] == pytest.approx(0.02) and r2["time_delta_in_mins"] == pytest.approx(5.0)
    aucs = [0.70, 0.72, 0.71, 0.71, 0.80, 0.82, 0.70, 0.9]  # run 8: the run-level value, not fold 0's 0.1
    mean = sum(aucs) / len(aucs)
    assert fixture_rows.set_index("rid").loc[8, "dist_from_mean_auc"] == pytest.approx(0.9 - mean)
    starts = fixture_rows[fixture_rows["iter"] == 1]
    assert starts["delta_auc"].isna().all() and starts["time_delta_in_mins"].isna().all()


def test_run_with_unknown_flow_is_kept_with_empty_parts(fixture_rows: pd.DataFrame) -> None:
    r9 = fixture_rows.set_index("rid").loc[9]
    assert r9["model"] == "" and r9["model_params"] == "" and r9["change_type"] == ""
    assert pd.isna(r9["auc"]) and r9["time_delta_in_mins"] == pytest.approx(30.0)


def test_operator_split_and_params(fixture_rows: pd.DataFrame) -> None:
    r6 = fixture_rows.set_index("rid").loc[6]
    assert r6["model"] == "sklearn.ensemble._forest.RandomForestClassifier"
    assert r6["ppr"] == "sklearn.preprocessing._data.StandardScaler"
    assert r6["model_params"] == '{"sklearn.ensemble._forest.RandomForestClassifier":{"n_estimators":10}}'
    assert r6["ppr_params"] == '{"sklearn.preprocessing._data.StandardScaler":{"with_mean":true}}'
    # run 8: parameter values from setup 4 (its description's settings agree)
    assert fixture_rows.set_index("rid").loc[8, "ppr_params"] == '{"sklearn.impute._base.SimpleImputer":{"strategy":"median"}}'


def test_parameters_from_run_description_when_setup_missing(fixtures: Path) -> None:
    store = load_recorded(fixtures / CODES)["test"]
    del store.setups[4]
    row = next(m for m in sequence_rows(store) if m.row["rid"] == 8)
    assert row.derived.params_source == "run"
    assert row.row["model_params"] == '{"sklearn.ensemble._forest.RandomForestClassifier":{"n_estimators":10}}'


def test_structure_only_runs_get_only_what_structure_proves(fixtures: Path) -> None:
    store = load_recorded(fixtures / CODES)["test"]
    store.setups.clear()  # no parameter values anywhere for user 7
    got = {m.row["rid"]: m.row["change_type"] for m in sequence_rows(store) if m.row["user_id"] == 7}
    # S always; N from the same setup id (3 -> 3); C from operators changing on both sides (6 -> 7);
    # H, R, M, P cannot be told without parameter values
    assert got == {1: "S", 2: "", 3: "", 4: "N", 5: "", 6: "", 7: "C"}


# -- parsing ------------------------------------------------------------------------------


def test_parse_errors_name_the_response() -> None:
    with pytest.raises(OpenMLParseError, match=r"x\.xml: not well-formed"):
        parse_runs(b"<oml:run", "x.xml")
    with pytest.raises(OpenMLApiError, match=r"y\.xml: OpenML error 512: No results") as err:
        parse_runs(b'<oml:error xmlns:oml="http://openml.org/openml"><oml:code>512</oml:code>'
                   b"<oml:message>No results</oml:message></oml:error>", "y.xml")
    assert err.value.code == "512"
    with pytest.raises(OpenMLParseError, match=r"z\.xml, run 3: <oml:uploader> should be an integer"):
        parse_runs(b'<oml:run xmlns:oml="http://openml.org/openml"><oml:run_id>3</oml:run_id>'
                   b"<oml:uploader>me</oml:uploader></oml:run>", "z.xml")
    with pytest.raises(OpenMLParseError, match="expected <oml:setup_parameters>"):
        parse_setup(b'<oml:flow xmlns:oml="http://openml.org/openml"/>', "s.xml")
    with pytest.raises(OpenMLParseError, match=r"^s\.xml: expected <oml:setup_parameters>, got <oml:flow>$"):
        parse_setup(b'<oml:flow xmlns:oml="http://openml.org/openml"/>', "s.xml")
    with pytest.raises(OpenMLParseError, match=r"^s\.xml: <oml:setup_parameters> has no <oml:setup_id>$"):
        parse_setup(b'<oml:setup_parameters xmlns:oml="http://openml.org/openml"/>', "s.xml")
    with pytest.raises(OpenMLParseError, match=r"^t\.xml: <oml:task> has no <oml:task_id>$"):
        parse_task(b'<oml:task xmlns:oml="http://openml.org/openml"/>', "t.xml")
    with pytest.raises(OpenMLParseError, match=r"^f\.xml: expected <oml:flows>, got <oml:flow>$"):
        parse_flow_list(b'<oml:flow xmlns:oml="http://openml.org/openml"/>', "f.xml")


def test_a_broken_file_is_recorded_and_the_batch_goes_on(tmp_path: Path, fixtures: Path) -> None:
    import shutil

    shutil.copytree(fixtures / CODES, tmp_path / "rec")
    (tmp_path / "rec/org/openml/test/runs/8/description.xml").write_text("<oml:run><oml:run_id>8")
    store = load_recorded(tmp_path / "rec")["test"]
    assert any("runs/8/description.xml: not well-formed" in p for p in store.problems)
    rows = {m.row["rid"]: m.row for m in sequence_rows(store)}
    assert sorted(rows) == list(range(1, 10))  # run 8 is still known from the run list
    assert rows[8]["auc"] is None and rows[8]["change_type"] == "S"  # its AUC was only in the broken file


def test_a_run_without_uploader_is_noted_once() -> None:
    store = OpenMLStore("x")
    store.add(b'<oml:runs xmlns:oml="http://openml.org/openml"><oml:run><oml:run_id>4</oml:run_id>'
              b"<oml:task_id>2</oml:task_id></oml:run></oml:runs>", "list.xml")
    assert sequence_rows(store) == [] and sequence_rows(store) == []
    assert store.problems == ["x: run 4: no uploader or task recorded; it cannot be placed in a sequence"]


def test_flow_names_rebuild_the_tree() -> None:
    f = flow_from_name("TEST0123456789sklearn.pipeline.Pipeline(ct=sklearn.compose.ColumnTransformer("
                       "num=sklearn.preprocessing.StandardScaler),clf=sklearn.svm.SVC)(3)", 44)
    assert (f.name, f.flow_id, f.version) == ("sklearn.pipeline.Pipeline", 44, "3")
    assert [c.identifier for c in f.walk()] == ["", "ct", "num", "clf"]
    assert clean_flow_name("weka.J48(12)") == ("weka.J48", 12)
    with pytest.raises(OpenMLParseError, match="expected `,` or `\\)`"):
        flow_from_name("a.B(x=c.D")


def test_roles_of_components() -> None:
    sig = structure_signature(flow_from_name(
        "sklearn.pipeline.Pipeline(custom=mymodule.AddFeatures,clf=mymodule.MyModel)"))
    # unknown classes: a non-final pipeline step transforms, the last one models
    assert [o.name for o in sig.preprocessing] == ["mymodule.AddFeatures"]
    assert [o.name for o in sig.model] == ["mymodule.MyModel"]
    nested = structure_signature(flow_from_name(
        "sklearn.pipeline.Pipeline(ct=sklearn.compose.ColumnTransformer(num=sklearn.pipeline.Pipeline("
        "a=mymodule.Fill,b=mymodule.Scale)),clf=sklearn.svm.SVC)"))
    # the last step of a pipeline inside a ColumnTransformer still transforms
    assert [o.name for o in nested.model] == ["sklearn.svm.SVC"]
    assert [o.name for o in nested.preprocessing] == ["mymodule.Fill", "mymodule.Scale", "sklearn.compose.ColumnTransformer"]
    mlr = flow_signature(flow_from_name("classif.ranger.imputed.filtered"),
                         lambda c: {"fw.perc": "0.5", "num.trees": "500"})
    assert [o.name for o in mlr.preprocessing] == ["mlr.filtered", "mlr.imputed"]
    assert [(o.name, o.params) for o in mlr.model] == [("mlr.classif.ranger", (("num.trees", "500"),))]
    weka = flow_signature(flow_from_name("weka.FilteredClassifier"),
                          lambda c: {"F": "weka.filters.unsupervised.attribute.Normalize -S 1.0", "D": "1"})
    assert [o.name for o in weka.preprocessing] == ["weka.filters.unsupervised.attribute.Normalize"]
    assert [(o.name, o.params) for o in weka.model] == [("weka.FilteredClassifier", (("D", "1"),))]


def test_pipeline_steps_parameter_is_left_out(fixtures: Path) -> None:
    flow = parse_flow((fixtures / CODES / "org/openml/test/flows/1/flow.xml").read_bytes())
    sig = flow_signature(flow, lambda c: {p: d for p, d in c.parameters})
    assert [o.name for o in sig.model] == ["sklearn.tree._classes.DecisionTreeClassifier"]
    assert all("steps" not in dict(o.params) for o in sig.model + sig.preprocessing)


def test_collection_of_paths() -> None:
    assert collection_of(Path("org/openml/staging/runs/1/description.xml")) == "staging"
    assert collection_of(Path("mock_responses/flows/flow_3.xml")) == "test"
    assert collection_of(Path("openml-r_tests_cache/runs/1/run.xml")) == "openml-r_tests_cache"


# -- the fetch: polite, cached, zero requests when warm ------------------------------------------


class FakeOpenML(BaseAdapter):
    """An OpenML server over the fixture responses, answering by API path; counts every request.

    Run lists are filtered by uploader; a run without a recorded description is described
    from its list entry; anything unknown gets OpenML's answer for unknown objects (412).
    """

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.base = root / "org/openml/test"
        body = (self.base / "runs/list/uploader_7_8.xml").read_text()
        self.entries = re.findall(r"<oml:run>.*?</oml:run>", body, re.S)
        self.calls: list[str] = []

    def answer(self, path: str) -> bytes | None:
        ns = 'xmlns:oml="http://openml.org/openml"'
        m = re.fullmatch(r"run/list/uploader/([\d,]+)/limit/\d+/offset/(\d+)", path)
        if m:
            users = {int(u) for u in m.group(1).split(",")}
            mine = [e for e in self.entries if int(re.search(r"<oml:uploader>(\d+)", e).group(1)) in users]
            return f"<oml:runs {ns}>{''.join(mine)}</oml:runs>".encode() if mine and m.group(2) == "0" else None
        if path == "evaluation/list/function/area_under_roc_curve/task/1/limit/10000/offset/0":
            other = ("<oml:evaluation><oml:run_id>50</oml:run_id><oml:task_id>1</oml:task_id><oml:uploader>9"
                     "</oml:uploader><oml:function>area_under_roc_curve</oml:function><oml:value>0.3</oml:value>"
                     "</oml:evaluation></oml:evaluations>")
            return (self.base / "evaluations/auc_user_7.xml").read_text().replace("</oml:evaluations>", other).encode()
        kind, _, num = path.partition("/")
        files = {"run": f"runs/{num}/description.xml", "flow": f"flows/{num}/flow.xml",
                 "setup": f"setups/{num}/description.xml", "task": f"tasks/{num}/task.xml"}
        f = self.base / files.get(kind, "-")
        if f.is_file():
            return f.read_bytes()
        if kind == "run":
            entry = next((e for e in self.entries if f"<oml:run_id>{num}<" in e), None)
            return entry.replace("<oml:run>", f"<oml:run {ns}>", 1).encode() if entry else None
        return None

    def send(self, request, **kw):
        self.calls.append(request.url)
        body = self.answer(request.url.split("/api/v1/xml/", 1)[-1])
        r = requests.Response()
        if body is not None:
            r.status_code, r._content = 200, body
        else:
            r.status_code, r._content = 412, (b'<oml:error xmlns:oml="http://openml.org/openml">'
                                              b"<oml:code>512</oml:code><oml:message>Unknown</oml:message></oml:error>")
        r.headers = CaseInsensitiveDict({"Content-Type": "text/xml", "Date": "Tue, 03 Mar 2026 10:00:00 GMT"})
        r.url, r.request = request.url, request
        return r

    def close(self) -> None:
        pass


def _api(cache: Path, transport: FakeOpenML) -> tuple[OpenMLApi, PoliteClient]:
    client = PoliteClient(cache, sleep=lambda s: None, clock=lambda: 0.0, respect_robots=False,
                          cache_statuses=OPENML_CACHE_STATUSES)
    client.session.mount("https://", transport)
    return OpenMLApi(client, API), client


def test_fetch_then_warm_rerun_makes_zero_requests(tmp_path: Path, fixtures: Path) -> None:
    transport = FakeOpenML(fixtures / CODES)
    api, client = _api(tmp_path / "cache", transport)
    store = fetch_live(api, uploaders=[7], with_setups=True)
    assert store.problems == [] and sorted(store.runs()) == list(range(1, 8)) and sorted(store.setups) == [1, 2, 3, 4, 5]
    rows = [m.row for m in sequence_rows(store)]
    assert {r["rid"]: r["change_type"] for r in rows} == EXPECTED  # the live path codes like the recorded one
    n = len(transport.calls)
    assert client.stats.network_requests == n == 1 + 7 + 3 + 1 + 5  # list, runs, flows, task, setups

    _, sources = openml_commands.tables(sequence_rows(store))
    assert set(sources["source"]) == {"api:www.openml.org"} and set(sources["retrieved_at"]) == {"2026-03-03"}

    api2, client2 = _api(tmp_path / "cache", transport)
    store2 = fetch_live(api2, uploaders=[7], with_setups=True)
    assert client2.stats.network_requests == 0 and len(transport.calls) == n
    assert [m.row for m in sequence_rows(store2)] == rows


def test_task_means_use_every_run_on_the_task(tmp_path: Path, fixtures: Path) -> None:
    transport = FakeOpenML(fixtures / CODES)
    api, client = _api(tmp_path / "cache", transport)
    store = fetch_live(api, uploaders=[7], with_setups=True, task_means=True)
    assert len(store.task_auc[1]) == 8  # user 7's seven runs and one run of another user
    rows = {m.row["rid"]: m.row for m in sequence_rows(store)}
    assert 50 not in rows  # the task-wide list informs the mean only, it adds no sequence
    mean = (0.70 + 0.72 + 0.71 + 0.71 + 0.80 + 0.82 + 0.70 + 0.3) / 8
    assert rows[1]["dist_from_mean_auc"] == pytest.approx(0.70 - mean)


def test_unknown_objects_are_recorded_and_cached(tmp_path: Path, fixtures: Path) -> None:
    transport = FakeOpenML(fixtures / CODES)
    api, client = _api(tmp_path / "cache", transport)
    store = fetch_live(api, uploaders=[8])
    assert [p for p in store.problems if "flow 99" in p]  # run 9's flow is unknown to the server
    assert {m.row["rid"]: m.row["change_type"] for m in sequence_rows(store)} == {8: "S", 9: ""}
    api2, client2 = _api(tmp_path / "cache", transport)
    fetch_live(api2, uploaders=[8])
    # OpenML answers "unknown" with HTTP 412, cached like a 404: the rerun asks nothing
    assert client2.stats.network_requests == 0


def test_list_pages_stop_on_no_results(tmp_path: Path) -> None:
    class Pages(BaseAdapter):
        def __init__(self):
            super().__init__()
            self.calls = []

        def send(self, request, **kw):
            self.calls.append(request.url)
            r = requests.Response()
            if request.url.endswith("offset/0"):
                r.status_code, r._content = 200, b"<oml:runs>" + b"<oml:run></oml:run>" * 2 + b"</oml:runs>"
            else:
                r.status_code, r._content = 412, b"<oml:error><oml:code>512</oml:code></oml:error>"
            r.headers, r.url, r.request = CaseInsensitiveDict(), request.url, request
            return r

    t = Pages()
    api, _ = _api(tmp_path / "c", t)
    pages = list(api.run_list(tasks=[5], page_size=2))
    assert len(pages) == 1 and t.calls[-1].endswith("run/list/task/5/limit/2/offset/2")


# -- the recorded responses (shared data) -----------------------------------------------------


@pytest.fixture(scope="module")
def recorded(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    stores = list(load_recorded(shared / "openml").values())
    mined, _ = openml_commands.mine(stores)
    return openml_commands.tables(mined)


def test_recorded_runs_in_the_published_schema(recorded, tmp_path: Path) -> None:
    runs, sources = recorded
    assert tuple(OPENML_RUNS.column_names) == PUBLISHED_COLUMNS
    written = OPENML_RUNS.to_csv_bytes(runs).decode()
    assert written.splitlines()[0] == ",".join(PUBLISHED_COLUMNS)
    assert runs["rid"].nunique() == 31  # every distinct run id of the recorded responses
    assert len(runs) == len(sources) == 33  # run ids 1 and 100 exist on two servers
    for _, seq in runs.groupby(["user_id", "task_id"]):
        assert sorted(seq["iter"]) == list(range(1, len(seq) + 1))
    s_rows = runs[runs["change_type"] == "S"]
    assert len(s_rows) == runs.groupby(["user_id", "task_id"]).ngroups
    assert (s_rows["iter"] == 1).all()
    assert s_rows["delta_auc"].isna().all() and s_rows["time_delta_in_mins"].isna().all()
    assert runs["auc"].notna().sum() >= 9  # the run descriptions carry area_under_roc_curve
    # provenance from the shared data's PROVENANCE.tsv: every row names its repository and licence
    assert sources["source"].str.match(r"openml/openml-(python|r)@[0-9a-f]{40}").all()
    assert sources["license"].str.contains("BSD-3-Clause").all()


def test_shipped_openml_tables_are_current(recorded, repo_root: Path) -> None:
    runs, sources = recorded
    assert (repo_root / OPENML_RUNS.path).read_bytes() == OPENML_RUNS.to_csv_bytes(runs)
    assert (repo_root / OPENML_RUN_SOURCES.path).read_bytes() == OPENML_RUN_SOURCES.to_csv_bytes(sources)
    back = OPENML_RUNS.read(repo_root)
    assert list(back.columns) == list(PUBLISHED_COLUMNS)


# -- study exports ------------------------------------------------------------------------------


def test_exports_flow_and_family_scores(fixtures: Path) -> None:
    from mliter.traces.openml.exports import family_scores, flow_scores, model_of, read_exports

    df, problems = read_exports(fixtures / "openml/exports")
    # the accuracy file has a short row: recorded with file and row, the AUC file is still read
    assert len(problems) == 1 and "predictive_accuracy.arff: data row 2: expected 5 values, got 4" in problems[0]
    assert model_of("weka.FilteredClassifier_Standardize_NaiveBayes") == "NaiveBayes"
    assert model_of("weka.AttributeSelectedClassifier_CfsSubsetEval_BestFirst_J48") == "J48"
    assert model_of("weka.AdaBoostM1_DecisionStump") == "AdaBoostM1"
    flows = flow_scores(df).set_index("flow_id")
    assert flows.loc[12, ["n_instances", "n_failed"]].tolist() == [1, 1]
    assert flows.loc[10, "mean_score"] == pytest.approx(0.7) and flows.loc[11, "family"] == "bayes"
    fam = family_scores(df).set_index(["instance", "family"])
    tree1 = fam.loc[("openml_data_id:1", "tree")]
    assert (tree1["n_flows"], tree1["n_failed"], tree1["best_score"], tree1["best_flow_id"]) == (1, 1, 0.8, 10)
    assert tree1["gap_to_best"] == pytest.approx(0.1)  # the ensemble reached 0.9 on dataset 1
    ens2 = fam.loc[("openml_data_id:2", "ensemble")]
    assert ens2["n_flows"] == 0 and pd.isna(ens2["best_score"])  # only a timeout
    tree2 = fam.loc[("openml_data_id:2", "tree")]
    assert (tree2["n_flows"], tree2["best_flow_id"], tree2["best_model"]) == (2, 13, "REPTree")
    assert tree2["best_score"] == pytest.approx(0.62)


def test_arff_quoted_value_keeps_a_unicode_line_break(tmp_path: Path) -> None:
    from mliter.traces.openml.exports import read_arff

    # str.splitlines() cut the file at U+2028/U+2029 too, so the quoted value came back with "\n" in its place
    f = tmp_path / "x.arff"
    f.write_text('@RELATION r\n@ATTRIBUTE name STRING\n@ATTRIBUTE score NUMERIC\n@DATA\n'
                 '"a\u2028b\u2029c",0.5\r\nplain,?\n', encoding="utf-8", newline="")
    df = read_arff(f)
    assert df["name"].tolist() == ["a\u2028b\u2029c", "plain"]
    assert df["score"].iloc[0] == "0.5" and pd.isna(df["score"].iloc[1])


def test_mine_versions_takes_the_openml_source(tmp_path: Path, fixtures: Path) -> None:
    from mliter.cli import main

    assert main(["mine", "versions", f"openml:{fixtures / CODES}", "--out", str(tmp_path), "--quiet"]) == 0
    versions = pd.read_csv(tmp_path / "traces/versions.csv", keep_default_na=False)
    got = dict(zip(versions["version_id"], versions["change_type"]))
    assert {k: got[f"openml:7/1@r{k}"] for k in EXPECTED} == EXPECTED
    assert versions.set_index("version_id").loc["openml:8/1@r9", "status"] == "error"
    runs = OPENML_RUNS.read(tmp_path)
    assert list(runs.columns) == list(PUBLISHED_COLUMNS) and len(runs) == 9


def test_mine_openml_command(tmp_path: Path, fixtures: Path, capsys) -> None:
    from mliter.cli import main

    assert main(["mine", "openml", str(fixtures / CODES), "--exports", str(fixtures / "openml/exports"),
                 "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr()
    assert "9 OpenML runs in 2 sequences" in out.out and "data row 2" in out.err
    first = (tmp_path / OPENML_RUNS.path).read_bytes()
    assert main(["mine", "openml", str(fixtures / CODES), "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / OPENML_RUNS.path).read_bytes() == first  # deterministic
    assert (tmp_path / "traces/openml_family_evaluations.csv").is_file()
    with pytest.raises(ValueError, match="expected uploader=ID"):
        openml_commands.parse_selection("user=3")
    # an offline live target with an empty cache: an error naming the miss, and the tables stay as they were
    assert main(["mine", "openml", "uploader=7", "--offline", "--cache-dir", str(tmp_path / "empty"),
                 "--out", str(tmp_path), "--quiet"]) == 2
    assert "no OpenML runs found in uploader=7" in capsys.readouterr().err
    assert (tmp_path / OPENML_RUNS.path).read_bytes() == first
    assert openml_commands.parse_selection("uploader=2,1;task=5") == {"uploaders": [1, 2], "tasks": [5]}


# -- report helpers -----------------------------------------------------------------------------


def test_auc_change_by_type_and_family_summary() -> None:
    from mliter.report.openml import auc_change_by_type, family_summary

    runs = pd.DataFrame({"change_type": ["S", "H", "H", "N", None], "delta_auc": [None, 0.1, 0.3, 0.0, None],
                         "dist_from_mean_auc": [0.0, 0.1, -0.1, None, None], "auc": [0.5, 0.6, 0.4, None, None]})
    t = auc_change_by_type(runs).set_index("change_type")
    assert t.loc["H", "n_runs"] == 2 and t.loc["H", "mean_delta_auc"] == pytest.approx(0.2)
    assert t.loc["H", "delta_ci_low"] >= 0.1 and t.loc["H", "delta_ci_high"] <= 0.3
    assert t.loc["N", "mean_delta_auc"] == 0.0 and np.isnan(t.loc["N", "delta_ci_low"])  # one value: no interval
    assert t.loc["unknown", "n_runs"] == 1 and t.loc["M", "n_runs"] == 0
    fam = pd.DataFrame({"study_id": 1, "measure": "area_under_roc_curve",
                        "instance": ["d:1", "d:1", "d:2", "d:2"], "family": ["tree", "bayes", "tree", "bayes"],
                        "n_flows": [1, 1, 1, 0], "best_score": [0.9, 0.9, 0.8, np.nan],
                        "gap_to_best": [0.0, 0.0, 0.0, np.nan]})
    s = family_summary(fam).set_index("family")
    assert s.loc["tree", "share_best"] == 1.0 and s.loc["bayes", "share_best"] == 0.5  # ties count for both
    assert s.loc["bayes", "n_instances"] == 1


@given(st.permutations(list(range(9))))
@settings(max_examples=25, deadline=None)
def test_rows_do_not_depend_on_the_order_responses_arrive(order) -> None:
    base = load_recorded(FIXTURES / CODES)["test"]
    expected = [m.row for m in sequence_rows(base)]
    shuffled = OpenMLStore("test", flows=base.flows, setups=base.setups, tasks=base.tasks)
    items = sorted(base.records.items())
    for i in order:
        rid, records = items[i]
        shuffled.records[rid] = list(reversed(records))
    assert [m.row for m in sequence_rows(shuffled)] == expected
