"""Rows of the shipped tables from one pipeline's records and graphlets (pure functions).

Compute is the recorded wall time of executions (end minus start, ML Metadata's
last-update minus create time); a store that records no durations says so in
`duration_unit` and every share is then counted in executions instead. Compute in a
graphlet that pushed nothing is the waste the SIGMOD study measured; the part of it after
data validation (everything but ingestion and validation) is what early pruning saves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
import time

from mliter.traces.pipelines.graphlets import SIGNATURES, change_type, changes_between
from mliter.traces.pipelines.model import BEFORE_PRUNING, Graphlet, Provenance

INCOMPLETE_STATES = frozenset({"FAILED", "CANCELED", "RUNNING", "NEW", "KILLED", "SCHEDULED", "UNKNOWN"})


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def _sum(values) -> float:
    """Exactly rounded (math.fsum), so the order executions come in never changes a byte."""
    return math.fsum(v for v in values if v is not None)


@dataclass
class PipelineRows:
    executions: list[dict] = field(default_factory=list)
    artifacts: list[dict] = field(default_factory=list)
    graphlets: list[dict] = field(default_factory=list)
    pipeline: dict = field(default_factory=dict)


def pipeline_rows(prov: Provenance, graphlets: list[Graphlet]) -> PipelineRows:
    """Execution, artifact, graphlet and pipeline rows of one pipeline (artifacts it owns only)."""
    out = PipelineRows()
    by_id = {e.id: e for e in prov.executions}
    pipeline = prov.executions[0].pipeline if prov.executions else ""
    timed = prov.has_durations
    part: dict[str, tuple[int, str]] = {}
    for gl in graphlets:
        for i in gl.upstream:
            part[i] = (gl.index, "upstream")
        part[gl.trainer] = (gl.index, "trainer")
        for i in gl.downstream:
            part[i] = (gl.index, "downstream")
    for e in prov.executions:
        idx, where = part.get(e.id, (None, ""))
        out.executions.append({
            "store": prov.store, "pipeline": e.pipeline, "execution_id": e.id, "component": e.component,
            "type": e.type, "state": e.state, "start_time": iso(e.start_ms), "end_time": iso(e.end_ms),
            "duration_s": e.duration_s, "graphlet_index": idx, "graphlet_part": where, "parent_id": e.parent or "",
        })
    producer: dict[str, str] = {}
    written: dict[str, list[str]] = {}
    for ev in prov.events:
        if ev.kind == "output":
            producer.setdefault(ev.artifact, ev.execution)
            written.setdefault(ev.execution, []).append(ev.artifact)
    pushed_by: dict[str, str] = {}
    for gl in graphlets:
        if gl.pushed:
            for i in gl.members:
                for a in written.get(i, ()):
                    pushed_by[a] = gl.push_kind
    for a in prov.artifacts:
        if prov.owned_artifacts is not None and a.id not in prov.owned_artifacts:
            continue
        is_push = a.type in ("PushedModel", "system.PushedModel", "ModelVersion")
        out.artifacts.append({
            "store": prov.store, "artifact_id": a.id, "type": a.type, "state": a.state,
            "create_time": iso(a.create_ms), "producer_execution_id": producer.get(a.id, ""),
            "push_kind": pushed_by.get(a.id, "") if is_push else "",
        })
    prev = None
    for gl in graphlets:
        members = [by_id[i] for i in gl.members if i in by_id]
        prunable = [e for e in members if e.role not in BEFORE_PRUNING]
        changed = changes_between(prev, gl)
        trainer = by_id[gl.trainer]
        row = {
            "store": prov.store, "pipeline": gl.pipeline, "graphlet_index": gl.index, "trainer_id": gl.trainer,
            "trainer_state": trainer.state, "start_time": iso(trainer.start_ms),
            "n_upstream": len(gl.upstream), "n_downstream": len(gl.downstream), "n_executions": len(members),
            "n_prunable": len(prunable),
            "n_incomplete_upstream": sum(by_id[i].state in INCOMPLETE_STATES for i in gl.upstream if i in by_id),
            "compute_s": _sum(e.duration_s for e in members) if timed else None,
            "compute_prunable_s": _sum(e.duration_s for e in prunable) if timed else None,
            "pushed": gl.pushed, "push_kind": gl.push_kind,
            "previous_pushed": prev.pushed if prev is not None else None,
            "change_type": change_type(prev, changed),
        }
        for k in SIGNATURES:
            row[f"{k}_changed"] = changed[k]
            row[f"{k}_sig"] = gl.signatures.get(k, "")
        out.graphlets.append(row)
        prev = gl
    in_graphlets = set(part)
    unpushed = {i for gl in graphlets if not gl.pushed for i in gl.members}
    starts = [e.start_ms for e in prov.executions if e.start_ms is not None]
    n_pushed = sum(gl.pushed for gl in graphlets)
    out.pipeline = {
        "store": prov.store, "pipeline": pipeline, "n_executions": len(prov.executions),
        "n_graphlets": len(graphlets), "n_pushed": n_pushed,
        "pushed_share": n_pushed / len(graphlets) if graphlets else None,
        "n_executions_in_graphlets": len(in_graphlets),
        "n_executions_unpushed": len(unpushed),
        "duration_unit": "seconds" if timed else "executions",
        "compute_s": _sum(e.duration_s for e in prov.executions) if timed else None,
        "compute_in_graphlets_s": _sum(by_id[i].duration_s for i in in_graphlets) if timed else None,
        "compute_unpushed_s": _sum(by_id[i].duration_s for i in unpushed) if timed else None,
        "first_time": iso(min(starts)) if starts else None, "last_time": iso(max(starts)) if starts else None,
    }
    return out
