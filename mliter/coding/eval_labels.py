"""Coder files for the notebook-traces evaluation: their format, a validator, and viewers.

Two files per coder under `coding/labels/`:
- `cells_<coder>.csv`: cell_id, local_path, code_cell, stage, stages, coder, note
- `pairs_<coder>.csv`: pair_id, series, from_file, to_file, code, codes, coder, note

`stage` is one of the stages of coding/stages.md and `stages` the ';'-joined set touched (it holds `stage`);
`code` is the one change type of coding/change_types.yaml the classifier would emit for the pair (the code
of lowest precedence whose condition holds) and `codes` the ';'-joined set of every code whose condition holds
(it holds `code`). Notes are short, in the coder's words, and hold no code.

This module uses the standard library only, so a coder can run it with any Python 3:
    python3 -m mliter.coding.eval_labels validate coding/labels/cells_a.csv
    python3 -m mliter.coding.eval_labels show-notebook c0001      # all code cells, sampled ones marked
    python3 -m mliter.coding.eval_labels show-pair p0001          # code and markdown diff of a pair

Rounds 2 on (fresh held-out samples, files under `coding/labels/round<N>/`; the fresh rounds are declared in
mliter.corpus.rounds): add `--round N` before the verb,
    python3 -m mliter.coding.eval_labels --round 2 show-notebook r2c0001
    python3 -m mliter.coding.eval_labels --round 2 validate coding/labels/round2/cells_a.csv
    MLITER_ROUND2_DATA=/work/fresh python3 -m mliter.coding.eval_labels --round 2 show-pair r2p0001
    MLITER_ROUND3_DATA=/work/fresh3 python3 -m mliter.coding.eval_labels --round 3 show-notebook r3c0001
    MLITER_ROUND4_DATA=/work/fresh4 python3 -m mliter.coding.eval_labels --round 4 show-pair r4p0001
Material kept outside the repository (its notebooks are not ours to ship; `EXTERNAL` below): the folder
holding the sample's source folder is `--data-root`, else the round's environment variable, else its
default beside the checkout (round 2: `notebook_versions_round2/` in `$MLITER_ROUND2_DATA` or `../fresh`;
round N >= 3: `notebooks_roundN/` and `notebook_versions_roundN/` in `$MLITER_ROUNDN_DATA` or `../freshN`).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import os
import re
import sys
from pathlib import Path

from mliter.corpus.rounds import FRESH_ROUNDS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
LABELS = ROOT / "coding" / "labels"
ROUNDS = {1: LABELS, 2: LABELS / "round2", **{n: ROOT / r.labels for n, r in FRESH_ROUNDS.items()}}
ROUND2_SOURCE = "notebook_versions_round2"
ROUND2_DATA_ENV = "MLITER_ROUND2_DATA"
ROUND3_DATA_ENV = FRESH_ROUNDS[3].data_env
# Sample sources kept outside the repository: source folder -> (environment variable, default folder name
# beside the checkout) of the folder that holds it.
EXTERNAL = {ROUND2_SOURCE: (ROUND2_DATA_ENV, "fresh"),
            **{src: (r.data_env, r.default_folder) for r in FRESH_ROUNDS.values()
               for src in (r.notebooks_source, r.versions_source)}}
STAGES = ("setup", "load", "EDA", "DPR", "LI", "PPR", "other")
PAIR_CODES = ("C", "M", "P", "H", "R", "D", "E", "V", "O", "X", "N")
CELL_FIELDS = ["cell_id", "local_path", "code_cell", "stage", "stages", "coder", "note"]
PAIR_FIELDS = ["pair_id", "series", "from_file", "to_file", "code", "codes", "coder", "note"]
MAX_NOTE = 200
CODER_RE = re.compile(r"^(cells|pairs)_([a-z][a-z0-9]*)\.csv$")


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def sample(kind: str, labels: Path = LABELS) -> dict[str, dict]:
    key = "cell_id" if kind == "cells" else "pair_id"
    return {r[key]: r for r in read_csv(labels / f"sample_{kind}.csv")}


def data_root(source: str, data_root: Path | None = None) -> Path:
    """Folder that holds the sample's `source` folder: the shared data, or for material kept outside the
    repository (`EXTERNAL`) `data_root`, else the round's environment variable, else its default folder."""
    if source not in EXTERNAL:
        return DATA
    if data_root is not None:
        return Path(data_root)
    env, default = EXTERNAL[source]
    value = os.environ.get(env)
    return Path(value) if value else ROOT.parent / default


