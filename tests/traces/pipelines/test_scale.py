"""Mining streams pipeline by pipeline: memory does not grow with the number of pipelines (synthetic stores;
bench/pipelines.py mines the full 10,000 x 50 store and prints peak resident memory)."""

from __future__ import annotations

import tracemalloc

from mliter.traces.pipelines.mine import mine_store
from mliter.traces.pipelines.synthetic import write_store


def _peak(path, n_expected) -> int:
    counted = [0]

    def sink(rows):
        counted[0] += len(rows.graphlets)

    tracemalloc.start()
    try:
        mine_store(str(path), "synthetic", sink=sink, batch=2)  # small batches, so growth would show
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counted[0] == n_expected
    return peak


def test_memory_is_bounded_by_a_batch_not_the_store(tmp_path):
    small = write_store(tmp_path / "small.sqlite", 10, 8)
    large = write_store(tmp_path / "large.sqlite", 60, 8)
    p_small, p_large = _peak(small.path, small.n_graphlets), _peak(large.path, large.n_graphlets)
    print(f"peak traced memory: {p_small / 2**20:.1f} MiB for 10 pipelines, {p_large / 2**20:.1f} MiB for 60")
    assert p_large < 1.5 * p_small + 2**20  # six times the pipelines, about the same memory
