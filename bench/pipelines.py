"""Benchmark: mining a synthetic ML Metadata store against a plain SQL read of its rows, in the same run.

Writes a SYNTHETIC store (mliter.traces.pipelines.synthetic; default 10,000 pipelines x 50
graphlets = 500,000 trainings, about 2.3 million executions) into a temporary folder, then
times (1) a plain SQL scan that reads every row of the tables the miner reads and only counts
them, and (2) `mine_store` cutting every graphlet into rows that a counting sink drops, and
prints graphlets per second, the ratio mining / scan, and the peak resident memory of each
phase (the miner streams pipeline by pipeline, so its peak does not grow with the store).

    python bench/pipelines.py [--pipelines 10000] [--graphlets 50] [--keep PATH]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mliter.traces.pipelines.mine import mine_store  # noqa: E402
from mliter.traces.pipelines.synthetic import write_store  # noqa: E402

TABLES = ("Execution", "ExecutionProperty", "Event", "Artifact", "ArtifactProperty", "Association", "Context")


def rss_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scan(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n = 0
    for t in TABLES:
        for _ in conn.execute(f"SELECT * FROM {t}"):
            n += 1
    conn.close()
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pipelines", type=int, default=10_000)
    ap.add_argument("--graphlets", type=int, default=50)
    ap.add_argument("--keep", type=Path, default=None, help="write the store here and keep it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mliter-bench-") as tmp:
        path = args.keep or Path(tmp) / "synthetic.sqlite"
        t0 = time.perf_counter()
        store = write_store(path, args.pipelines, args.graphlets)
        t_write = time.perf_counter() - t0
        print(f"synthetic store: {store.n_pipelines} pipelines, {store.n_graphlets} graphlets, "
              f"{store.n_executions} executions, {path.stat().st_size / 2**20:.0f} MiB, written in {t_write:.1f} s "
              f"(peak RSS {rss_mib():.0f} MiB)")
        t0 = time.perf_counter()
        rows = scan(path)
        t_scan = time.perf_counter() - t0
        rss_scan = rss_mib()
        print(f"plain SQL scan: {rows} rows in {t_scan:.1f} s ({rows / t_scan:,.0f} rows/s; peak RSS {rss_scan:.0f} MiB)")
        counted = [0]

        def sink(r):
            counted[0] += len(r.graphlets)

        t0 = time.perf_counter()
        result = mine_store(str(path), "synthetic", sink=sink)
        t_mine = time.perf_counter() - t0
        assert counted[0] == store.n_graphlets == result.row["n_graphlets"], (counted[0], store.n_graphlets)
        print(f"mine_store: {counted[0]} graphlets in {t_mine:.1f} s ({counted[0] / t_mine:,.0f} graphlets/s; "
              f"peak RSS {rss_mib():.0f} MiB)")
        print(f"ratio mining / plain scan: {t_mine / t_scan:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
