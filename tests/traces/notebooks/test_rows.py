"""Cell rows: the multi-valued columns and the notebook's sums."""

import pytest

from mliter.tables import join_list
from mliter.traces.notebooks.rows import joined, output_kinds


@pytest.mark.parametrize("values", [set(), {""}, {"b", "a"}, {"", "x", "a;b"}, frozenset({"z", "y"})])
def test_cell_columns_join_sets_as_join_list_does(values):
    assert joined(values) == join_list(values)


def test_output_kinds_name_types_mimes_and_errors_without_text():
    kinds, errors = output_kinds([
        {"output_type": "display_data", "data": {"image/png": "...", "text/x weird": "..."}},
        {"output_type": "error", "ename": "ValueError"}, {"output_type": "error", "ename": "not a name!"},
        {"output_type": "something"}, "not a dict"])
    assert kinds == {"display_data:image/png", "display_data:other", "error", "unknown"}
    assert errors == {"ValueError", "unknown"}
