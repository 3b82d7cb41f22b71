"""Declared tables of the paper survey under `coding/papers/` (columns derived from the codebook).

- one `paper_annotations_<coder>` table per coder file present (same schema for every coder,
  written by the coders and checked by `mliter code validate`);
- `paper_adjudication`: the adjudicator's decisions;
- `paper_consensus` (the dataset the analyses read) and `paper_consensus_provenance`
  (every consensus value with the coder values it came from);
- `paper_agreement` and `paper_disagreements`, written by `mliter code agreement`.

Paper ids reference the corpus table `papers` (`mliter.corpus.papers.schema`).
"""

from __future__ import annotations

from pathlib import Path

from mliter.coding.adjudicate import METHODS
from mliter.coding.codebook import Code, Codebook, load
from mliter.coding.validate import coder_files
from mliter.paths import ROOT
from mliter.tables import Column, ForeignKey, Table

CODEBOOK = load()
PAPER_FK = (ForeignKey(("paper_id",), "papers", ("paper_id",)),)
PID = Column("paper_id", "string", "Paper id (see corpus/papers.csv).", required=True)
CODES = tuple(c.code for c in CODEBOOK.coded)
N_CODERS = Column("n_coders", "integer", "Coders who coded the paper.", required=True, minimum=1)
CODER_VALUES = Column("coder_values", "string", "Each coder's value, 'coder=value' ';'-separated.", required=True)


def code_ref(description: str, screening: bool = False) -> Column:
    """The `code` column of long tables: one of the compared codes (or `screening`, the screening decision)."""
    return Column("code", "string", description, required=True, enum=CODES + (("screening",) if screening else ()))
FOLDER = "coding/papers"
CODERS = f"{FOLDER}/coders"
SCREENERS = f"{FOLDER}/screeners"


def code_column(code: Code, required: bool = True) -> Column:
    """The column of one code, with its allowed values as constraints."""
    text = f"{code.name}: {code.definition}"
    if code.type == "categorical":
        return Column(code.code, "string", text, required=required, enum=tuple(code.values))
    if code.type == "count":
        return Column(code.code, "integer", text + f" Count of alternatives ({code.kind}); {code.max} = {code.max} or more.",
                      unit="alternatives", required=required, minimum=0, maximum=code.max)
    return Column(code.code, "string", text)


def annotation_table(coder: str, codebook: Codebook = CODEBOOK) -> Table:
    columns = (
        PID.as_key(),
        Column("coder", "string", "Coder id, equal to the file name.", required=True, enum=(coder,)),
        Column("codebook_version", "string", "Codebook version the row follows (coding/papers.codebook.yaml; "
               "earlier versions the current one keeps valid are allowed).", required=True,
               enum=codebook.accepted_versions),
        *(code_column(c) for c in codebook.codes),
    )
    return Table(name=f"paper_annotations_{coder}", path=f"{CODERS}/{coder}.csv",
                 title=f"Paper codes by {coder}",
                 description=(f"Codes of applied-ML papers assigned independently by {coder} against the codebook "
                              "coding/papers.codebook.yaml; the note is in the coder's own words."),
                 columns=columns, primary_key=("paper_id",), foreign_keys=PAPER_FK)


def coder_tables(root: Path = ROOT, codebook: Codebook = CODEBOOK) -> list[Table]:
    return [annotation_table(p.stem, codebook) for p in coder_files(Path(root) / CODERS, codebook)]


def screener_table(coder: str, codebook: Codebook = CODEBOOK) -> Table:
    reasons = codebook.screening.reason_ids
    return Table(
        name=f"paper_screening_{coder}", path=f"{SCREENERS}/{coder}.csv", title=f"Screening decisions by {coder}",
        description=(f"Include/exclude decisions by {coder} for the sampled records no mechanical rule decided, "
                     "against the codebook's screening criteria."),
        columns=(
            PID.as_key(),
            Column("screener", "string", "Screener id, equal to the file name.", required=True, enum=(coder,)),
            Column("codebook_version", "string", "Codebook version the decision follows.", required=True,
                   enum=(codebook.version,)),
            Column("decision", "string", "include or exclude.", required=True, enum=("include", "exclude")),
            Column("reason", "string", "Exclusion reason (codebook screening.reasons); empty when included.",
                   enum=reasons),
            Column("note", "string", "Why, in the screener's own words (optional)."),
        ),
        primary_key=("paper_id",), foreign_keys=PAPER_FK)


