"""Tables of the notebook-trace evaluation (issue 7): the split, the samples, the coders' labels,
their consensus, the frozen rules' predictions, and the API catalogue. Who produced what:

- `coding/eval_split.csv`, `coding/labels/sample_*.csv`: drawn by `mliter.coding.eval_sample` (seeded
  script) before any rule was tuned on the material;
- `coding/labels/cells_<coder>.csv`, `pairs_<coder>.csv`: two coder sessions (ids `a`, `b`) started by the
  project lead, model-based coders blind to each other, to the rules and to their outputs, following
  /work/notes/traces_coding/INSTRUCTIONS_*.md (summarised in docs/coding.md);
- `coding/labels/adjudication_*.csv`: the lead, for the items the coders disagreed on;
- `coding/labels/consensus_*.csv`: `mliter code trace-eval` (agreed label, else adjudicated);
- `traces/eval_*.csv`: the current rule tables and static analysis on each round's sample (`mliter code
  trace-eval`); `traces/frozen/rules<R>_sample<S>_*.csv` keep round R's frozen rules on round S's sample as
  scored and reported (`trace-eval --record`; rows of figures/trace_validity.* rest on these);
- `coding/labels/round2/`: the fresh round-2 held-out sample (`eval_sample round2-cells`, `round2-pairs`), two
  blind coder sessions' files and the round-2 engineer's adjudication; `traces/eval_round2_*.csv`: the frozen
  round-2 rules on it (`mliter code trace-eval --round 2`), scored once;
- `coding/labels/round<N>/` (N = 3, 4, ...: mliter.corpus.rounds): the same for each fresh round, on notebooks
  and version series of fresh repositories (corpus/repos_round<N>.csv, `eval_sample round<N>-cells`,
  `round<N>-pairs`); `traces/eval_round<N>_*.csv`;
- `coding/api_catalogue.csv`: written by the engineers from the libraries' documentation.
"""

from __future__ import annotations

from mliter.coding.eval_labels import PAIR_CODES, STAGES
from mliter.coding.trace_eval import frozen_path
from mliter.corpus.rounds import FRESH_ROUNDS, FreshRound
from mliter.tables import Column, ForeignKey, Table
from mliter.traces.catalogue import ROLES

HALF = Column("half", "string", "Which half of the repository split the item belongs to.", required=True,
              enum=("tuning", "heldout"))

EVAL_SPLIT = Table(
    name="eval_split", path="coding/eval_split.csv", title="Repository split of the evaluation material",
    description=("Every repository of notebooks_eval/ and notebook_versions_eval/ in the tuning or the held-out half "
                 "(stratified, seeded), with its profile: notebooks per group a/b/c and version pairs per kind."),
    columns=(Column("repo", "string", "owner/name on GitHub.", required=True, unique=True), HALF,
             *(Column(c, "integer", f"Profile count {c}.", required=True, minimum=0)
               for c in ("nb_a", "nb_b", "nb_c", "pairs_dl", "pairs_ff", "pairs_other"))),
    primary_key=("repo",),
)

SAMPLE_CELLS = Table(
    name="eval_sample_cells", path="coding/labels/sample_cells.csv", title="Sampled code cells",
    description="Code cells drawn for labelling: 5 non-blank code cells per notebook of notebooks_eval/.",
    columns=(Column("cell_id", "string", "Id of the sampled cell.", required=True, unique=True),
             Column("source", "string", "Folder of the shared data.", required=True),
             Column("local_path", "string", "Notebook path inside the folder.", required=True),
             Column("code_cell", "integer", "0-based index over code cells only.", required=True, minimum=0),
             Column("repo", "string", "Repository.", required=True),
             Column("group", "string", "Group of the eval manifest.", enum=("a", "b", "c")), HALF),
    primary_key=("cell_id",),
)

