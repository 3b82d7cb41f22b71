"""Reading notebook files: formats, limits and refusals that name what is wrong."""

import json

import pytest

from mliter.traces.notebooks.parse import Limits, NotebookError, parse_notebook


def read(fixtures, name):
    return (fixtures / "notebooks" / name).read_bytes()


def test_nbformat4_cells_in_document_order(fixtures):
    nb = parse_notebook(read(fixtures, "workflow.ipynb"))
    assert nb.nbformat == "4.5"
    assert nb.language == "python"
    assert [c.cell_type for c in nb.cells[:2]] == ["markdown", "code"]
    assert [c.index for c in nb.cells] == list(range(len(nb.cells)))
    assert nb.cells[1].execution_count == 1
    assert nb.cells[8].execution_count is None


def test_nbformat3_is_upgraded(fixtures):
    nb = parse_notebook(read(fixtures, "old_v3.ipynb"))
    assert nb.nbformat == "3.0"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [2, 1]
    assert code[1].source == "df = pd.read_csv('x.csv')"


def test_malformed_json_names_line_and_column(fixtures):
    with pytest.raises(NotebookError) as err:
        parse_notebook(read(fixtures, "truncated.ipynb"))
    assert err.value.reason == "invalid_json"
    assert "line 1 column" in err.value.message


@pytest.mark.parametrize("name,reason", [("future_format.ipynb", "unsupported_nbformat"),
                                         ("not_a_notebook.ipynb", "not_a_notebook")])
def test_refusals(fixtures, name, reason):
    with pytest.raises(NotebookError) as err:
        parse_notebook(read(fixtures, name))
    assert err.value.reason == reason


def test_size_and_cell_limits(fixtures):
    data = read(fixtures, "workflow.ipynb")
    with pytest.raises(NotebookError) as err:
        parse_notebook(data, Limits(max_bytes=100))
    assert err.value.reason == "too_large"
    with pytest.raises(NotebookError) as err:
        parse_notebook(data, Limits(max_cells=3))
    assert err.value.reason == "too_many_cells"


def test_deeply_nested_json_is_refused_not_crashed():
    deep = b'{"nbformat": 4, "cells": [], "metadata": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    with pytest.raises(NotebookError) as err:
        parse_notebook(deep)
    assert err.value.reason == "too_deep"


def test_bad_cell_is_named():
    data = json.dumps({"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [{"cell_type": "code"}, 7]}).encode()
    with pytest.raises(NotebookError) as err:
        parse_notebook(data)
    assert "cell 1" in err.value.message
