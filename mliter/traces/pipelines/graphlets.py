"""Cut a pipeline's history into model graphlets (Xin et al., SIGMOD 2021) and compare consecutive ones.

ML Metadata: a training execution (a Trainer, or any execution that outputs a Model
artifact) heads a graphlet. Its upstream part is every execution of the same pipeline that
fed it (lineage through artifacts) and started since the previous training of the pipeline,
unless an earlier graphlet already holds it, together with the executions of the pipeline
that ran since then and feed no training (a validation whose anomalies nobody read, a
Transform that never finished); its downstream part is every evaluation,
validation, resolver and push execution reached from its outputs without passing another
training. Evaluations, resolvers and pushes that no lineage ties to a training (a Resolver has
no recorded inputs) join the latest training that started before them. A graphlet is pushed
when its downstream part wrote a PushedModel artifact not marked `pushed=0`.

MLflow (no pipelines): an experiment is the pipeline, each top-level run a training and so a
graphlet, its child runs (recursively) its sub-pipeline; it is pushed when one of its runs
has a registered model version (`push_kind` says whether a version only, a stage other than
None, or an alias points at it). See docs/pipelines.md.
"""

from __future__ import annotations

import bisect
import hashlib
import json

import networkx as nx

from mliter.traces import changes
from mliter.traces.pipelines import graph as G
from mliter.traces.pipelines.model import DOWNSTREAM_ROLES, Execution, Graphlet, Provenance

MODEL_TYPES = frozenset({"Model", "system.Model", "mlmd.Model"})
PUSHED_TYPES = frozenset({"PushedModel", "system.PushedModel"})
CODE_KEYS = frozenset({"module_file", "module_path", "run_fn", "trainer_fn", "preprocessing_fn", "tuner_fn",
                       "stats_options_updater_fn", "module_fn"})
HPARAM_KEYS = frozenset({"train_args", "eval_args", "custom_config", "hyperparameters", "train_steps", "eval_steps"})
DATA_KEYS = ("span", "version", "input_fingerprint")
SIGNATURES = ("data", "code", "hparams", "schema")
#: What each compared part of a graphlet is called in the change-type codebook (coding/change_types.yaml).
CODEBOOK_FACETS = {"data": "data_source", "code": "code", "hparams": "model_hyperparameter"}
PUSH_RANK = {"": 0, "version": 1, "stage": 2, "alias": 3, "pushed_model": 3}


def digest(parts) -> str:
    """Short stable digest of a signature's parts; "" when there are none (unknown, not 'unchanged')."""
    parts = sorted(set(parts))
    if not parts:
        return ""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def _start(e: Execution) -> tuple:
    return (e.start_ms if e.start_ms is not None else -1, _num(e.id))


def _num(text: str):
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def is_training(g: nx.DiGraph, e: Execution) -> bool:
    if e.component == "Trainer":
        return True
    return any(a.type in MODEL_TYPES for a in G.outputs(g, e.id))


# -- ML Metadata ------------------------------------------------------------------------------

def _mlmd_signatures(g: nx.DiGraph, trainer: Execution, by_id: dict[str, Execution]) -> dict[str, str]:
    ancestors = [by_id[i] for i in G.upstream_executions(g, trainer.id) if i in by_id]
    data = []
    for e in ancestors:
        if e.component == "ExampleGen":
            for a in G.outputs(g, e.id):
                data += [(a.type, k, v) for k, v in a.properties if k in DATA_KEYS]
    code = [(e.component, k, v) for e in ancestors + [trainer] for k, v in e.config
            if k in CODE_KEYS and v not in ("", "None", "null")]
    hp = [(k, v) for k, v in trainer.config if k in HPARAM_KEYS]
    hp += [("input", a.type, a.id) for a in G.inputs(g, trainer.id) if a.type == "HyperParameters"]
    schema = []
    for a in G.inputs(g, trainer.id):
        if a.type != "Schema":
            continue
        for p in G.producers(g, a.id):
            schema += [(p.component, k, v) for k, v in p.config if k != "component_id"]
            schema.append((p.component, "kind", p.type.rsplit(".", 1)[-1]))
            if p.type.endswith("SchemaGen") and not p.type.endswith("ImportSchemaGen"):
                schema.append(("inferred_from", digest(data)))
    return {"data": digest(data), "code": digest(code), "hparams": digest(hp), "schema": digest(schema)}


def _pushed_mlmd(g: nx.DiGraph, members) -> bool:
    for i in members:
        for a in G.outputs(g, i):
            if a.type in PUSHED_TYPES and (a.prop("pushed") or "1") not in ("0", "false"):
                return True
    return False


