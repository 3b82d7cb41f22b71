"""The `mliter` command: `mliter <group> <verb> ...`, thin over the stage packages.

Each stage contributes its verbs from a `commands` module with a `register(groups)`
function; adding a command means adding it there and, for a new module, one line in
`COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from mliter.errors import MliterError

GROUPS = {
    "corpus": "capture material and write manifests under corpus/",
    "mine": "mine traces from captured material into traces/",
    "code": "codebooks, annotation validation and agreement under coding/",
    "data": "the data package: build and validate datapackage.json",
    "import": "read published datasets of the original studies in their own schema and run their analyses",
}
COMMAND_MODULES = [
    "mliter.corpus.commands",
    "mliter.corpus.papers.commands",
    "mliter.traces.notebooks.commands",
    "mliter.traces.openml.commands",
    "mliter.traces.versions.commands",
    "mliter.traces.pipelines.commands",
    "mliter.data_commands",
    "mliter.coding.commands",
    "mliter.corpus.threads.commands",
    "mliter.coding.segment_commands",
    "mliter.coding.qda.commands",
    "mliter.coding.stage_coder_commands",
]


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the examples in epilogs as written and shows defaults."""


def add_verb(verbs, name: str, func, *, help: str, epilog: str,
             description: str | None = None) -> argparse.ArgumentParser:
    """Add verb `name` to a group's `verbs` (a subparsers action): its one-line help, description and
    examples (`epilog`, kept as written), defaults shown; running it calls `func(args)`. Returns its
    parser, for the verb's own arguments."""
    p = verbs.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=HelpFormatter)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mliter",
        description="Mine, code and analyse how people iterate on machine-learning workflows.",
        epilog="example:\n  mliter mine traces ../shared/data/notebooks\n  mliter data validate",
        formatter_class=HelpFormatter,
    )
    top = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    groups = {}
    for name, help_text in GROUPS.items():
        gp = top.add_parser(name, help=help_text, description=help_text, formatter_class=HelpFormatter)
        groups[name] = gp.add_subparsers(dest="verb", metavar="VERB", required=True)
    for mod in COMMAND_MODULES:
        importlib.import_module(mod).register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MliterError as exc:
        print(f"mliter: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read or written: the message names it
        print(f"mliter: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
