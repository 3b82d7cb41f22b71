"""CITATION.cff, croissant.json and the datasheet: generated from one place, current, and valid."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib

import pytest

from mliter import __release_date__, __version__, croissant
from mliter import metadata as md
from mliter.datapackage import all_tables, descriptor
from mliter.paths import ROOT

CFFCONVERT = ROOT / "tools" / "cffconvert" / ".venv" / "bin" / "cffconvert"


def _cffconvert(path):
    if not CFFCONVERT.exists():
        pytest.fail("cffconvert missing: `make test` installs tools/cffconvert from its lock")
    return subprocess.run([str(CFFCONVERT), "--validate", "-i", str(path)], capture_output=True, text=True)


def test_version_is_written_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    cff = (ROOT / "CITATION.cff").read_text()
    assert md.citation_text(cff) == cff, "run `mliter data package`"
    assert re.search(rf"^version: {re.escape(__version__)}$", cff, re.M)
    assert f'date-released: "{__release_date__}"' in cff
    assert json.loads((ROOT / "datapackage.json").read_text())["version"] == __version__
    assert json.loads((ROOT / "croissant.json").read_text())["version"] == __version__


def test_citation_validates_and_cites_the_four_studies(tmp_path):
    run = _cffconvert(ROOT / "CITATION.cff")
    assert run.returncode == 0, run.stdout + run.stderr
    cff = (ROOT / "CITATION.cff").read_text()
    for doi in ("10.1145/3398730.3399153", "10.1145/3411764.3445306", "10.1145/3448016.3457566"):
        assert doi in cff
    assert "arXiv:1803.10311" in cff
    broken = tmp_path / "CITATION.cff"
    broken.write_text(cff.replace(f'date-released: "{__release_date__}"', 'date-released: "last spring"'))
    assert _cffconvert(broken).returncode != 0


def test_datapackage_has_sources_and_contributors():
    d = descriptor(ROOT)
    assert {s["title"] for s in d["sources"]} >= {"Meta Kaggle", "OpenML REST API and recorded responses"}
    assert all(s["path"].startswith("https://") for s in d["sources"])
    assert any(c["role"] == "author" for c in d["contributors"])


def test_croissant_is_current_and_valid():
    on_disk = (ROOT / "croissant.json").read_text()
    assert on_disk == croissant.render(ROOT, all_tables()), "run `mliter data package`"
    assert croissant.validate(ROOT / "croissant.json") == []
    doc = json.loads(on_disk)
    described = {r["@id"] for r in doc["recordSet"]}
    assert {t.name for t in all_tables() if (ROOT / t.path).exists()} == described
    assert doc["rai:dataAnnotationProtocol"] and doc["rai:machineAnnotationTools"]


def test_croissant_rejects_a_field_without_its_column(tmp_path):
    for t in all_tables():
        if t.name == "openml_runs":
            (tmp_path / t.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / t.path, tmp_path / t.path)
            table = t
    (tmp_path / "croissant.json").write_text(croissant.render(tmp_path, [table]))
    assert croissant.validate(tmp_path / "croissant.json") == []
    csv = tmp_path / table.path
    csv.write_text(csv.read_text().replace("rid,user_id", "run,user_id", 1))
    problems = croissant.validate(tmp_path / "croissant.json")
    assert problems and any("openml_runs" in p for p in problems), problems


def test_datasheet_answers_the_questions_and_names_every_coded_variable():
    sheet = (ROOT / "docs" / "datasheet.md").read_text()
    assert md.datasheet_text(ROOT, all_tables()) == sheet, "run `mliter data package`"
    for section in ("Motivation", "Composition", "Collection", "Preprocessing", "Uses", "Distribution",
                    "Maintenance"):
        assert re.search(rf"^## {section}", sheet, re.M), f"datasheet lacks the {section} section"
    for v in md.CODED_VARIABLES:
        assert v.variable in sheet, f"datasheet does not say who produced {v.variable}"
        assert v.kind in ("person", "rule table", "model-based coder")
