"""Benchmark: the unitised segment alpha from per-source coincidence counts against the `krippendorff` package.

Builds a synthetic double-coded corpus (S sources of 1,500 characters, two coders, random
segments), then computes the character-level alpha of one code with its bootstrap over
sources (B resamples) two ways in the same run: `mliter.coding.segment_agreement`
(coincidence counts per source, each resample a sum) and the baseline that hands the full
coders x characters matrix of each resample to `krippendorff.alpha`. Prints both times, the
ratio, and checks the estimates agree.

    python bench/unitised_alpha.py [--sources 100] [--boot 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import krippendorff  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, load  # noqa: E402
from mliter.coding.segment_agreement import unitised_agreement  # noqa: E402

LENGTH = 1500
CODE = "shortcoming_transparency"


def corpus(n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    texts, rows = {}, []
    for k in range(n):
        sid = f"s{k:04d}"
        texts[sid] = "x" * LENGTH
        for coder in ("coder_a", "coder_b"):
            for _ in range(int(rng.integers(0, 3))):
                s = int(rng.integers(0, LENGTH - 200))
                rows.append((sid, coder, "1.0", CODE, s, s + int(rng.integers(20, 200))))
            rows.append((sid, coder, "1.0", "none_codable" if k % 50 == 0 else "stage_evaluation", 0, 10))
    seg = pd.DataFrame(rows, columns=["source_id", "coder", "codebook_version", "code", "start", "end"])
    return texts, seg


def baseline(seg, texts, n_boot, seed=20210501):
    sids = sorted(texts)
    mats = []
    for sid in sids:
        m = np.zeros((2, LENGTH))
        for i, coder in enumerate(("coder_a", "coder_b")):
            for r in seg[(seg.source_id == sid) & (seg.coder == coder) & (seg.code == CODE)].itertuples():
                m[i, r.start:r.end] = 1
        mats.append(m)
    est = krippendorff.alpha(reliability_data=np.hstack(mats), level_of_measurement="nominal")
    rng = np.random.default_rng(seed)
    for idx in rng.integers(0, len(sids), (n_boot, len(sids))):
        krippendorff.alpha(reliability_data=np.hstack([mats[i] for i in idx]), level_of_measurement="nominal")
    return est


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=100)
    ap.add_argument("--boot", type=int, default=200)
    args = ap.parse_args()
    texts, seg = corpus(args.sources)
    cb = load(DEFAULT_INTERVIEW_CODEBOOK)
    one = cb.__class__(**{**cb.__dict__, "codes": tuple(c for c in cb.codes if c.code == CODE)})
    t0 = time.perf_counter()
    ours = unitised_agreement(seg, texts, one, n_boot=args.boot).iloc[0]["estimate"]
    t1 = time.perf_counter()
    theirs = baseline(seg, texts, args.boot)
    t2 = time.perf_counter()
    print(f"{args.sources} sources x {LENGTH} characters, {args.boot} bootstrap resamples")
    print(f"mliter (coincidence counts): {t1 - t0:.2f} s   alpha = {ours:.6f}")
    print(f"krippendorff on the matrix:  {t2 - t1:.2f} s   alpha = {theirs:.6f}")
    print(f"ratio baseline / mliter: {(t2 - t1) / (t1 - t0):.1f}x; estimates agree: {abs(ours - theirs) < 1e-9}")


if __name__ == "__main__":
    main()
