"""The `mliter` command: every verb has --help with an example; the trace verbs work end to end."""

import argparse

import pandas as pd
import pytest

from mliter.cli import HelpFormatter, add_verb, build_parser, main


def _verbs():
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for gname, gparser in top.choices.items():
        sub = next(a for a in gparser._actions if isinstance(a, argparse._SubParsersAction))
        for vname, vparser in sub.choices.items():
            yield f"{gname} {vname}", vparser


@pytest.mark.parametrize("name,parser", list(_verbs()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_with_an_example(name, parser):
    text = parser.format_help()
    assert "example" in text and f"mliter {name}" in text, f"`mliter {name} --help` lacks an example"


def test_add_verb_wires_help_examples_and_function():
    parser = argparse.ArgumentParser(prog="mliter")
    verbs = parser.add_subparsers(dest="verb", required=True)
    p = add_verb(verbs, "count", lambda args: args.n + 1, help="count things", description="Count the things.",
                 epilog="example:\n  mliter count --n 2")
    p.add_argument("--n", type=int, default=1, help="how many")
    args = parser.parse_args(["count"])
    assert args.func(args) == 2
    assert p.formatter_class is HelpFormatter
    text = p.format_help()
    assert "Count the things." in text and "example:\n  mliter count --n 2" in text and "(default: 1)" in text


def test_mine_traces_end_to_end(tmp_path, fixtures, capsys):
    out = tmp_path / "root"
    assert main(["corpus", "notebooks", str(fixtures / "notebooks"), "--out", str(out)]) == 0
    assert main(["mine", "traces", str(out / "corpus" / "notebooks.csv"), "--root", str(fixtures / "notebooks"),
                 "--out", str(out), "--quiet", "--parquet"]) == 0
    nbs = pd.read_csv(out / "traces" / "notebooks.csv")
    errors = pd.read_csv(out / "traces" / "errors.csv")
    assert len(nbs) + len(errors) == len(list((fixtures / "notebooks").glob("*.ipynb")))
    assert (out / "traces" / "cells.parquet").exists()
    assert not (out / "traces" / ".checkpoint" / "traces.jsonl").exists()
    assert "2 notebooks mined, 3 refused" in capsys.readouterr().out


def test_bad_source_is_a_clear_error(tmp_path, capsys):
    assert main(["mine", "traces", str(tmp_path / "nope"), "--quiet"]) == 2
    assert "no such file or folder" in capsys.readouterr().err
