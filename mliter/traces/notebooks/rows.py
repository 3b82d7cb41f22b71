"""The cell rows of one mined notebook, and what the notebook row sums from them.

Separate from `mine` (which stays interpreted: its tests replace its functions) so that it can be
compiled with the walk and the labelling (`native`): it runs once per code cell of every notebook.
Rows hold derived values only: counts, statuses, stage labels, and sorted `;`-joined sets of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from mliter.traces.notebooks.code import CellCode, top_modules
from mliter.traces.notebooks.parse import Cell, valid_mime
from mliter.traces.notebooks.stages import STAGES, CellStage

#: nbformat output types (v4, and v3's names when a file mixes them); anything else is `unknown`.
OUTPUT_TYPES = frozenset({"stream", "display_data", "execute_result", "error", "update_display_data",
                          "pyout", "pyerr"})
_IDENT = re.compile(r"^[A-Za-z_][\w.]{0,79}$", re.ASCII)
_NONE: frozenset[str] = frozenset()


def output_kinds(outputs: list[Any]) -> tuple[set[str], set[str]]:
    """The kinds of a cell's outputs (`stream`, `display_data:image/png`, ...) and its error names."""
    kinds: set[str] = set()
    errors: set[str] = set()
    for out in outputs:
        if not isinstance(out, dict):
            continue
        raw = out.get("output_type")
        otype: str = raw if isinstance(raw, str) and raw in OUTPUT_TYPES else "unknown"
        if otype in ("display_data", "execute_result") and isinstance(out.get("data"), dict):
            kinds.update(f"{otype}:{valid_mime(mime)}" for mime in out["data"])
        else:
            kinds.add(otype)
        if otype == "error":
            name = out.get("ename")
            errors.add(name if isinstance(name, str) and _IDENT.match(name) else "unknown")
    return kinds, errors


def joined(values: "set[str] | frozenset[str]") -> str:
    """`mliter.tables.join_list` for a set of strings, which it already is: no copy, and nothing to sort
    when empty (most of a cell's eight multi-valued columns are). Same text as `join_list`."""
    if not values:
        return ""
    if "" in values:
        values = values - {""}
    return ";".join(sorted(values))


@dataclass
class CellRows:
    """The cell rows of a notebook and the sums its notebook and stage rows need."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    stage_cells: dict[str, int] = field(default_factory=dict)  # non-empty cells per primary stage
    stage_hidden: dict[str, int] = field(default_factory=dict)  # hidden executions per primary stage
    libraries: set[str] = field(default_factory=set)
    apis: set[str] = field(default_factory=set)
    n_error_outputs: int = 0


def cell_rows(notebook_id: str, code_cells: Sequence[Cell], parsed: Sequence[CellCode],
              labelled: Sequence[CellStage], gaps: Sequence[int], learned: Sequence[str] | None = None,
              use_learned: bool = False) -> CellRows:
    """One row per code cell (`cells.csv`), in order, with the notebook's sums. `learned`: the learned
    coder's stage of each code cell (None: no learned stage), the primary stage when `use_learned`."""
    out = CellRows(stage_cells={s: 0 for s in STAGES}, stage_hidden={s: 0 for s in STAGES})
    rows, stage_cells, stage_hidden = out.rows, out.stage_cells, out.stage_hidden
    libraries, apis_all = out.libraries, out.apis
    n_error_outputs = 0
    for k in range(len(code_cells)):
        cell, pc, lab = code_cells[k], parsed[k], labelled[k]
        by_model = ("other" if pc.status == "empty" else learned[k]) if learned is not None else ""
        stage = by_model if use_learned else lab.stage
        if pc.status != "empty":
            stage_cells[stage] += 1
            stage_hidden[stage] += gaps[k]
        kinds: set[str] | frozenset[str]
        enames: set[str] | frozenset[str]
        if cell.outputs:
            kinds, enames = output_kinds(cell.outputs)
        else:
            kinds, enames = _NONE, _NONE
        if enames or "error" in kinds:
            n_error_outputs += 1
        apis = pc.calls | {"." + m.split("@", 1)[0] for m in pc.methods} if pc.methods else pc.calls
        if pc.imports:
            libraries |= top_modules(pc.imports)
        apis_all |= apis
        rows.append({
            "notebook_id": notebook_id,
            "cell_index": cell.index,
            "code_index": k,
            "execution_count": cell.execution_count,
            "hidden_before": gaps[k],
            "n_lines": pc.n_lines,
            "status": pc.status,
            "error": pc.error,
            "imports": joined(pc.imports),
            "apis": joined(apis),
            "magics": joined(pc.magics),
            "output_types": joined(kinds),
            "error_names": joined(enames),
            "stage": stage,
            "stage_rules": lab.stage,
            "stage_learned": by_model,
            "stages": joined(lab.stages),
            "n_reads_from": len(lab.reads_from),
            "unresolved_calls": len(pc.unresolved),
        })
    out.n_error_outputs = n_error_outputs
    return out
