"""The lock file: current with pyproject.toml, made for the pinned Python, and a stale one stops `make`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from mliter.paths import ROOT


def _uv() -> str:
    local = ROOT / ".uv" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if not found:
        pytest.fail("uv not found: `make env` bootstraps it into .uv/ (pip install uv)")
    return found


def _env() -> dict[str, str]:
    # offline: the check resolves from uv's cache, filled by the install that ran before the tests
    return {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_OFFLINE": "1"}


@pytest.mark.parametrize("project", [".", "tools/cffconvert"])
def test_lock_is_current_with_pyproject(project):
    run = subprocess.run([_uv(), "lock", "--check", "--project", str(ROOT / project)], capture_output=True,
                         text=True, env=_env())
    assert run.returncode == 0, f"{project}/uv.lock is stale: run `make lock`\n{run.stderr}"


def test_lock_is_for_the_pinned_python_only():
    pinned = (ROOT / ".python-version").read_text().strip()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["uv"]["environments"] == [f"python_version == '{pinned}'"]
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == pinned, "tests run on the lock's Python"
    names = {p["name"] for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    assert {"pandas", "numpy", "matplotlib", "mlcroissant"} <= names
    assert not any(d.startswith("seaborn") for d in project["project"]["dependencies"]), "seaborn is never imported"


def test_stale_lock_stops_make_with_a_clear_message(tmp_path):
    """A dependency added to pyproject.toml without `make lock`: `make env` fails and says what to run."""
    for name in ("Makefile", "uv.lock", ".python-version", "README.md"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "mliter", tmp_path / "mliter", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "analysis", tmp_path / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / ".uv").symlink_to(ROOT / ".uv")
    text = (ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(text.replace('  "tqdm>=4.65",\n', ""))
    run = subprocess.run(["make", "-s", "env", f"PYTHON={sys.executable}"], cwd=tmp_path, capture_output=True,
                         text=True, env=_env(), timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert "needs to be updated" in out and "make lock" in out, out
    assert not (tmp_path / ".venv" / ".installed").exists()
