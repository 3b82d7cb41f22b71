"""The analysis DAG and its outputs: declared, present, current and byte-stable."""

import json
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


def _stage_inputs(script, work: Path) -> None:
    """Copy the script's inputs (and the optional ones that exist now: make wildcards) into `work`."""
    present = tuple(m.relative_to(ROOT).as_posix() for p in script.optional for m in sorted(ROOT.glob(p)))
    for rel in script.inputs + present:
        dst = work / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst)


SEEDS = ("0", "1")


@pytest.fixture(scope="module")
def reruns(tmp_path_factory) -> dict[str, str | None]:
    """Every analysis script rerun on copies of its inputs under two hash seeds, every output compared with the
    committed file: per script, the first difference or failure, else None.

    One driver per seed (`tests/script_forks.py`, started with that `PYTHONHASHSEED`) imports the heavy
    third-party modules once and forks a child per script, so the two seeds run side by side on two cores
    without each run paying the imports again."""
    base = tmp_path_factory.mktemp("reruns")
    scripts = _scripts()
    drivers = []
    for seed in SEEDS:
        jobs = []
        for s in scripts:
            work = base / f"seed{seed}" / Path(s.path).stem
            _stage_inputs(s, work)
            jobs.append({"script": str(ROOT / s.path), "work": str(work), "log": str(work / "stderr.log")})
        (base / f"jobs{seed}.json").write_text(json.dumps(jobs))
        env = {**os.environ, "PYTHONHASHSEED": seed}
        drivers.append(subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("script_forks.py")), str(base / f"jobs{seed}.json"),
             str(base / f"status{seed}.json")], env=env, cwd=base))
    for seed, proc in zip(SEEDS, drivers):
        assert proc.wait() == 0, f"the rerun driver for PYTHONHASHSEED={seed} failed"
    problems: dict[str, str | None] = {}
    for s in scripts:
        problems[s.path] = None
        for seed in SEEDS:
            work = base / f"seed{seed}" / Path(s.path).stem
            status = json.loads((base / f"status{seed}.json").read_text())[str(ROOT / s.path)]
            if status:
                log = (work / "stderr.log").read_text(errors="replace")
                problems[s.path] = f"{s.path} failed (PYTHONHASHSEED={seed}, exit {status}):\n{log[-2000:]}"
                break
            diff = next((o for o in s.outputs
                         if not (work / o).is_file() or (work / o).read_bytes() != (ROOT / o).read_bytes()), None)
            if diff:
                problems[s.path] = f"{diff} differs from the committed file (PYTHONHASHSEED={seed}): run `make figures`"
                break
    return problems


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
