"""The fresh held-out rounds of issue 7 (round 3 on): one declaration per round.

A fresh round takes notebooks and version series from repositories used in no earlier set, chosen by a
rule written down before any was fetched (corpus/repos_round<N>.csv, `mliter corpus screen-repos`); the
material is kept outside the repository and the shipped manifests say where every byte came from. Every
piece of the round's tooling reads what differs between rounds from here (seed, kinds of work, where the
material lives, the caps of the draw), so a new round is one more `FreshRound`, not copied functions:

- `mliter.coding.eval_sample round<N>-cells|round<N>-pairs` draw the sample;
- `mliter.coding.eval_labels --round N` validates coder files and shows the items;
- `mliter code trace-eval --round N` writes the consensus and, after the freeze, the scores;
- the round's tables (mliter.corpus.schema, mliter.coding.trace_schema).

Standard library only: the coders' viewer (`python3 -m mliter.coding.eval_labels`) imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FreshRound:
    number: int
    seed: int
    #: Kinds of work the candidates were listed for, in list order (the `group` of the round's cells).
    kinds: tuple[str, ...]
    #: Kind of work -> kind of the version pairs (dl, ff, other: the round-1 vocabulary).
    pair_kind: dict[str, str] = field(compare=False)
    #: Folder beside the checkout holding the material when no --material / environment variable says.
    default_folder: str = ""
    cells_per_notebook: int = 4
    pairs_per_series: int = 5
    #: At most this many pairs per repository (a seeded subset of a repository above it); None: no cap.
    pairs_per_repo: int | None = None
    #: Fewer pairs than this: the per-series cap is raised by one, up to `max_pairs_per_series`, and the
    #: draw redone from the seed (a rule written down before the round's pairs were drawn).
    min_pairs: int = 0
    max_pairs_per_series: int = 9
    #: Version of coding/stages.md the round's coders followed (committed before the round was drawn).
    stage_codebook: str = "2.0"
    #: The round whose frozen rules score this round's sample: its own (the round tuned rules, froze them and
    #: scored them once), or an earlier round's for a replication (no rule tuned in between: the earlier
    #: round's producers are scored again, on repositories drawn after they were frozen). None: its own.
    replicates: int | None = None
    #: Kinds no candidate of the written lists made eligible, so the round has no repository of them (recorded
    #: after the screening, by the rule its README wrote down before anything was fetched).
    unfilled_kinds: tuple[str, ...] = ()
    #: The candidates were listed without kinds and each kind was read from the notebooks' imports at screening
    #: (`mliter.corpus.repo_screen.kind_by_imports`; round 9 on), so the candidate table has `kind_nb` and kind
    #: `unread` for a candidate never read.
    kinds_read: bool = False
    #: No repository may hold more than this share of the round's pairs (`eval_sample.check_share`): 20%, or, when
    #: fewer than 5 repositories give pairs, the most even share they allow (round 10: 4 repositories, 25%).
    pair_share: float = 0.2
    #: The fewest repositories, notebooks and pairs the round's sample holds, as its README says (rounds 3-8 chose
    #: 10-14 repositories; the frames of rounds 9 and 10 gave 6 and 7): checked by the sample's tests.
    least: tuple[int, int, int] = (10, 50, 60)

    @property
    def filled_kinds(self) -> tuple[str, ...]:
        """The kinds the round's repositories and cells come from."""
        return tuple(k for k in self.kinds if k not in self.unfilled_kinds)

    @property
    def scored_by(self) -> int:
        """The round of the frozen rules (and learned coder) whose record on this round's sample is reported."""
        return self.number if self.replicates is None else self.replicates

    @property
    def name(self) -> str:
        return f"round{self.number}"

    @property
    def labels(self) -> Path:
        return Path("coding/labels") / self.name

    @property
    def notebooks_source(self) -> str:
        return f"notebooks_{self.name}"

    @property
    def versions_source(self) -> str:
        return f"notebook_versions_{self.name}"

    @property
    def notebooks_manifest(self) -> Path:
        return Path(f"corpus/notebooks_{self.name}.csv")

    @property
    def versions_manifest(self) -> Path:
        return Path(f"corpus/notebook_versions_{self.name}.csv")

    @property
    def repos_table(self) -> Path:
        return Path(f"corpus/repos_{self.name}.csv")

    @property
    def data_env(self) -> str:
        return f"MLITER_ROUND{self.number}_DATA"

    @property
    def cell_prefix(self) -> str:
        return f"r{self.number}c"

    @property
    def pair_prefix(self) -> str:
        return f"r{self.number}p"