SAMPLE_PAIRS = Table(
    name="eval_sample_pairs", path="coding/labels/sample_pairs.csv", title="Sampled version pairs",
    description="Every consecutive pair of notebook_versions_eval/ and 34 older pairs of notebook_versions/ (tuning).",
    columns=(Column("pair_id", "string", "Id of the sampled pair.", required=True, unique=True),
             Column("source", "string", "Folder of the shared data.", required=True),
             Column("series", "string", "Series folder.", required=True),
             Column("from_file", "string", "Earlier version file.", required=True),
             Column("to_file", "string", "Later version file.", required=True),
             Column("repo", "string", "Repository.", required=True),
             Column("kind", "string", "Kind of series.", enum=("dl", "ff", "other", "old")), HALF),
    primary_key=("pair_id",),
)


def _dir(rnd: int) -> str:
    return "coding/labels" if rnd == 1 else f"coding/labels/round{rnd}"


def _sfx(rnd: int) -> str:
    return "" if rnd == 1 else f"_round{rnd}"


def _of(rnd: int) -> str:
    return "" if rnd == 1 else f" (round {rnd})"


def _coder_cells(coder: str, rnd: int = 1) -> Table:
    return Table(
        name=f"eval_cells_{coder}{_sfx(rnd)}", path=f"{_dir(rnd)}/cells_{coder}.csv",
        title=f"Stage labels of coder {coder}{_of(rnd)}",
        description=f"Primary stage and stages touched of every sampled cell, by blind coder {coder} (codebook {FRESH_ROUNDS[rnd].stage_codebook if rnd in FRESH_ROUNDS else '2.0'}).",
        columns=(Column("cell_id", "string", "Sampled cell.", required=True, unique=True),
                 Column("local_path", "string", "Notebook path.", required=True),
                 Column("code_cell", "integer", "Index over code cells.", required=True, minimum=0),
                 Column("stage", "string", "Primary stage.", required=True, enum=STAGES),
                 Column("stages", "string", "Stages touched, ';'-separated."),
                 Column("coder", "string", "Coder id.", required=True),
                 Column("note", "string", "Why, in the coder's words (no code).")),
        primary_key=("cell_id",),
        foreign_keys=(ForeignKey(("cell_id",), f"eval_sample_cells{_sfx(rnd)}", ("cell_id",)),),
    )


def _coder_pairs(coder: str, rnd: int = 1) -> Table:
    return Table(
        name=f"eval_pairs_{coder}{_sfx(rnd)}", path=f"{_dir(rnd)}/pairs_{coder}.csv",
        title=f"Change types of coder {coder}{_of(rnd)}",
        description=f"Change type (as the classifier emits it) and all applicable codes of every sampled pair, by coder {coder}.",
        columns=(Column("pair_id", "string", "Sampled pair.", required=True, unique=True),
                 Column("series", "string", "Series folder.", required=True),
                 Column("from_file", "string", "Earlier version.", required=True),
                 Column("to_file", "string", "Later version.", required=True),
                 Column("code", "string", "Change type.", required=True, enum=PAIR_CODES),
                 Column("codes", "string", "Every applicable code, ';'-separated."),
                 Column("coder", "string", "Coder id.", required=True),
                 Column("note", "string", "Why, in the coder's words (no code).")),
        primary_key=("pair_id",),
        foreign_keys=(ForeignKey(("pair_id",), f"eval_sample_pairs{_sfx(rnd)}", ("pair_id",)),),
    )


CONSENSUS_CELLS = Table(
    name="eval_consensus_cells", path="coding/labels/consensus_cells.csv", title="Consensus stage labels",
    description="The coders' agreed stage, else the adjudicator's; `how` says which.",
    columns=(Column("cell_id", "string", "Sampled cell.", required=True, unique=True),
             Column("stage", "string", "Consensus primary stage.", required=True, enum=STAGES),
             Column("stages", "string", "Stages both coders (or the adjudicator) gave."),
             Column("union", "string", "Stages any coder gave."),
             Column("how", "string", "agree, adjudicated or coder_a.", required=True,
                    enum=("agree", "adjudicated", "coder_a"))),
    primary_key=("cell_id",),
)

