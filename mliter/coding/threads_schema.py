"""Declared tables of the AutoML thread study under `coding/threads/` and of imported interview projects.

- `thread_segments_<coder>`: one per coder file present (`coding/threads/coders/<coder>.csv`);
- `thread_assignment`: who codes which thread;
- `thread_disagreements`, `thread_agreement`, `thread_segment_agreement`: `mliter code segments agreement`;
- `thread_adjudication`: the adjudicator's decisions with reasons;
- `thread_consensus`, `thread_consensus_provenance`, `thread_consensus_segments`:
  `mliter code segments adjudicate`;
- `imported_<project>_sources` / `_segments`: interview projects imported by `mliter code qda import`.
Thread ids reference `thread_sources` (corpus/threads.csv). No table holds thread text or usernames.
"""

from __future__ import annotations

from pathlib import Path

from mliter.coding.adjudicate import METHODS
from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, Codebook, load
from mliter.coding.qda.tables import imported_tables
from mliter.coding.segments import coder_files
from mliter.paths import ROOT
from mliter.tables import Column, ForeignKey, Table

CODEBOOK = load(DEFAULT_INTERVIEW_CODEBOOK)
FOLDER = "coding/threads"
CODES = tuple(c.code for c in CODEBOOK.codes)
GROUP_KEYS = tuple(f"group_{g}" for g in CODEBOOK.groups)
FK = (ForeignKey(("source_id",), "thread_sources", ("source_id",)),)
SID = Column("source_id", "string", "Thread id (see corpus/threads.csv).", required=True)


def _code(description: str, extra: tuple[str, ...] = ()) -> Column:
    return Column("code", "string", description, required=True, enum=CODES + extra)


def coder_table(coder: str, codebook: Codebook = CODEBOOK) -> Table:
    return Table(
        name=f"thread_segments_{coder}", path=f"{FOLDER}/coders/{coder}.csv", title=f"Thread segments coded by {coder}",
        description=(f"Segments of the thread excerpts coded independently and blind by {coder} against "
                     "coding/interviews.codebook.yaml (see docs/automl_datasheet.md for who the coder is). Offsets are "
                     "Python str indices into the text pinned by corpus/threads.csv text_sha256."),
        columns=(
            SID,
            Column("coder", "string", "Coder id, equal to the file name.", required=True, enum=(coder,)),
            Column("codebook_version", "string", "Codebook version followed.", required=True,
                   enum=codebook.accepted_versions),
            _code("Code id."),
            Column("start", "integer", "Segment start (inclusive); empty for a whole-source row.", minimum=0,
                   unit="characters"),
            Column("end", "integer", "Segment end (exclusive); empty for a whole-source row.", minimum=1,
                   unit="characters"),
            Column("note", "string", "The coder's short note in their own words (checked: no quote, no name)."),
        ),
        primary_key=(), foreign_keys=FK)  # whole-source rows have no offsets, so no key without nulls


def coder_tables(root: Path = ROOT) -> list[Table]:
    return [coder_table(p.stem) for p in coder_files(Path(root) / FOLDER / "coders", CODEBOOK)]


ASSIGNMENT = Table(
    name="thread_assignment", path=f"{FOLDER}/assignment.csv", title="Thread coding assignment",
    description=("Who codes which thread: coder_a every thread, coder_b the double-coding sample (the 42% of ids "
                 "with the lowest SHA-256 ranks; `mliter code segments assign`)."),
    columns=(SID, Column("coder", "string", "Coder id.", required=True)),
    primary_key=("source_id", "coder"), foreign_keys=FK)

ADJUDICATION = Table(
    name="thread_adjudication", path=f"{FOLDER}/adjudication.csv", title="Adjudicated thread disagreements",
    description="The adjudicator's decision, with a reason, on each (thread, code) whose presence the coders disputed.",
    columns=(SID, _code("Code decided."),
             Column("value", "string", "Decided presence.", required=True, enum=("present", "absent")),
             Column("adjudicator", "string", "Adjudicator id (not a coder of the threads).", required=True),
             Column("reason", "string", "Why, in the adjudicator's own words.", required=True)),
    primary_key=("source_id", "code"), foreign_keys=FK)

DISAGREEMENTS = Table(
    name="thread_disagreements", path=f"{FOLDER}/disagreements.csv", title="Thread coding disagreements",
    description="One row per (thread, code) whose presence differs between the thread's coders.",
    columns=(SID, _code("Code."),
             Column("coder_values", "string", "Each coder's presence, `coder=present|absent` ';'-separated.",
                    required=True),
             Column("coder_segments", "string", "Each coder's segments of the code, `coder=start:end ...` "
                    "(`all` for a whole-source row) ';'-separated."),
             Column("adjudicated_value", "string", "The adjudicator's value once decided.")),
    primary_key=("source_id", "code"), foreign_keys=FK)


def _agreement_columns(on: tuple[str, ...], measures: tuple[str, ...]) -> tuple[Column, ...]:
    return (
        Column("code", "string", "Code, or group_<g> for presence of any code of group g.", required=True,
               enum=CODES + GROUP_KEYS),
        Column("group", "string", "Group of the code.", required=True, enum=tuple(CODEBOOK.groups)),
        Column("on", "string", "What is compared.", required=True, enum=on),
        Column("coders", "string", "Coders compared, ';'-separated.", required=True),
        Column("measure", "string", "Statistic.", required=True, enum=measures),
        Column("n", "integer", "Sources coded by the coders compared (two or more coders).", required=True, minimum=0),
        Column("percent_agreement", "number", "Share of identical values (sources; characters for unitised).",
               minimum=0, maximum=1),
        Column("estimate", "number", "The statistic; empty when undefined (see note).", maximum=1),
        Column("ci_low", "number", "Lower end of the 95% interval (kappa: normal approximation; alpha: percentile "
               "bootstrap over sources)."),
        Column("ci_high", "number", "Upper end of the 95% interval."),
        Column("note", "string", "Why the statistic is undefined, when it is."),
    )


