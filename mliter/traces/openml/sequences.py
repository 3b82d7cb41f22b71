"""OpenML iteration sequences: runs per (uploader, task) in upload order, coded by change type.

The study's OpenML trace dataset gives one row per run: the run's AUC, its distance from
the mean AUC on the task, the model and pre-processing operators with their parameters,
its position `iter` in the sequence of the same user on the same task, the change type
against the previous run of that sequence (`coding/change_types.yaml`, decided by the one
classifier `mliter.traces.changes.classify`), the change in AUC and the minutes since the
previous run. `sequence_rows` builds exactly those columns from an `OpenMLStore`.

What a run's records allow, and no more:

* order: by upload time, then run id; when a run of the sequence has no upload time (a
  run description carries none, a run list does), by run id alone -- OpenML numbers runs
  in upload order on a server.
* signature: the flow (its description, else its name rebuilt by `flow_from_name`) split
  into operators, with parameter values from the run's setup, else from the run
  description's parameter settings. Without parameter values only the structure is known.
* change type: `S` for the first run; the classifier's code when both signatures are
  complete; `N` when both runs used the same setup of the same flow (a setup fixes every
  parameter value); `C` when operators changed on both the model and the pre-processing
  side (visible from structure alone); otherwise empty: unknown, never guessed.
* AUC: the run-level `area_under_roc_curve` evaluation; `dist_from_mean_auc` uses the mean
  AUC of every run on the task when it was fetched (`fetch_live(task_means=True)`), else the
  mean over the mined runs of the task in the same collection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Any

from mliter.tables import join_list
from mliter.traces.changes import ChangeCodebook, classify, default_codebook
from mliter.traces.openml.parse import FlowComponent, OpenMLParseError, RunRecord, flow_class, flow_from_name
from mliter.traces.openml.signature import flow_signature, structure_signature
from mliter.traces.openml.store import AUC, OpenMLStore
from mliter.traces.versions.signature import Operator, Signature

#: The published columns of the study's OpenML runs table, in order.
PUBLISHED_COLUMNS = ("rid", "user_id", "task_id", "auc", "dist_from_mean_auc", "model", "model_params", "ppr",
                     "ppr_params", "iter", "change_type", "delta_auc", "start_time", "time_delta_in_mins")


@dataclass(frozen=True)
class RunSignature:
    """A run with what could be derived of its workflow."""

    run: RunRecord
    flow: FlowComponent | None
    flow_source: str  # description, name or "" (unknown)
    signature: Signature | None  # complete: operators with parameter values
    structure: Signature | None  # operators without parameters
    params_source: str  # setup, run or "" (unknown)
    problem: str = ""


def _flow_of(run: RunRecord, store: OpenMLStore) -> tuple[FlowComponent | None, str, str]:
    """The flow tree of a run: its description when it agrees with the run's flow name, else the name."""
    name = run.flow_name or store.flow_names.get(run.flow_id or -1, "")
    described = store.flows.get(run.flow_id) if run.flow_id is not None else None
    if described is not None and (not name or flow_class(name) == described.name):
        return described, "description", ""
    problem = ""
    if described is not None:
        problem = (f"run {run.run_id}: flow {run.flow_id} is described as {described.name!r} but the run names "
                   f"{flow_class(name)!r}; the run's name is used")
    if name:
        try:
            return flow_from_name(name, run.flow_id), "name", problem
        except OpenMLParseError as exc:
            return None, "", f"run {run.run_id}: {exc}"
    return None, "", problem


def _params_of(run: RunRecord, flow: FlowComponent, store: OpenMLStore):
    """`(params_of(component) -> {name: value}, source)`, or (None, "") when values are unknown."""
    by_flow: dict[int | None, dict[str, str]] = {}
    setup = store.setups.get(run.setup_id) if run.setup_id is not None else None
    if setup is not None and (setup.flow_id is None or setup.flow_id == run.flow_id):
        for p in setup.parameters:
            by_flow.setdefault(p.flow_id, {})[p.name] = p.value
        source = "setup"
    elif run.parameters is not None:
        for p in run.parameters:
            by_flow.setdefault(p.component, {})[p.name] = p.value
        source = "run"
    else:
        return None, ""
    if None in by_flow:  # settings without a component belong to the run's flow itself
        by_flow.setdefault(flow.flow_id, {}).update(by_flow.pop(None))
    known = {c.flow_id for c in flow.walk() if c.flow_id is not None}
    if set(by_flow) - known:
        return None, ""  # values for components the flow tree cannot place (a tree rebuilt from a name)
    return (lambda comp: by_flow.get(comp.flow_id, {}) if comp.flow_id is not None else {}), source


def run_signature(run: RunRecord, store: OpenMLStore) -> RunSignature:
    """Derive what can be derived of one run's workflow (never raises on missing parts)."""
    flow, flow_source, problem = _flow_of(run, store)
    if flow is None:
        return RunSignature(run, None, "", None, None, "", problem)
    structure = structure_signature(flow)
    params_of, params_source = _params_of(run, flow, store)
    signature = flow_signature(flow, params_of) if params_of is not None else None
    return RunSignature(run, flow, flow_source, signature, structure, params_source, problem)