CONSENSUS_PAIRS = Table(
    name="eval_consensus_pairs", path="coding/labels/consensus_pairs.csv", title="Consensus change types",
    description="The coders' agreed change type, else the adjudicator's; `how` says which.",
    columns=(Column("pair_id", "string", "Sampled pair.", required=True, unique=True),
             Column("code", "string", "Consensus change type.", required=True, enum=PAIR_CODES),
             Column("codes", "string", "Codes both coders (or the adjudicator) gave."),
             Column("union", "string", "Codes any coder gave."),
             Column("how", "string", "agree, adjudicated or coder_a.", required=True,
                    enum=("agree", "adjudicated", "coder_a"))),
    primary_key=("pair_id",),
)

#: The columns of the cell predictions as the frozen records of rounds 1-3 hold them (the rules only).
RULE_CELL_COLUMNS = (Column("cell_id", "string", "Sampled cell.", required=True, unique=True),
                     Column("stage", "string", "Primary stage by the rules.", required=True, enum=STAGES),
                     Column("stages", "string", "Stages touched by the rules, ';'-separated."))
EVAL_CELLS = Table(
    name="eval_rule_cells", path="traces/eval_cells.csv", title="Frozen rules on the sampled cells",
    description=("Primary stage and stages touched that the frozen rules give every sampled cell, and the learned "
                 "stage coder's primary stage (coding/stage_coder.csv)."),
    columns=(*RULE_CELL_COLUMNS,
             Column("stage_learned", "string", "Primary stage by the learned coder with the shipped coefficients. On "
                                               "the cells of rounds 1-3 it was trained on them (in-sample); its honest "
                                               "estimate there is the leave-one-repository-out column of "
                                               "traces/eval_stage_coder.csv.", enum=STAGES)),
    primary_key=("cell_id",),
)

EVAL_PAIRS = Table(
    name="eval_rule_pairs", path="traces/eval_pairs.csv", title="Frozen classifier on the sampled pairs",
    description="Change type, facets and operator names added/removed/re-parameterised per sampled pair.",
    columns=(Column("pair_id", "string", "Sampled pair.", required=True, unique=True),
             Column("code", "string", "Change type by the classifier.", required=True, enum=PAIR_CODES),
             Column("facets", "string", "Facets that changed, ';'-separated."),
             *(Column(f"{side}_{what}", "string", f"{side} operators {what}, ';'-separated (names only).")
               for side in ("model", "preprocessing") for what in ("added", "removed", "reparameterised"))),
    primary_key=("pair_id",),
)

API_CATALOGUE = Table(
    name="api_catalogue", path="coding/api_catalogue.csv", title="API catalogue",
    description="Library APIs with their role in a workflow and the stage of a cell whose product they make.",
    columns=(Column("library", "string", "Library.", required=True),
             Column("pattern", "string", "Qualified name, glob (`*`) or `.method`.", required=True, unique=True),
             Column("role", "string", "Role in a workflow.", required=True, enum=ROLES),
             Column("stage", "string", "Stage.", required=True, enum=STAGES)),
    primary_key=("pattern",),
)

def _per_item(kind: str, name: str, path: str, title: str, description: str, *columns: Column) -> Table:
    """A table keyed by the sampled item (`cell_id` or `pair_id`)."""
    key = "cell_id" if kind == "cells" else "pair_id"
    return Table(name=name, path=path, title=title, description=description,
                 columns=(Column(key, "string", "Sampled item.", required=True, unique=True), *columns),
                 primary_key=(key,))


