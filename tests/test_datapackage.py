"""datapackage.json: generated from the declared tables, current, and valid (types, keys)."""

import json
import shutil

from mliter.datapackage import all_tables, render, validate
from mliter.paths import ROOT


def test_descriptor_is_current():
    assert (ROOT / "datapackage.json").read_text() == render(ROOT), "run `mliter data package`"


def test_every_shipped_table_is_described():
    described = {r["path"] for r in json.loads((ROOT / "datapackage.json").read_text())["resources"]}
    shipped = {str(p.relative_to(ROOT)) for folder in ("corpus", "traces", "coding")
               for p in (ROOT / folder).rglob("*.csv")}
    declared = {t.path for t in all_tables()}
    undeclared = sorted(p for p in shipped - declared if not p.startswith("coding/stage_"))
    assert not undeclared, f"shipped tables without a declared schema: {undeclared}"
    assert declared & shipped <= described


def test_package_validates():
    problems = validate(ROOT)
    assert problems == []


def test_broken_foreign_key_is_reported(tmp_path):
    for t in all_tables():
        if (ROOT / t.path).exists():
            (tmp_path / t.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / t.path, tmp_path / t.path)
    (tmp_path / "datapackage.json").write_text(render(tmp_path))
    cells = tmp_path / "traces" / "cells.csv"
    lines = cells.read_text().splitlines(keepends=True)
    lines.insert(1, "git:nobody/none/x.ipynb" + lines[1][lines[1].index(","):])
    cells.write_text("".join(lines))
    problems = validate(tmp_path)
    assert any("cell_traces" in p and "row 2" in p for p in problems), problems