def screener_tables(root: Path = ROOT, codebook: Codebook = CODEBOOK) -> list[Table]:
    return [screener_table(p.stem, codebook) for p in coder_files(Path(root) / SCREENERS, codebook)]


SCREENING = Table(
    name="paper_screening",
    path=f"{FOLDER}/screening.csv",
    title="Screening of every corpus record",
    description=("One row per record of corpus/papers.csv: included in the coded survey, excluded (with the "
                 "reason), outside the stratified sample, or pending a coder's decision; and who or what decided "
                 "(a mechanical rule of the codebook, the sampling design, coders, an adjudicator). Written by "
                 "`mliter code screen`."),
    columns=(
        PID.as_key(),
        Column("decision", "string", "included, excluded, not_sampled (in the frame, outside the stratified "
               "sample) or pending (sampled, not yet screened by a coder).", required=True,
               enum=("included", "excluded", "not_sampled", "pending")),
        Column("reason", "string", "Exclusion reason (codebook screening.reasons) when excluded.",
               enum=CODEBOOK.screening.reason_ids),
        Column("category", "string", "The reason's category: not research, not applied, not ML, out of frame.",
               enum=tuple(dict.fromkeys(r.category for r in CODEBOOK.screening.reasons))),
        Column("decided_by", "string", "rule, not_sampled, pending, coder, coders_agreed, adjudicator or "
               "first_screener_default (coders differed and nothing was adjudicated).", required=True,
               enum=("rule", "not_sampled", "pending", "coder", "coders_agreed", "adjudicator",
                     "first_screener_default")),
        Column("screener", "string", "rule:<rule id>, sampling, the screening coders (';'-separated) or the "
               "adjudicator."),
        Column("screener_values", "string", "Each screening coder's outcome, 'coder=included|<reason>' "
               "';'-separated."),
        Column("stratum", "string", "Sampling stratum of the record's venue (codebook sampling.strata); empty "
               "when excluded by a rule or in no stratum."),
        Column("double_coded", "boolean", "In the double-coding subset (a second coder screens and codes it).",
               required=True),
        Column("codebook_version", "string", "Codebook version whose rules produced the row.", required=True),
    ),
    primary_key=("paper_id",),
    foreign_keys=PAPER_FK,
)


ADJUDICATION = Table(
    name="paper_adjudication",
    path=f"{FOLDER}/adjudication.csv",
    title="Adjudicated disagreements",
    description="An adjudicator's decision for a paper and code on which the coders disagreed.",
    columns=(
        PID,
        code_ref("Code decided, or `screening` for a screening decision (value `included` or an exclusion reason).",
                 screening=True),
        Column("value", "string", "Decided value (allowed by the codebook).", required=True),
        Column("adjudicator", "string", "Who decided.", required=True),
        Column("reason", "string", "Why, in the adjudicator's own words.", required=True),
    ),
    primary_key=("paper_id", "code"),
    foreign_keys=PAPER_FK,
)

CONSENSUS = Table(
    name="paper_consensus",
    path=f"{FOLDER}/consensus.csv",
    title="Consensus codes per paper",
    description=("One row per coded paper: the consensus value of every code (see paper_consensus_provenance "
                 "for how each was reached). Written by `mliter code adjudicate`."),
    columns=(
        PID.as_key(),
        N_CODERS,
        Column("coders", "string", "Those coders, ';'-separated.", required=True),
        *(code_column(c) for c in CODEBOOK.coded),
        Column("n_adjudicated", "integer", "Codes of this paper decided by the adjudicator.", required=True, minimum=0),
        Column("n_defaulted", "integer", "Codes on which coders differed and the first coder's value was kept "
               "by default (not adjudicated).", required=True, minimum=0),
        Column("unstated", "string", "Count codes whose consensus value is the unstated-number fallback "
               "(counting.unstated_number: the paper compared or tuned without saying how many), ';'-separated."),
        Column("codebook_version", "string", "Codebook version of the coder rows the paper's codes come from.",
               required=True, enum=(CODEBOOK.version,)),
    ),
    primary_key=("paper_id",),
    foreign_keys=PAPER_FK,
)

