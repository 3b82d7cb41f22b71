"""`mliter data ...`: build and validate the Frictionless data package."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT


def _package(args) -> int:
    """datapackage.json, croissant.json, CITATION.cff's version and the datasheet's tables, from the declarations."""
    from mliter import croissant
    from mliter.datapackage import all_tables, render
    from mliter.io import write_if_changed
    from mliter.metadata import citation_text, datasheet_text

    root = Path(args.root)
    cff = root / "CITATION.cff"
    outputs = {
        root / "datapackage.json": render(root),
        root / "croissant.json": croissant.render(root, all_tables()),
        cff: citation_text(cff.read_text(encoding="utf-8")),
        root / "docs" / "datasheet.md": datasheet_text(root, all_tables()),
    }
    for path, text in outputs.items():
        changed = write_if_changed(path, text.encode("utf-8"))
        print(("wrote " if changed else "unchanged ") + str(path))
    return 0


def _validate(args) -> int:
    from mliter.datapackage import validate

    from mliter import croissant

    errors = validate(Path(args.root)) + croissant.validate(Path(args.root) / "croissant.json")
    for e in errors:
        print(e)
    print("valid" if not errors else f"{len(errors)} problems")
    return 1 if errors else 0


def register(groups) -> None:
    from mliter.cli import add_verb

    p = add_verb(groups["data"], "package", _package,
                 help="regenerate datapackage.json, croissant.json and CITATION.cff's version from the declarations",
                 epilog="example:\n  mliter data package")
    p.add_argument("--root", type=Path, default=ROOT, help="repository root")
    v = add_verb(groups["data"], "validate", _validate,
                 help="validate every shipped table against datapackage.json, and croissant.json with mlcroissant",
                 epilog="example:\n  mliter data validate")
    v.add_argument("--root", type=Path, default=ROOT, help="repository root")