ROUND3 = FreshRound(
    3, 20261215, ("pytorch", "keras_tf", "transformers", "fastai", "tabular_features", "sklearn_teaching", "boosting"),
    {"pytorch": "dl", "keras_tf": "dl", "transformers": "dl", "fastai": "dl", "tabular_features": "ff",
     "sklearn_teaching": "other", "boosting": "other"},
    default_folder="fresh3")

# Round 4: kinds closer to what users point the miner at. The pair rule (caps, and how the per-series cap is
# raised) was written down in coding/labels/round4/README.md before any pair was drawn.
ROUND4 = FreshRound(
    4, 20261201, ("competition", "applied_project", "vision", "nlp", "time_series", "course_assignments",
                  "automl_tuning"),
    {"competition": "other", "applied_project": "other", "vision": "dl", "nlp": "dl", "time_series": "other",
     "course_assignments": "other", "automl_tuning": "other"},
    default_folder="fresh4", pairs_per_repo=15, min_pairs=120, stage_codebook="2.1")

# Round 5: seven kinds of applied work, none of them course or competition material. Same pair rule as round 4,
# written down in coding/labels/round5/README.md before any pair was drawn.
_ROUND5_KINDS = ("tabular_applied", "vision", "nlp_llm", "time_series", "automl_tuning", "recommender",
                 "science_domain")
ROUND5 = FreshRound(5, 20261202, _ROUND5_KINDS,
                    {k: "dl" if k in ("vision", "nlp_llm") else "other" for k in _ROUND5_KINDS},
                    default_folder="fresh5", pairs_per_repo=15, min_pairs=120, stage_codebook="2.2")

# Round 6: seven kinds of applied work, three of them (graph ML, audio and speech, geospatial) new. Same pair rule
# as rounds 4 and 5, written down in coding/labels/round6/README.md before any pair was drawn.
_ROUND6_KINDS = ("tabular_applied", "vision", "nlp_llm", "time_series", "graph_ml", "audio_speech", "geospatial")
ROUND6 = FreshRound(6, 20261203, _ROUND6_KINDS,
                    {k: "dl" if k in ("vision", "nlp_llm", "audio_speech") else "other" for k in _ROUND6_KINDS},
                    default_folder="fresh6", pairs_per_repo=15, min_pairs=120, stage_codebook="2.3")

# Round 7: seven kinds chosen before anything was drawn (lead's plan): the two weakest kinds of round 6 again
# (language models, audio and speech: does tuning on one round's repositories of a kind carry to new ones?), the
# four most common kinds of applied work, and feature-engineering-heavy and generative-model work (kinds the
# issue names and no round sampled on their own). Same pair rule as rounds 4-6, written down in
# coding/labels/round7/README.md before any pair is drawn. Codebook 2.3 unchanged, so rounds 6 and 7 compare.
_ROUND7_KINDS = ("tabular_applied", "vision", "nlp_llm", "time_series", "audio_speech", "feature_engineering",
                 "generative")
ROUND7 = FreshRound(7, 20261204, _ROUND7_KINDS,
                    {k: "dl" if k in ("vision", "nlp_llm", "audio_speech", "generative") else
                     "ff" if k == "feature_engineering" else "other" for k in _ROUND7_KINDS},
                    default_folder="fresh7", pairs_per_repo=15, min_pairs=120, stage_codebook="2.3")

# Round 8: a replication. The producers frozen at round 7 are scored, unchanged, on fresh repositories of round
# 7's seven kinds (coding/labels/round8/README.md, committed before any candidate was fetched); no rule is tuned
# in this round, so round 7 stays the held-out round of the tuning material and round 8 is held out too.
ROUND8 = FreshRound(8, 20261205, _ROUND7_KINDS, dict(ROUND7.pair_kind),
                    default_folder="fresh8", pairs_per_repo=15, min_pairs=120, stage_codebook="2.3", replicates=7,
                    unfilled_kinds=("audio_speech",))

