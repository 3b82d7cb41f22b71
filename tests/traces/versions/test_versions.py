"""Version sources (git history with renames, extracted-versions folder, Meta Kaggle, Kaggle API) and sequence mining."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mliter.http import PoliteClient
from mliter.traces.notebooks.stages import StageRules
from mliter.traces.versions.mine import Version, VersionReadError, mine_sequence, mine_versions, sequences, utc_iso
from mliter.traces.versions.folder import ManifestError, folder_versions
from mliter.traces.versions.git import git_versions, history
from mliter.traces.versions.kaggle import (
    KaggleApi, MetaKaggleError, code_path, join_versions, kaggle_credentials, meta_kaggle_versions, meta_time,
    parse_kernel_metadata, read_kernel_versions, read_kernels,
)

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "versions"
RULES = StageRules.from_csv()


def _run(repo: Path, *args: str, date: str | None = None, check: bool = True) -> None:
    env = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org", "GIT_COMMITTER_NAME": "Ada",
           "GIT_COMMITTER_EMAIL": "ada@example.org", "HOME": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", "-C", str(repo), *args], check=check, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose notebook is committed, changed, renamed, changed again; plus an unrelated file."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    r = tmp_path / "clone"
    r.mkdir()
    _run(r, "init", "-q", "-b", "main")
    (r / "nb").mkdir()
    steps = [("base.ipynb", "nb/titanic.ipynb", None), ("H_model_hyperparameter.ipynb", "nb/titanic.ipynb", None),
             (None, "nb/titanic.ipynb", "analysis/survival.ipynb"), ("C_combination.ipynb", "analysis/survival.ipynb", None)]
    for i, (fixture, path, new_path) in enumerate(steps):
        date = f"2020-01-0{i + 1}T12:00:00+02:00"
        if new_path:
            (r / "analysis").mkdir()
            _run(r, "mv", path, new_path)
        else:
            (r / path).write_bytes((FIX / fixture).read_bytes())
            _run(r, "add", path)
        _run(r, "commit", "-q", "-m", f"step {i}", date=date)
    (r / "notes.ipynb").write_bytes((FIX / "broken.ipynb").read_bytes())
    _run(r, "add", "notes.ipynb")
    _run(r, "commit", "-q", "-m", "broken notebook", date="2020-01-06T00:00:00Z")
    return r


def test_git_history_follows_renames(repo: Path) -> None:
    hist = history(repo, "analysis/survival.ipynb")
    assert [h[3] for h in hist] == ["nb/titanic.ipynb", "nb/titanic.ipynb", "analysis/survival.ipynb",
                                    "analysis/survival.ipynb"]
    assert [h[1] for h in hist] == [f"2020-01-0{i}T10:00:00Z" for i in range(1, 5)]  # UTC
    assert {h[2] for h in hist} == {"Ada"}


def test_git_versions_read_blobs_and_classify(repo: Path) -> None:
    versions = git_versions(repo, name="ada/titanic")
    seqs = sequences(versions)
    assert sorted(seqs) == ["git:ada/titanic/analysis/survival.ipynb", "git:ada/titanic/notes.ipynb"]
    seq = seqs["git:ada/titanic/analysis/survival.ipynb"]
    assert [v.version for v in seq] == [1, 2, 3, 4]
    assert seq[0].url.startswith("https://github.com/ada/titanic/blob/") and seq[0].path == "nb/titanic.ipynb"
    rows = mine_sequence(seq, RULES)
    assert [r["change_type"] for r in rows] == ["S", "H", "N", "C"]  # the pure rename is no change
    assert rows[0]["minutes_since_previous"] is None and rows[1]["minutes_since_previous"] == 24 * 60
    assert rows[1]["sha256"] == __import__("hashlib").sha256((FIX / "H_model_hyperparameter.ipynb").read_bytes()).hexdigest()


def test_unparsable_version_is_recorded_and_sequence_continues(repo: Path) -> None:
    good = git_versions(repo, ["analysis/survival.ipynb"], name="ada/titanic")
    broken = Version(good[0].workflow_id, 9, "x@broken", "", "test", load=lambda: (FIX / "broken.ipynb").read_bytes())
    unreadable = Version(good[0].workflow_id, 10, "x@gone", "", "test", load=lambda: (_ for _ in ()).throw(
        VersionReadError("missing_file", "gone.ipynb not found")))
    last = Version(good[0].workflow_id, 11, "x@last", "", "test", load=(FIX / "M_model_operator.ipynb").read_bytes)
    rows = mine_sequence(good + [broken, unreadable, last], RULES)
    assert [r["status"] for r in rows] == ["ok"] * 4 + ["error", "error", "ok"]
    assert rows[4]["error"].startswith("invalid_json:") and rows[5]["error"].startswith("missing_file:")
    assert "change_type" not in rows[4]
    # compared with the last readable version (C_combination: LogisticRegression + median imputer)
    assert rows[6]["change_type"] == "R"


def test_first_readable_version_is_S_even_after_an_error() -> None:
    broken = Version("w", 1, "w@1", "", "test", load=(FIX / "broken.ipynb").read_bytes)
    ok = Version("w", 2, "w@2", "", "test", load=(FIX / "base.ipynb").read_bytes)
    assert [r.get("change_type") for r in mine_sequence([broken, ok], RULES)] == [None, "S"]


def test_duplicate_version_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="version 1 appears twice"):
        sequences([Version("w", 1, "w@a", "", "t"), Version("w", 1, "w@b", "", "t")])


def test_mine_versions_resumes_from_checkpoint(tmp_path: Path) -> None:
    calls = []

    def loader(name):
        def load():
            calls.append(name)
            return (FIX / name).read_bytes()
        return load

    vs = [Version("w1", 1, "w1@1", "", "t", load=loader("base.ipynb")),
          Version("w1", 2, "w1@2", "", "t", load=loader("P_preprocessing_operator.ipynb")),
          Version("w2", 1, "w2@1", "", "t", load=loader("base.ipynb"))]
    ckpt = tmp_path / "ck.jsonl"
    first = mine_versions(vs, RULES, checkpoint=ckpt)
    assert [r["change_type"] for r in first] == ["S", "P", "S"]
    n = len(calls)
    again = mine_versions(vs, RULES, checkpoint=ckpt)
    assert again == first and len(calls) == n  # nothing re-read


def test_utc_iso() -> None:
    assert utc_iso("2016-03-12T19:03:33+01:00") == "2016-03-12T18:03:33Z"
    assert utc_iso("2016-03-12 18:03:33") == "2016-03-12T18:03:33Z"


# -- extracted-versions folder ----------------------------------------------------------------

def test_folder_manifest_errors_name_file_and_row(tmp_path: Path) -> None:
    m = tmp_path / "MANIFEST.tsv"
    m.write_text("local_path\trepo\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="missing columns"):
        folder_versions(m)
    cols = "local_path\trepo\tpath_at_head\tpath_at_commit\tcommit\tcommit_time_utc\tversion_index\n"
    m.write_text(cols + "a.ipynb\to/r\tx.ipynb\tx.ipynb\tabc\t2020-01-01T00:00:00Z\tone\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"MANIFEST.tsv, row 2: version_index"):
        folder_versions(m)


def test_shared_notebook_versions_folder(shared: Path) -> None:
    versions = folder_versions(shared / "notebook_versions")
    seqs = sequences(versions)
    assert len(versions) == 156 and len(seqs) == 20
    renamed = [v for v in versions if v.path and not v.workflow_id.endswith("/" + v.path)]
    assert renamed, "the manifest has versions committed under an older path"
    rows = mine_versions(versions, RULES)
    assert all(r["status"] == "ok" for r in rows)
    firsts = [r for r in rows if r["version"] == 1]
    assert len(firsts) == 20 and {r["change_type"] for r in firsts} == {"S"}
    assert {r["change_type"] for r in rows if r["version"] > 1} - {"S"} >= {"M", "P", "C"}
    text = json.dumps(rows)
    assert "import " not in text and "read_csv(" not in text  # no code text


# -- Meta Kaggle ------------------------------------------------------------------------------

def test_meta_kaggle_join_every_version() -> None:
    versions = meta_kaggle_versions(FIX / "meta_kaggle", FIX / "meta_kaggle" / "code")
    ids = [v.version_id for v in versions]
    assert ids == ["kaggle:alice/survival-first-try@v1", "kaggle:alice/survival-first-try@v2",
                   "kaggle:alice/survival-first-try@v3", "kaggle:bob/house-prices-eda@v1"]
    assert versions[1].timestamp == "2019-03-01T12:30:00Z" and versions[1].commit == "102"
    rows = mine_versions(versions, RULES)
    by_id = {r["version_id"]: r for r in rows}
    assert by_id[ids[0]]["change_type"] == "S" and by_id[ids[1]]["change_type"] == "H"
    assert by_id[ids[2]]["status"] == "error" and by_id[ids[2]]["error"].startswith("invalid_json")
    script = by_id[ids[3]]  # a .py script kernel: one code cell
    assert script["change_type"] == "S" and script["model_ops"] == "sklearn.ensemble.RandomForestRegressor"
    assert script["data_files"] == "train.csv" and script["n_code_cells"] == 1


def test_meta_kaggle_errors(tmp_path: Path) -> None:
    with pytest.raises(MetaKaggleError, match="KernelVersions.csv: not found"):
        meta_kaggle_versions(FIX / "meta_kaggle" / "code")
    bad = tmp_path / "KernelVersions.csv"
    bad.write_text("Id,ScriptId,AuthorUserId,CreationDate,VersionNumber\n1,11,5,someday,1\n", encoding="utf-8")
    with pytest.raises(MetaKaggleError, match=r"row 2: CreationDate 'someday'"):
        read_kernel_versions(bad)
    bad.write_text("Id,ScriptId,AuthorUserId,CreationDate,VersionNumber\nx,11,5,01/01/2020,1\n", encoding="utf-8")
    with pytest.raises(MetaKaggleError, match=r"row 2: column Id must be an integer"):
        read_kernel_versions(bad)
    kernels = read_kernels(FIX / "meta_kaggle" / "Kernels.csv")
    versions = read_kernel_versions(FIX / "meta_kaggle" / "KernelVersions.csv")
    with pytest.raises(MetaKaggleError, match="CurrentKernelVersionId 103 is not among"):
        join_versions(kernels, versions[versions["Id"] != 103])


def test_meta_time_formats() -> None:
    assert meta_time("03/31/2016 19:45:12") == "2016-03-31T19:45:12Z"
    assert meta_time("2020-10-01 03:06:27") == "2020-10-01T03:06:27Z"
    assert meta_time("") == ""


def test_code_path_layout(tmp_path: Path) -> None:
    f = tmp_path / "0230" / "026" / "230026147.ipynb"
    f.parent.mkdir(parents=True)
    f.write_text("{}")
    assert code_path(tmp_path, 230026147) == f and code_path(tmp_path, 1) is None


def test_real_kernels_samples_load_and_join(shared: Path, tmp_path: Path) -> None:
    """DistilKaggle's Kernels.csv rows go through the same loader; a KernelVersions fixture joins one real kernel."""
    total = 0
    for tier in ("3", "4", "5"):
        k = read_kernels(shared / "kaggle" / "distilkaggle" / tier / "LocalKernels.csv")
        assert k["Id"].notna().all() and k["Id"].is_unique
        total += len(k)
    assert total == 36_573
    k = read_kernels(shared / "kaggle" / "distilkaggle" / "3" / "LocalKernels.csv")
    row = k.iloc[0]
    kv = tmp_path / "KernelVersions.csv"
    kv.write_text("Id,ScriptId,AuthorUserId,CreationDate,VersionNumber\n"
                  f"{row.FirstKernelVersionId},{row.Id},{row.AuthorUserId},10/01/2020 03:06:27,1\n"
                  f"{row.CurrentKernelVersionId},{row.Id},{row.AuthorUserId},10/01/2020 05:00:00,2\n", encoding="utf-8")
    versions = join_versions(k, read_kernel_versions(kv))
    assert [v.version_id for v in versions] == [f"kaggle:user{row.AuthorUserId}/{row.CurrentUrlSlug}@v{i}" for i in (1, 2)]
    rows = mine_sequence(versions, RULES)
    assert {r["error"].split(":")[0] for r in rows} == {"no_code"}


