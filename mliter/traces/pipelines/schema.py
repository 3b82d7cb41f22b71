"""Declared tables of mined provenance stores: stores, pipelines, graphlets, executions, artifacts.

Rows carry identifiers (store names, the store's own execution, artifact, run and context
ids), type names, states, times and derived values; configuration values are never shipped,
only short digests that say whether consecutive graphlets differ.
"""

from mliter.tables import Column, ForeignKey, Table
from mliter.traces.changes import default_codebook

_CODES = tuple(c.code for c in default_codebook().codes)
_PUSH_KINDS = ("pushed_model", "version", "stage", "alias")

_STORE = Column("store", "string", "Name of the store mined (its file or folder name, or NAME given as "
                "NAME=URI on the command line).", required=True)
_PIPELINE = Column("pipeline", "string", "Pipeline: the name of the ML Metadata pipeline context (run context, "
                   "when an execution has none), or the MLflow experiment id.", required=False)

PIPELINE_STORES = Table(
    name="pipeline_stores",
    path="traces/pipelines/stores.csv",
    title="Provenance stores mined, one row each, with what could be read",
    description="Every store given to `mliter mine pipelines`: its kind, schema version and counts, or the error "
                "that stopped it (a store that cannot be read is an error row; the others are mined).",
    columns=(
        _STORE,
        Column("kind", "string", "mlmd (ML Metadata, SQLite or MySQL/MariaDB) or mlflow (file, SQL store or "
               "tracking server); empty when the kind could not be told.", enum=("mlmd", "mlflow")),
        Column("uri", "string", "Where the store was read, as given (URLs without passwords; shared stores "
               "relative to the shared data folder)."),
        Column("schema_version", "string", "MLMDEnv.schema_version (ML Metadata), the alembic revision (MLflow SQL "
               "store, before the temporary upgrade), `file` or `server`."),
        Column("status", "string", "ok, or error.", required=True, enum=("ok", "error")),
        Column("error_kind", "string", "Why the store could not be read.",
               enum=("missing", "corrupt", "locked", "schema", "wrong_kind", "empty", "no_training",
                     "unreadable", "missing_client")),
        Column("error", "string", "The error message (names the store)."),
        Column("n_pipelines", "integer", "Pipelines (contexts or experiments) with at least one execution.",
               minimum=0),
        Column("n_executions", "integer", "Executions (ML Metadata) or runs (MLflow).", minimum=0),
        Column("n_artifacts", "integer", "Artifacts touched by an event (ML Metadata) or registered model "
               "versions (MLflow).", minimum=0),
        Column("n_graphlets", "integer", "Model graphlets (training executions).", minimum=0),
        Column("n_pushed", "integer", "Graphlets that pushed a model.", minimum=0),
        Column("has_durations", "boolean", "Whether the store records execution durations (else compute is "
               "counted in executions)."),
    ),
    primary_key=("store",),
)

PIPELINES = Table(
    name="pipeline_summary",
    path="traces/pipelines/pipelines.csv",
    title="Pipelines of the mined stores: graphlets, share pushed and compute spent in graphlets that pushed nothing",
    description="One row per pipeline. Compute is recorded wall time in seconds when the store records durations; "
                "where it does not (`duration_unit` executions) the compute columns are empty and the execution "
                "counts stand in for it.",
    columns=(
        _STORE, _PIPELINE,
        Column("n_executions", "integer", "Executions or runs of the pipeline.", required=True, minimum=0),
        Column("n_graphlets", "integer", "Model graphlets.", required=True, minimum=0),
        Column("n_pushed", "integer", "Graphlets that pushed a model.", required=True, minimum=0),
        Column("pushed_share", "number", "n_pushed / n_graphlets; empty without graphlets.", minimum=0, maximum=1),
        Column("n_executions_in_graphlets", "integer", "Executions that belong to a graphlet.", minimum=0),
        Column("n_executions_unpushed", "integer", "Executions in graphlets that pushed nothing.", minimum=0),
        Column("duration_unit", "string", "seconds, or executions when the store records no durations.",
               required=True, enum=("seconds", "executions")),
        Column("compute_s", "number", "Recorded compute of every execution of the pipeline.", unit="s", minimum=0),
        Column("compute_in_graphlets_s", "number", "Compute of executions in graphlets.", unit="s", minimum=0),
        Column("compute_unpushed_s", "number", "Compute of executions in graphlets that pushed nothing (waste).",
               unit="s", minimum=0),
        Column("first_time", "datetime", "Start of the pipeline's first execution, UTC."),
        Column("last_time", "datetime", "Start of its last execution, UTC."),
    ),
    primary_key=("store", "pipeline"),
    foreign_keys=(ForeignKey(("store",), "pipeline_stores", ("store",)),),
)

_CHANGED = {
    "data": "input data (span, version and fingerprint of the examples ingested; MLflow dataset inputs)",
    "code": "code or module (user module files and functions of Transform, Tuner and Trainer; MLflow source "
            "commit and entry point)",
    "hparams": "hyperparameters (Trainer train/eval args and custom config, tuned hyperparameters; MLflow params)",
    "schema": "schema (the Schema the Trainer read: how it was made, and from which data when inferred; MLflow "
              "dataset schema)",
}

