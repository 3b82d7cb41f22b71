"""Build `croissant.json` (MLCommons Croissant with its RAI fields) from the declared tables, with mlcroissant.

Each shipped table becomes a FileObject (path, sha256) and a RecordSet whose fields are the table's columns;
the dataset-level facts come from `mliter.metadata`, the Responsible-AI fields say who or what produced each
coded variable (`mliter.metadata.CODED_VARIABLES`). `validate()` loads the file back with mlcroissant, which
checks the JSON-LD and every reference, and reads the first records of each record set.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from mliter import __release_date__, __version__
from mliter import metadata as md
from mliter.errors import MliterError
from mliter.io import sha256_file
from mliter.tables import Table

_TYPES = {"integer": "INTEGER", "number": "FLOAT", "string": "TEXT", "boolean": "BOOL", "date": "DATE",
          "datetime": "DATETIME"}


def _mlc():
    try:
        import mlcroissant
    except ImportError as exc:  # an extra of the test/packaging environment, not of mining
        raise MliterError("croissant.json needs mlcroissant: install mliter[test] (make env does)") from exc
    return mlcroissant


def _record_set(mlc, t: Table) -> Any:
    file_id = f"{t.name}-file"
    fields = []
    for c in t.columns:
        if c.type not in _TYPES:
            raise MliterError(f"table {t.name}, column {c.name}: type {c.type!r} has no Croissant data type")
        fields.append(mlc.Field(
            id=f"{t.name}/{c.name}", name=c.name, description=c.description,
            data_types=[getattr(mlc.DataType, _TYPES[c.type])],
            source=mlc.Source(file_object=file_id, extract=mlc.Extract(column=c.name)),
        ))
    return mlc.RecordSet(id=t.name, name=t.name, description=f"{t.title}. {t.description}",
                         key=[f"{t.name}/{k}" for k in t.primary_key], fields=fields)


def metadata(root: Path, tables: list[Table]) -> dict[str, Any]:
    """The Croissant JSON-LD of the tables present under `root` (sorted keys, stable across runs)."""
    mlc = _mlc()
    present = [t for t in tables if (Path(root) / t.path).exists()]
    files = [mlc.FileObject(id=f"{t.name}-file", name=f"{t.name}-file", content_url=t.path,
                            encoding_formats=["text/csv"], sha256=sha256_file(Path(root) / t.path))
             for t in present]
    released = dt.datetime.fromisoformat(__release_date__)
    coded = md.CODED_VARIABLES
    meta = mlc.Metadata(
        name=md.NAME, description=md.DESCRIPTION, url=md.HOMEPAGE, version=__version__,
        license=[md.DATA_LICENSE["path"]], keywords=list(md.KEYWORDS), date_published=released,
        cite_as=md.citation_bibtex(), creators=[mlc.Organization(name=c.title, url=c.path or None)
                                                for c in md.CONTRIBUTORS if c.role == "author"],
        distribution=files, record_sets=[_record_set(mlc, t) for t in present],
        data_collection="; ".join(f"{s.title}: {s.description}" for s in md.SOURCES),
        data_annotation_protocol=[f"{v.variable}: {v.producer} ({v.kind}); checked by {v.check}"
                                  for v in coded if v.kind != "rule table"],
        machine_annotation_tools=[f"{v.variable}: {v.producer}" for v in coded if v.kind == "rule table"],
        data_limitations=list(md.LIMITATIONS),
        personal_sensitive_information=[md.PERSONAL_INFORMATION],
    )
    return meta.to_json()


def render(root: Path, tables: list[Table]) -> str:
    return json.dumps(metadata(root, tables), indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def validate(path: Path, max_records: int = 3) -> list[str]:
    """Problems mlcroissant finds in `path` (empty when valid); also reads a few records of every set."""
    mlc = _mlc()
    try:
        ds = mlc.Dataset(jsonld=str(path))
    except mlc.ValidationError as exc:
        return [f"{path}: {line}" for line in str(exc).splitlines() if line.strip()]
    problems = [f"{path}: warning: {w}" for w in ds.metadata.ctx.issues.warnings]
    for rs in ds.metadata.record_sets:
        try:
            for i, _ in enumerate(ds.records(record_set=rs.id)):
                if i + 1 >= max_records:
                    break
        except Exception as exc:  # noqa: BLE001 - mlcroissant raises many kinds; each is a problem to report
            problems.append(f"{path}: record set {rs.id}: {type(exc).__name__}: {exc}")
    return problems
