"""The typed provenance graph of one pipeline (networkx): executions and artifacts joined by events.

Nodes are `("execution", id)` and `("artifact", id)` carrying their record as `record`; an
input event is an edge artifact -> execution, an output event execution -> artifact, so
lineage is reachability. MLflow runs are joined to their parent run by a `parent` edge
parent -> child (runs have no artifacts between them).
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterable

import networkx as nx

from mliter.traces.pipelines.model import Provenance


def ex(node_id: str) -> tuple[str, str]:
    return ("execution", node_id)


def art(node_id: str) -> tuple[str, str]:
    return ("artifact", node_id)


def build(prov: Provenance) -> nx.DiGraph:
    g = nx.DiGraph()
    for e in prov.executions:
        g.add_node(ex(e.id), record=e)
    for a in prov.artifacts:
        g.add_node(art(a.id), record=a)
    for ev in prov.events:
        if ev.kind == "input":
            g.add_edge(art(ev.artifact), ex(ev.execution), kind="input")
        else:
            g.add_edge(ex(ev.execution), art(ev.artifact), kind="output")
    ids = {e.id for e in prov.executions}
    for e in prov.executions:
        if e.parent and e.parent in ids:
            g.add_edge(ex(e.parent), ex(e.id), kind="parent")
    return g


def executions(nodes: Iterable[tuple[str, str]]) -> set[str]:
    return {n[1] for n in nodes if n[0] == "execution"}


def upstream_executions(g: nx.DiGraph, execution_id: str) -> set[str]:
    """Every execution whose outputs fed `execution_id`, directly or not."""
    return executions(nx.ancestors(g, ex(execution_id)))


def downstream_executions(g: nx.DiGraph, execution_id: str, stop: Callable[[str], bool]) -> set[str]:
    """Executions reachable from `execution_id`'s outputs, not walking past executions where `stop` holds."""
    seen: set[tuple[str, str]] = set()
    out: set[str] = set()
    todo = deque(g.successors(ex(execution_id)))
    while todo:
        node = todo.popleft()
        if node in seen:
            continue
        seen.add(node)
        if node[0] == "execution":
            if stop(node[1]):
                continue
            out.add(node[1])
        todo.extend(g.successors(node))
    return out


def outputs(g: nx.DiGraph, execution_id: str) -> list:
    return [g.nodes[n]["record"] for n in g.successors(ex(execution_id)) if n[0] == "artifact"]


def inputs(g: nx.DiGraph, execution_id: str) -> list:
    return [g.nodes[n]["record"] for n in g.predecessors(ex(execution_id)) if n[0] == "artifact"]


def producers(g: nx.DiGraph, artifact_id: str) -> list:
    return [g.nodes[n]["record"] for n in g.predecessors(art(artifact_id)) if n[0] == "execution"]
