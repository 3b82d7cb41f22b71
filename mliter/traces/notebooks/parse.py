"""Read a notebook file into nbformat-4 shaped cells, with limits, without executing anything.

Parsing uses `json.loads` directly (the cost the miner is measured against) and only
calls nbformat's converter for nbformat 3, whose worksheets/`prompt_number` layout
nbformat upgrades to version 4. Every refusal is a `NotebookError` with a reason code,
so a batch can record it and go on.
"""

from __future__ import annotations

from mliter.errors import MliterError
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Bounds on what the miner will read; defaults are far above real notebooks."""

    max_bytes: int = 64 * 1024 * 1024
    max_cells: int = 100_000
    max_cell_chars: int = 1_000_000
    max_ast_depth: int = 200


class NotebookError(MliterError):
    """A notebook that cannot be mined; `reason` is a short stable code for errors.csv."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass
class Cell:
    """One cell in document order; `index` counts all cells, markdown included."""

    index: int
    cell_type: str
    source: str
    execution_count: int | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Notebook:
    nbformat: str
    language: str
    cells: list[Cell]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else str(v) for v in value)
    return value if isinstance(value, str) else ""


def _upgrade_v3(nb: dict[str, Any]) -> dict[str, Any]:
    import nbformat

    try:
        node = nbformat.from_dict(nb)
        return nbformat.convert(node, 4)
    except Exception as exc:  # nbformat raises assorted errors on broken v3 files
        raise NotebookError("bad_nbformat3", f"nbformat 3 notebook could not be upgraded: {exc}") from exc


def parse_notebook(data: bytes, limits: Limits = Limits()) -> Notebook:
    """Parse notebook bytes; accepts nbformat 4 and upgrades nbformat 3."""
    if len(data) > limits.max_bytes:
        raise NotebookError("too_large", f"{len(data)} bytes exceeds the limit of {limits.max_bytes}")
    try:
        nb = json.loads(data)
    except UnicodeDecodeError as exc:
        raise NotebookError("bad_encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError("invalid_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise NotebookError("too_deep", "JSON nesting exceeds the parser's depth limit") from exc
    if not isinstance(nb, dict):
        raise NotebookError("not_a_notebook", f"top-level JSON is {type(nb).__name__}, expected an object")
    major = nb.get("nbformat")
    minor = nb.get("nbformat_minor", 0)
    if major == 3 or (major is None and "worksheets" in nb):
        nb = _upgrade_v3(nb)
    elif major != 4:
        raise NotebookError("unsupported_nbformat", f"nbformat {major!r} (only 3 and 4 are read)")
    raw_cells = nb.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError("not_a_notebook", "no 'cells' list")
    if len(raw_cells) > limits.max_cells:
        raise NotebookError("too_many_cells", f"{len(raw_cells)} cells exceeds the limit of {limits.max_cells}")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    lang_info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    kernel = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    language = str(lang_info.get("name") or kernel.get("language") or "python").lower()
    cells = []
    for i, raw in enumerate(raw_cells):
        if not isinstance(raw, dict):
            raise NotebookError("bad_cell", f"cell {i} is {type(raw).__name__}, expected an object")
        ctype = raw.get("cell_type")
        count = raw.get("execution_count")
        if not isinstance(count, int) or isinstance(count, bool):
            count = None
        outputs = raw.get("outputs") if isinstance(raw.get("outputs"), list) else []
        cells.append(Cell(i, ctype if isinstance(ctype, str) else "unknown", _text(raw.get("source")), count, outputs))
    return Notebook(f"{major}.{minor}", language, cells)