AGREEMENT = Table(
    name="thread_agreement", path=f"{FOLDER}/agreement.csv", title="Inter-coder agreement on code presence per thread",
    description=("Cohen's kappa per coder pair and Krippendorff's alpha (nominal) over all coders on the presence of "
                 "each code and group in each thread coded by two or more coders."),
    columns=_agreement_columns(("presence",), ("cohen_kappa", "krippendorff_alpha_nominal")),
    primary_key=("code", "on", "coders", "measure"))

SEGMENT_AGREEMENT = Table(
    name="thread_segment_agreement", path=f"{FOLDER}/segment_agreement.csv",
    title="Unitised inter-coder agreement on segments",
    description=("Character-level Krippendorff's alpha (nominal, binary per code) over the texts of threads coded by "
                 "two or more coders: does each character lie in a segment of the code (mliter.coding.segment_agreement)."),
    columns=_agreement_columns(("characters",), ("krippendorff_alpha_unitised_nominal",)),
    primary_key=("code", "on", "coders", "measure"))

CONSENSUS = Table(
    name="thread_consensus", path=f"{FOLDER}/consensus.csv", title="Consensus code presence per thread",
    description="One row per coded thread: consensus presence of every code (see thread_consensus_provenance).",
    columns=(
        Column("source_id", "string", "Thread id.", required=True, unique=True),
        Column("n_coders", "integer", "Coders who coded the thread.", required=True, minimum=1),
        Column("coders", "string", "Those coders, ';'-separated.", required=True),
        *(Column(c.code, "boolean", f"{c.name}: {c.definition}", required=True) for c in CODEBOOK.codes),
        Column("n_adjudicated", "integer", "Codes decided by the adjudicator.", required=True, minimum=0),
        Column("n_defaulted", "integer", "Disputed codes left to the first coder's value (not adjudicated).",
               required=True, minimum=0),
    ),
    primary_key=("source_id",), foreign_keys=FK)

PROVENANCE = Table(
    name="thread_consensus_provenance", path=f"{FOLDER}/consensus_provenance.csv",
    title="Provenance of every consensus value (threads)",
    description="One row per thread and code: the consensus presence, the rule that produced it and each coder's value.",
    columns=(SID, _code("Code."),
             Column("value", "string", "Consensus presence.", required=True, enum=("present", "absent")),
             Column("method", "string", "single_coder, agreed, adjudicated or first_coder_default.", required=True,
                    enum=METHODS),
             Column("n_coders", "integer", "Coders of the thread.", required=True, minimum=1),
             Column("coder_values", "string", "Each coder's value, `coder=value` ';'-separated.", required=True),
             Column("adjudicator", "string", "Who decided, for adjudicated values."),
             Column("reason", "string", "The adjudicator's reason, for adjudicated values.")),
    primary_key=("source_id", "code"),
    foreign_keys=(ForeignKey(("source_id",), "thread_consensus", ("source_id",)),))

CONSENSUS_SEGMENTS = Table(
    name="thread_consensus_segments", path=f"{FOLDER}/consensus_segments.csv",
    title="Consensus segments (REFI-QDA coded selections of the threads)",
    description=("Segments of every consensus-present code: the union of the segments of the coders who marked it, "
                 "merged where they overlap; `coders` names whose segments each one joins."),
    columns=(SID, _code("Code."),
             Column("start", "integer", "Start offset (inclusive); empty for a whole-source row.", minimum=0,
                    unit="characters"),
             Column("end", "integer", "End offset (exclusive); empty for a whole-source row.", minimum=1,
                    unit="characters"),
             Column("coders", "string", "Coders whose segments the segment joins, ';'-separated.", required=True),
             Column("method", "string", "How the code's presence was decided (see provenance).", required=True,
                    enum=METHODS)),
    primary_key=(), foreign_keys=FK)  # rows are sorted by every column (whole-source rows have no offsets)

#: Shipped imports of the shared interview projects: (project id, title, description).
IMPORTED = {
    "kalealex": ("Coded interview excerpts (research synthesis study)",
                 "Imported from a published coded-excerpt CSV of an HCI interview study (479 coded excerpts; "
                 "participants anonymised by its authors); the row is the segment unit, codes are "
                 "`dimension/value`; the free-text decision column is not imported."),
    "aieng": ("Coded interviews with SE researchers who use ML",
              "Imported from a published multi-coder workbook (Apache-2.0): the merged sheet (coder `merged`) and "
              "the per-tagger sheet (coders A and B); segments are transcript line ranges."),
}


def imported_pair(project: str, folder: str = "coding/imported") -> tuple[Table, Table]:
    title, description = IMPORTED.get(project, (f"Imported coded project {project}", "Imported coded project."))
    return imported_tables(f"imported_{project}", f"{folder}/{project}", title, description)


TABLES = [*coder_tables(), ASSIGNMENT, ADJUDICATION, DISAGREEMENTS, AGREEMENT, SEGMENT_AGREEMENT, CONSENSUS,
          PROVENANCE, CONSENSUS_SEGMENTS, *(t for p in IMPORTED for t in imported_pair(p))]
