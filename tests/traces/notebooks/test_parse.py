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


# orjson reads a notebook only when its reading is the one `json.loads` gives; these documents must take
# `json.loads` (an integer beyond 64 bits that orjson would read as a float, NaN, a lone surrogate, UTF-16,
# a byte-order mark, invalid UTF-8, nesting past FAST_JSON_DEPTH, broken JSON) or read alike.
_NB = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": %s, ' \
      '"execution_count": %s, "outputs": %s}]}'
_TRICKY = [
    _NB % ('"x = 1"', "123456789012345678901234567", "[]"),  # json: refused as too large a count
    _NB % ('"x = 1"', "18446744073709551615", "[]"),  # the largest 64-bit unsigned integer
    _NB % ('["a", 12345678901234567890123]', "1", "[]"),  # a number in the source list is joined as text
    _NB % ('["a", -9223372036854775809]', "1", "[]"),
    _NB % ('["a", 1e25, -0, -0.0, 1.5]', "1", "[]"),
    _NB % ('"x"', "NaN", "[]"),
    _NB % ('"x"', "1e400", "[]"),
    _NB % ('"\\ud800 lone"', "1", "[]"),
    _NB % ('"\\ud83d\\ude00 pair"', "1", "[]"),
    _NB % ('"x"', "4.0", '[{"output_type": "error", "ename": "E", "x": ' + "[" * 150 + "]" * 150 + "}]"),
    _NB % ('"x"', "1", '[{"output_type": "stream", "a": 1, "a": 2}]'),
    _NB % ('"x"', "1", "[" + "1" * 5000 + "]"),
    '{"nbformat": 12345678901234567890, "cells": []}',
    '{"nbformat": 4, "nbformat_minor": 99999999999999999999, "metadata": {}, "cells": []}',
    '{"nbformat": 4, "cells": [], "metadata": {}} trailing',
    '[1, 2]',
    '1e30',
]


def _json_path(data, limits=Limits()):
    """What parse_notebook gave before orjson: `json.loads`, then the same checks."""
    from mliter.traces.notebooks.parse import _notebook, _slow_json

    try:
        return _notebook(_slow_json(data), limits)
    except NotebookError as exc:
        return ("error", exc.reason, exc.message)


@pytest.mark.parametrize("text", _TRICKY)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_orjson_reads_as_json_loads_or_leaves_it_to_json_loads(text, encoding):
    data = text.encode(encoding, "surrogatepass")
    try:
        got = parse_notebook(data)
    except NotebookError as exc:
        got = ("error", exc.reason, exc.message)
    assert got == _json_path(data)


def test_orjson_reads_plain_notebooks_and_refers_doubtful_ones(fixtures):
    from mliter.traces.notebooks.parse import FAST_JSON_DEPTH, _fast_json

    plain = read(fixtures, "workflow.ipynb")
    assert _fast_json(plain) == json.loads(plain)
    for doubtful in (_TRICKY[0], _TRICKY[3], _TRICKY[5], _TRICKY[7],
                     '{"a": ' + "[" * FAST_JSON_DEPTH + "]" * FAST_JSON_DEPTH + "}"):
        assert _fast_json(doubtful.encode("utf-8", "surrogatepass")) is None
    assert _fast_json(b'{"a": ' + b"[" * (FAST_JSON_DEPTH - 1) + b"]" * (FAST_JSON_DEPTH - 1) + b"}") is not None


def test_orjson_and_json_loads_read_the_shared_notebooks_alike(shared):
    from mliter.traces.notebooks.parse import _fast_json

    files = sorted((shared / "notebooks").rglob("*.ipynb"))[::3]
    assert files
    for f in files:
        data = f.read_bytes()
        fast = _fast_json(data)
        assert fast is not None, f  # real notebooks take the fast path
        assert fast == json.loads(data) and parse_notebook(data) == _json_path(data), f
