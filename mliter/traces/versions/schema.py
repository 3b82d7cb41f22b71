"""Declared tables of iteration sequences: `traces/versions.csv` and the manifest `corpus/notebook_versions.csv`."""

from mliter.tables import Column, ForeignKey, Table
from mliter.traces.changes import default_codebook
from mliter.traces.notebooks.stages import STAGES

CODES = default_codebook().code_names

VERSION_MANIFEST = Table(
    name="version_manifest",
    path="corpus/notebook_versions.csv",
    title="Manifest of workflow versions",
    description="Every version given to `mliter mine versions`, with where it came from. No content.",
    columns=(
        Column("version_id", "string", "Stable id: the workflow id plus @<commit> (git) or @v<N> (Kaggle).", required=True, unique=True),
        Column("workflow_id", "string", "Workflow id: git:<owner>/<repo>/<path at HEAD> or kaggle:<owner>/<slug>.", required=True),
        Column("version", "integer", "Position in the workflow's sequence, 1 = oldest.", required=True, minimum=1),
        Column("source", "string", "Version source the row came from.", required=True),
        Column("repo", "string", "GitHub owner/name of the source repository (git sources)."),
        Column("path_at_commit", "string", "Path of the file at this version (differs from the workflow id's path after a rename)."),
        Column("commit", "string", "Git commit (40 hex digits), or the Kaggle kernel version id."),
        Column("timestamp", "datetime", "Commit time or version creation time, UTC."),
        Column("url", "string", "Permanent URL of this version."),
        Column("license", "string", "License of the source as recorded at capture (may be none)."),
        Column("sha256", "string", "SHA-256 of the version's bytes (empty when they could not be read)."),
    ),
    primary_key=("version_id",),
)

_SUMMARY = (
    Column("n_model_ops", "integer", "Model operators constructed (estimators, layers, optimisers), counted per call.", minimum=0),
    Column("n_preprocessing_ops", "integer", "Pre-processing operators (transformers, pandas transforms, engineered columns).", minimum=0),
    Column("n_data_files", "integer", "Distinct data files or datasets read.", minimum=0),
    Column("n_metrics", "integer", "Distinct metrics computed.", minimum=0),
    Column("n_eda_calls", "integer", "Exploration and plotting calls.", minimum=0),
    Column("n_code_cells", "integer", "Non-empty code cells.", minimum=0),
    Column("n_unparsed_cells", "integer", "Code cells that did not parse as Python (they count by text only).", minimum=0),
    Column("model_ops", "string", "Model operator names (qualified), ';'-separated, sorted, unique."),
    Column("preprocessing_ops", "string", "Pre-processing operator names, ';'-separated; method:<name> for methods of data values, pandas.setitem for engineered columns."),
    Column("data_files", "string", "Basenames of files read (or module:dataset), ';'-separated."),
    Column("metrics", "string", "Metric functions and metric names given as arguments, ';'-separated."),
    Column("operator_hash", "string", "SHA-256 over operators with their arguments, data files and metrics."),
    Column("code_hash", "string", "SHA-256 over the code cells' syntax trees (comments and formatting ignored)."),
    Column("doc_hash", "string", "SHA-256 over the markdown and raw cells."),
)

