"""`mliter data ...`: build and validate the Frictionless data package."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT


def _package(args) -> int:
    from mliter.datapackage import render
    from mliter.io import write_if_changed

    changed = write_if_changed(Path(args.root) / "datapackage.json", render(Path(args.root)).encode())
    print(("wrote " if changed else "unchanged ") + str(Path(args.root) / "datapackage.json"))
    return 0


def _validate(args) -> int:
    from mliter.datapackage import validate

    errors = validate(Path(args.root))
    for e in errors:
        print(e)
    print("valid" if not errors else f"{len(errors)} problems")
    return 1 if errors else 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    p = groups["data"].add_parser("package", help="regenerate datapackage.json from the declared tables",
                                  formatter_class=HelpFormatter, epilog="example:\n  mliter data package")
    p.add_argument("--root", type=Path, default=ROOT, help="repository root")
    p.set_defaults(func=_package)
    v = groups["data"].add_parser("validate", help="validate every shipped table against datapackage.json",
                                  formatter_class=HelpFormatter, epilog="example:\n  mliter data validate")
    v.add_argument("--root", type=Path, default=ROOT, help="repository root")
    v.set_defaults(func=_validate)
