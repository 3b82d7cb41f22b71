"""Execution-order metrics against brute-force definitions."""

from hypothesis import given
from hypothesis import strategies as st

from mliter.traces.notebooks.order import count_inversions, gaps_before, order_metrics


def brute_inversions(xs):
    return sum(1 for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[i] > xs[j])


@given(st.lists(st.integers(min_value=1, max_value=60), max_size=80))
def test_inversions_match_brute_force(xs):
    assert count_inversions(xs) == brute_inversions(xs)


@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=200)), max_size=60))
def test_gaps_sum_to_hidden_executions(counts):
    m = order_metrics(counts)
    assert sum(gaps_before(counts)) == m.hidden_executions
    executed = [c for c in counts if c is not None]
    assert m.executed_cells == len(executed)
    if executed:
        assert m.hidden_executions == max(executed) - len(set(executed))


def test_linear_run():
    m = order_metrics([1, 2, None, 3, 4])
    assert m.is_linear and not m.is_out_of_order
    assert m.hidden_executions == 0 and m.kendall_tau == 1.0 and m.max_count == 4


def test_rerun_and_back_and_forth():
    # cell 2 re-run three times (gap before 6), then cell 1 re-run last
    counts = [1, 7, 6]
    m = order_metrics(counts)
    assert m.hidden_executions == 4  # counts 2-5 no longer show
    assert gaps_before(counts) == [0, 0, 4]
    assert m.out_of_order_pairs == 1 and m.is_out_of_order and not m.is_linear
    assert -1 <= m.kendall_tau < 1


def test_no_counts():
    m = order_metrics([None, None])
    assert m.executed_cells == 0 and m.max_count is None and m.kendall_tau is None and not m.is_linear


def test_reverse_order_tau():
    assert order_metrics([3, 2, 1]).kendall_tau == -1.0