VERSIONS = Table(
    name="versions",
    path="traces/versions.csv",
    title="Iteration sequences: one row per workflow version",
    description=("Each version of a workflow, its static signature summary and its change type against the "
                 "previous readable version of the same workflow (codebook coding/change_types.yaml). "
                 "Counts, hashes and operator names only, never code."),
    columns=(
        Column("version_id", "string", "Version id (see corpus/notebook_versions.csv).", required=True, unique=True),
        Column("workflow_id", "string", "Workflow id.", required=True),
        Column("version", "integer", "Position in the sequence, 1 = oldest.", required=True, minimum=1),
        Column("source", "string", "Version source.", required=True),
        Column("timestamp", "datetime", "Commit or creation time, UTC."),
        Column("author", "string", "Author as the source names them (git author name, Kaggle user id); empty when unknown."),
        Column("sha256", "string", "SHA-256 of the version's bytes."),
        Column("status", "string", "ok, or error when the version could not be read or parsed (the sequence went on).",
               required=True, enum=("ok", "error")),
        Column("error", "string", "Reason code and message of an error row."),
        Column("change_type", "string", "Change type (coding/change_types.yaml); empty on error rows.", enum=CODES),
        Column("facets", "string", "Facets of the signature that changed, ';'-separated (the classifier's evidence)."),
        *_SUMMARY,
        Column("model_ops_added", "integer", "Model operator instances added.", minimum=0),
        Column("model_ops_removed", "integer", "Model operator instances removed.", minimum=0),
        Column("model_ops_reparameterised", "integer", "Model operators kept with changed arguments.", minimum=0),
        Column("preprocessing_ops_added", "integer", "Pre-processing operator instances added.", minimum=0),
        Column("preprocessing_ops_removed", "integer", "Pre-processing operator instances removed.", minimum=0),
        Column("preprocessing_ops_reparameterised", "integer", "Pre-processing operators kept with changed arguments.", minimum=0),
        Column("model_ops_added_names", "string", "Names of the model operators added, ';'-separated, one per instance (operator names only, never code)."),
        Column("model_ops_removed_names", "string", "Names of the model operators removed, ';'-separated, one per instance (operator names only, never code)."),
        Column("model_ops_reparameterised_names", "string", "Names of the model operators re-parameterised, ';'-separated, one per instance (operator names only, never code)."),
        Column("preprocessing_ops_added_names", "string", "Names of the pre-processing operators added, ';'-separated, one per instance (operator names only, never code)."),
        Column("preprocessing_ops_removed_names", "string", "Names of the pre-processing operators removed, ';'-separated, one per instance (operator names only, never code)."),
        Column("preprocessing_ops_reparameterised_names", "string", "Names of the pre-processing operators re-parameterised, ';'-separated, one per instance (operator names only, never code)."),
        Column("cells_added", "integer", "Code cells added (all cells for the first version).", minimum=0),
        Column("cells_removed", "integer", "Code cells removed.", minimum=0),
        Column("cells_changed", "integer", "Code cells changed in place.", minimum=0),
        Column("lines_added", "integer", "Non-blank code lines added.", unit="lines", minimum=0),
        Column("lines_removed", "integer", "Non-blank code lines removed.", unit="lines", minimum=0),
        Column("stages_touched", "string", "Stages (coding/stage_rules.csv) of the added, removed and changed code cells, ';'-separated: "
               + ", ".join(STAGES) + "."),
        Column("minutes_since_previous", "number", "Minutes since the previous readable version (empty for the first).", unit="minutes"),
    ),
    primary_key=("version_id",),
    foreign_keys=(ForeignKey(("version_id",), "version_manifest", ("version_id",)),),
)

CHANGE_LABELS = Table(
    name="change_labels",
    path="coding/change_labels.csv",
    title="Hand-coded change types of notebook version pairs",
    description=("Change types assigned by reading the code and markdown differences of random pairs of "
                 "consecutive notebook versions, without looking at the classifier's output; samples "
                 "tuning-1 and tuning-2 were used to revise the rules, heldout was coded after the last "
                 "revision and is the accuracy estimate. Notes are the coder's own words."),
    columns=(
        Column("version_id", "string", "The later version of the pair (see traces/versions.csv).", required=True, unique=True),
        Column("previous_version_id", "string", "The earlier version it was compared with.", required=True),
        Column("sample", "string", "Which random sample the pair belongs to.", required=True,
               enum=("tuning-1", "tuning-2", "tuning-3", "heldout")),
        Column("code", "string", "Change type by the codebook coding/change_types.yaml.", required=True, enum=CODES),
        Column("coder", "string", "Who coded the pair.", required=True),
        Column("note", "string", "Why, in a few words (no code)."),
    ),
    primary_key=("version_id",),
    foreign_keys=(ForeignKey(("version_id",), "versions", ("version_id",)),),
)

TABLES = [VERSION_MANIFEST, VERSIONS, CHANGE_LABELS]
