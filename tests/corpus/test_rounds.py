"""The fresh-round declarations (mliter.corpus.rounds): one vocabulary per round, names derived from the
number, codebook versions in step with coding/stages.md."""

from __future__ import annotations

import re

import pytest

from mliter.corpus.rounds import (FRESH_ROUNDS, HELD_OUT_ROUND, ROUND5, ROUND6, ROUND7, ROUND8, fresh_round,
                                  rounds_scored_by, scored_by)
from mliter.paths import CODING


def test_unknown_round_names_the_declared_ones():
    with pytest.raises(ValueError, match=r"no fresh round 99 \(fresh rounds: 3, 4, 5, 6, 7, 8, 9, 10\)"):
        fresh_round(99)
    assert fresh_round(5) is ROUND5 and fresh_round(6) is ROUND6


@pytest.mark.parametrize("n", sorted(FRESH_ROUNDS))
def test_each_round_declares_distinct_kinds_seed_and_folder(n):
    rnd = FRESH_ROUNDS[n]
    assert rnd.number == n and len(set(rnd.kinds)) == len(rnd.kinds) == 7
    assert set(rnd.pair_kind.values()) <= {"dl", "ff", "other"}
    others = [r for m, r in FRESH_ROUNDS.items() if m != n]
    assert rnd.seed not in {r.seed for r in others} and rnd.default_folder not in {r.default_folder for r in others}
    assert (rnd.cell_prefix, rnd.pair_prefix, rnd.data_env) == (f"r{n}c", f"r{n}p", f"MLITER_ROUND{n}_DATA")


def test_round5_pair_kinds_follow_its_written_rule():
    """coding/labels/round5/README.md: vision and nlp_llm are deep-learning pairs, every other kind `other`."""
    assert {k for k, v in ROUND5.pair_kind.items() if v == "dl"} == {"vision", "nlp_llm"}
    assert (ROUND5.pairs_per_repo, ROUND5.min_pairs, ROUND5.pairs_per_series) == (15, 120, 5)


def test_round6_declares_its_written_rule():
    """coding/labels/round6/README.md: seed 20261203; vision, nlp_llm and audio_speech are deep-learning pairs,
    every other kind `other`; the caps of rounds 4-5; codebook 2.3."""
    assert ROUND6.seed == 20261203 and ROUND6.default_folder == "fresh6"
    assert ROUND6.kinds == ("tabular_applied", "vision", "nlp_llm", "time_series", "graph_ml", "audio_speech",
                            "geospatial")
    assert {k for k, v in ROUND6.pair_kind.items() if v == "dl"} == {"vision", "nlp_llm", "audio_speech"}
    assert (ROUND6.pairs_per_repo, ROUND6.min_pairs, ROUND6.pairs_per_series) == (15, 120, 5)
    assert ROUND6.stage_codebook == "2.3"


def test_round7_declares_its_written_rule_and_is_the_held_out_round():
    """The round-7 plan: seed 20261204; vision, nlp_llm, audio_speech and generative are deep-learning pairs,
    feature_engineering feature-function pairs, the rest `other`; the caps of rounds 4-6; codebook 2.3
    unchanged; round 7 is the one held out, so round 6's labels are tuning material."""
    assert ROUND7.seed == 20261204 and ROUND7.default_folder == "fresh7"
    assert {k for k, v in ROUND7.pair_kind.items() if v == "dl"} == {"vision", "nlp_llm", "audio_speech",
                                                                      "generative"}
    assert {k for k, v in ROUND7.pair_kind.items() if v == "ff"} == {"feature_engineering"}
    assert (ROUND7.pairs_per_repo, ROUND7.min_pairs, ROUND7.pairs_per_series) == (15, 120, 5)
    assert ROUND7.stage_codebook == "2.3" and HELD_OUT_ROUND > 7


def test_round8_replicates_round7_and_tunes_nothing():
    """Round 8 (coding/labels/round8/README.md): round 7's kinds, pair kinds, caps and codebook, another seed; it
    tunes nothing, so its sample is scored by the round-7 producers and HELD_OUT_ROUND stayed 7 until both were
    scored; round 9's tuning raised it past them."""
    assert ROUND8.seed == 20261205 and ROUND8.default_folder == "fresh8" and ROUND8.seed not in {
        r.seed for r in FRESH_ROUNDS.values() if r is not ROUND8}
    assert (ROUND8.kinds, ROUND8.pair_kind, ROUND8.stage_codebook) == (ROUND7.kinds, ROUND7.pair_kind, "2.3")
    assert (ROUND8.pairs_per_repo, ROUND8.min_pairs, ROUND8.pairs_per_series) == (15, 120, 5)
    assert ROUND8.scored_by == scored_by(8) == 7 and HELD_OUT_ROUND > 8
    assert all(scored_by(n) == n for n in FRESH_ROUNDS if n not in (8, 10)) and scored_by(1) == 1 and scored_by(2) == 2