# -- Kaggle API -------------------------------------------------------------------------------

class Transport(BaseAdapter):
    """Answers by path (query ignored except kernelVersionNumber); unknown paths get 404."""

    def __init__(self, routes: dict[str, bytes]) -> None:
        super().__init__()
        self.routes, self.urls = routes, []

    def send(self, request, **kw):
        self.urls.append(request.url)
        base = request.url.split("?")[0]
        body = self.routes.get(base)
        r = requests.Response()
        r.status_code = 200 if body is not None else 404
        r.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        r._content, r.url, r.request = body or b"{}", request.url, request
        return r

    def close(self) -> None:
        pass


def test_kernel_metadata_files_parse(shared: Path) -> None:
    files = sorted((shared / "kaggle" / "kernel_metadata").glob("*.json"))
    assert len(files) == 14
    metas = [parse_kernel_metadata(json.loads(f.read_text("utf-8")), str(f)) for f in files]
    assert all("/" in m.ref for m in metas)
    assert any(s.startswith("competition:") for m in metas for s in m.data_sources)
    api = parse_kernel_metadata(json.loads(next((shared / "kaggle" / "kernel_api_responses").glob("*.json")).read_text("utf-8")))
    assert api.current_version == 5 and api.last_run.endswith("Z") and api.kernel_type == "notebook"
    with pytest.raises(ValueError, match="no kernel reference"):
        parse_kernel_metadata({"title": "x"}, "f.json")


