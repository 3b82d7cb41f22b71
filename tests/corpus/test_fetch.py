"""`mliter corpus fetch` against a loopback server serving recorded files (never the network)."""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import json
import threading

import pytest

from mliter.cli import main
from mliter.corpus.fetch import FAILED, GONE, MISMATCH, NOT_FETCHABLE, OK, PRESENT, fetch_all, manifest_items
from mliter.http import PoliteClient

COLUMNS = ["notebook_id", "source", "repo", "path", "commit", "url", "license", "local_path", "bytes", "sha256"]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _notebook(n: int) -> bytes:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "execution_count": n, "metadata": {}, "outputs": [],
                     "source": f"x = {n}"}]}
    return (json.dumps(nb, indent=1) + "\n").encode()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture()
def world(tmp_path):
    """A repo root with a notebook manifest, and a loopback server holding the files at owner/repo/commit/path."""
    served = tmp_path / "served"
    files = {"a.ipynb": _notebook(1), "dir with space/b.ipynb": _notebook(2), "c.ipynb": _notebook(3),
             "gone.ipynb": _notebook(4)}
    rows = []
    for path, data in files.items():
        sha = hashlib.sha256(data).hexdigest()
        if path == "c.ipynb":
            data = data.replace(b"x = 3", b"x = 33")  # the server's copy differs from the captured one
        if path != "gone.ipynb":
            dest = served / "owner/repo" / COMMIT / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        rows.append({"notebook_id": f"git:owner/repo/{path}", "source": "github", "repo": "owner/repo",
                     "path": path, "commit": COMMIT, "url": "", "license": "", "local_path": f"owner__repo/{path}",
                     "bytes": len(data), "sha256": sha})
    rows.append({**rows[0], "notebook_id": "file:local.ipynb", "source": "file", "repo": "", "path": "",
                 "commit": "", "local_path": "local.ipynb"})
    rows.append({**rows[0], "notebook_id": "git:owner/repo/evil.ipynb", "local_path": "../../evil.ipynb"})
    root = tmp_path / "root"
    (root / "corpus").mkdir(parents=True)
    with open(root / "corpus" / "notebooks.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}", files
    server.shutdown()
    server.server_close()


def _client(tmp_path):
    return PoliteClient(tmp_path / "cache", min_interval=0, sleep=lambda s: None)


def test_fetch_restores_verifies_and_reports(world, tmp_path):
    root, base, files = world
    out = tmp_path / "raw"
    outcomes = {o.item.item: o for o in fetch_all(manifest_items(root, base), out, _client(tmp_path), False)}
    assert outcomes["git:owner/repo/a.ipynb"].status == OK
    assert (out / "notebooks/owner__repo/a.ipynb").read_bytes() == files["a.ipynb"]
    assert (out / "notebooks/owner__repo/dir with space/b.ipynb").read_bytes() == files["dir with space/b.ipynb"]
    assert outcomes["git:owner/repo/c.ipynb"].status == MISMATCH
    assert not (out / "notebooks/owner__repo/c.ipynb").exists(), "a file with the wrong sha256 is never written"
    assert outcomes["git:owner/repo/gone.ipynb"].status == GONE
    assert outcomes["file:local.ipynb"].status == NOT_FETCHABLE
    evil = outcomes["git:owner/repo/evil.ipynb"]
    assert evil.status == NOT_FETCHABLE and "row 7" in evil.detail and "leaving the folder" in evil.detail
    assert not (tmp_path / "evil.ipynb").exists()
    report = list(csv.DictReader(open(out / "fetch_report.csv")))
    assert {r["status"] for r in report} == {OK, MISMATCH, GONE, NOT_FETCHABLE}


def test_a_deleted_notebook_is_restored_and_present_ones_cost_no_request(world, tmp_path, capsys):
    root, base, files = world
    out = tmp_path / "raw"
    args = ["corpus", "fetch", "--root", str(root), "--out", str(out), "--raw-base", base,
            "--cache-dir", str(tmp_path / "cache"), "--min-interval", "0", "--quiet"]
    assert main(args) == 1  # the mismatch and the gone file fail the run
    err = capsys.readouterr().err
    assert "sha256 mismatch: git:owner/repo/c.ipynb" in err and "gone upstream: git:owner/repo/gone.ipynb" in err
    manifest = list(csv.DictReader(open(out / "notebooks" / "manifest.csv")))
    assert [r["notebook_id"] for r in manifest] == ["git:owner/repo/a.ipynb", "git:owner/repo/dir with space/b.ipynb"]
    assert manifest[0]["commit"] == COMMIT and manifest[0]["repo"] == "owner/repo"
    (out / "notebooks/owner__repo/a.ipynb").unlink()
    client = _client(tmp_path / "fresh")
    outcomes = {o.item.item: o.status for o in fetch_all(manifest_items(root, base), out, client, False)}
    assert outcomes["git:owner/repo/a.ipynb"] == OK and outcomes["git:owner/repo/dir with space/b.ipynb"] == PRESENT
    assert (out / "notebooks/owner__repo/a.ipynb").read_bytes() == files["a.ipynb"]
    # requests: robots.txt, the restored a, the rejected c, the gone file; b was present and verified locally
    assert client.stats.network_requests == 4


def test_shipped_manifests_give_well_formed_items(repo_root):
    items = list(manifest_items(repo_root))
    fetchable = [i for i in items if i.url]
    assert {i.manifest for i in fetchable} >= {"notebooks.csv", "notebook_versions.csv", "papers.csv"}
    assert all(i.url.startswith("https://raw.githubusercontent.com/") for i in fetchable)
    assert all(len(i.sha256) == 64 for i in fetchable if i.manifest != "openml_run_sources.csv")
    assert len({i.dest for i in fetchable}) == len(fetchable), "two items would write one file"


def _write_manifest(path, columns, rows) -> None:
    """A fresh round's manifest: `rows` of owner/repo, the other columns left empty."""
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows({"repo": "owner/repo", **r} for r in rows)


def test_round_manifests_rebuild_a_rounds_material_folder(tmp_path):
    """`corpus/notebooks_round<N>.csv` and `notebook_versions_round<N>.csv` -> `<out>/notebooks_round<N>/...` and
    `<out>/notebook_versions_round<N>/...`, sha256-checked; bad rows are reported, the rest still fetched."""
    served = tmp_path / "served"
    root = tmp_path / "root"
    (root / "corpus").mkdir(parents=True)
    head = {"nb": _notebook(1), "v1": _notebook(2), "v2": _notebook(3)}
    for name, path in (("nb", "nbs/a.ipynb"), ("v1", "old/b.ipynb"), ("v2", "new/b.ipynb")):
        dest = served / "owner/repo" / COMMIT / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(head[name])
    sha = {k: hashlib.sha256(v).hexdigest() for k, v in head.items()}
    nb_cols = ["local_path", "repo", "repo_path", "commit", "blob", "sha256", "bytes", "n_code_cells", "url", "license"]
    _write_manifest(root / "corpus" / "notebooks_round3.csv", nb_cols, [
        {"local_path": "owner__repo/nbs/a.ipynb", "repo_path": "nbs/a.ipynb", "commit": COMMIT, "sha256": sha["nb"]},
        {"local_path": "../escape.ipynb", "repo_path": "nbs/a.ipynb", "commit": COMMIT, "sha256": sha["nb"]}])
    v_cols = ["local_path", "repo", "path_at_head", "path_at_commit", "commit", "commit_time_utc", "version_index",
              "blob", "sha256", "bytes", "url", "license"]
    _write_manifest(root / "corpus" / "notebook_versions_round3.csv", v_cols, [
        {"local_path": "owner__repo/b/v01_0123456.ipynb", "path_at_commit": "old/b.ipynb", "commit": COMMIT,
         "sha256": sha["v1"]},
        {"local_path": "owner__repo/b/v02_0123456.ipynb", "path_at_commit": "new/b.ipynb", "commit": COMMIT,
         "sha256": sha["v1"]},  # the recorded hash is not the served file's
        {"local_path": "owner__repo/b/v03.ipynb", "path_at_commit": "new/b.ipynb", "commit": "", "sha256": sha["v2"]}])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        out = tmp_path / "fresh3"
        got = {(o.item.manifest, o.item.item): o for o in fetch_all(manifest_items(root, base), out, _client(tmp_path), False)}
    finally:
        server.shutdown()
        server.server_close()
    assert got[("notebooks_round3.csv", "owner__repo/nbs/a.ipynb")].status == OK
    assert (out / "notebooks_round3/owner__repo/nbs/a.ipynb").read_bytes() == head["nb"]
    assert (out / "notebook_versions_round3/owner__repo/b/v01_0123456.ipynb").read_bytes() == head["v1"]
    assert got[("notebook_versions_round3.csv", "owner__repo/b/v02_0123456.ipynb")].status == MISMATCH
    assert not (out / "notebook_versions_round3/owner__repo/b/v02_0123456.ipynb").exists()
    escape = got[("notebooks_round3.csv", "../escape.ipynb")]
    assert escape.status == NOT_FETCHABLE and "notebooks_round3.csv, row 3" in escape.detail
    no_commit = got[("notebook_versions_round3.csv", "owner__repo/b/v03.ipynb")]
    assert no_commit.status == NOT_FETCHABLE and "row 4" in no_commit.detail and "commit" in no_commit.detail


def test_shipped_round_manifests_name_the_recorded_urls(repo_root):
    """Every fresh round's notebooks and series are rebuildable: the URL made from repository, commit and path is
    the one the manifest recorded when the round was drawn, and every item has a place of its own."""
    items = [i for i in manifest_items(repo_root) if "_round" in i.manifest]
    rounds = {i.manifest for i in items}
    assert {"notebooks_round8.csv", "notebook_versions_round8.csv", "notebook_versions_round2.csv"} <= rounds
    recorded = {}
    for name in rounds:
        with open(repo_root / "corpus" / name, newline="", encoding="utf-8") as fh:
            recorded.update({(name, r["local_path"]): r["url"] for r in csv.DictReader(fh)})
    assert all(i.url and i.url == recorded[(i.manifest, i.item)] for i in items)
    assert all(i.dest.startswith(i.manifest.removesuffix(".csv") + "/") for i in items)
    assert len({i.dest for i in items}) == len(items)


def _mirror_world(tmp_path):
    """A repository root whose manifests name files of one git repository kept as a local mirror
    (`mirrors/owner+repo/repo`): a notebook at a commit, and a round manifest naming a blob."""
    import subprocess

    from git_fixtures import commit, init, notebook

    repo = init(tmp_path / "mirrors" / "owner+repo" / "repo")
    commit(repo, {"a.ipynb": notebook("x = 1"), "sub/b.ipynb": notebook("y = 2")}, 1)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    blob = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD:sub/b.ipynb"], capture_output=True, text=True,
                          check=True).stdout.strip()
    a, b = (repo / "a.ipynb").read_bytes(), (repo / "sub/b.ipynb").read_bytes()
    root = tmp_path / "root"
    (root / "corpus").mkdir(parents=True)
    rows = [{"notebook_id": "git:owner/repo/a.ipynb", "source": "github", "repo": "owner/repo", "path": "a.ipynb",
             "commit": head, "url": "", "license": "", "local_path": "owner__repo/a.ipynb", "bytes": len(a),
             "sha256": hashlib.sha256(a).hexdigest()},
            {"notebook_id": "git:owner/repo/missing.ipynb", "source": "github", "repo": "owner/repo",
             "path": "missing.ipynb", "commit": head, "url": "", "license": "", "local_path": "owner__repo/missing.ipynb",
             "bytes": 1, "sha256": "0" * 64},
            {"notebook_id": "git:owner/repo/sub/b.ipynb", "source": "github", "repo": "owner/repo", "path": "sub/b.ipynb",
             "commit": head, "url": "", "license": "", "local_path": "owner__repo/wrong.ipynb", "bytes": len(b),
             "sha256": "f" * 64}]  # the mirror's bytes are not the captured ones
    with open(root / "corpus" / "notebooks.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(root / "corpus" / "notebooks_round9.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["local_path", "repo", "repo_path", "commit", "blob", "sha256"])
        w.writerow(["owner__repo/sub/b.ipynb", "owner/repo", "sub/b.ipynb", "0" * 40, blob,
                    hashlib.sha256(b).hexdigest()])  # the blob decides, whatever the commit says
    return root, tmp_path / "mirrors", a, b


