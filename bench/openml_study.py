"""Benchmark: the OpenML study's analyses against reading the same table, in the same run.

Builds a synthetic table in the published 14-column schema with the published table's size (475,297 runs; Python
set literals as that file prints them), then times `pandas.read_csv` of its bytes (the baseline every analysis
pays) and `mliter.traces.openml.study.sequences` on the parsed frame, best of N rounds, and prints both and the
ratio. The per-sequence loop it replaced took minutes on this size; the vectorised version should stay within a
small multiple of reading the file.

    python bench/openml_study.py [--runs 475297] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mliter.traces.openml.study import PUBLISHED_COLUMNS, sequences  # noqa: E402
from timing import best_of  # noqa: E402


def synthetic(n: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "rid": np.arange(1, n + 1), "user_id": rng.integers(1, 2000, n), "task_id": rng.integers(1, 50, n),
        "auc": rng.random(n).round(6), "dist_from_mean_auc": (rng.random(n) - 0.5).round(6),
        "model": [f"{{'sklearn.m{i}'}}" for i in rng.integers(0, 20, n)],
        "model_params": [f"{{('C', '{i}'), ('k', '{i % 7}')}}" for i in rng.integers(0, 5000, n)],
        "ppr": "set()", "ppr_params": "set()", "iter": 0, "change_type": "H", "delta_auc": 0.0,
        "start_time": "2016-01-01 00:00:00", "time_delta_in_mins": (rng.random(n) * 5).round(3)})
    df["iter"] = df.groupby(["user_id", "task_id"]).cumcount() + 1
    return df[list(PUBLISHED_COLUMNS)].to_csv(index=False).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=475_297)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    data = synthetic(args.runs)
    frame = pd.read_csv(io.BytesIO(data))
    read = best_of(args.rounds, lambda: pd.read_csv(io.BytesIO(data)))
    study = best_of(args.rounds, lambda: sequences(frame))
    n_seq = frame.groupby(["user_id", "task_id"]).ngroups
    print(f"{args.runs:,} runs in {n_seq:,} sequences ({len(data) / 1e6:.0f} MB)")
    print(f"read_csv (baseline): {read:.2f} s; sequences(): {study:.2f} s; ratio {study / read:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