def _adjudication(kind: str, rnd: int = 1) -> Table:
    label, many, vocab = ("stage", "stages", STAGES) if kind == "cells" else ("code", "codes", PAIR_CODES)
    who = "The lead's" if rnd == 1 else f"The round-{rnd} engineer's"
    return _per_item(kind, f"eval_adjudication_{kind}{_sfx(rnd)}", f"{_dir(rnd)}/adjudication_{kind}.csv",
                     f"Adjudicated labels of {kind}{_of(rnd)}",
                     f"{who} label for each of the {kind} the two coders disagreed on.",
                     Column(label, "string", "Adjudicated label.", required=True, enum=vocab),
                     Column(many, "string", "Every applicable label, ';'-separated."),
                     Column("adjudicator", "string", "Who decided.", required=True),
                     Column("note", "string", "Why, in a few words (no code)."))


def _disagreements(kind: str, rnd: int = 1) -> Table:
    label, vocab = ("stage", STAGES) if kind == "cells" else ("code", PAIR_CODES)
    return _per_item(kind, f"eval_disagreements_{kind}{_sfx(rnd)}", f"{_dir(rnd)}/disagreements_{kind}.csv",
                     f"Coder disagreements on {kind}{_of(rnd)}", f"{kind.capitalize()} the two coders labelled differently (before adjudication).",
                     Column(f"{label}_a", "string", "Coder a's label.", required=True, enum=vocab),
                     Column(f"{label}_b", "string", "Coder b's label.", required=True, enum=vocab))


TABLES = [EVAL_SPLIT, SAMPLE_CELLS, SAMPLE_PAIRS, _coder_cells("a"), _coder_cells("b"), _coder_pairs("a"),
          _coder_pairs("b"), CONSENSUS_CELLS, CONSENSUS_PAIRS, EVAL_CELLS, EVAL_PAIRS, API_CATALOGUE,
          _adjudication("cells"), _adjudication("pairs"), _disagreements("cells"), _disagreements("pairs")]

# Round 2: the fresh held-out sample (coding/labels/round2/), drawn before the round-2 rules were frozen.
SAMPLE_CELLS_R2 = Table(
    name="eval_sample_cells_round2", path="coding/labels/round2/sample_cells.csv",
    title="Sampled code cells (round 2, fresh held-out)",
    description=("4 fresh non-blank code cells per held-out-half notebook of notebooks_eval/, none of them in the "
                 "round-1 sample (`python -m mliter.coding.eval_sample round2-cells`, seed 20261207)."),
    columns=SAMPLE_CELLS.columns, primary_key=("cell_id",),
)

SAMPLE_PAIRS_R2 = Table(
    name="eval_sample_pairs_round2", path="coding/labels/round2/sample_pairs.csv",
    title="Sampled version pairs (round 2, fresh held-out series)",
    description=("Every consecutive pair of the fresh version series of held-out repositories listed in "
                 "corpus/notebook_versions_round2.csv (source notebook_versions_round2, material kept outside the "
                 "repository; `python -m mliter.coding.eval_sample round2-pairs`)."),
    columns=SAMPLE_PAIRS.columns, primary_key=("pair_id",),
)


def _round_consensus(base: Table, rnd: int = 2) -> Table:
    return Table(name=base.name + _sfx(rnd), path=base.path.replace("coding/labels/", _dir(rnd) + "/"),
                 title=base.title + _of(rnd), description=base.description, columns=base.columns,
                 primary_key=base.primary_key)


def _round_predictions(base: Table, rnd: int = 2) -> Table:
    return Table(name=base.name + _sfx(rnd), path=base.path.replace("traces/eval_", f"traces/eval_round{rnd}_"),
                 title=base.title + _of(rnd), description=base.description + f" Round-{rnd} fresh held-out sample.",
                 columns=base.columns, primary_key=base.primary_key)


