"""Declared tables of the OpenML source: runs in the published schema, their provenance, flow evaluations."""

from mliter.tables import Column, ForeignKey, Table
from mliter.traces.changes import default_codebook
from mliter.traces.openml.exports import FAMILY_NAMES

_OPENML_CODES = tuple(c.code for c in default_codebook().codes if "openml" in c.sources)
_RID = Column("rid", "integer", "OpenML run id.", required=True, minimum=1)

OPENML_RUNS = Table(
    name="openml_runs",
    path="traces/openml_runs.csv",
    title="OpenML iteration sequences: one row per run, in the study's published columns",
    description=(
        "Every OpenML run mined (recorded API responses or a live fetch), in the 14 columns the study published: "
        "runs of one user on one task form a sequence in upload order, each coded with its change type against the "
        "previous run of the sequence (coding/change_types.yaml, the one classifier of mliter.traces.changes). "
        "Values a run's records do not give are empty, never guessed (see docs/openml.md). Run ids are unique "
        "within one OpenML server only: traces/openml_run_sources.csv says which server and files each row came from."
    ),
    columns=(
        _RID,
        Column("user_id", "integer", "OpenML id of the uploader.", required=True, minimum=0),
        Column("task_id", "integer", "OpenML task id.", required=True, minimum=1),
        Column("auc", "number", "Run-level area under the ROC curve (the run's area_under_roc_curve evaluation); "
               "empty when not evaluated or not recorded.", minimum=0, maximum=1),
        Column("dist_from_mean_auc", "number", "auc minus the mean auc of the mined runs on the same task "
               "(same server).", minimum=-1, maximum=1),
        Column("model", "string", "Model operators of the run's flow (estimators, learners, model-side wrappers), "
               "';'-separated, sorted; empty when the flow is unknown."),
        Column("model_params", "string", "JSON object operator -> {parameter: value} of the model operators; empty "
               "when the run's parameter values are unknown."),
        Column("ppr", "string", "Pre-processing operators of the flow (transformers, imputers, feature selection, "
               "pre-processing wrappers), ';'-separated, sorted."),
        Column("ppr_params", "string", "JSON object operator -> {parameter: value} of the pre-processing operators; "
               "empty when the parameter values are unknown."),
        Column("iter", "integer", "Position of the run in its (user_id, task_id) sequence, 1 = first.",
               required=True, minimum=1),
        Column("change_type", "string", "Change type against the previous run of the sequence: S start, M model "
               "operator, P pre-processing operator, H model hyperparameter, R pre-processing hyperparameter, "
               "C combination, N no change; empty when the records cannot tell.", enum=_OPENML_CODES),
        Column("delta_auc", "number", "auc minus the previous run's auc; empty for S rows and when either is "
               "unknown.", minimum=-1, maximum=1),
        Column("start_time", "datetime", "Upload time of the run, UTC; empty when only a run description (which "
               "carries none) was recorded."),
        Column("time_delta_in_mins", "number", "Minutes since the previous run of the sequence was uploaded; empty "
               "for S rows and when either time is unknown.", unit="minutes"),
    ),
    primary_key=("user_id", "task_id", "iter"),
)

OPENML_RUN_SOURCES = Table(
    name="openml_run_sources",
    path="traces/openml_run_sources.csv",
    title="Where each mined OpenML run came from and what could be derived",
    description="Provenance of traces/openml_runs.csv: server (collection), response files, flow and setup ids, "
                "and which parts of the run's workflow the records gave.",
    columns=(
        Column("collection", "string", "OpenML server the ids belong to (host of a live fetch; for recorded "
               "responses the server named by their path, or their top folder).", required=True),
        _RID,
        Column("user_id", "integer", "Uploader (as in openml_runs).", required=True),
        Column("task_id", "integer", "Task (as in openml_runs).", required=True),
        Column("iter", "integer", "Position in the sequence (as in openml_runs).", required=True, minimum=1),
        Column("flow_id", "integer", "OpenML flow id of the run."),
        Column("setup_id", "integer", "OpenML setup id of the run."),
        Column("flow_name", "string", "Flow name without version suffix and test-server prefix."),
        Column("flow_source", "string", "Where the flow's components came from: its description, or its name "
               "(rebuilt tree); empty when unknown.", enum=("description", "name")),
        Column("params_source", "string", "Where parameter values came from: the setup, or the run description's "
               "parameter settings; empty when unknown.", enum=("setup", "run")),
        Column("files", "string", "Response files (recorded) or URLs (fetched) that mention the run, ';'-separated."),
        Column("source", "string", "Where those responses come from: owner/repo@commit of recorded files (from the "
               "shared data's PROVENANCE.tsv), api:<host> of fetched ones; ';'-separated."),
        Column("license", "string", "License of the repositories the recorded files come from, as recorded there."),
        Column("retrieved_at", "date", "Day the fetched responses were served (HTTP Date header); empty for recorded ones."),
    ),
    primary_key=("collection", "rid"),
    foreign_keys=(ForeignKey(("user_id", "task_id", "iter"), "openml_runs", ("user_id", "task_id", "iter")),),
)

