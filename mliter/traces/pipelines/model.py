"""Typed records of a provenance store, shared by every reader and by the graphlet cutter.

An ML Metadata store and an MLflow tracking store are both read into one `Provenance`:
executions (an MLMD execution, an MLflow run), artifacts (an MLMD artifact, an MLflow
registered model version) and events (which execution read or wrote which artifact).
Identifiers are kept as the store gives them (as strings), so every table can point back
into the store; property values are kept only to compare consecutive graphlets and are
never shipped (the tables carry digests of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mliter.errors import MliterError


class StoreError(MliterError):
    """A store that cannot be read: the message names the store and says why."""

    def __init__(self, store: str, reason: str, kind: str = "unreadable"):
        super().__init__(f"{store}: {reason}")
        self.store = store
        self.reason = reason
        self.kind = kind


#: Normalised component kinds and the part of a pipeline they belong to. A type name is
#: matched on its last dotted segment (`tfx.components.trainer.component.Trainer` -> Trainer).
COMPONENT_ROLES = {
    "ExampleGen": "ingest",
    "StatisticsGen": "validate",
    "SchemaGen": "validate",
    "ExampleValidator": "validate",
    "Transform": "transform",
    "Tuner": "train",
    "Trainer": "train",
    "Evaluator": "evaluate",
    "ModelValidator": "evaluate",
    "InfraValidator": "evaluate",
    "BulkInferrer": "evaluate",
    "Pusher": "push",
    "Resolver": "resolve",
    "Importer": "ingest",
    "run": "train",  # an MLflow run
}

#: Roles that come before training and are kept when a graphlet is pruned early.
BEFORE_PRUNING = frozenset({"ingest", "validate"})
#: Roles that form a graphlet's downstream part.
DOWNSTREAM_ROLES = frozenset({"evaluate", "push", "resolve"})


def component_of(type_name: str) -> str:
    """The normalised component kind of an execution type name."""
    last = type_name.rsplit(".", 1)[-1]
    if last.endswith("ExampleGen"):
        return "ExampleGen"
    if last == "ImportSchemaGen":
        return "SchemaGen"
    if last in COMPONENT_ROLES:
        return last
    if type_name in ("mlmd.Train",):
        return "Trainer"
    if type_name in ("mlmd.Evaluate",):
        return "Evaluator"
    if type_name in ("mlmd.Deploy",):
        return "Pusher"
    return last or "unknown"


def role_of(component: str) -> str:
    return COMPONENT_ROLES.get(component, "other")


@dataclass(frozen=True)
class Execution:
    """One execution (MLMD) or run (MLflow); times are milliseconds since the epoch."""

    id: str
    type: str
    component: str
    state: str
    pipeline: str
    start_ms: int | None = None
    end_ms: int | None = None
    parent: str | None = None
    config: tuple[tuple[str, str], ...] = ()

    @property
    def role(self) -> str:
        return role_of(self.component)

    @property
    def duration_s(self) -> float | None:
        if self.start_ms is None or self.end_ms is None or self.end_ms < self.start_ms:
            return None
        return (self.end_ms - self.start_ms) / 1000.0


@dataclass(frozen=True)
class Artifact:
    """One artifact (MLMD) or registered model version (MLflow)."""

    id: str
    type: str
    state: str
    create_ms: int | None = None
    properties: tuple[tuple[str, str], ...] = ()

    def prop(self, name: str) -> str | None:
        return next((v for k, v in self.properties if k == name), None)


@dataclass(frozen=True)
class Event:
    execution: str
    artifact: str
    kind: str  # "input" or "output"


@dataclass
class Provenance:
    """Everything mined from one store; `kind` is "mlmd" or "mlflow"."""

    store: str
    kind: str
    uri: str
    schema_version: str
    executions: list[Execution] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Ids of the artifacts whose row this pipeline emits (an artifact read by several pipelines is
    #: emitted once, by the pipeline of its first execution); None: every artifact listed.
    owned_artifacts: set[str] | None = None

    @property
    def has_durations(self) -> bool:
        return any((e.duration_s or 0) > 0 for e in self.executions)


@dataclass(frozen=True)
class Graphlet:
    """One model training with what fed it since the previous training and what followed it."""

    store: str
    pipeline: str
    index: int
    trainer: str
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]
    pushed: bool
    push_kind: str  # "", "pushed_model", "version", "stage", "alias"
    signatures: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        return f"{self.pipeline}#{self.index}"

    @property
    def members(self) -> tuple[str, ...]:
        return self.upstream + (self.trainer,) + self.downstream
