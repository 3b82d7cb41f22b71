"""`mliter mine versions` on a plain folder of vNN_*.ipynb series (issue 7)."""

from __future__ import annotations

import pandas as pd
import pytest

from mliter.cli import main
from tests.notebook_builders import notebook_bytes


def _series(root):
    for stem, n in (("alpha", 11), ("beta", 2)):
        d = root / "owner__repo" / stem
        d.mkdir(parents=True)
        for i in range(1, n + 1):
            (d / f"v{i:02d}_{i:07x}.ipynb").write_bytes(
                notebook_bytes("from sklearn.ensemble import RandomForestClassifier", f"m = RandomForestClassifier(n_estimators={i})"))
    return root


def test_plain_series_folder_without_manifest(tmp_path, capsys):
    src = _series(tmp_path / "src")
    out = tmp_path / "out"
    assert main(["mine", "versions", str(src), "--out", str(out), "--quiet"]) == 0
    assert "not a git clone" in capsys.readouterr().err
    v = pd.read_csv(out / "traces" / "versions.csv", keep_default_na=False)
    alpha = v[v.workflow_id == "file:owner__repo/alpha"]
    assert list(alpha.version) == list(range(1, 12))  # version order, v10 after v09
    assert list(alpha.change_type) == ["S"] + ["H"] * 10
    assert (v.timestamp == "").all()


def test_mining_other_sources_without_out_is_refused(tmp_path, capsys):
    src = _series(tmp_path / "src")
    assert main(["mine", "versions", str(src), "--quiet"]) == 2
    assert "--out" in capsys.readouterr().err


def test_mining_only_part_or_more_than_the_shipped_sources_without_out_is_refused(shared, tmp_path, capsys):
    """traces/versions.csv is mined from the shared version series alone: the shared OpenML responses, or
    the series together with another source, would replace it with a different table, so both need --out.
    (Needs ../shared: without it the sources do not exist and are refused for that reason instead.)"""
    for sources in ([f"openml:{shared / 'openml'}"],
                    [str(shared / "notebook_versions"), str(_series(tmp_path / "src"))]):
        assert main(["mine", "versions", *sources, "--quiet"]) == 2
        assert "--out" in capsys.readouterr().err


def test_series_in_a_git_clone_get_commit_times(tmp_path):
    import subprocess

    src = _series(tmp_path / "src")
    env = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "A",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
           "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    subprocess.run(["git", "-C", str(src), "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", str(src), "commit", "-qm", "x"], check=True, env=env)
    from mliter.traces.versions.folder import series_versions

    vs = series_versions(src)
    assert all(v.timestamp == "2024-01-02T03:04:05Z" for v in vs)


def test_empty_folder_is_an_error(tmp_path):
    from mliter.traces.versions.folder import ManifestError, series_versions

    with pytest.raises(ManifestError, match="no MANIFEST.tsv and no vNN"):
        series_versions(tmp_path)