def cut_mlmd(prov: Provenance, g: nx.DiGraph | None = None) -> list[Graphlet]:
    """The graphlets of one pipeline's `Provenance` (ML Metadata), in training order."""
    g = G.build(prov) if g is None else g
    by_id = {e.id: e for e in prov.executions}
    key = {e.id: _start(e) for e in prov.executions}
    trainers = sorted((e for e in prov.executions if is_training(g, e)), key=lambda e: key[e.id])
    trainer_ids = {t.id for t in trainers}
    starts = [key[t.id] for t in trainers]
    claimed: set[str] = set(trainer_ids)
    parts: list[tuple[list[str], list[str]]] = []
    for i, t in enumerate(trainers):
        since = starts[i - 1] if i else (-2, (0, 0, ""))
        up = [x for x in G.upstream_executions(g, t.id) if x in by_id and x not in claimed and key[x] >= since]
        claimed.update(up)
        down = [x for x in G.downstream_executions(g, t.id, trainer_ids.__contains__)
                if x in by_id and x not in claimed and by_id[x].role in DOWNSTREAM_ROLES | {"other"}]
        claimed.update(down)
        parts.append((up, down))
    for e in sorted((e for e in prov.executions if e.id not in claimed), key=lambda e: key[e.id]):
        # executions no lineage ties to a training
        if e.role in DOWNSTREAM_ROLES:
            k = bisect.bisect_right(starts, key[e.id]) - 1  # the latest training started before it
            if k >= 0:
                parts[k][1].append(e.id)
                claimed.add(e.id)
        else:  # ran since the previous training (a validation whose output no one read, a failed Transform)
            k = bisect.bisect_left(starts, key[e.id])  # the next training
            if k < len(trainers):
                parts[k][0].append(e.id)
                claimed.add(e.id)
    out = []
    for i, (t, (up, down)) in enumerate(zip(trainers, parts)):
        up = sorted(up, key=key.__getitem__)
        down = sorted(down, key=key.__getitem__)
        pushed = _pushed_mlmd(g, down)
        out.append(Graphlet(prov.store, t.pipeline, i + 1, t.id, tuple(up), tuple(down), pushed,
                            "pushed_model" if pushed else "", _mlmd_signatures(g, t, by_id)))
    return out


# -- MLflow -------------------------------------------------------------------------------------

def _mlflow_signatures(runs: list[Execution]) -> dict[str, str]:
    root = runs[0]
    params = [(k, v) for r in runs for k, v in r.config if k.startswith("param:")]
    code = [(k, v) for k, v in root.config if k in ("tag:mlflow.source.git.commit", "tag:mlflow.source.name",
                                                     "tag:mlflow.project.entryPoint")]
    data = [v for r in runs for k, v in r.config if k == "dataset"]
    schema = [v for r in runs for k, v in r.config if k == "dataset_schema"]
    return {"data": digest(data), "code": digest(code), "hparams": digest(params), "schema": digest(schema)}


def cut_mlflow(prov: Provenance, g: nx.DiGraph | None = None) -> list[Graphlet]:
    """The graphlets of one experiment: a top-level run and its descendants each."""
    g = G.build(prov) if g is None else g
    ids = {e.id for e in prov.executions}
    children: dict[str, list[Execution]] = {}
    roots = []
    for e in prov.executions:
        if e.parent and e.parent in ids and e.parent != e.id:
            children.setdefault(e.parent, []).append(e)
        else:
            roots.append(e)
    out = []
    for i, root in enumerate(sorted(roots, key=_start)):
        members, todo, seen = [], list(children.get(root.id, ())), {root.id}
        while todo:
            r = todo.pop()
            if r.id in seen:
                continue
            seen.add(r.id)
            members.append(r)
            todo += children.get(r.id, ())
        members.sort(key=_start)
        kind = ""
        for r in [root] + members:
            for a in G.outputs(g, r.id):
                k = "alias" if a.prop("aliases") else "stage" if (a.prop("stage") or "None") != "None" else "version"
                kind = max(kind, k, key=PUSH_RANK.get)
        out.append(Graphlet(prov.store, root.pipeline, i + 1, root.id, (), tuple(m.id for m in members),
                            bool(kind), kind, _mlflow_signatures([root] + members)))
    return out


def cut(prov: Provenance) -> tuple[nx.DiGraph, list[Graphlet]]:
    g = G.build(prov)
    return g, (cut_mlflow(prov, g) if prov.kind == "mlflow" else cut_mlmd(prov, g))


# -- what changed between consecutive graphlets ----------------------------------------------------

def changes_between(prev: Graphlet | None, cur: Graphlet) -> dict[str, bool | None]:
    """Per compared part: True changed, False same, None when either side records nothing."""
    out: dict[str, bool | None] = {}
    for part in SIGNATURES:
        a = prev.signatures.get(part, "") if prev else ""
        b = cur.signatures.get(part, "")
        out[part] = None if prev is None or not a or not b else a != b
    return out


_CODEBOOK = None


def change_type(prev: Graphlet | None, changed: dict[str, bool | None]) -> str:
    """The change-type code (coding/change_types.yaml) of a graphlet against the previous one.

    Data -> data_source, code or module -> code, hyperparameters -> model_hyperparameter; a
    schema change has no facet in the codebook and is reported in its own column only.
    """
    global _CODEBOOK
    if _CODEBOOK is None:
        _CODEBOOK = changes.default_codebook()
    if prev is None:
        return _CODEBOOK.decide(frozenset({"first"}))
    facets = frozenset(CODEBOOK_FACETS[k] for k, v in changed.items() if v and k in CODEBOOK_FACETS)
    return _CODEBOOK.decide(facets)
