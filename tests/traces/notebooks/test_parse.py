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


# -- robustness: values from the file are validated, never copied or rounded ----------------------


def _nb(cells=(), **top):
    doc = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}
    doc.update(top)
    return json.dumps(doc).encode()


def _code(count, source="x = 1"):
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": [], "source": source}


@pytest.mark.parametrize("count", [2**63, 2**64 + 1, 2**53])
def test_execution_count_beyond_exact_integers_is_refused_naming_the_cell(count):
    with pytest.raises(NotebookError) as err:
        parse_notebook(_nb([_code(1), _code(count)]))
    assert err.value.reason == "bad_execution_count" and "cell 1" in err.value.message


def test_largest_exact_count_is_kept_exactly():
    nb = parse_notebook(_nb([_code(2**53 - 1)]))
    assert nb.cells[0].execution_count == 2**53 - 1


def test_number_of_thousands_of_digits_is_invalid_json_not_a_crash():
    data = b'{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [{"cell_type": "code", ' \
           b'"execution_count": ' + b"9" * 5000 + b', "source": "", "outputs": []}]}'
    with pytest.raises(NotebookError) as err:
        parse_notebook(data)
    assert err.value.reason == "invalid_json"


def test_lone_surrogates_and_odd_values_become_validated_table_values():
    raw = (b'{"nbformat": 4, "nbformat_minor": "\\ud800", "cells": [], '
           b'"metadata": {"language_info": {"name": "py\\udcff"}}}')
    nb = parse_notebook(raw)
    assert nb.language == "other" and nb.nbformat == "4.other"
    nb = parse_notebook(_nb(metadata={"language_info": {"name": "token=ghp_abc123 alice@example.com"}}))
    assert nb.language == "other"
    assert parse_notebook(_nb(metadata={"kernelspec": {"language": "R"}})).language == "r"
    assert parse_notebook(_nb(nbformat_minor=True)).nbformat == "4.other"
    assert parse_notebook(_nb(nbformat=4.0)).nbformat == "4.5"


def test_lone_surrogate_in_source_is_replaced_not_carried():
    raw = b'{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [' \
          b'{"cell_type": "code", "execution_count": 1, "outputs": [], "source": "!ls \\ud800\\nx = 1"}]}'
    src = parse_notebook(raw).cells[0].source
    src.encode("utf-8")  # would raise on a lone surrogate
    assert src.endswith("x = 1")


def test_limits_key_changes_with_every_limit():
    assert Limits().key() != Limits(max_cells=3).key() != Limits(max_seconds=1).key()
