"""Static cell analysis: IPython syntax, aliases, syntax errors, limits."""

import pytest

from mliter.traces.notebooks.code import collect_uses, import_aliases, neutralise_ipython, parse_cell
from mliter.traces.notebooks.parse import Limits


def analyse(*sources):
    cells = [parse_cell(s) for s in sources]
    aliases = {}
    for c in cells:
        import_aliases(c, aliases)
    for c in cells:
        collect_uses(c, aliases)
    return cells


def test_calls_resolve_through_import_aliases_across_cells():
    a, b = analyse("import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier as RF\nimport numpy.random",
                   "df = pd.read_csv('x')\nm = RF(n_estimators=3)\nm.fit(df, df.y)\nnumpy.random.seed(1)\nprint(df.shape)")
    assert a.imports == {"pandas", "sklearn.ensemble", "numpy.random"}
    assert {"pandas.read_csv", "sklearn.ensemble.RandomForestClassifier", "numpy.random.seed", "print"} <= b.calls
    assert "fit@sklearn.ensemble.RandomForestClassifier" in b.methods  # the receiver's constructor is known
    assert "shape" in b.attrs and "random" not in b.attrs


def test_line_and_cell_magics_are_neutralised():
    text, magics, is_python = neutralise_ipython("%matplotlib inline\n!pip install x\nfiles = !ls -l\nx = 1\nlen?")
    assert is_python
    assert magics == {"magic:%matplotlib", "shell:pip", "shell:ls", "magic:?"}
    assert text.count("\n") == 4  # line numbers are kept
    cell = parse_cell("%%time\nimport os\nos.listdir('.')")
    assert cell.status == "ok" and cell.imports == {"os"} and "magic:%%time" in cell.magics
    bash = parse_cell("%%bash\nls -l | wc")
    assert bash.status == "non_python" and bash.magics == {"magic:%%bash"}


def test_continuation_lines_starting_with_percent_are_python_not_magics():
    # a modulo operator opening a continuation line inside brackets, text inside a triple-quoted
    # string and a line after a backslash are Python; a cell with a real magic elsewhere used to have
    # them replaced by `pass` and failed to parse (its stages were lost)
    src = ("%matplotlib inline\nfold = (df.index\n        % n_folds)\nhelp_text = \"\"\"\n!not a shell command\n\"\"\"\n"
           "total = a + \\\n    b\n%time y = 1")
    text, magics, _ = neutralise_ipython(src)
    assert magics == {"magic:%matplotlib", "magic:%time"}
    assert "% n_folds)" in text and "!not a shell command" in text
    cell = parse_cell(src)
    assert cell.status == "ok" and {"fold", "help_text", "total"} <= cell.defined


def test_comparison_with_bang_is_not_a_shell_assignment():
    cell = parse_cell("ok = a != b")
    assert cell.status == "ok" and not cell.magics


def test_syntax_error_is_recorded_not_raised():
    cell = parse_cell("for i in range(3:\n    pass")
    assert cell.status == "syntax_error"
    assert cell.error.startswith("SyntaxError at line")


def test_python2_print_statement_is_read():
    cell = analyse("import os\nprint 'files', os.listdir('.')")[0]
    assert cell.status == "python2"
    assert "os.listdir" in cell.calls


def test_indented_cell_is_dedented():
    assert parse_cell("    df.describe()\n    df.head()").status == "ok"


def test_empty_and_overlong_cells():
    assert parse_cell("  \n").status == "empty"
    long = parse_cell("x = 1\n" * 100, Limits(max_cell_chars=50))
    assert long.status == "too_long" and long.n_lines == 100


def test_deep_syntax_tree_is_bounded():
    cell = analyse("x = " + "(" * 90 + "1" + ")" * 90)[0]
    assert cell.status in ("ok", "too_deep")
    shallow_limit = parse_cell("y = [[[[[[[[1]]]]]]]]", Limits(max_ast_depth=5))
    assert shallow_limit.status == "too_deep"


def test_function_definitions_keep_their_own_features():
    defs, use = analyse("import xgboost as xgb\ndef fit_model(X, y):\n    return xgb.XGBClassifier().fit(X, y)",
                        "m = fit_model(X, y)")
    assert "call:xgboost.XGBClassifier" in defs.defs["fit_model"]
    assert use.local_calls == {"fit_model"}