# Round 9: the held-out sample for the next tuning round (coding/labels/round9/README.md, committed before any
# candidate was screened). Round 7's kinds, read from each candidate's notebooks; candidates from a listing of
# repositories whose names say they hold notebooks (the well-known ones are in the exclusion tables); drawn and
# labelled before that tuning is scored, scored by the producers it freezes (`replicates` None: its own round).
# The frame gave 6 repositories (vision and time_series one each, three kinds none); the pair cap per repository is
# 9, the largest under which no repository holds more than 20% of the pairs (README, amendment 2).
ROUND9 = FreshRound(9, 20261206, _ROUND7_KINDS, dict(ROUND7.pair_kind),
                    default_folder="fresh9", pairs_per_repo=9, min_pairs=120, stage_codebook="2.3", kinds_read=True,
                    unfilled_kinds=("audio_speech", "feature_engineering", "generative"), least=(6, 30, 45))

# Round 10: a replication of round 9 (coding/labels/round10/README.md, committed before any candidate was fetched):
# the round-9 producers, frozen in 4848a64, scored again, unchanged, on fresh repositories of round 7's kinds read
# from the notebooks. 7 repositories chosen (three kinds none); the pairs come from 4 of them, so their spread bound
# is 25% (amendment 2), and the pair cap per repository is the largest from 15 down that passes it.
ROUND10 = FreshRound(10, 20261207, _ROUND7_KINDS, dict(ROUND7.pair_kind),
                     default_folder="fresh10", pairs_per_repo=10, min_pairs=120, stage_codebook="2.3",
                     replicates=9, kinds_read=True, pair_share=0.25,
                     unfilled_kinds=("audio_speech", "feature_engineering", "generative"), least=(7, 35, 40))

FRESH_ROUNDS = {r.number: r for r in (ROUND3, ROUND4, ROUND5, ROUND6, ROUND7, ROUND8, ROUND9, ROUND10)}

#: Rounds whose README and candidate frame (coding/labels/round<N>/frame.csv) are committed before anything of them
#: is fetched or screened, and that join FRESH_ROUNDS once their sample is drawn (round 10 joined with its sample;
#: round 11, the held-out sample of the next tuning round, coding/labels/round11/README.md, is framed).
FRAMES_AHEAD: tuple[int, ...] = (11,)


def scored_by(number: int) -> int:
    """The round whose frozen rules score round `number`'s sample (its own for rounds 1-2 and every round that
    tuned; the replicated round for a replication)."""
    return FRESH_ROUNDS[number].scored_by if number in FRESH_ROUNDS else number


def rounds_scored_by(rules: int) -> list[int]:
    """The fresh rounds whose samples round `rules`'s frozen producers score: its own round (when it is a fresh
    round) and every replication of it, in order. One list for every place that pools a producer's held-out
    samples (the pooled validity rows, the corrected shares), so they cannot disagree on what is pooled."""
    return sorted(n for n, r in FRESH_ROUNDS.items() if r.scored_by == rules)


#: The round whose sample is held out now: its labels (and every later round's) are never tuning material for
#: the rules or the learned stage coder; the rounds below it are. It stays on a round after that round is scored
#: (the shipped coder is the one that was scored) and is raised to the next tuned round when that round's tuning
#: starts, which makes the scored rounds' labels tuning material (the only edit a new round needs here); a
#: replication round leaves it where it is.
HELD_OUT_ROUND = 9
# Round 8 replicated round 7 and tuned nothing, so HELD_OUT_ROUND stayed 7 through round 8's scoring. It was raised
# to 9 when round 9's tuning started, after round 9 was drawn, labelled and adjudicated: rounds 7 and 8 (both
# scored) are tuning material now, round 9 is held out. Round 10 replicates round 9 and tunes nothing: it stays 9.


def fresh_round(number: int) -> FreshRound:
    """The declaration of fresh round `number`; a ValueError naming the rounds there are otherwise."""
    try:
        return FRESH_ROUNDS[number]
    except KeyError:
        raise ValueError(f"no fresh round {number} (fresh rounds: {', '.join(map(str, FRESH_ROUNDS))})") from None
