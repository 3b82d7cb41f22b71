"""Mine notebooks into trace tables: one pure function per notebook, a resumable batch around it.

`mine_bytes` turns a notebook's bytes into plain row dicts (no I/O). `mine_batch` reads
files, records a refusal as an error row and goes on, checkpoints each finished notebook
to a JSON-lines file so an interrupted run resumes where it stopped, and optionally
spreads the work over a Dask scheduler. Rows hold derived values only, never code or
output text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from mliter.corpus.notebooks import NotebookRef
from mliter.tables import join_list
from mliter.traces.notebooks.code import CellCode, collect_uses, import_aliases, parse_cell, top_modules
from mliter.traces.notebooks.parse import Limits, NotebookError, parse_notebook
from mliter.traces.notebooks.order import gaps_before, order_metrics
from mliter.traces.notebooks.stages import STAGES, StageRules

PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython2", "ipython3"})
_IDENT = re.compile(r"^[A-Za-z_][\w.]{0,79}$")


@dataclass
class Mined:
    """What one notebook yields: a notebook row, cell rows and stage rows, or an error row."""

    notebook: dict[str, Any] | None = None
    cells: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "cells": self.cells, "stages": self.stages, "error": self.error}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Mined":
        return cls(d.get("notebook"), d.get("cells", []), d.get("stages", []), d.get("error"))


def _output_kinds(outputs: list[Any]) -> tuple[set[str], set[str]]:
    kinds: set[str] = set()
    errors: set[str] = set()
    for out in outputs:
        if not isinstance(out, dict):
            continue
        otype = str(out.get("output_type", "unknown"))
        if otype in ("display_data", "execute_result") and isinstance(out.get("data"), dict):
            kinds.update(f"{otype}:{mime}" for mime in out["data"])
        else:
            kinds.add(otype if _IDENT.match(otype) else "unknown")
        if otype == "error":
            name = str(out.get("ename", ""))
            errors.add(name if _IDENT.match(name) else "unknown")
    return kinds, errors


def analyse_cells(code_cells, is_python: bool, limits: Limits, local_modules=None):
    """The static pass over a notebook's code cells, cell by cell: parse, bind imports, collect
    features and the def-use summary, then release the tree (see `mliter.traces.notebooks.code`).

    `local_modules` (optional) resolves a module imported from beside the notebook to the features
    of its functions (`mliter.traces.notebooks.modules`); calls into such modules that it cannot
    resolve are recorded on the cell as unresolved. Returns the cells and the module summaries."""
    from mliter.traces.notebooks.modules import bind_local_modules, mark_unresolved

    aliases: dict[str, str] = {}
    module_defs: dict[str, set[str]] = {}
    parsed = []
    for c in code_cells:
        if is_python:
            pc = parse_cell(c.source, limits)
        else:  # an R or Julia notebook: counts and outputs are still read, the code is not parsed as Python
            pc = CellCode(len(c.source.splitlines()), "non_python" if c.source.strip() else "empty")
        import_aliases(pc, aliases)
        bind_local_modules(pc, aliases, module_defs, local_modules)
        collect_uses(pc, aliases, limits)
        mark_unresolved(pc, aliases, module_defs)
        parsed.append(pc)
    return parsed, module_defs


def mine_bytes(notebook_id: str, data: bytes, rules: StageRules, limits: Limits = Limits(),
               sha: str | None = None, local_modules=None) -> Mined:
    """Mine one notebook's bytes (`sha`: their SHA-256 when the caller has it already);
    raises `NotebookError` when the file cannot be read at all.

    The cyclic garbage collector is paused while one notebook is mined: the work allocates
    hundreds of thousands of small acyclic objects (syntax nodes, feature strings) whose
    allocation would otherwise trigger full collections over everything the process holds;
    reference counting frees them all the same."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _mine_bytes(notebook_id, data, rules, limits, sha, local_modules)
    finally:
        if was_enabled:
            gc.enable()