#: The frozen records shipped: (rules round, sample round) -> the commit whose frozen rules produced them.
FROZEN_RECORDS = {(1, 1): "91b66d1", (2, 1): "04164e0", (2, 2): "04164e0", (3, 1): "d3cf489", (3, 2): "d3cf489",
                  (3, 3): "d3cf489", (4, 1): "aca4e07", (4, 2): "aca4e07", (4, 3): "aca4e07", (4, 4): "aca4e07",
                  **{(5, s): "0bdeb3a" for s in range(1, 6)},
                  **{(6, s): "a1b972b" for s in range(1, 7)},
                  **{(7, s): "762783c" for s in range(1, 8)},
                  # round 8 replicates round 7: the round-7 frozen rules and learned coder, unchanged, on round 8
                  (7, 8): "762783c",
                  # the round-9 producers (rules, catalogue, signatures and the learned coder retrained on rounds
                  # 1-8) as frozen in 4848a64: rounds 1-8 in-sample, round 9 held out
                  **{(9, s): "4848a64" for s in range(1, 10)},
                  # round 10 replicates round 9: the round-9 producers of 4848a64, unchanged, on round 10
                  (9, 10): "4848a64"}
#: Records written before the learned coder existed: their cell files hold the rules' columns only.
RULES_ONLY_RECORDS = frozenset({(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)})


def frozen_record(base: Table, rules: int, sample: int, commit: str) -> Table:
    """Round `rules`'s frozen rules on round `sample`'s items, as scored and reported (traces/frozen/)."""
    kind = "cells" if base.path.endswith("cells.csv") else "pairs"
    which = "the held-out half and tuning half" if sample == 1 else f"the round-{sample} fresh held-out sample"
    return Table(name=f"{base.name}_rules{rules}_sample{sample}", path=frozen_path(rules, sample, kind).as_posix(),
                 title=f"{base.title} (round-{rules} frozen rules on round-{sample} items, as scored)",
                 description=(f"{base.description} The round-{rules} frozen rules (commit {commit}) on {which}, as "
                              "scored and reported; later rules re-score traces/eval_*.csv, never this record."),
                 columns=RULE_CELL_COLUMNS if kind == "cells" and (rules, sample) in RULES_ONLY_RECORDS else base.columns,
                 primary_key=base.primary_key)


TABLES += [frozen_record(base, r, s, c) for (r, s), c in FROZEN_RECORDS.items() for base in (EVAL_CELLS, EVAL_PAIRS)]
TABLES += [SAMPLE_CELLS_R2, SAMPLE_PAIRS_R2, *(_coder_cells(c, 2) for c in "ab"), *(_coder_pairs(c, 2) for c in "ab"),
           _round_consensus(CONSENSUS_CELLS), _round_consensus(CONSENSUS_PAIRS),
           _round_predictions(EVAL_CELLS), _round_predictions(EVAL_PAIRS),
           _adjudication("cells", 2), _adjudication("pairs", 2), _disagreements("cells", 2), _disagreements("pairs", 2)]

# Round 3: fresh repositories used in no earlier set (coding/labels/round3/), drawn before the round-3 rules
# were frozen; the material is kept outside the repository (corpus/*round3*.csv say where it came from).
def _round_sample(base: Table, rnd: int, title: str, description: str, **columns: Column) -> Table:
    """A round's sample table: the round-1 columns, some replaced by name."""
    return Table(name=base.name + _sfx(rnd), path=base.path.replace("coding/labels/", _dir(rnd) + "/"),
                 title=title, description=description,
                 columns=tuple(columns.get(c.name, c) for c in base.columns), primary_key=base.primary_key)


def _fresh_samples(rnd: FreshRound) -> tuple[Table, Table]:
    """The sample tables of a fresh round (mliter.corpus.rounds)."""
    n, seed = rnd.number, rnd.seed
    cells = _round_sample(
        SAMPLE_CELLS, n, f"Sampled code cells (round {n}, fresh repositories)",
        f"{rnd.cells_per_notebook} non-blank code cells of every notebook of {rnd.notebooks_manifest.as_posix()} "
        "(5 notebooks per fresh repository, chosen by `mliter corpus notebooks-from-git`; source "
        f"{rnd.notebooks_source}, kept outside the repository; `python -m mliter.coding.eval_sample "
        f"{rnd.name}-cells`, seed {seed}).",
        group=Column("group", "string", f"Kind of the repository ({rnd.repos_table.as_posix()}).", enum=rnd.kinds))
    cap = f"at most {rnd.pairs_per_repo} per repository, " if rnd.pairs_per_repo else ""
    pairs = _round_sample(
        SAMPLE_PAIRS, n, f"Sampled version pairs (round {n}, fresh repositories)",
        f"At most {rnd.pairs_per_series} consecutive pairs (seeded) of every version series of "
        f"{rnd.versions_manifest.as_posix()} ({cap}`mliter corpus versions-from-git` on the fresh repositories; "
        f"source {rnd.versions_source}, kept outside the repository; `python -m mliter.coding.eval_sample "
        f"{rnd.name}-pairs`, seed {seed}).")
    return cells, pairs