def test_files_come_from_a_local_mirror_without_a_request(tmp_path):
    """`--mirrors`: the manifest's blob or its path at the commit, read by git, sha256-checked; what the mirror
    lacks or holds otherwise is not written and is reported with the reason (no client: nothing is requested)."""
    root, mirrors, a, b = _mirror_world(tmp_path)
    out = tmp_path / "raw"
    got = {o.item.item: o for o in fetch_all(manifest_items(root, "http://127.0.0.1:9"), out, None, False, mirrors)}
    assert got["git:owner/repo/a.ipynb"].status == OK and "mirror" in got["git:owner/repo/a.ipynb"].detail
    assert (out / "notebooks/owner__repo/a.ipynb").read_bytes() == a
    assert (out / "notebooks_round9/owner__repo/sub/b.ipynb").read_bytes() == b
    assert got["git:owner/repo/missing.ipynb"].status == FAILED
    assert "missing.ipynb" in got["git:owner/repo/missing.ipynb"].detail
    wrong = got["git:owner/repo/sub/b.ipynb"]
    assert wrong.status == FAILED and "other bytes" in wrong.detail
    assert not (out / "notebooks/owner__repo/wrong.ipynb").exists(), "bytes with the wrong sha256 are never written"
    again = {o.item.item: o.status for o in fetch_all(manifest_items(root), out, None, False, mirrors)}
    assert again["git:owner/repo/a.ipynb"] == PRESENT


