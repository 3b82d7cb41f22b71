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
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from mliter.corpus.notebooks import NotebookRef
from mliter.tables import join_list
from mliter.traces.notebooks.code import CellCode, CellMemo, collect_uses, import_aliases, parse_cell
from mliter.traces.notebooks.learned import (CONTEXT_FAMILIES, coder_digest, context_features, default_coder,
                                              default_producer, notebook_features)
from mliter.traces.notebooks.parse import Limits, NotebookError, parse_notebook
from mliter.traces.notebooks.order import gaps_before, order_metrics
from mliter.traces.notebooks.rows import cell_rows
from mliter.traces.notebooks.stages import STAGES, StageRules

PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython2", "ipython3"})


@dataclass
class Mined:
    """What one notebook yields: a notebook row, cell rows and stage rows, or an error row."""

    notebook: dict[str, Any] | None = None
    cells: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    #: the learned coder's features per code cell, when asked for (training); never written or checkpointed
    features: list[tuple[str, ...]] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "cells": self.cells, "stages": self.stages, "error": self.error}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Mined":
        return cls(d.get("notebook"), d.get("cells", []), d.get("stages", []), d.get("error"))


def resident_bytes() -> int | None:
    """This process's resident memory in bytes (Linux /proc), or None where it cannot be read.

    Read on every notebook, so the file stays open and is re-read in place (`pread` at offset 0 shows the
    current value; about 1.5 us rather than 10 us for open and read), once per process: a forked child
    opens its own (`/proc/self` named the parent when the parent opened it)."""
    global _STATM
    try:
        pid = os.getpid()
        if _STATM is None or _STATM[0] != pid:
            _STATM = (pid, os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)))
        return int(os.pread(_STATM[1], 256, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError, AttributeError):
        return None


_STATM: tuple[int, int] | None = None  # (pid, descriptor) of `resident_bytes`'s open /proc/self/statm


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Budget:
    """The time and memory one notebook may take (`Limits.max_seconds`, `Limits.max_memory_mb`).

    Checked after every cell (time) and after every 256 KB of parsed code (memory: growth of
    resident memory since the notebook began), so the work beyond a bound is at most one
    cell, itself bounded by `Limits.max_cell_chars`. Exceeding a bound is a `NotebookError`,
    i.e. an error row, and the batch goes on.
    """

    MEMORY_STEP = 256 * 1024  # characters of code between two memory readings

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.base = resident_bytes()
        self.chars = 0

    def check(self, cell: int | None, chars: int = 0) -> None:
        if time.monotonic() > self.deadline:
            raise NotebookError("timeout", f"mining took longer than {self.limits.max_seconds:g} s "
                                           f"(stopped {self._where(cell)})")
        self.chars += chars
        if self.base is not None and self.chars >= self.MEMORY_STEP:
            self.chars = 0
            grown = (resident_bytes() or self.base) - self.base
            if grown > self.limits.max_memory_mb * 2**20:
                raise NotebookError("memory_limit", f"mining needed {grown / 2**20:.0f} MB, more than the limit of "
                                                    f"{self.limits.max_memory_mb} MB (stopped {self._where(cell)})")

    @staticmethod
    def _where(cell: int | None) -> str:
        """Where mining stopped, for the message (made only when a bound is exceeded: checked on every cell)."""
        return f"at cell {cell}" if cell is not None else "after the cells"


def analyse_cells(code_cells, is_python: bool, limits: Limits, local_modules=None, budget: "Budget | None" = None,
                  memo: CellMemo | None = None):
    """The static pass over a notebook's code cells, cell by cell: parse, bind imports, collect
    features and the def-use summary, then release the tree (see `mliter.traces.notebooks.code`).

    `local_modules` (optional) resolves a module imported from beside the notebook to the features
    of its functions (`mliter.traces.notebooks.modules`); calls into such modules that it cannot
    resolve are recorded on the cell as unresolved. `budget` (the notebook's time and memory bound)
    is checked after each cell is parsed, while its tree is alive. `memo` (optional, one per batch) parses a
    cell whose text it has seen before by copying (`CellMemo`; same results). Returns the cells and the
    module summaries."""
    from mliter.traces.notebooks.modules import bind_local_modules, mark_unresolved

    aliases: dict[str, str] = {}
    module_defs: dict[str, set[str]] = {}
    parsed = []
    unsummarised = False  # does the notebook import a module from beside it that was not summarised?
    parse = memo.parse if memo is not None and memo.limits == limits else lambda source: parse_cell(source, limits)
    with warnings.catch_warnings():  # once per notebook, not per cell: the author's invalid escapes are not ours
        warnings.simplefilter("ignore")
        for c in code_cells:
            if is_python:
                pc = parse(c.source)
                if budget is not None:
                    budget.check(c.index, len(c.source))
            else:  # an R or Julia notebook: counts and outputs are still read, the code is not parsed as Python
                pc = CellCode(len(c.source.splitlines()), "non_python" if c.source.strip() else "empty")
            import_aliases(pc, aliases)
            if pc.bindings:
                unsummarised |= bind_local_modules(pc, aliases, module_defs, local_modules)
            collect_uses(pc, aliases, limits)
            if unsummarised:
                mark_unresolved(pc, aliases, module_defs)
            parsed.append(pc)
    return parsed, module_defs


def mine_bytes(notebook_id: str, data: bytes, rules: StageRules, limits: Limits = Limits(),
               sha: str | None = None, local_modules=None, coder: Any = "default",
               keep_features: bool = False, memo: CellMemo | None = None) -> Mined:
    """Mine one notebook's bytes (`sha`: their SHA-256 when the caller has it already);
    raises `NotebookError` when the file cannot be read at all. `memo`: the batch's `CellMemo`, when
    notebooks are mined in a batch (cells seen before are not parsed again; same rows).

    `coder` is the learned stage coder (`mliter.traces.notebooks.learned.StageCoder`; "default": the shipped
    coding/stage_coder.csv, None: no learned stage); `keep_features` keeps its features per code cell on
    the result (`Mined.features`, for training: the same function makes them for training and mining).

    The cyclic garbage collector is paused while one notebook is mined: the work allocates
    hundreds of thousands of small acyclic objects (syntax nodes, feature strings) whose
    allocation would otherwise trigger full collections over everything the process holds;
    reference counting frees them all the same."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _mine_bytes(notebook_id, data, rules, limits, sha, local_modules, coder, keep_features, memo)
    finally:
        if was_enabled:
            gc.enable()


def _mine_bytes(notebook_id: str, data: bytes, rules: StageRules, limits: Limits,
                sha: str | None, local_modules, coder: Any = "default", keep_features: bool = False,
                memo: CellMemo | None = None) -> Mined:
    budget = Budget(limits)  # from the start: reading the JSON counts too
    sha = sha or hashlib.sha256(data).hexdigest()
    nb = parse_notebook(data, limits)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    parsed, module_defs = analyse_cells(code_cells, nb.language in PYTHON_LANGUAGES, limits, local_modules,
                                        budget, memo)

    counts = [c.execution_count for c in code_cells]
    metrics = order_metrics(counts)
    gaps = gaps_before(counts)
    labelled = rules.label_notebook(parsed, module_defs)
    if coder == "default":
        coder = default_coder()
    if coder is not None or keep_features:
        # what the notebook's markdown and stored outputs say about each code cell (round 7), the families kept
        context = context_features(nb.cells, CONTEXT_FAMILIES) if CONTEXT_FAMILIES else None
        feats = notebook_features(parsed, labelled, rules, ordered=keep_features,
                                  tokens=None if keep_features or coder is None else coder.open_tokens,
                                  context=context)
    else:
        feats = None
    learned = coder.predict(feats) if coder is not None and feats else None
    use_learned = learned is not None and default_producer() == "learned"
    budget.check(None)
    made = cell_rows(notebook_id, code_cells, parsed, labelled, gaps, learned, use_learned)
    stage_cells, stage_hidden = made.stage_cells, made.stage_hidden
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
        "n_error_outputs": made.n_error_outputs,
        "libraries": join_list(made.libraries),
        "n_apis": len(made.apis),
    }
    return Mined(row, made.rows, stage_rows, features=feats if keep_features else None)


def mine_ref(ref: NotebookRef, rules: StageRules, limits: Limits = Limits(), memo: CellMemo | None = None) -> Mined:
    """Read and mine one notebook file; any refusal becomes an error row naming the file (`memo`: see
    `mine_bytes`)."""
    sha = ""
    try:
        size = os.path.getsize(ref.file)
        if size > limits.max_bytes:
            raise NotebookError("too_large", f"{size} bytes exceeds the limit of {limits.max_bytes}")
        data = Path(ref.file).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        from mliter.traces.notebooks.modules import local_module_resolver

        return mine_bytes(ref.notebook_id, data, rules, limits, sha=sha,
                          local_modules=local_module_resolver(ref.file), memo=memo)
    except NotebookError as exc:
        reason, message = exc.reason, exc.message
    except OSError as exc:
        reason, message = "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"
    except Exception as exc:  # a bug must not stop the batch; it is recorded with its type
        reason, message = "internal_error", f"{type(exc).__name__} while mining"
    return Mined(error={"notebook_id": ref.notebook_id, "local_path": ref.local_path, "reason": reason,
                        "message": f"{ref.local_path}: {message}", "sha256": sha})


def _source_digest() -> str:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for f in sorted([*here.glob("*.py"), here.parents[1] / "corpus" / "notebooks.py"]):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def code_version() -> str:
    """A digest of the miner's own source, taken when it was imported: a checkpoint made by
    other code is not reused, and Dask workers running other code are refused."""
    return _CODE_VERSION


_CODE_VERSION: str = _source_digest()


def run_key(rules_digest: str, limits: Limits) -> str:
    """What a finished notebook's checkpoint entry depends on besides the file: rules, limits, code."""
    blob = json.dumps([rules_digest, limits.key(), code_version(), coder_digest()])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class Checkpoint:
    """Append-only JSON-lines record of finished notebooks, keyed by id, file state and `run_key`."""

    def __init__(self, path: Path, salt: str):
        self.path = Path(path)
        self.salt = salt
        self.done: dict[str, Mined] = {}
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line)
                        key, mined = rec["key"], Mined.from_json(rec["mined"])
                    except (ValueError, KeyError, TypeError, AttributeError):
                        continue  # a line cut short by an interruption: that notebook is mined again
                    if key.endswith("|" + salt):
                        self.done[key] = mined

    def key(self, ref: NotebookRef) -> str:
        try:
            st = os.stat(ref.file)
            state = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            state = "missing"
        return f"{ref.notebook_id}|{state}|{self.salt}"

    def add(self, key: str, mined: Mined) -> None:
        self.add_many([(key, mined)])

    def add_many(self, items: Sequence[tuple[str, Mined]]) -> None:
        """Append finished notebooks in one write (a chunk from a worker arrives together)."""
        if not items:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps({"key": k, "mined": m.to_json()}) + "\n" for k, m in items)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
        self.done.update(items)

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
    """Mine every notebook, resuming from `checkpoint` when given; results in input order.

    `dask_scheduler` spreads the work over Dask distributed (`local`, `local:N` or a
    scheduler address, see `mliter.traces.notebooks.distributed`), `chunk` notebooks per task;
    results stream back into the checkpoint as they finish and come out in input order, so the
    tables are the same bytes as a sequential run's.
    """
    from tqdm import tqdm

    ckpt = Checkpoint(checkpoint, run_key(rules_digest, limits)) if checkpoint else None
    keys = [ckpt.key(r) if ckpt else r.notebook_id for r in refs]
    results: dict[str, Mined] = {k: ckpt.done[k] for k in keys if ckpt and k in ckpt.done}
    todo = [(k, r) for k, r in zip(keys, refs) if k not in results]
    bar = tqdm(total=len(refs), initial=len(refs) - len(todo), unit="nb", desc="mining", disable=not progress)
    try:
        if dask_scheduler:
            from mliter.traces.notebooks.distributed import mine_distributed

            for finished in mine_distributed(todo, rules, limits, dask_scheduler, chunk):
                results.update(finished)
                if ckpt:
                    ckpt.add_many(finished)
                bar.update(len(finished))
        else:
            memo = CellMemo(limits)  # cells repeated across the batch's notebooks are parsed once
            for k, r in todo:
                mined = mine_ref(r, rules, limits, memo=memo)
                results[k] = mined
                if ckpt:
                    ckpt.add(k, mined)
                bar.update(1)
    finally:
        bar.close()
    return [results[k] for k in keys]


def digest_rules(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
