"""The compiled miner (mliter/traces/notebooks/native.py): loaded only while current, and the same bytes.

The compiled modules and the Python sources must mine every notebook to the same bytes (fixtures and
the shared notebooks, under two hash seeds each), and a build whose sources changed must never run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from mliter.paths import ROOT
from mliter.traces.notebooks import native

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


@pytest.fixture(scope="module")
def built() -> Path:
    """The build `make native` made: skipped only when there is none at all (e.g. no C compiler);
    a build that is there but stale is a failure here (run `make native`)."""
    if not native.NATIVE_DIR.is_dir():
        pytest.skip(f"no compiled miner at {native.NATIVE_DIR} (make native builds it)")
    status = native.check()
    assert status.compiled, f"compiled miner is not current ({status.reason}): run `make native`"
    return native.NATIVE_DIR


def _fake_build(tmp_path: Path) -> tuple[Path, Path]:
    """A package tree with two sources and a build dir whose manifest matches them."""
    src = tmp_path / "mliter"
    (src / "traces").mkdir(parents=True)
    (src / "traces" / "a.py").write_text("x = 1\n")
    (src / "b.py").write_text("y = 2\n")
    out = tmp_path / "_native"
    out.mkdir()
    for m in (*native.COMPILED, native.GROUP.rsplit(".", 1)[1] + "__mypyc"):
        (out / (m + SUFFIX)).write_bytes(b"")
    sources = {"traces/a.py": native._digest(src / "traces" / "a.py"), "b.py": native._digest(src / "b.py")}
    info = {"modules": list(native.COMPILED), "abi": native.abi_tag(), "sources": sources}
    (out / native.MANIFEST).write_text(json.dumps(info))
    return out, src


def test_a_build_matching_its_sources_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    out, src = _fake_build(tmp_path)
    assert native.check(out, src).compiled


@pytest.mark.parametrize("damage, reason", [
    (lambda out, src: (src / "traces" / "a.py").write_text("x = 2\n"), "traces/a.py changed"),
    (lambda out, src: (src / "b.py").unlink(), "b.py is missing"),
    (lambda out, src: (out / native.MANIFEST).write_text("{"), "unreadable"),
    (lambda out, src: (out / native.MANIFEST).unlink(), "no compiled build"),
    (lambda out, src: (out / ("code" + SUFFIX)).unlink(), "lacks code"),
    (lambda out, src: (out / native.MANIFEST).write_text(json.dumps(
        {**json.loads((out / native.MANIFEST).read_text()), "abi": "other-python"})), "another interpreter"),
    (lambda out, src: (out / native.MANIFEST).write_text(json.dumps(
        {**json.loads((out / native.MANIFEST).read_text()), "modules": ["code"]})), "rebuild"),
])
def test_a_stale_or_damaged_build_falls_back_to_python(tmp_path, monkeypatch, damage, reason):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    out, src = _fake_build(tmp_path)
    damage(out, src)
    status = native.check(out, src)
    assert not status.compiled and reason in status.reason


def test_the_environment_variable_forces_python(tmp_path, monkeypatch):
    out, src = _fake_build(tmp_path)
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert not native.check(out, src).compiled


def test_the_build_depends_on_every_mliter_module_the_compiled_ones_import():
    rel = {str(p.relative_to(native.MLITER_DIR)) for p in native.source_closure()}
    assert {f"traces/notebooks/{m}.py" for m in native.COMPILED} <= rel
    assert {"traces/catalogue.py", "traces/notebooks/__init__.py", "paths.py"} <= rel  # imported by stages, code


def _loaded(root: Path, env: dict[str, str] | None = None) -> dict[str, bool]:
    code = ("import importlib, json; from mliter.traces.notebooks import native; "
            "[importlib.import_module(f'{native.PACKAGE}.{m}') for m in native.COMPILED]; "
            "print(json.dumps(native.loaded()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env={**os.environ, "PYTHONPATH": str(root), **(env or {})},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_an_edited_source_makes_the_real_build_stale(built, tmp_path):
    """A copy of the package with its build: loaded compiled as is; after one source edit, pure Python."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "mliter", copy / "mliter", ignore=shutil.ignore_patterns("__pycache__"))
    env = {native.PURE_ENV: ""}
    assert _loaded(copy, env) == {m: True for m in native.COMPILED}
    with open(copy / "mliter" / "traces" / "notebooks" / "stages.py", "a", encoding="utf-8") as fh:
        fh.write("\n# an edit after the build\n")
    assert _loaded(copy, env) == {m: False for m in native.COMPILED}


_MINE_ALL = r"""
import hashlib, json, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from mliter.corpus.notebooks import discover
from mliter.traces.notebooks import native
from mliter.traces.notebooks.mine import mine_ref
from mliter.traces.notebooks.stages import StageRules
import mliter.traces.notebooks.modules
rules = StageRules.from_csv()
fixtures, *shared = sys.argv[1:]
refs = discover([Path(fixtures)]) + discover([Path(p) for p in shared])[::4]  # the fixtures, a quarter of the rest
digests = [hashlib.sha256(json.dumps(mine_ref(r, rules).to_json()).encode()).hexdigest()[:16] + " " + r.notebook_id
           for r in refs]
print(json.dumps({"loaded": native.loaded(), "digests": digests}))
"""


def test_compiled_and_python_mine_the_same_bytes_under_two_hash_seeds(built, fixtures, shared):
    """Four processes (compiled and Python, hash seeds 0 and 1) mine the fixtures and a quarter of the
    shared notebooks (every fourth, old and fresh sets); every notebook's rows must be the same bytes."""
    folders = [str(fixtures / "notebooks"), str(shared / "notebooks"), str(shared / "notebooks_eval")]
    procs = {(pure, seed): subprocess.Popen([sys.executable, "-c", _MINE_ALL, *folders], cwd=ROOT, text=True,
                                            env={**os.environ, native.PURE_ENV: pure, "PYTHONHASHSEED": seed},
                                            stdout=subprocess.PIPE)
             for pure in ("", "1") for seed in ("0", "1")}
    runs = {}
    for key, proc in procs.items():
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, key
        runs[key] = json.loads(out)
    for (pure, _), run in runs.items():
        assert set(run["loaded"].values()) == {not pure}, run["loaded"]
    reference = runs["1", "0"]["digests"]
    assert len(reference) > 100
    for key, run in runs.items():
        differ = [a for a, b in zip(run["digests"], reference) if a != b]
        assert run["digests"] == reference, f"{key}: {len(differ)} notebooks mined differently, e.g. {differ[:3]}"
