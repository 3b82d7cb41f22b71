"""The analysis DAG and its outputs: declared, present, current and byte-stable."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mliter.paths import ROOT
from mliter.report import dag


def test_every_listed_output_exists_and_is_owned_once():
    rows = (ROOT / "figures" / "MANIFEST.tsv").read_text().splitlines()[1:]
    outputs = [r.split("\t")[0] for r in rows]
    assert len(outputs) == len(set(outputs))
    missing = [o for o in outputs if not (ROOT / o).exists()]
    assert not missing, f"run `make figures`: missing {missing}"
    assert dag.manifest(dag.scripts(ROOT / "analysis")) == (ROOT / "figures" / "MANIFEST.tsv").read_text()


def test_dag_rejects_undeclared_and_doubly_owned_outputs(tmp_path):
    (tmp_path / "a.py").write_text('INPUTS = ["x.csv"]\nOUTPUTS = ["figures/a.png"]\n')
    (tmp_path / "b.py").write_text('INPUTS = []\n')
    with pytest.raises(ValueError, match="b.py: missing module-level OUTPUTS"):
        dag.scripts(tmp_path)
    (tmp_path / "b.py").write_text('INPUTS = []\nOUTPUTS = ["figures/a.png"]\n')
    with pytest.raises(ValueError, match="claimed by both"):
        dag.scripts(tmp_path)


def test_dag_optional_inputs_are_prerequisites_only_when_present(tmp_path):
    (tmp_path / "a.py").write_text('INPUTS = ["x.csv"]\nOPTIONAL_INPUTS = ["y.csv"]\nOUTPUTS = ["figures/a.csv"]\n')
    (s,) = dag.scripts(tmp_path)
    assert s.optional == ("y.csv",)
    rule = dag.make_rules([s]).splitlines()[2]
    assert rule.startswith("figures/a.csv &: ") and "/a.py x.csv $(wildcard y.csv) uv.lock " in rule


def test_dag_optional_inputs_may_be_patterns_that_make_expands(tmp_path):
    """A pattern (a new round's files) becomes a prerequisite for every file it matches, through make itself."""
    import subprocess

    (tmp_path / "a.py").write_text('INPUTS = []\nOPTIONAL_INPUTS = ["in/round*/x.csv"]\nOUTPUTS = ["out.txt"]\n')
    (s,) = dag.scripts(tmp_path)
    for rnd in (2, 3):
        (tmp_path / f"in/round{rnd}").mkdir(parents=True)
        (tmp_path / f"in/round{rnd}/x.csv").write_text("x\n")
    mk = "print-%:\n\t@echo $($*)\nDEPS := " + " ".join(f"$(wildcard {p})" for p in s.optional) + "\n"
    (tmp_path / "Makefile").write_text(mk)
    out = subprocess.run(["make", "-s", "print-DEPS"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["in/round2/x.csv", "in/round3/x.csv"]


def _scripts():
    return [s for s in dag.scripts(ROOT / "analysis")]


def _rerun(script, base: Path) -> str | None:
    """Run `script` twice on copies of its inputs (under two hash seeds) and compare every output with the
    committed file; the first difference or failure, else None."""
    work = base / Path(script.path).stem
    present = tuple(m.relative_to(ROOT).as_posix() for p in script.optional for m in sorted(ROOT.glob(p)))
    for rel in script.inputs + present:  # optional inputs are make wildcards: what they match now
        dst = work / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst)
    for seed in ("0", "1"):
        env = {**os.environ, "MLITER_ROOT": str(work), "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, str(ROOT / script.path)], env=env, cwd=work, capture_output=True,
                             text=True)
        if run.returncode:
            return f"{script.path} failed (PYTHONHASHSEED={seed}):\n{run.stderr[-2000:]}"
        for out in script.outputs:
            if (work / out).read_bytes() != (ROOT / out).read_bytes():
                return f"{out} differs from the committed file (PYTHONHASHSEED={seed}): run `make figures`"
    return None


@pytest.fixture(scope="module")
def reruns(tmp_path_factory) -> dict[str, str | None]:
    """Every analysis script rerun, on as many cores as the machine has (they are independent processes)."""
    from concurrent.futures import ThreadPoolExecutor

    base = tmp_path_factory.mktemp("reruns")
    scripts = _scripts()
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        results = list(pool.map(lambda s: _rerun(s, base), scripts))
    return {s.path: r for s, r in zip(scripts, results)}


@pytest.mark.parametrize("script", _scripts(), ids=lambda s: Path(s.path).stem)
def test_outputs_are_current_and_byte_stable(script, reruns):
    """Rerunning a script on the shipped data reproduces the committed outputs byte for byte, under two hash
    seeds."""
    problem = reruns[script.path]
    assert problem is None, problem


def test_variables_tex_defines_every_json_value():
    import json

    values = json.loads((ROOT / "figures" / "variables.json").read_text())
    tex = (ROOT / "figures" / "variables.tex").read_text()
    assert all(f"\\newcommand{{\\{k}}}" in tex for k in values)
    assert "\\newcommand{\\shareOutOfOrder}" in tex