def test_a_file_no_mirror_holds_is_fetched_over_http(world, tmp_path):
    """A mirror folder without the repository: each file is fetched from the loopback server as before."""
    root, base, files = world
    (tmp_path / "mirrors").mkdir()
    out = tmp_path / "raw"
    got = {o.item.item: o for o in fetch_all(manifest_items(root, base), out, _client(tmp_path), False,
                                             tmp_path / "mirrors")}
    assert got["git:owner/repo/a.ipynb"].status == OK and "mirror" not in got["git:owner/repo/a.ipynb"].detail
    assert (out / "notebooks/owner__repo/a.ipynb").read_bytes() == files["a.ipynb"]
    gone = got["git:owner/repo/gone.ipynb"]  # neither the mirror folder nor the server has it: both reasons given
    assert gone.status == GONE and "no mirror at" in gone.detail


def test_cli_fetch_from_mirrors_offline(tmp_path, capsys):
    root, mirrors, a, _ = _mirror_world(tmp_path)
    out = tmp_path / "raw"
    rc = main(["corpus", "fetch", "--root", str(root), "--out", str(out), "--mirrors", str(mirrors), "--offline",
               "--cache-dir", str(tmp_path / "cache"), "--quiet", "--only", "notebooks_round9.csv"])
    assert rc == 0 and (out / "notebooks_round9/owner__repo/sub/b.ipynb").exists()
    assert "1 fetched" in capsys.readouterr().out