def change_type(prev: RunSignature | None, cur: RunSignature, book: ChangeCodebook) -> str:
    """The code of `cur` against the previous run of its sequence (see the module docstring); '' when unknown."""
    if prev is None:
        return classify(None, cur.signature or cur.structure or Signature(), book).code
    if prev.signature is not None and cur.signature is not None:
        return classify(prev.signature, cur.signature, book).code
    a, b = prev.run, cur.run
    if a.setup_id is not None and a.setup_id == b.setup_id and a.flow_id == b.flow_id:
        return "N"
    if prev.structure is not None and cur.structure is not None:
        code = classify(prev.structure, cur.structure, book).code
        if code == "C":
            return code
    return ""


def _ops_json(ops: Iterable[Operator]) -> str:
    """`{operator: {parameter: value}}` as canonical JSON (repeated operators get `#2`, `#3`)."""
    out: dict[str, Any] = {}
    for op in sorted(ops):
        key, n = op.name, 1
        while key in out:
            n += 1
            key = f"{op.name}#{n}"
        out[key] = {k: json.loads(v) for k, v in op.params}
    return json.dumps(out, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _minutes(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    delta = datetime.fromisoformat(b.replace("Z", "+00:00")) - datetime.fromisoformat(a.replace("Z", "+00:00"))
    return round(delta.total_seconds() / 60, 3)


def order_sequence(runs: list[RunRecord]) -> list[RunRecord]:
    """Upload order: by time then id when every run has a time, else by run id."""
    if all(r.upload_time for r in runs):
        return sorted(runs, key=lambda r: (r.upload_time, r.run_id))
    return sorted(runs, key=lambda r: r.run_id)


@dataclass(frozen=True)
class MinedRun:
    """One output row (the published columns) and its provenance."""

    row: dict[str, Any]
    collection: str
    derived: RunSignature
    files: tuple[str, ...]
    provenance: dict[str, dict[str, str]]  # file or URL -> source, license, retrieved_at


def sequence_rows(store: OpenMLStore, codebook: ChangeCodebook | None = None) -> list[MinedRun]:
    """Rows in the published schema for every run of `store` that has an uploader and a task."""
    book = codebook or default_codebook()
    runs = store.runs()
    by_seq: dict[tuple[int, int], list[RunRecord]] = {}
    for run in runs.values():
        if run.uploader is None or run.task_id is None:
            store.note(f"run {run.run_id}: no uploader or task recorded; it cannot be placed in a sequence")
            continue
        by_seq.setdefault((run.uploader, run.task_id), []).append(run)

    def auc_of(run: RunRecord) -> float | None:
        """The run's own evaluation, else its entry in the task-wide evaluation list."""
        value = run.evaluation.get(AUC)
        return value if value is not None else store.task_auc.get(run.task_id or -1, {}).get(run.run_id)

    task_aucs: dict[int, list[float]] = {}
    for run in runs.values():
        if run.task_id is not None and auc_of(run) is not None:
            task_aucs.setdefault(run.task_id, []).append(auc_of(run))
    task_mean = {t: fmean(v) for t, v in task_aucs.items()}
    task_mean.update({t: fmean(v.values()) for t, v in store.task_auc.items() if v})  # all runs on the task
    out: list[MinedRun] = []
    for (user, task), seq in sorted(by_seq.items()):
        prev: RunSignature | None = None
        for i, run in enumerate(order_sequence(seq), start=1):
            cur = run_signature(run, store)
            if cur.problem:
                store.note(cur.problem)
            auc = auc_of(run)
            prev_auc = auc_of(prev.run) if prev is not None else None
            sig = cur.signature or cur.structure
            row = {
                "rid": run.run_id, "user_id": user, "task_id": task, "auc": auc,
                "dist_from_mean_auc": auc - task_mean[task] if auc is not None else None,
                "model": join_list(op.name for op in sig.model) if sig else "",
                "model_params": _ops_json(cur.signature.model) if cur.signature else "",
                "ppr": join_list(op.name for op in sig.preprocessing) if sig else "",
                "ppr_params": _ops_json(cur.signature.preprocessing) if cur.signature else "",
                "iter": i, "change_type": change_type(prev, cur, book),
                "delta_auc": auc - prev_auc if prev is not None and auc is not None and prev_auc is not None else None,
                "start_time": run.upload_time,
                "time_delta_in_mins": _minutes(prev.run.upload_time, run.upload_time) if prev is not None else None,
            }
            files = tuple(sorted(store.run_files.get(run.run_id, ())))
            out.append(MinedRun(row, store.collection, cur, files,
                                {f: store.provenance[f] for f in files if f in store.provenance}))
            prev = cur
    return out