_STUDY = Column("study_id", "integer", "OpenML study the export belongs to.", required=True, minimum=1)
_MEASURE = Column("measure", "string", "Evaluation measure of the export.", required=True,
                  enum=("area_under_roc_curve", "predictive_accuracy"))
_FAMILY = Column("family", "string", "Model family of the main learner.", required=True, enum=FAMILY_NAMES)

FLOW_SCORES = Table(
    name="openml_flow_evaluations",
    path="traces/openml_flow_evaluations.csv",
    title="OpenML study exports: score of each flow across datasets",
    description=("The run-evaluation exports of OpenML studies 1, 14 and 34 summarised per study, measure and "
                 "flow: how many datasets (or tasks) the flow was evaluated on, how often it failed, and its score "
                 "distribution. No uploader or time: which operators reach which score, not how people iterate."),
    columns=(
        _STUDY, _MEASURE,
        Column("flow_id", "integer", "OpenML flow id (from the export's algorithm name).", required=True, minimum=1),
        Column("flow_name", "string", "Flow name as the export spells it.", required=True),
        Column("model", "string", "Main learner of the flow (first part that is not a wrapper or configuration).",
               required=True),
        _FAMILY,
        Column("n_instances", "integer", "Datasets or tasks with status ok and a score.", required=True, minimum=0),
        Column("n_failed", "integer", "Evaluations with another status (timeout, memout, crash, other).",
               required=True, minimum=0),
        Column("mean_score", "number", "Mean score over the ok evaluations.", minimum=0, maximum=1),
        Column("median_score", "number", "Median score.", minimum=0, maximum=1),
        Column("q25_score", "number", "First quartile of the score.", minimum=0, maximum=1),
        Column("q75_score", "number", "Third quartile of the score.", minimum=0, maximum=1),
    ),
    primary_key=("study_id", "measure", "flow_id"),
)

FAMILY_SCORES = Table(
    name="openml_family_evaluations",
    path="traces/openml_family_evaluations.csv",
    title="OpenML study exports: best score of each model family per dataset",
    description=("Per study, measure, dataset (or task) and model family: how many flows of the family were "
                 "evaluated, how many evaluations failed, the family's best score, its flow and learner, and the "
                 "gap to the best score of any family on that dataset."),
    columns=(
        _STUDY, _MEASURE,
        Column("instance", "string", "openml_data_id:<id> or openml_task_id:<id>, as the export keys its rows.",
               required=True),
        _FAMILY,
        Column("n_flows", "integer", "Flows of the family with an ok evaluation.", required=True, minimum=0),
        Column("n_failed", "integer", "Failed evaluations of the family's flows.", required=True, minimum=0),
        Column("best_score", "number", "Best score of the family's flows; empty when all failed.",
               minimum=0, maximum=1),
        Column("best_flow_id", "integer", "Flow with the best score (lowest id on ties)."),
        Column("best_model", "string", "Main learner of that flow."),
        Column("gap_to_best", "number", "Best score of any family on the dataset minus this family's best.",
               minimum=0, maximum=1),
    ),
    primary_key=("study_id", "measure", "instance", "family"),
)

TABLES = [OPENML_RUNS, OPENML_RUN_SOURCES, FLOW_SCORES, FAMILY_SCORES]
