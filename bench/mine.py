"""Benchmark: mining cost against plain `json.loads` of the same bytes, in the same run.

Reads every notebook once into memory (so disk is not measured), then times `json.loads`,
`json.loads` + `ast.parse` of every code cell (the least any AST-based miner must do) and
`mine_bytes` over all of them, in one process on the same bytes. Each is run once untimed first
(imports, the rule memo), then rounds are interleaved (parse, floor, mine, parse, ...) and the
best CPU time of each is kept, so load from other processes hits all three alike. The cyclic
garbage collector is paused per notebook in the floor as `mine_bytes` pauses it, so neither side
gains from the other's setting; each timed run starts after a full collection and ends with a timed
collection of the young generation, so what a run leaves to the collector (cycles of garbage, the
batch memo's containers) is paid by that run, not by the next one (before round 5 part of the mining
rounds' leftovers were collected on the clock of the `json.loads` round that followed). It prints
notebooks per second and both ratios. Aims (issue 7): mining at most 1.5x json.loads + ast.parse, and
at least 400 notebooks/s on one core.
It says whether the compiled miner was loaded (`make native`; `MLITER_PURE_PYTHON=1` times the
Python sources instead). `--phases` also prints where mining's time goes (reading the JSON into cells; parsing, walking
and collecting features; stage labelling; the learned coder's features and scores; the rest: rows, hashes,
order metrics, the collector).

    python bench/mine.py [FOLDER] [--rounds 3] [--phases]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mliter.corpus.notebooks import discover  # noqa: E402
from timing import best_of, best_of_collected, json_ast_floor  # noqa: E402
from mliter.paths import shared_data  # noqa: E402
from mliter.traces.notebooks.code import CellMemo  # noqa: E402
from mliter.traces.notebooks.learned import default_coder, notebook_features  # noqa: E402
from mliter.traces.notebooks.mine import analyse_cells, mine_bytes  # noqa: E402
from mliter.traces.notebooks import native  # noqa: E402
from mliter.traces.notebooks.parse import Limits, NotebookError, parse_notebook  # noqa: E402
from mliter.traces.notebooks.stages import StageRules  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", type=Path, default=shared_data() / "notebooks")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--phases", action="store_true", help="also time mining's phases one by one")
    args = ap.parse_args()
    if not args.folder.is_dir():
        print(f"no notebooks at {args.folder}; pass a folder", file=sys.stderr)
        return 2
    refs = discover([args.folder])
    blobs = [(r.notebook_id, r.file.read_bytes()) for r in refs]
    total = sum(len(b) for _, b in blobs)
    rules = StageRules.from_csv()

    def parse_all():
        for _, b in blobs:
            try:
                json.loads(b)
            except ValueError:
                pass

    kept: list[CellMemo] = []  # the last round's memo, alive until its run's timed collection is over

    def mine_all(memo: bool = True, with_rules: StageRules | None = None) -> int:
        """Mine every notebook as one batch does (a fresh `CellMemo` per round: a cell repeated across the
        notebooks is parsed once per round, never carried over from an earlier round); returns how many
        were refused (an error row in a real run), so a miner that is fast because it fails shows as such.
        The memo outlives the loop, as a batch's does, so the timed collection at the end walks it.
        `with_rules`: other rules than the warm ones (a fresh table: its per-feature memos start empty)."""
        refused = 0
        batch = CellMemo() if memo else None
        use = with_rules if with_rules is not None else rules
        for nid, b in blobs:
            try:
                mine_bytes(nid, b, use, memo=batch)
            except NotebookError:
                refused += 1
        if batch is not None:
            kept.append(batch)
        return refused

    def mine_all_unmemoised() -> int:
        return mine_all(memo=False)

    fresh: list[StageRules] = []

    def mine_all_cold() -> int:
        """A batch's first pass: rules read just before (untimed), so the rules' per-feature memos (rule, band
        key, role) and the learned coder's feature memo, which the timed rounds find filled, start empty."""
        return mine_all(with_rules=fresh.pop())

    def parse_floor():
        """json.loads plus ast.parse of every code cell: the least any AST-based miner must do
        (with the garbage collector paused per notebook, as `mine_bytes` does)."""
        for _, b in blobs:
            gc.disable()
            try:
                json_ast_floor(b)
            finally:
                gc.enable()

    t_parse = t_mine = t_floor = t_plain = t_cold = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parse_all()  # one untimed run each: imports, the rule memo
        parse_floor()
        refused = mine_all()
        mine_all_unmemoised()
        for _ in range(args.rounds):
            kept.clear()  # untimed: the memo of the round before is freed here
            t_parse = min(t_parse, best_of_collected(1, parse_all))
            t_floor = min(t_floor, best_of_collected(1, parse_floor))
            t_mine = min(t_mine, best_of_collected(1, mine_all))
            t_plain = min(t_plain, best_of_collected(1, mine_all_unmemoised))
            fresh.append(StageRules.from_csv())
            t_cold = min(t_cold, best_of_collected(1, mine_all_cold))
        phases = mining_phases(blobs, rules, args.rounds) if args.phases else None
    n = len(blobs)
    print(f"notebooks: {n}  bytes: {total / 1e6:.1f} MB  rounds: {args.rounds} (best of)  refused by the miner: {refused}")
    kind = "compiled (mypyc)" if all(native.loaded().values()) else "pure Python"
    print(f"miner: {kind}: {native.STATUS.reason}")
    print(f"json.loads: {t_parse:.3f} s  ({n / t_parse:,.0f} notebooks/s, {total / 1e6 / t_parse:.0f} MB/s)")
    print(f"mining:     {t_mine:.3f} s  ({n / t_mine:,.0f} notebooks/s, {total / 1e6 / t_mine:.0f} MB/s)")
    print(f"json.loads + ast.parse of code cells: {t_floor:.3f} s ({t_floor / t_parse:.2f}x json.loads)")
    print(f"ratio mining / json.loads: {t_mine / t_parse:.2f}x")
    print(f"ratio mining / (json.loads + ast.parse): {t_mine / t_floor:.2f}x  (aim: <= 1.5x)")
    print(f"notebooks/s mining on one core: {n / t_mine:,.0f}  (aim: >= 400)")
    memo = kept[-1]
    print(f"cell memo: {memo.hits} of {memo.hits + memo.misses} cells copied, not parsed; without it: "
          f"{t_plain:.3f} s, {t_plain / t_floor:.2f}x json.loads + ast.parse, {n / t_plain:,.0f} notebooks/s")
    print(f"with cold rule memos (a fresh StageRules per round, as a batch's first pass): {t_cold:.3f} s, "
          f"{t_cold / t_floor:.2f}x json.loads + ast.parse, {n / t_cold:,.0f} notebooks/s")
    if phases:
        rest = t_mine - sum(phases.values())
        print("phases of mining (best of each): " + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items())
              + f", the rest (rows, hashes, order metrics, the collector) {rest:.3f} s")
    return 0