GRAPHLETS = Table(
    name="pipeline_graphlets",
    path="traces/pipelines/graphlets.csv",
    title="Model graphlets: one model training with what fed it and what followed it",
    description="One row per training execution (ML Metadata) or top-level run (MLflow), numbered in training "
                "order within its pipeline; see docs/pipelines.md for how a graphlet is cut and when it counts as "
                "pushed. The *_changed columns compare it with the previous graphlet of the pipeline (empty on the "
                "first, and when either records nothing); the *_sig columns are short digests of what was compared.",
    columns=(
        _STORE, _PIPELINE,
        Column("graphlet_index", "integer", "Position in the pipeline's training order, 1 = first.", required=True,
               minimum=1),
        Column("trainer_id", "string", "Execution id of the training (MLflow run id).", required=True),
        Column("trainer_state", "string", "Its last known state."),
        Column("start_time", "datetime", "Start of the training, UTC."),
        Column("n_upstream", "integer", "Upstream executions in the graphlet.", minimum=0),
        Column("n_downstream", "integer", "Downstream executions (evaluation, validation, push; MLflow child runs).",
               minimum=0),
        Column("n_executions", "integer", "All executions of the graphlet, the training included.", minimum=1),
        Column("n_prunable", "integer", "Executions after data validation: what early pruning skips.", minimum=0),
        Column("n_incomplete_upstream", "integer", "Upstream executions that failed, were cancelled or never "
               "finished.", minimum=0),
        Column("compute_s", "number", "Recorded compute of the graphlet; empty when the store records no "
               "durations.", unit="s", minimum=0),
        Column("compute_prunable_s", "number", "Compute of its executions after data validation.", unit="s",
               minimum=0),
        Column("pushed", "boolean", "Whether the graphlet pushed a model (a PushedModel artifact; an MLflow "
               "registered model version).", required=True),
        Column("push_kind", "string", "How: pushed_model (ML Metadata), or the strongest of version, stage, alias "
               "(MLflow registry).", enum=_PUSH_KINDS),
        Column("previous_pushed", "boolean", "Whether the previous graphlet of the pipeline pushed; empty on the "
               "first."),
        Column("change_type", "string", "Change type against the previous graphlet in the codebook "
               "coding/change_types.yaml (S first; H hyperparameters; D data; O code or module; N none of these).",
               enum=_CODES),
        *[c for part, what in _CHANGED.items() for c in (
            Column(f"{part}_changed", "boolean", f"Whether the {what} differs from the previous graphlet."),
            Column(f"{part}_sig", "string", f"Digest of the {part} compared (sha256 prefix); empty when the store "
                   "records none."),
        )],
    ),
    primary_key=("store", "pipeline", "graphlet_index"),
    foreign_keys=(ForeignKey(("store", "pipeline"), "pipeline_summary", ("store", "pipeline")),),
)

EXECUTIONS = Table(
    name="pipeline_executions",
    path="traces/pipelines/executions.csv",
    title="Executions (ML Metadata) and runs (MLflow) of the mined stores, with their graphlet",
    description="One row per execution or run: its component, state, times and the graphlet part it belongs to "
                "(empty when it belongs to none, e.g. a pipeline that never trained).",
    columns=(
        _STORE, _PIPELINE,
        Column("execution_id", "string", "The store's execution id (MLflow run id).", required=True),
        Column("component", "string", "Normalised component kind (ExampleGen, StatisticsGen, SchemaGen, "
               "ExampleValidator, Transform, Tuner, Trainer, Evaluator, Pusher, Resolver...; `run` for MLflow).",
               required=True),
        Column("type", "string", "The store's execution type name (mlflow.run for MLflow).", required=True),
        Column("state", "string", "Last known state as the store names it."),
        Column("start_time", "datetime", "Start (ML Metadata create time), UTC."),
        Column("end_time", "datetime", "End (ML Metadata last update time), UTC."),
        Column("duration_s", "number", "End minus start.", unit="s", minimum=0),
        Column("graphlet_index", "integer", "The graphlet it belongs to (graphlets.csv), empty when none.",
               minimum=1),
        Column("graphlet_part", "string", "Its part of that graphlet.", enum=("upstream", "trainer", "downstream")),
        Column("parent_id", "string", "Parent run (MLflow nested runs)."),
    ),
    primary_key=("store", "execution_id"),
    foreign_keys=(ForeignKey(("store", "pipeline"), "pipeline_summary", ("store", "pipeline")),),
)

ARTIFACTS = Table(
    name="pipeline_artifacts",
    path="traces/pipelines/artifacts.csv",
    title="Artifacts (ML Metadata) and registered model versions (MLflow) of the mined stores",
    description="One row per artifact that an event ties to an execution, or per registered model version "
                "(id `model/version`); no URIs or property values.",
    columns=(
        _STORE,
        Column("artifact_id", "string", "The store's artifact id, or registered model name/version.",
               required=True),
        Column("type", "string", "Artifact type name (ModelVersion for MLflow).", required=True),
        Column("state", "string", "Artifact state (MLflow: version status)."),
        Column("create_time", "datetime", "Creation time, UTC."),
        Column("producer_execution_id", "string", "Execution or run that wrote it."),
        Column("push_kind", "string", "For a PushedModel or model version of a pushed graphlet: how it was "
               "pushed.", enum=_PUSH_KINDS),
    ),
    primary_key=("store", "artifact_id"),
    foreign_keys=(ForeignKey(("store",), "pipeline_stores", ("store",)),),
)

TABLES = [PIPELINE_STORES, PIPELINES, GRAPHLETS, EXECUTIONS, ARTIFACTS]