def _source_dir(ref: dict, root: Path | None, sub: str = "") -> Path:
    """The folder of a sampled item's material; a clear exit when it is not there."""
    base = data_root(ref["source"], root) / ref["source"] / sub
    if not base.is_dir():
        hint = f"set --data-root or ${EXTERNAL[ref['source']][0]} to the folder holding {ref['source']}/" \
            if ref["source"] in EXTERNAL else "is ../shared/data there?"
        raise SystemExit(f"{base}: folder not found ({hint})")
    return base


def _split_set(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def validate(path: Path, labels: Path = LABELS) -> list[str]:
    """Problems of one coder file, each naming the file and row; [] when it is valid and complete."""
    m = CODER_RE.match(path.name)
    if not m:
        return [f"{path}: file name must be cells_<coder>.csv or pairs_<coder>.csv"]
    kind, coder = m.groups()
    fields = CELL_FIELDS if kind == "cells" else PAIR_FIELDS
    key, one, many, vocab = (("cell_id", "stage", "stages", STAGES) if kind == "cells"
                             else ("pair_id", "code", "codes", PAIR_CODES))
    try:
        rows = read_csv(path)
        with open(path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [f"{path}: cannot read ({exc})"]
    if header != fields:
        return [f"{path}: header must be {','.join(fields)} (got {','.join(header)})"]
    want = sample(kind, labels)
    problems, seen = [], set()
    for n, r in enumerate(rows, 2):
        where = f"{path}:{n}"
        rid = r[key]
        if rid not in want:
            problems.append(f"{where}: {key} {rid!r} is not in sample_{kind}.csv")
            continue
        if rid in seen:
            problems.append(f"{where}: {key} {rid} labelled twice")
        seen.add(rid)
        ref = want[rid]
        same = ("local_path", "code_cell") if kind == "cells" else ("series", "from_file", "to_file")
        for f in same:
            if r[f] != ref[f]:
                problems.append(f"{where}: {f} {r[f]!r} does not match the sample ({ref[f]!r})")
        if r[one] not in vocab:
            problems.append(f"{where}: {one} {r[one]!r} is not one of {', '.join(vocab)}")
        s = _split_set(r[many])
        bad = [v for v in s if v not in vocab]
        if bad:
            problems.append(f"{where}: {many} has unknown value(s) {', '.join(bad)}")
        if r[one] not in s:
            problems.append(f"{where}: {many} must contain {one} {r[one]!r}")
        if r["coder"] != coder:
            problems.append(f"{where}: coder {r['coder']!r} differs from the file name's {coder!r}")
        if len(r["note"]) > MAX_NOTE:
            problems.append(f"{where}: note longer than {MAX_NOTE} characters")
    missing = sorted(set(want) - seen)
    if missing:
        problems.append(f"{path}: {len(missing)} sampled {kind} not labelled yet (first: {missing[0]})")
    return problems


def code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_bytes())
    out = []
    for c in nb.get("cells", []):
        if c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def _cells_by_type(path: Path) -> list[tuple[str, str]]:
    nb = json.loads(path.read_bytes())
    out = []
    for c in nb.get("cells", []):
        src = c.get("source", "")
        out.append((c.get("cell_type", "?"), "".join(src) if isinstance(src, list) else str(src)))
    return out


def show_notebook(cell_id: str, out=sys.stdout, labels: Path = LABELS, root: Path | None = None) -> None:
    s = sample("cells", labels)
    ref = s[cell_id]
    marked = {int(r["code_cell"]): r["cell_id"] for r in s.values() if r["local_path"] == ref["local_path"]}
    path = _source_dir(ref, root) / ref["local_path"]
    print(f"# {ref['local_path']}  (sampled code cells: {', '.join(marked[i] for i in sorted(marked))})", file=out)
    for i, src in enumerate(code_cells(path)):
        tag = f"  <<< SAMPLED {marked[i]}" if i in marked else ""
        print(f"\n----- code cell {i}{tag}", file=out)
        print(src, file=out)


def show_pair(pair_id: str, out=sys.stdout, labels: Path = LABELS, root: Path | None = None) -> None:
    ref = sample("pairs", labels)[pair_id]
    base = _source_dir(ref, root, ref["series"])
    a, b = _cells_by_type(base / ref["from_file"]), _cells_by_type(base / ref["to_file"])
    print(f"# {ref['series']}: {ref['from_file']} -> {ref['to_file']}", file=out)

    def text(cells):
        lines = []
        for i, (t, src) in enumerate(cells):
            lines.append(f"===== [{t}] cell {i}")
            lines.extend(src.splitlines())
        return lines

    diff = list(difflib.unified_diff(text(a), text(b), "from", "to", lineterm="", n=2))
    print("\n".join(diff) if diff else "(no difference in cell sources: outputs or metadata only)", file=out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--round", type=int, choices=sorted(ROUNDS), default=1,
                    help="which sample: 1 (coding/labels/), N > 1 (coding/labels/roundN/)")
    ap.add_argument("--data-root", type=Path, default=None,
                    help=f"folder holding the material kept outside the repository (round 2: {ROUND2_SOURCE}/, "
                         f"default ${ROUND2_DATA_ENV}, else ../fresh; "
                         + "; ".join(f"round {n}: {r.notebooks_source}/ and {r.versions_source}/, default "
                                     f"${r.data_env}, else ../{r.default_folder}" for n, r in FRESH_ROUNDS.items())
                         + ")")
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("validate", help="check a coder file: format, vocabulary, completeness")
    v.add_argument("files", nargs="+")
    sn = sub.add_parser("show-notebook", help="print a sampled cell's notebook, sampled cells marked")
    sn.add_argument("cell_id")
    sp = sub.add_parser("show-pair", help="print the diff of a sampled version pair")
    sp.add_argument("pair_id")
    a = ap.parse_args(argv)
    labels = ROUNDS[a.round]
    kind = "cells" if a.cmd == "show-notebook" else "pairs"
    missing = [labels / f"sample_{k}.csv" for k in (("cells", "pairs") if a.cmd == "validate" else (kind,))
               if not (labels / f"sample_{k}.csv").is_file()]
    if missing:  # a round declared before its sample is drawn (mliter.corpus.rounds): say so, no traceback
        print(f"{missing[0]}: no sample drawn for round {a.round} yet "
              f"(python -m mliter.coding.eval_sample round{a.round}-{missing[0].stem.split('_')[1]})")
        return 1
    if a.cmd == "validate":
        bad = 0
        for f in a.files:
            problems = validate(Path(f), labels)
            for p in problems:
                print(p)
            bad += bool(problems)
            if not problems:
                print(f"{f}: valid and complete")
        return 1 if bad else 0
    key = a.cell_id if a.cmd == "show-notebook" else a.pair_id
    if key not in sample(kind, labels):
        m = re.match(r"r(\d+)[cp]\d", key)
        hint = f"round-{m[1]} ids need --round {m[1]}" if m else "round-1 ids need no --round"
        print(f"{key}: not in {labels / f'sample_{kind}.csv'} (round {a.round}; {hint})")
        return 1
    if a.cmd == "show-notebook":
        show_notebook(a.cell_id, labels=labels, root=a.data_root)
    else:
        show_pair(a.pair_id, labels=labels, root=a.data_root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
