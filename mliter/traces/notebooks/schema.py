"""Declared tables of `traces/`: notebooks, cells, stages, errors (see `mliter.traces.notebooks.order`)."""

from mliter.tables import Column, ForeignKey, Table
from mliter.traces.notebooks.stages import STAGES

NB_FK = (ForeignKey(("notebook_id",), "notebook_traces", ("notebook_id",)),)
MANIFEST_FK = (ForeignKey(("notebook_id",), "notebook_manifest", ("notebook_id",)),)
NID = Column("notebook_id", "string", "Notebook id (see corpus/notebooks.csv).", required=True)

NOTEBOOKS = Table(
    name="notebook_traces",
    path="traces/notebooks.csv",
    title="Execution traces per notebook",
    description="One row per successfully mined notebook: size, cell counts and execution-order metrics.",
    columns=(
        NID.as_key(),
        Column("sha256", "string", "SHA-256 of the mined bytes.", required=True),
        Column("nbformat", "string", "nbformat version of the file as found (3.x files are upgraded to 4 to be read); "
                                     "`4.other` when the minor version is not a small integer."),
        Column("language", "string", "Kernel language from the notebook metadata, lower-cased: one of a known set "
                                     "(mliter.traces.notebooks.parse.KNOWN_LANGUAGES) or `other`."),
        Column("n_cells", "integer", "All cells.", required=True, minimum=0),
        Column("n_code_cells", "integer", "Code cells.", required=True, minimum=0),
        Column("n_markdown_cells", "integer", "Markdown cells.", required=True, minimum=0),
        Column("n_empty_code_cells", "integer", "Code cells with only whitespace.", required=True, minimum=0),
        Column("code_lines", "integer", "Lines of code over all code cells.", unit="lines", minimum=0),
        Column("executed_cells", "integer", "Code cells with an execution_count.", required=True, minimum=0),
        Column("cells_without_count", "integer", "Non-empty code cells with no execution_count.", required=True, minimum=0),
        Column("max_count", "integer", "Largest execution_count (empty when none).", minimum=1),
        Column("hidden_executions", "integer", "max_count minus distinct counts: executions whose count no longer shows.", required=True, minimum=0),
        Column("out_of_order_pairs", "integer", "Pairs of executed cells whose counts run against document order.", required=True, minimum=0),
        Column("kendall_tau", "number", "Kendall tau-b of document position vs execution count (empty below two distinct counts).", minimum=-1, maximum=1),
        Column("is_out_of_order", "boolean", "At least one out-of-order pair.", required=True),
        Column("is_linear", "boolean", "Counts run 1..n down the document with no gap: a clean top-to-bottom run.", required=True),
        Column("n_syntax_errors", "integer", "Code cells that do not parse as Python (after IPython syntax is neutralised).", required=True, minimum=0),
        Column("n_error_outputs", "integer", "Cells whose saved outputs include an error.", required=True, minimum=0),
        Column("libraries", "string", "Top-level modules imported, ';'-separated, sorted."),
        Column("n_apis", "integer", "Distinct resolved API calls and method names.", minimum=0),
    ),
    primary_key=("notebook_id",),
    foreign_keys=MANIFEST_FK,
)

CELLS = Table(
    name="cell_traces",
    path="traces/cells.csv",
    title="Code cells",
    description="One row per code cell of a mined notebook: derived features and stage label, never code text.",
    columns=(
        NID,
        Column("cell_index", "integer", "0-based position among all cells of the notebook.", required=True, minimum=0),
        Column("code_index", "integer", "0-based position among code cells.", required=True, minimum=0),
        Column("execution_count", "integer", "Saved execution_count (empty when none).", minimum=0),
        Column("hidden_before", "integer", "Hidden executions attributed to this cell: the gap in counts it closes.", required=True, minimum=0),
        Column("n_lines", "integer", "Lines of source.", unit="lines", required=True, minimum=0),
        Column("status", "string", "Static analysis outcome.", required=True,
               enum=("ok", "python2", "empty", "syntax_error", "non_python", "too_long", "too_deep")),
        Column("error", "string", "Why the cell could not be analysed (exception type and line), no code."),
        Column("imports", "string", "Modules imported, ';'-separated."),
        Column("apis", "string", "Calls resolved through import aliases (e.g. pandas.read_csv) and method names (.fit), ';'-separated."),
        Column("magics", "string", "IPython magics (magic:%name) and shell commands (shell:cmd), ';'-separated."),
        Column("output_types", "string", "Kinds of saved outputs (stream, error, display_data:image/png, ...), ';'-separated; "
                                         "an output type nbformat does not define is `unknown`, a key that is not a MIME type `other`."),
        Column("error_names", "string", "Exception class names of saved error outputs, ';'-separated."),
        Column("stage", "string", "Primary workflow stage: the cell's purpose (see coding/stages.md), as given by the producer "
                                  "coding/stage_producer.yaml declares primary: `stage_rules` or `stage_learned`.", required=True, enum=STAGES),
        Column("stage_rules", "string", "Primary stage by the rules: the def-use index, coding/api_catalogue.csv and "
                                        "coding/stage_rules.csv.", required=True, enum=STAGES),
        Column("stage_learned", "string", "Primary stage by the learned coder (mliter.traces.notebooks.learned): a "
                                          "multinomial logistic regression over the miner's static features and the rules' "
                                          "output, coefficients in coding/stage_coder.csv; empty when no coder table is shipped.",
               enum=STAGES),
        Column("stages", "string", "Every stage the cell touches (multi-label), ';'-separated."),
        Column("n_reads_from", "integer", "Names the cell reads that an earlier code cell defined (def-use index).", minimum=0),
        Column("unresolved_calls", "integer", "Calls into modules beside the notebook whose file was not there to summarise.", minimum=0),
    ),
    primary_key=("notebook_id", "cell_index"),
    foreign_keys=NB_FK,
)

STAGE_SUMMARY = Table(
    name="stage_traces",
    path="traces/stages.csv",
    title="Stages per notebook",
    description="Per notebook and stage: how many code cells, and hidden executions attributed to the stage.",
    columns=(
        NID,
        Column("stage", "string", "Workflow stage.", required=True, enum=STAGES),
        Column("n_cells", "integer", "Non-empty code cells labelled with the stage.", required=True, minimum=0),
        Column("share_cells", "number", "n_cells over the notebook's non-empty code cells.", minimum=0, maximum=1),
        Column("hidden_executions", "integer", "Hidden executions attributed to cells of the stage.", required=True, minimum=0),
        Column("share_hidden", "number", "Share of the notebook's hidden executions (empty when it has none).", minimum=0, maximum=1),
    ),
    primary_key=("notebook_id", "stage"),
    foreign_keys=NB_FK,
)

ERRORS = Table(
    name="trace_errors",
    path="traces/errors.csv",
    title="Notebooks that could not be mined",
    description="One row per notebook the miner refused, with the reason; the batch went on.",
    columns=(
        Column("notebook_id", "string", "Notebook id.", required=True, unique=True),
        Column("local_path", "string", "File the miner read, relative to its notebooks folder.", required=True),
        Column("reason", "string", "Short reason code (invalid_json, too_large, unsupported_nbformat, ...).", required=True),
        Column("message", "string", "What was wrong and where (line and column for JSON errors)."),
        Column("sha256", "string", "SHA-256 of the bytes read (empty when unreadable)."),
    ),
    primary_key=("notebook_id",),
    foreign_keys=MANIFEST_FK,
)

TABLES = [NOTEBOOKS, CELLS, STAGE_SUMMARY, ERRORS]