def test_kaggle_api_list_pull_and_warm_cache(shared: Path, tmp_path: Path) -> None:
    recorded = json.loads(next((shared / "kaggle" / "kernel_api_responses").glob("*.json")).read_text("utf-8"))
    ref = recorded["ref"]
    meta = dict(recorded, currentVersionNumber=2)
    pull = {"metadata": meta, "blob": {"source": (FIX / "base.ipynb").read_text("utf-8"), "language": "python",
                                       "kernelType": "notebook"}}
    routes = {"https://www.kaggle.com/api/v1/kernels/list": json.dumps([recorded]).encode(),
              "https://www.kaggle.com/api/v1/kernels/pull": json.dumps(pull).encode()}
    client = PoliteClient(tmp_path / "cache", sleep=lambda s: None, clock=lambda: 0.0)
    transport = Transport(routes)
    client.session.mount("https://", transport)
    api = KaggleApi(client, ("someone", "secret"))
    assert client.session.auth == ("someone", "secret")
    listed = api.list_kernels(user=ref.split("/")[0], page_size=20)
    assert [m.ref for m in listed] == [ref]
    versions = api.versions(ref)
    assert [v.version_id for v in versions] == [f"kaggle:{ref}@v1", f"kaggle:{ref}@v2"]
    rows = mine_sequence(versions, RULES)
    # the endpoint answers with version 2 whatever is asked: v1 is an error, not mislabelled
    assert rows[0]["status"] == "error" and "served version 2" in rows[0]["error"]
    assert rows[1]["change_type"] == "S"
    n = client.stats.network_requests
    assert n > 0
    # a rerun against the warm cache makes no request at all
    fresh = PoliteClient(tmp_path / "cache", sleep=lambda s: None, clock=lambda: 0.0)
    fresh.session.mount("https://", Transport({}))
    again = KaggleApi(fresh)
    assert [m.ref for m in again.list_kernels(user=ref.split("/")[0], page_size=20)] == [ref]
    assert mine_sequence(again.versions(ref), RULES) == rows
    assert fresh.stats.network_requests == 0


