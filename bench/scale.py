"""Scale-out benchmark: mining a synthetic corpus sequentially and on Dask distributed.

Builds a corpus of `--n` notebooks (100,000 by default) at run time from mutations of the
shared notebooks (a window of their code cells, execution counts shuffled or dropped,
variables renamed, magics added, outputs reduced to their types, one in a hundred
truncated), in a temporary folder that is deleted afterwards (never committed). Then mines
it three ways in the same invocation: sequentially in this process, and on a LocalCluster
with 1 and with 2 single-threaded worker processes, joined through its tcp:// address as
`mliter mine traces --dask tcp://...` would. Prints notebooks/s, the speed-up of each run
against the sequential one, whether the rows are identical, and the peak resident memory
of each worker; then mines a tenth of the corpus on 2 workers again, so that peak memory
per worker can be compared as the corpus grows tenfold.

    python bench/scale.py                  # 100,000 notebooks
    python bench/scale.py --n 20000        # quicker
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mliter.corpus.notebooks import discover  # noqa: E402
from mliter.paths import shared_data  # noqa: E402
from mliter.traces.notebooks.mine import digest_rules, mine_batch  # noqa: E402
from mliter.traces.notebooks.stages import DEFAULT_RULES, StageRules  # noqa: E402

_NAME = re.compile(r"\b(df|data|model|X|y|train|test|clf)\b")


def _bases(folder: Path) -> list[dict]:
    out = []
    for ref in discover([folder]):
        try:
            nb = json.loads(ref.file.read_bytes())
        except ValueError:
            continue
        if isinstance(nb, dict) and isinstance(nb.get("cells"), list) and nb.get("nbformat") == 4:
            out.append(nb)
    return out


def mutate(base: dict, i: int) -> bytes:
    """Notebook `i` of the synthetic corpus: a deterministic mutation of `base`."""
    rng = random.Random(i)
    cells = [c for c in base["cells"] if isinstance(c, dict) and c.get("cell_type") in ("code", "markdown")]
    length = rng.randint(3, 12)
    start = rng.randrange(max(1, len(cells) - length + 1))
    suffix = str(i % 97)
    new = []
    for c in cells[start:start + length]:
        src = c.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        src = _NAME.sub(lambda m: m.group(1) + suffix, src[:4000])
        cell = {"cell_type": c["cell_type"], "metadata": {}, "source": src}
        if c["cell_type"] == "code":
            cell["execution_count"] = None
            cell["outputs"] = [{"output_type": o.get("output_type", "stream"),
                                **({"data": {k: "" for k in o["data"]}} if isinstance(o.get("data"), dict) else {}),
                                **({"ename": o["ename"]} if isinstance(o.get("ename"), str) else {})}
                               for o in c.get("outputs", []) if isinstance(o, dict)][:3]
        new.append(cell)
    if rng.random() < 0.3:
        new.insert(0, {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                       "source": rng.choice(["%matplotlib inline", "!pip install -q lightgbm", "%load_ext autoreload"])})
    code = [c for c in new if c["cell_type"] == "code"]
    counts = list(range(1, len(code) + 1))
    if rng.random() < 0.5:
        rng.shuffle(counts)
    if rng.random() < 0.4:
        counts = [n + rng.randint(0, 3) * k for k, n in enumerate(counts)]
    for c, n in zip(code, counts):
        c["execution_count"] = None if rng.random() < 0.1 else n
    doc = {"nbformat": 4, "nbformat_minor": 5, "cells": new,
           "metadata": {"language_info": {"name": "python"}, "kernelspec": {"language": "python"}}}
    data = json.dumps(doc).encode("utf-8")
    return data[: len(data) // 2] if rng.random() < 0.01 else data


def generate(n: int, folder: Path, bases: list[dict]) -> int:
    total = 0
    for i in range(n):
        sub = folder / f"part{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        data = mutate(bases[i % len(bases)], i)
        (sub / f"nb{i:06d}.ipynb").write_bytes(data)
        total += len(data)
    return total


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM): unlike ru_maxrss, which Linux carries over
    from the parent across fork and exec, it starts afresh in a spawned worker."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_cluster(refs, rules, digest, workers: int, chunk: int):
    """Mine on a fresh LocalCluster joined by address:
    (seconds, results, start-up s, peak MB per worker, CPU s of the workers, CPU s of this process)."""
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("mliter.traces.notebooks.mine"))  # workers import the miner before timing
        startup = time.perf_counter() - t0
        cpu0 = client.run(_cpu_seconds)
        own0 = _cpu_seconds()
        t1 = time.perf_counter()
        results = mine_batch(refs, rules, digest, progress=False, dask_scheduler=cluster.scheduler_address,
                             chunk=chunk)
        seconds = time.perf_counter() - t1
        own = _cpu_seconds() - own0
        cpu = sum(v - cpu0.get(w, 0.0) for w, v in client.run(_cpu_seconds).items())
        peaks = sorted(client.run(_peak_rss_mb).values())
    return seconds, results, startup, peaks, cpu, own


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="notebooks in the synthetic corpus")
    ap.add_argument("--source", type=Path, default=shared_data() / "notebooks", help="notebooks to mutate")
    ap.add_argument("--chunk", type=int, default=64, help="notebooks per Dask task")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    if not args.source.is_dir():
        print(f"no notebooks at {args.source}; pass --source", file=sys.stderr)
        return 2
    bases = _bases(args.source)
    rules = StageRules.from_csv(DEFAULT_RULES)
    digest = digest_rules(DEFAULT_RULES)
    tmp = Path(tempfile.mkdtemp(prefix="mliter-scale-"))
    try:
        t0 = time.perf_counter()
        size = generate(args.n, tmp, bases)
        refs = discover([tmp])
        print(f"corpus: {len(refs):,} notebooks, {size / 1e6:.0f} MB, mutated from {len(bases)} shared notebooks "
              f"({time.perf_counter() - t0:.0f} s to write)")
        print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        t1, c1 = time.perf_counter(), _cpu_seconds()
        sequential = mine_batch(refs, rules, digest, progress=False)
        t_seq, cpu_seq = time.perf_counter() - t1, _cpu_seconds() - c1
        reference = [m.to_json() for m in sequential]
        n_err = sum(m.error is not None for m in sequential)
        del sequential
        print(f"sequential:          {t_seq:7.1f} s  {len(refs) / t_seq:7,.0f} notebooks/s  CPU {cpu_seq:.0f} s  "
              f"(peak memory of this process {_peak_rss_mb():,.0f} MB; {n_err} error rows)")
        for w in args.workers:
            seconds, results, startup, peaks, cpu, own = run_cluster(refs, rules, digest, w, args.chunk)
            same = [m.to_json() for m in results] == reference
            del results
            print(f"LocalCluster {w} worker{'s' if w > 1 else ' '}: {seconds:7.1f} s  {len(refs) / seconds:7,.0f} "
                  f"notebooks/s  speed-up {t_seq / seconds:4.2f}x  rows identical: {'yes' if same else 'NO'}  "
                  f"peak memory per worker {', '.join(f'{p:,.0f}' for p in peaks)} MB  (start-up {startup:.1f} s)")
            print(f"    CPU: workers {cpu:.0f} s (sequential {cpu_seq:.0f} s: {cpu_seq / cpu:.2f} of the workers' CPU "
                  f"is mining), this process (client and scheduler) {own:.0f} s; "
                  f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        small = refs[: max(1, len(refs) // 10)]
        w = max(args.workers)
        seconds, _, _, peaks, _, _ = run_cluster(small, rules, digest, w, args.chunk)
        print(f"a tenth ({len(small):,}) on {w} workers: {len(small) / seconds:7,.0f} notebooks/s, "
              f"peak memory per worker {', '.join(f'{p:,.0f}' for p in peaks)} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
