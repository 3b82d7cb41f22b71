"""Fuzz the notebook miner, the coder-file validator and the codebook loader.

Draws notebooks from the Hypothesis strategies in tests/fuzz_strategies.py (structures with
odd values, then damaged bytes, under odd file names), mines each one, and every `--batch`
notebooks mines the batch's folder as a whole and writes and reads back its tables. Then the
same for coder files and codebooks. Prints, per target, the cases run and the crashes
(an exception, or an `internal_error` row), hangs (a case slower than `--hang` seconds) and
notebooks unaccounted for (not exactly one row of notebooks.csv or errors.csv); all must be 0.
Exit status 1 otherwise.

    python bench/fuzz.py                 # 10,000 notebooks, 10,000 coder files, 10,000 codebooks
    python bench/fuzz.py --cases 500     # a quick look
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, given, settings  # noqa: E402

from fuzz_strategies import (FILE_NAMES, check_batch, check_codebook, check_coder_file, check_mined,  # noqa: E402
                             codebook_data, coder_file_text, notebook_bytes)
from mliter.coding.codebook import load  # noqa: E402
from mliter.corpus.notebooks import discover  # noqa: E402
from mliter.traces.notebooks.mine import mine_batch, mine_ref  # noqa: E402
from mliter.traces.notebooks.parse import Limits  # noqa: E402
from mliter.traces.notebooks.stages import StageRules  # noqa: E402


class Tally:
    def __init__(self, name: str):
        self.name, self.cases, self.kinds, self.examples = name, 0, Counter(), []

    def record(self, wrong: list[str]) -> None:
        self.cases += 1
        for w in wrong:
            kind = w.split(":", 1)[0] if w.split(":", 1)[0] in ("crash", "hang", "unaccounted") else "crash"
            self.kinds[kind] += 1
            if len(self.examples) < 5:
                self.examples.append(w[:300])

    def line(self) -> str:
        return (f"{self.name:<12} cases {self.cases:>6}  crashes {self.kinds['crash']}  hangs {self.kinds['hang']}"
                + (f"  unaccounted {self.kinds['unaccounted']}" if self.name == "notebooks" else ""))


def settings_for(n: int, seed: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=seed == 0,
                    suppress_health_check=list(HealthCheck), print_blob=False)


def fuzz_notebooks(n: int, batch: int, hang: float, work: Path, tally: Tally) -> None:
    rules = StageRules.from_csv()
    limits = Limits(max_seconds=hang)
    state = {"folder": None, "count": 0, "k": 0}

    def flush() -> None:
        folder = state["folder"]
        if folder is None:
            return
        refs = discover([folder])
        t0 = time.perf_counter()
        results = mine_batch(refs, rules, "fuzz", limits, progress=False)
        wrong = check_batch(refs, results, folder / "out")
        if len(refs) != state["count"]:
            wrong.append(f"unaccounted: {state['count']} files written, {len(refs)} found")
        if time.perf_counter() - t0 > hang * max(1, len(refs)):
            wrong.append("hang: batch")
        if wrong:
            tally.record(wrong)
            tally.cases -= 1  # a batch check is not a case of its own
        shutil.rmtree(folder, ignore_errors=True)
        state.update(folder=None, count=0)

    @settings_for(n, 0)
    @given(data=notebook_bytes(), name=FILE_NAMES)
    def one(data: bytes, name) -> None:
        if state["folder"] is None:
            state["folder"] = work / f"batch{state['k']}"
            state["folder"].mkdir()
            state["k"] += 1
        sub = state["folder"] / f"d{state['count']}"  # a folder each: names may repeat
        sub.mkdir()
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        path = os.path.join(os.fsencode(sub), raw + b".ipynb")
        with open(path, "wb") as fh:
            fh.write(data)
        state["count"] += 1
        (ref,) = discover([sub])
        t0 = time.perf_counter()
        try:
            mined = mine_ref(ref, rules, limits)
        except Exception as exc:  # noqa: BLE001 - what we count
            tally.record([f"crash: {type(exc).__name__}: {exc}"])
            return
        tally.record(check_mined(mined, ref, time.perf_counter() - t0, hang))
        if state["count"] >= batch:
            flush()

    one()
    flush()


def fuzz_coder_files(n: int, work: Path, tally: Tally) -> None:
    cb = load()
    path = work / "coder_z.csv"

    @settings_for(n, 0)
    @given(text=coder_file_text(cb.columns))
    def one(text: str) -> None:
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        tally.record(check_coder_file(path, cb))

    one()


def fuzz_codebooks(n: int, work: Path, tally: Tally) -> None:
    path = work / "coder_a.csv"

    @settings_for(n, 0)
    @given(data=codebook_data())
    def one(data) -> None:
        cb, wrong = check_codebook(data)
        if cb is not None and not wrong:
            path.write_text(",".join(cb.columns) + "\n", encoding="utf-8")
            wrong = check_coder_file(path, cb)
        tally.record(wrong)

    one()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000, help="cases per target")
    ap.add_argument("--batch", type=int, default=500, help="notebooks mined together as one batch")
    ap.add_argument("--hang", type=float, default=10.0, help="seconds after which one case counts as a hang")
    args = ap.parse_args()
    tallies = [Tally("notebooks"), Tally("coder files"), Tally("codebooks")]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mliter-fuzz-") as tmp:
        work = Path(tmp)
        fuzz_notebooks(args.cases, args.batch, args.hang, work, tallies[0])
        fuzz_coder_files(args.cases, work, tallies[1])
        fuzz_codebooks(args.cases, work, tallies[2])
    for t in tallies:
        print(t.line())
        for e in t.examples:
            print("   ", e)
    bad = sum(sum(t.kinds.values()) for t in tallies)
    print(f"{sum(t.cases for t in tallies)} cases in {time.perf_counter() - t0:.0f} s: "
          + ("all clean" if not bad else f"{bad} problems"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