def test_kaggle_credentials(tmp_path: Path) -> None:
    assert kaggle_credentials({"KAGGLE_USERNAME": "u", "KAGGLE_KEY": "k"}) == ("u", "k")
    (tmp_path / ".kaggle").mkdir()
    (tmp_path / ".kaggle" / "kaggle.json").write_text('{"username": "a", "key": "b"}')
    assert kaggle_credentials({}, home=tmp_path) == ("a", "b")
    assert kaggle_credentials({}, home=tmp_path / "nobody") is None
    (tmp_path / ".kaggle" / "kaggle.json").write_text('{"user": "a"}')
    with pytest.raises(ValueError, match="kaggle.json: expected"):
        kaggle_credentials({}, home=tmp_path)


# -- the command ------------------------------------------------------------------------------

def test_mine_versions_command_end_to_end(repo: Path, tmp_path: Path, capsys) -> None:
    from mliter.cli import main
    from mliter.traces.versions.schema import VERSION_MANIFEST, VERSIONS

    out = tmp_path / "root"
    argv = ["mine", "versions", f"folder:{FIX / 'folder'}", f"git:{repo}", "--root", str(FIX),
            "--repo-name", "ada/titanic", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    assert "9 versions of 3 workflows (2 unreadable)" in capsys.readouterr().out
    versions = VERSIONS.read(out)
    manifest = VERSION_MANIFEST.read(out)
    assert set(versions["version_id"]) == set(manifest["version_id"])
    folder = versions[versions["workflow_id"] == "git:ada/titanic/model.ipynb"].sort_values("version")
    assert list(folder["change_type"].fillna("-")) == ["S", "P", "-", "P"]
    assert folder.iloc[2]["error"].startswith("missing_file")
    assert manifest.set_index("version_id").loc["git:ada/titanic/model.ipynb@" + "a" * 40, "path_at_commit"] == "old_model.ipynb"
    first = {p: (out / p).read_bytes() for p in (VERSIONS.path, VERSION_MANIFEST.path)}
    assert main(argv) == 0  # a rerun writes the same bytes
    assert {p: (out / p).read_bytes() for p in first} == first
    assert not (out / "traces" / ".checkpoint" / "versions.jsonl").exists()


def test_mine_versions_bad_source_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from mliter.cli import main

    assert main(["mine", "versions", str(tmp_path), "--out", str(tmp_path), "--quiet"]) == 2
    assert "give KIND:TARGET" in capsys.readouterr().err


def test_shipped_versions_tables_are_current(shared: Path, tmp_path: Path, repo_root: Path) -> None:
    """Re-mining the shared version series reproduces the shipped tables byte for byte."""
    from mliter.cli import main
    from mliter.traces.versions.schema import VERSION_MANIFEST, VERSIONS

    assert main(["mine", "versions", str(shared / "notebook_versions"), "--out", str(tmp_path), "--quiet"]) == 0
    for table in (VERSIONS, VERSION_MANIFEST):
        assert (tmp_path / table.path).read_bytes() == (repo_root / table.path).read_bytes(), \
            f"{table.path} is stale: run `mliter mine versions ../shared/data/notebook_versions`"


def test_git_merge_commit_keeps_the_path_it_had(repo: Path) -> None:
    """A merge whose notebook differs from both parents lists no status line; its path is the one at that time."""
    nb = "analysis/survival.ipynb"
    _run(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    (repo / nb).write_bytes((FIX / "M_model_operator.ipynb").read_bytes())
    _run(repo, "commit", "-q", "-am", "side change", date="2020-01-07T00:00:00Z")
    _run(repo, "checkout", "-q", "main")
    _run(repo, "merge", "-q", "--no-ff", "--no-commit", "side", date="2020-01-08T00:00:00Z")
    (repo / nb).write_bytes((FIX / "P_preprocessing_operator.ipynb").read_bytes())
    _run(repo, "add", nb)
    _run(repo, "commit", "-q", "--no-edit", date="2020-01-08T00:00:00Z")
    hist = history(repo, nb)
    assert hist[-1][1] == "2020-01-08T00:00:00Z" and hist[-1][3] == nb
    assert [h[3] for h in hist][:2] == ["nb/titanic.ipynb", "nb/titanic.ipynb"]
    rows = mine_sequence(sequences(git_versions(repo, [nb], name="a/b"))[f"git:a/b/{nb}"], RULES)
    assert all(r["status"] == "ok" for r in rows) and rows[-1]["change_type"] in {"P", "C", "M", "R"}


def test_git_merge_that_keeps_the_first_parent_file_is_not_a_version(repo: Path) -> None:
    nb = "analysis/survival.ipynb"
    before = len(history(repo, nb))
    _run(repo, "checkout", "-q", "-b", "old", "HEAD~2")  # the branch still has the version before the last edit
    (repo / "other.txt").write_text("x")
    _run(repo, "add", "other.txt")
    _run(repo, "commit", "-q", "-m", "unrelated", date="2020-01-09T00:00:00Z")
    _run(repo, "checkout", "-q", "main")
    _run(repo, "merge", "-q", "--no-edit", "old", date="2020-01-10T00:00:00Z")
    assert len(history(repo, nb)) == before


def test_mine_versions_kaggle_api_offline_miss_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from mliter.cli import main

    argv = ["mine", "versions", "kaggle:someone/some-kernel", "--offline", "--cache-dir", str(tmp_path / "cache"),
            "--out", str(tmp_path), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "kaggle:someone/some-kernel" in err and "offline" in err


def test_mine_versions_kaggle_meta_through_the_command(tmp_path: Path, capsys) -> None:
    from mliter.cli import main
    from mliter.traces.versions.schema import VERSIONS

    meta = FIX / "meta_kaggle"
    assert main(["mine", "versions", str(meta), "--code-root", str(meta / "code"), "--out", str(tmp_path),
                 "--quiet"]) == 0  # a bare Meta Kaggle folder is recognised
    rows = VERSIONS.read(tmp_path).set_index("version_id")
    assert rows.loc["kaggle:alice/survival-first-try@v2", "change_type"] == "H"
    assert rows.loc["kaggle:alice/survival-first-try@v2", "timestamp"] == "2019-03-01T12:30:00Z"
    assert rows.loc["kaggle:alice/survival-first-try@v3", "status"] == "error"


def test_unforeseen_failure_of_one_version_is_recorded() -> None:
    def boom() -> bytes:
        raise ValueError("something the parser did not foresee")

    seq = [Version("w", 1, "w@1", "", "t", load=(FIX / "base.ipynb").read_bytes),
           Version("w", 2, "w@2", "", "t", load=boom),
           Version("w", 3, "w@3", "", "t", load=(FIX / "H_model_hyperparameter.ipynb").read_bytes)]
    rows = mine_sequence(seq, RULES)
    assert rows[1]["error"].startswith("internal_error: ValueError") and rows[2]["change_type"] == "H"


def test_meta_kaggle_competitions(shared: Path, tmp_path: Path) -> None:
    from mliter.traces.versions.kaggle import competitions_of_versions, read_competition_sources, read_competitions

    comps = read_competitions(shared / "kaggle" / "meta_kaggle_shubhpatr" / "Competitions.csv")
    assert len(comps) == 5212 and comps["Id"].is_unique
    assert comps["DeadlineDate"].str.endswith("Z").all()
    src = tmp_path / "KernelVersionCompetitionSources.csv"
    first, second = comps.iloc[0], comps.iloc[1]
    src.write_text(f"Id,KernelVersionId,SourceCompetitionId\n1,10,{first.Id}\n2,11,{second.Id}\n3,12,999999999\n")
    joined = competitions_of_versions(read_competition_sources(src), comps)
    assert list(joined.KernelVersionId) == [10, 11, 12]
    assert joined.competition.iloc[0] == first.Slug and joined.metric.iloc[1] == second.EvaluationAlgorithmAbbreviation
    assert joined.competition.isna().iloc[2]


def test_competitions_bad_id_names_row(tmp_path: Path) -> None:
    from mliter.traces.versions.kaggle import MetaKaggleError, read_competitions

    bad = tmp_path / "Competitions.csv"
    bad.write_text("Id,Slug,Title,EvaluationAlgorithmAbbreviation,EvaluationAlgorithmIsMax,EnabledDate,DeadlineDate,"
                   "TotalTeams,TotalSubmissions\n1,a,A,AUC,True,,,3,4\nx,b,B,AUC,True,,,,\n")
    with pytest.raises(MetaKaggleError, match="row 3: column Id"):
        read_competitions(bad)