def _mine_bytes(notebook_id: str, data: bytes, rules: StageRules, limits: Limits,
                sha: str | None, local_modules) -> Mined:
    sha = sha or hashlib.sha256(data).hexdigest()
    nb = parse_notebook(data, limits)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    parsed, module_defs = analyse_cells(code_cells, nb.language in PYTHON_LANGUAGES, limits, local_modules)

    counts = [c.execution_count for c in code_cells]
    metrics = order_metrics(counts)
    gaps = gaps_before(counts)
    stage_cells = {s: 0 for s in STAGES}
    stage_hidden = {s: 0 for s in STAGES}
    cell_rows = []
    libraries: set[str] = set()
    apis_all: set[str] = set()
    n_error_outputs = 0
    labelled = rules.label_notebook(parsed, module_defs)
    for k, (cell, pc, lab) in enumerate(zip(code_cells, parsed, labelled)):
        stage = lab.stage
        if pc.status != "empty":
            stage_cells[stage] += 1
            stage_hidden[stage] += gaps[k]
        kinds, enames = _output_kinds(cell.outputs)
        n_error_outputs += bool(enames) or "error" in kinds
        apis = pc.calls | {"." + m.split("@", 1)[0] for m in pc.methods}
        libraries |= top_modules(pc.imports)
        apis_all |= apis
        cell_rows.append({
            "notebook_id": notebook_id,
            "cell_index": cell.index,
            "code_index": k,
            "execution_count": cell.execution_count,
            "hidden_before": gaps[k],
            "n_lines": pc.n_lines,
            "status": pc.status,
            "error": pc.error,
            "imports": join_list(pc.imports),
            "apis": join_list(apis),
            "magics": join_list(pc.magics),
            "output_types": join_list(kinds),
            "error_names": join_list(enames),
            "stage": stage,
            "stages": join_list(lab.stages),
            "n_reads_from": len(lab.reads_from),
            "unresolved_calls": len(pc.unresolved),
        })
    n_nonempty = sum(stage_cells.values())
    stage_rows = [{
        "notebook_id": notebook_id,
        "stage": s,
        "n_cells": stage_cells[s],
        "share_cells": round(stage_cells[s] / n_nonempty, 6) if n_nonempty else None,
        "hidden_executions": stage_hidden[s],
        "share_hidden": round(stage_hidden[s] / metrics.hidden_executions, 6) if metrics.hidden_executions else None,
    } for s in STAGES]
    n_empty = sum(pc.status == "empty" for pc in parsed)
    row = {
        "notebook_id": notebook_id,
        "sha256": sha,
        "nbformat": nb.nbformat,
        "language": nb.language,
        "n_cells": len(nb.cells),
        "n_code_cells": len(code_cells),
        "n_markdown_cells": sum(c.cell_type == "markdown" for c in nb.cells),
        "n_empty_code_cells": n_empty,
        "code_lines": sum(pc.n_lines for pc in parsed),
        "executed_cells": metrics.executed_cells,
        "cells_without_count": sum(1 for c, pc in zip(code_cells, parsed) if c.execution_count is None and pc.status != "empty"),
        "max_count": metrics.max_count,
        "hidden_executions": metrics.hidden_executions,
        "out_of_order_pairs": metrics.out_of_order_pairs,
        "kendall_tau": metrics.kendall_tau,
        "is_out_of_order": metrics.is_out_of_order,
        "is_linear": metrics.is_linear,
        "n_syntax_errors": sum(pc.status == "syntax_error" for pc in parsed),
        "n_error_outputs": n_error_outputs,
        "libraries": join_list(libraries),
        "n_apis": len(apis_all),
    }
    return Mined(row, cell_rows, stage_rows)