PROVENANCE = Table(
    name="paper_consensus_provenance",
    path=f"{FOLDER}/consensus_provenance.csv",
    title="Provenance of every consensus value",
    description="One row per paper and code: the consensus value, the rule that produced it and each coder's value.",
    columns=(
        PID,
        code_ref("Code."),
        Column("value", "string", "Consensus value (as in paper_consensus).", required=True),
        Column("method", "string", "single_coder, agreed, adjudicated or first_coder_default (docs/coding.md).",
               required=True, enum=METHODS),
        N_CODERS,
        CODER_VALUES,
        Column("adjudicator", "string", "Who decided, for adjudicated values."),
        Column("reason", "string", "The adjudicator's reason, for adjudicated values."),
        Column("unstated", "boolean", "The value is a non-zero count a coder set by the unstated-number rule "
               "(and listed in their `unstated` column).", required=True),
    ),
    primary_key=("paper_id", "code"),
    foreign_keys=(ForeignKey(("paper_id",), "paper_consensus", ("paper_id",)),),
)

AGREEMENT = Table(
    name="paper_agreement",
    path=f"{FOLDER}/agreement.csv",
    title="Inter-coder agreement per code",
    description=("Cohen's kappa (categorical codes; presence of count codes and of workflow parts) and "
                 "Krippendorff's alpha over all coders (nominal beside every kappa; ordinal and interval on counts) "
                 "on papers coded by two or more coders."),
    columns=(
        Column("code", "string", "Code, or part_<DPR|LI|PPR> for presence of any iteration in a workflow part.",
               required=True),
        Column("on", "string", "What is compared: the value, the count, or presence (count > 0).", required=True,
               enum=("value", "count", "presence")),
        Column("coders", "string", "Coders compared, ';'-separated.", required=True),
        Column("measure", "string", "Statistic.", required=True,
               enum=("cohen_kappa", "krippendorff_alpha_nominal", "krippendorff_alpha_ordinal",
                     "krippendorff_alpha_interval")),
        Column("n", "integer", "Papers coded by the coders compared.", required=True, minimum=0),
        Column("percent_agreement", "number", "Share of those papers with identical values.", minimum=0, maximum=1),
        Column("estimate", "number", "The statistic (at most 1; alpha has no fixed lower bound); empty when undefined (see note).",
               maximum=1),
        Column("ci_low", "number", "Lower end of the 95% interval (kappa: normal approximation; alpha: "
               "percentile bootstrap over papers)."),
        Column("ci_high", "number", "Upper end of the 95% interval."),
        Column("note", "string", "Why the statistic is undefined, when it is."),
    ),
    primary_key=("code", "on", "coders", "measure"),
)

DISAGREEMENTS = Table(
    name="paper_disagreements",
    path=f"{FOLDER}/disagreements.csv",
    title="Disagreements between coders",
    description=("One row per paper and code on which the coders of the paper gave different values; code "
                 "`screening` for papers whose screeners reached different screening outcomes."),
    columns=(
        PID,
        code_ref("Code, or `screening`.", screening=True),
        Column("kind", "string", "category (categorical codes), presence (one coder 0, another > 0) or count.",
               required=True, enum=("category", "presence", "count")),
        Column("spread", "integer", "Largest minus smallest count (counts only).", minimum=0),
        CODER_VALUES,
        Column("adjudicated_value", "string", "The adjudicator's value when already decided."),
    ),
    primary_key=("paper_id", "code"),
    foreign_keys=PAPER_FK,
)

TABLES = [*coder_tables(), *screener_tables(), SCREENING, ADJUDICATION, CONSENSUS, PROVENANCE, AGREEMENT, DISAGREEMENTS]
