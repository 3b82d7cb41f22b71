"""Build `datapackage.json` from the declared tables of every stage.

The package descriptor is generated, never hand-edited, so it cannot drift from the
code that writes the tables; the tests regenerate it and compare.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from mliter import __release_date__, __version__
from mliter import metadata as md
from mliter.tables import Table

#: Modules that expose a `TABLES` list; a new stage appends its module here.
SCHEMA_MODULES = [
    "mliter.corpus.schema",
    "mliter.corpus.papers.schema",
    "mliter.traces.notebooks.schema",
    "mliter.traces.openml.schema",
    "mliter.traces.versions.schema",
    "mliter.traces.pipelines.schema",
    "mliter.coding.schema",
    "mliter.corpus.threads.schema",
    "mliter.coding.threads_schema",
    "mliter.coding.trace_schema",
]


def all_tables() -> list[Table]:
    tables: list[Table] = []
    for name in SCHEMA_MODULES:
        tables.extend(importlib.import_module(name).TABLES)
    return tables


def descriptor(root: Path | None = None) -> dict[str, Any]:
    """The Data Package descriptor; resources whose file is absent under `root` are left out."""
    resources = []
    for t in all_tables():
        if root is None or (Path(root) / t.path).exists():
            resources.append(t.resource())
    return {
        "profile": "tabular-data-package",
        "name": md.NAME,
        "title": md.TITLE,
        "version": __version__,
        "created": f"{__release_date__}T00:00:00Z",
        "description": md.DESCRIPTION,
        "homepage": md.HOMEPAGE,
        "keywords": list(md.KEYWORDS),
        "licenses": [dict(md.DATA_LICENSE)],
        "sources": [{"title": s.title, "path": s.path, "description": s.description} for s in md.SOURCES],
        "contributors": [{"title": c.title, "role": c.role, **({"path": c.path} if c.path else {})}
                         for c in md.CONTRIBUTORS],
        "resources": resources,
    }


def render(root: Path) -> str:
    return json.dumps(descriptor(root), indent=2, ensure_ascii=False) + "\n"


def validate(root: Path) -> list[str]:
    """Frictionless validation of the package at `root` (types, constraints, keys); problems as lines."""
    from frictionless import Package, system

    problems: list[str] = []
    current = render(root)
    on_disk = (Path(root) / "datapackage.json").read_text(encoding="utf-8")
    if on_disk != current:
        problems.append("datapackage.json is out of date with the declared tables: run `mliter data package`")
    with system.use_context(trusted=True):
        report = Package(str(Path(root) / "datapackage.json")).validate()
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            field = getattr(err, "field_name", None)
            where = f"{task.name}" + (f", row {row}" if row else "") + (f", column {field}" if field else "")
            problems.append(f"{where}: {err.message}")
    for err in report.errors:
        problems.append(err.message)
    return problems
