"""One cold mining pass for an instruction count under callgrind (repeatable where wall time is not).

Mines a warm-up of 40 notebooks (imports, the process-wide memos), then one pass over every notebook of
FOLDER with a fresh `CellMemo`, inside `sys.call_tracing`, so callgrind can count only that pass:

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=sys_call_tracing \\
        python bench/instructions.py [FOLDER]

`callgrind_annotate --inclusive=yes callgrind.out.<pid>` then gives the pass's instructions by function.
Without valgrind it just mines (and prints how many notebooks it mined and a digest of the rows, so two
builds can be compared on the same bytes).
"""

from __future__ import annotations

import hashlib
import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mliter.corpus.notebooks import discover  # noqa: E402
from mliter.paths import shared_data  # noqa: E402
from mliter.traces.notebooks.code import CellMemo  # noqa: E402
from mliter.traces.notebooks.mine import mine_bytes  # noqa: E402
from mliter.traces.notebooks.parse import NotebookError  # noqa: E402
from mliter.traces.notebooks.stages import StageRules  # noqa: E402


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else shared_data() / "notebooks"
    blobs = [(r.notebook_id, r.file.read_bytes()) for r in discover([folder])]
    rules = StageRules.from_csv()
    out: list = []

    def run(part, memo):
        for nid, b in part:
            try:
                out.append(mine_bytes(nid, b, rules, memo=memo))
            except NotebookError:
                out.append(None)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(blobs[:40], CellMemo())
        out.clear()
        sys.call_tracing(run, (blobs, CellMemo()))
    h = hashlib.sha256()
    for m in out:
        h.update(json.dumps(m.to_json() if m is not None else None, sort_keys=True, default=str).encode())
    print(f"mined {len(out)} notebooks; rows digest {h.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