for _rnd in FRESH_ROUNDS.values():
    TABLES += [*_fresh_samples(_rnd), *(_coder_cells(c, _rnd.number) for c in "ab"),
               *(_coder_pairs(c, _rnd.number) for c in "ab"),
               _round_consensus(CONSENSUS_CELLS, _rnd.number), _round_consensus(CONSENSUS_PAIRS, _rnd.number),
               _round_predictions(EVAL_CELLS, _rnd.number), _round_predictions(EVAL_PAIRS, _rnd.number),
               *(f(k, _rnd.number) for f in (_adjudication, _disagreements) for k in ("cells", "pairs"))]


# The learned stage coder (mliter.coding.stage_coder, `mliter code train-stage-coder`).
STAGE_CODER = Table(
    name="stage_coder", path="coding/stage_coder.csv", title="Learned stage coder: coefficients",
    description=("A multinomial logistic regression (scikit-learn, lbfgs, L2; C and the vocabulary threshold k chosen "
                 "by leave-one-repository-out) trained on every labelled cell of the tuning rounds (rounds 1-4 from "
                 "round 5). One row per binary feature of mliter.traces.notebooks.learned.notebook_features (stage, "
                 "role and syntax names, and API-name tokens `api:...` found in at least k tuning repositories; no "
                 "variable, literal or other code), one "
                 "column per stage; a cell's score for a stage is the intercept plus the weights of its features, "
                 "the highest score wins (ties: the first stage in column order). Rows whose weights all round to 0 "
                 "are left out."),
    columns=(Column("feature", "string", "Feature name, or `(intercept)`.", required=True, unique=True),
             *(Column(s, "number", f"Weight towards stage {s} (6 decimals).", required=True)
               for s in ("other", "setup", "load", "EDA", "DPR", "LI", "PPR"))),
    primary_key=("feature",),
)

EVAL_STAGE_CODER = Table(
    name="eval_stage_coder", path="traces/eval_stage_coder.csv",
    title="Learned stage coder and rules on the labelled cells of the tuning rounds",
    description=("Per labelled cell: the consensus stage, the rules' stage (in-sample: the rules were tuned on these "
                 "cells), the learned coder's stage when its repository was left out of training and of the choice of "
                 "C and k (the honest estimate), the same with the final C and k, and the final model's (in-sample)."),
    columns=(Column("cell_id", "string", "Labelled cell.", required=True, unique=True),
             Column("round", "integer", "Labelling round of the cell.", required=True, minimum=1),
             Column("repo", "string", "Repository (the LORO group).", required=True),
             Column("kind", "string", "Group (round 1-2: a/b/c of the eval manifest) or kind (rounds 3 on) of its repository.",
                    required=True),
             *(Column(c, "string", d, required=True, enum=STAGES) for c, d in (
                 ("stage_hand", "Consensus label."), ("stage_rules", "The current rules."),
                 ("stage_learned_loro", "Learned coder, its repository left out (C and k chosen within the others)."),
                 ("stage_learned_loro_fixed_c", "Learned coder, its repository left out, with the final model's C and k."),
                 ("stage_learned", "The final model (trained on every cell here: in-sample).")))),
    primary_key=("cell_id",),
)

TABLES += [STAGE_CODER, EVAL_STAGE_CODER]
