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


def _scripts():
    return [s for s in dag.scripts(ROOT / "analysis")]


@pytest.mark.parametrize("script", _scripts(), ids=lambda s: Path(s.path).stem)
def test_outputs_are_current_and_byte_stable(script, tmp_path):
    """Rerunning a script on the shipped data reproduces the committed outputs byte for byte, twice."""
    for rel in script.inputs + tuple(p for p in script.optional if (ROOT / p).exists()):
        dst = tmp_path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst)
    env = {**os.environ, "MLITER_ROOT": str(tmp_path), "PYTHONHASHSEED": "0"}
    for _ in range(2):
        subprocess.run([sys.executable, str(ROOT / script.path)], check=True, env=env, cwd=tmp_path)
        for out in script.outputs:
            produced = (tmp_path / out).read_bytes()
            assert produced == (ROOT / out).read_bytes(), f"{out} differs from the committed file: run `make figures`"


def test_variables_tex_defines_every_json_value():
    import json

    values = json.loads((ROOT / "figures" / "variables.json").read_text())
    tex = (ROOT / "figures" / "variables.tex").read_text()
    assert all(f"\\newcommand{{\\{k}}}" in tex for k in values)
    assert "\\newcommand{\\shareOutOfOrder}" in tex
