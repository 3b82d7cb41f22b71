"""Benchmark: the version miner against plain parsing of the same version series, in the same run.

Reads every version of the shared series (`../shared/data/notebook_versions/`, its MANIFEST.tsv) into
memory once, so disk is not measured, then times (a) the baseline, `json.loads` of each version plus
`ast.parse` of each code cell (the least any AST-based miner must do), and (b) `mine_sequence`, which
builds each version's workflow signature and classifies it against the previous version (the work of
`mliter mine versions`), over the same bytes in one process. Each is run once untimed first (imports,
rule memos), then rounds are interleaved and the best CPU time of each kept, so load from other
processes hits both alike. It prints versions per second and the ratio mining / baseline.

    python bench/versions.py [FOLDER] [--rounds 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of, json_ast_floor  # noqa: E402
from mliter.paths import shared_data  # noqa: E402
from mliter.traces.notebooks import native  # noqa: E402
from mliter.traces.notebooks.stages import StageRules  # noqa: E402
from mliter.traces.versions.folder import folder_versions  # noqa: E402
from mliter.traces.versions.mine import mine_sequence, sequences  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", type=Path, default=shared_data() / "notebook_versions")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not (args.folder / "MANIFEST.tsv").is_file():
        print(f"no version series (MANIFEST.tsv) at {args.folder}; pass a folder", file=sys.stderr)
        return 2
    versions = folder_versions(args.folder)
    blobs: dict[str, bytes] = {}
    for v in versions:
        if v.load is not None:
            content = v.load()
            if isinstance(content, bytes):
                blobs[v.version_id] = content
    # the same versions, loading from memory
    seqs = {wid: [dataclasses.replace(v, load=(lambda b=blobs[v.version_id]: b)) for v in seq if v.version_id in blobs]
            for wid, seq in sequences(versions).items()}
    rules = StageRules.from_csv()
    total = sum(len(b) for b in blobs.values())

    def baseline() -> None:
        for b in blobs.values():
            json_ast_floor(b)

    def mine() -> int:
        """Mine every series; returns how many versions came out as error rows (a fast failure shows)."""
        return sum(row.get("status") != "ok" for seq in seqs.values() for row in mine_sequence(seq, rules))

    t_base = t_mine = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        baseline()
        errors = mine()
        for _ in range(args.rounds):
            t_base = min(t_base, best_of(1, baseline))
            t_mine = min(t_mine, best_of(1, mine))
    n = len(blobs)
    print(f"versions: {n} of {len(seqs)} workflows  bytes: {total / 1e6:.1f} MB  rounds: {args.rounds} (best of)  "
          f"error rows: {errors}")
    kind = "compiled (mypyc)" if all(native.loaded().values()) else "pure Python"
    print(f"notebook miner underneath: {kind}: {native.STATUS.reason}")
    print(f"json.loads + ast.parse of code cells: {t_base:.3f} s  ({n / t_base:,.0f} versions/s)")
    print(f"version mining (signatures + change types): {t_mine:.3f} s  ({n / t_mine:,.0f} versions/s)")
    print(f"ratio version mining / (json.loads + ast.parse): {t_mine / t_base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