@pytest.mark.parametrize("src", ["x = %time f()", "%pip install -q foo", "!ls ../input"])
def test_magic_only_cells_parse(src):
    assert parse_cell(src).status == "ok"


def test_python2_fallback_is_linear_on_long_lines():
    import time

    t0 = time.perf_counter()
    cell = parse_cell("print x" + " " * 50_000 + "y z(")
    assert time.perf_counter() - t0 < 1.0  # the former regular expression took over 10 s
    assert cell.status == "syntax_error"
    assert parse_cell("print 'a', b\nprint\n").status == "python2"


def test_ipython_probe_is_linear_on_blank_lines():
    import time

    t0 = time.perf_counter()
    cell = parse_cell("\n" * 40_000 + "x = 1")
    assert time.perf_counter() - t0 < 1.0  # `^\s*` crossed newlines: 24 s
    assert cell.status == "ok"


def test_operator_leaves_still_count_toward_the_depth_bound():
    """The walk skips a binary operator's leaf only below the bound: at the bound it still makes the cell too deep."""
    assert parse_cell("x = 1 + 1", Limits(max_ast_depth=2)).status == "too_deep"
    assert parse_cell("x = 1 + 1", Limits(max_ast_depth=3)).status == "ok"
    assert parse_cell("x = a + b", Limits(max_ast_depth=2)).status == "too_deep"


def test_invalid_escapes_warn_nothing_whatever_the_caller_filters():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would raise here
        assert parse_cell("p = 'C:\\d'\nq = f(p)").status == "ok"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("ignore")  # already quiet: the per-cell filter is skipped, still nothing shown
        assert parse_cell("p = 'C:\\d'").status == "ok"
    assert not seen


def test_cell_memo_copies_every_field_of_a_cell():
    from dataclasses import fields

    from mliter.traces.notebooks.code import CELL_FIELDS, CellCode

    assert CELL_FIELDS == tuple(f.name for f in fields(CellCode))


def test_cell_memo_gives_what_parsing_gives_and_keeps_cells_apart():
    from mliter.traces.notebooks.code import CELL_FIELDS, CellMemo

    memo = CellMemo(max_entries=2)
    sources = ["import pandas as pd", "df = pd.read_csv('x')\ndf['y'] = 1\ndef f(a):\n    return a.mean()",
               "import pandas as pd", "%matplotlib inline\nx = 1", "df = pd.read_csv('x')\ndf['y'] = 1\ndef f(a):\n"
               "    return a.mean()", "", "x = (", "df.head()"]
    for src in sources:
        got, want = memo.parse(src), parse_cell(src)
        for name in CELL_FIELDS:
            if name != "tree":
                assert getattr(got, name) == getattr(want, name), (src, name)
        assert (got.tree is None) == (want.tree is None)
    assert memo.hits == 2 and len(memo._cells) == 2  # both repeats; when full, the oldest entry was dropped
    assert "x = (" in memo._cells and "import pandas as pd" not in memo._cells
    a, b = memo.parse("y = df + 1"), memo.parse("y = df + 1")
    aliases: dict[str, str] = {}
    collect_uses(a, aliases)
    assert a.variables == {"y", "df"} and not b.variables and b.uses  # collecting one leaves the other alone
    collect_uses(b, {"df": "pandas.df"})
    assert b.variables == {"y"} and a.stmt_feats != b.stmt_feats
    hits = memo.hits
    memo.parse("x" * 5000)
    assert memo.parse("x" * 5000).tree is not None and memo.hits == hits  # too long to keep: parsed each time
    import gc

    assert not gc.is_tracked(memo._cells)  # entries are bytes: the collector has nothing to walk in the memo
    small = CellMemo(max_total_chars=30)
    for src in ("a = 1 + 2 + 3 + 4", "b = 1 + 2 + 3 + 4", "c = 1"):
        small.parse(src)
    assert list(small._cells) == ["b = 1 + 2 + 3 + 4", "c = 1"] and small._chars == 22  # within 30 characters
