"""What the `mliter code` verbs of every coded study share: their coder-file arguments, how they find
the coder files, and how they report the problems a check found.

A study's command module (`mliter.coding.commands` for the paper survey,
`mliter.coding.segment_commands` for the thread study) adds its own options around these.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Iterable

from mliter.coding.codebook import Codebook
from mliter.errors import InputError


def add_coder_files(p: argparse.ArgumentParser, default_folder: str) -> None:
    """The optional FILES of a verb that reads a study's coder files (agreement, adjudication)."""
    p.add_argument("files", nargs="*", type=Path, help=f"coder files (default: every {default_folder}/<coder>.csv)")


def add_codebook(p: argparse.ArgumentParser, default: Path) -> None:
    p.add_argument("--codebook", type=Path, default=default, help="codebook YAML")


def add_root(p: argparse.ArgumentParser, default: Path) -> None:
    p.add_argument("--root", type=Path, default=default, help="repository root")


def coder_inputs(args: argparse.Namespace, coders: Path,
                 find: Callable[[Path, Codebook], list[Path]]) -> tuple[Codebook, Path, list[Path]]:
    """(codebook, repository root, coder files): the FILES given, else every coder file `find` lists in
    `root / coders`; an error naming the folder when there is none."""
    from mliter.coding.codebook import load

    cb = load(args.codebook)
    root = Path(args.root)
    files = args.files or find(root / coders, cb)
    if not files:
        raise InputError(f"no coder files found in {root / coders} (expected <coder>.csv)")
    return cb, root, files


def report_problems(problems: Iterable[object], valid: str, invalid: str) -> int:
    """Print one line per problem, then `valid` or `invalid` (a summary) on stderr; the exit status."""
    found = list(problems)
    for p in found:
        print(p)
    print(invalid if found else valid, file=sys.stderr)
    return 1 if found else 0