def mining_phases(blobs, rules, rounds: int) -> dict[str, float]:
    """Best CPU time of each phase of `mine_bytes` run on its own over all notebooks (each phase's
    input is made beforehand, so a phase is timed alone; the parse phase uses a batch's cell memo, as the mining
    total does, so that "the rest" is not charged with parsing the memo saves)."""
    limits = Limits()
    notebooks = [parse_notebook(b, limits) for _, b in blobs]
    code = [[c for c in nb.cells if c.cell_type == "code"] for nb in notebooks]
    analysed = [analyse_cells(cc, True, limits) for cc in code]

    def read():
        for _, b in blobs:
            parse_notebook(b, limits)

    def analyse():
        batch = CellMemo()  # as `mine_all` parses: a fresh batch memo per round, so this phase and the total agree
        for cc in code:
            gc.disable()
            try:
                analyse_cells(cc, True, limits, None, None, batch)
            finally:
                gc.enable()

    def label():
        for parsed, module_defs in analysed:
            rules.label_notebook(parsed, module_defs)

    labelled = [rules.label_notebook(parsed, module_defs) for parsed, module_defs in analysed]
    coder = default_coder()

    def features():
        for (parsed, _), lab in zip(analysed, labelled):
            notebook_features(parsed, lab, rules, ordered=False)

    feats = [notebook_features(parsed, lab, rules, ordered=False) for (parsed, _), lab in zip(analysed, labelled)]

    def scores():
        for f in feats:
            if coder is not None and f:
                coder.predict(f)

    out = {"reading cells": read, "parsing + walk + features": analyse, "stage labels": label,
           "learned coder: features": features, "learned coder: scores": scores}
    return {k: best_of(rounds, fn) for k, fn in out.items()}


if __name__ == "__main__":
    sys.exit(main())