def test_rounds_scored_by_lists_a_round_with_its_replications_and_nothing_else():
    """What the pooled validity rows and the corrected shares pool: round 7 with its replication, round 8; round 9
    with round 10."""
    assert rounds_scored_by(7) == [7, 8] and rounds_scored_by(6) == [6] and rounds_scored_by(9) == [9, 10]
    assert rounds_scored_by(8) == [] and rounds_scored_by(1) == []  # a replication scores none; round 1 is not fresh
    pooled = sorted(r for n in FRESH_ROUNDS for r in rounds_scored_by(n))
    assert pooled == sorted(FRESH_ROUNDS)  # every fresh round is pooled under exactly one producer


def test_codebook_versions_rise_and_none_is_ahead_of_coding_stages_md():
    versions = [tuple(map(int, FRESH_ROUNDS[n].stage_codebook.split("."))) for n in sorted(FRESH_ROUNDS)]
    assert versions == sorted(versions)
    title = (CODING / "stages.md").read_text(encoding="utf-8").splitlines()[0]
    current = tuple(map(int, re.search(r"codebook (\d+)\.(\d+)", title).groups()))
    assert versions[-1] <= current and ROUND5.stage_codebook == "2.2" and ROUND6.stage_codebook == "2.3"


def test_round9_reads_its_kinds_and_is_scored_by_its_own_producers():
    """Round 9 (coding/labels/round9/README.md): round 7's kinds and pair kinds, each candidate's kind read from its
    notebooks (its candidate table has `kind_nb` and `unread`), scored by the producers tuned after it was drawn."""
    from mliter.corpus.rounds import ROUND9
    assert (ROUND9.kinds, ROUND9.pair_kind, ROUND9.stage_codebook, ROUND9.kinds_read) == (
        ROUND7.kinds, ROUND7.pair_kind, "2.3", True)
    assert ROUND9.scored_by == scored_by(9) == 9
    assert HELD_OUT_ROUND == 9  # raised when round 9's tuning started: rounds 7 and 8 are tuning material
    assert not any(r.kinds_read for n, r in FRESH_ROUNDS.items() if n < 9)


def test_round10_replicates_round9_and_keeps_round9_held_out():
    """Round 10 (coding/labels/round10/README.md): round 9's kinds, read from the notebooks, another seed; it tunes
    nothing, so its sample is scored by the round-9 producers and HELD_OUT_ROUND stays 9; its pairs come from 4
    repositories, so their spread bound is the most even they allow (25%, amendment 2)."""
    from mliter.corpus.rounds import ROUND9, ROUND10
    assert (ROUND10.kinds, ROUND10.pair_kind, ROUND10.stage_codebook, ROUND10.kinds_read) == (
        ROUND9.kinds, ROUND9.pair_kind, "2.3", True)
    assert ROUND10.seed == 20261207 and ROUND10.default_folder == "fresh10" and max(FRESH_ROUNDS) == 10
    assert ROUND10.scored_by == scored_by(10) == 9 and HELD_OUT_ROUND == 9 < 10
    assert (ROUND10.pairs_per_repo, ROUND10.pair_share, ROUND10.least) == (10, 0.25, (7, 35, 40))
    assert all(r.pair_share == 0.2 for n, r in FRESH_ROUNDS.items() if n != 10)


def test_frames_are_declared_ordered_and_new():
    """Every frame (a kinds-read round's, and one committed ahead of its round, FRAMES_AHEAD, before the round is
    declared) is a declared table in the screening's order and names no repository of an earlier frame."""
    import csv

    from mliter.corpus.rounds import FRAMES_AHEAD
    from mliter.corpus.schema import TABLES

    declared = {t.path for t in TABLES}
    assert not set(FRAMES_AHEAD) & set(FRESH_ROUNDS) and all(n > max(FRESH_ROUNDS) for n in FRAMES_AHEAD)
    framed = [*(n for n, r in FRESH_ROUNDS.items() if r.kinds_read), *FRAMES_AHEAD]
    assert {9, 10} <= set(framed)
    seen: set[str] = set()
    for n in framed:  # in round order: a frame names no repository of an earlier frame
        folder = CODING / "labels" / f"round{n}"
        assert (folder / "README.md").is_file() and f"coding/labels/round{n}/frame.csv" in declared
        rows = list(csv.DictReader(open(folder / "frame.csv", encoding="utf-8")))
        assert [int(r["order"]) for r in rows] == list(range(1, len(rows) + 1))
        names = {r["repo"].lower() for r in rows}
        assert not names & seen, n
        seen |= names