def mine_ref(ref: NotebookRef, rules: StageRules, limits: Limits = Limits()) -> Mined:
    """Read and mine one notebook file; any refusal becomes an error row naming the file."""
    sha = ""
    try:
        size = os.path.getsize(ref.file)
        if size > limits.max_bytes:
            raise NotebookError("too_large", f"{size} bytes exceeds the limit of {limits.max_bytes}")
        data = Path(ref.file).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        from mliter.traces.notebooks.modules import local_module_resolver

        return mine_bytes(ref.notebook_id, data, rules, limits, sha=sha,
                          local_modules=local_module_resolver(ref.file))
    except NotebookError as exc:
        reason, message = exc.reason, exc.message
    except OSError as exc:
        reason, message = "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"
    except Exception as exc:  # a bug must not stop the batch; it is recorded with its type
        reason, message = "internal_error", f"{type(exc).__name__} while mining"
    return Mined(error={"notebook_id": ref.notebook_id, "local_path": ref.local_path, "reason": reason,
                        "message": f"{ref.local_path}: {message}", "sha256": sha})


class Checkpoint:
    """Append-only JSON-lines record of finished notebooks, keyed by id, file state and rules."""

    def __init__(self, path: Path, salt: str):
        self.path = Path(path)
        self.salt = salt
        self.done: dict[str, Mined] = {}
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line cut short by an interruption: that notebook is mined again
                    self.done[rec["key"]] = Mined.from_json(rec["mined"])

    def key(self, ref: NotebookRef) -> str:
        st = os.stat(ref.file) if os.path.exists(ref.file) else None
        state = f"{st.st_size}:{st.st_mtime_ns}" if st else "missing"
        return f"{ref.notebook_id}|{state}|{self.salt}"

    def add(self, key: str, mined: Mined) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": key, "mined": mined.to_json()}) + "\n")
            fh.flush()
        self.done[key] = mined

    def clear(self) -> None:
        if self.path.exists():
            self.path.unlink()


def mine_batch(
    refs: Sequence[NotebookRef],
    rules: StageRules,
    rules_digest: str,
    limits: Limits = Limits(),
    checkpoint: Path | None = None,
    progress: bool = True,
    dask_scheduler: str | None = None,
    chunk: int = 64,
) -> list[Mined]:
    """Mine every notebook, resuming from `checkpoint` when given; results in input order."""
    from tqdm import tqdm

    ckpt = Checkpoint(checkpoint, rules_digest) if checkpoint else None
    keys = [ckpt.key(r) if ckpt else r.notebook_id for r in refs]
    results: dict[str, Mined] = {k: ckpt.done[k] for k in keys if ckpt and k in ckpt.done}
    todo = [(k, r) for k, r in zip(keys, refs) if k not in results]
    bar = tqdm(total=len(refs), initial=len(refs) - len(todo), unit="nb", desc="mining", disable=not progress)
    run: Callable[[list[NotebookRef]], list[Mined]]
    if dask_scheduler:
        run = _dask_runner(rules, limits, dask_scheduler)
    else:
        def run(batch: list[NotebookRef]) -> list[Mined]:
            return [mine_ref(r, rules, limits) for r in batch]
    step = chunk if dask_scheduler else 1
    for start in range(0, len(todo), step):
        part = todo[start : start + step]
        for (k, _), mined in zip(part, run([r for _, r in part])):
            results[k] = mined
            if ckpt:
                ckpt.add(k, mined)
        bar.update(len(part))
    bar.close()
    return [results[k] for k in keys]


def _dask_runner(rules: StageRules, limits: Limits, scheduler: str) -> Callable[[list[NotebookRef]], list[Mined]]:
    """Spread a chunk over Dask: 'threads', 'processes', 'synchronous' or a distributed address."""
    import dask.bag as db

    client = None
    if "://" in scheduler:
        from dask.distributed import Client  # requires the `scale` extra

        client = Client(scheduler)

    def run(batch: list[NotebookRef]) -> list[Mined]:
        bag = db.from_sequence(batch, npartitions=max(1, min(len(batch), 16)))
        kw = {} if client else {"scheduler": scheduler}
        return list(bag.map(mine_ref, rules, limits).compute(**kw))

    return run


def digest_rules(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
