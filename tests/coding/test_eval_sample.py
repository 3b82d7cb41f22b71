"""Round-2 draw of fresh held-out cells: only held-out notebooks, never a round-1 cell, deterministic."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from mliter.coding.eval_sample import build_fresh_pairs, build_round2_cells, draw_round2_cells
from mliter.corpus.rounds import FRESH_ROUNDS, ROUND3, ROUND4
from mliter.errors import InputError
from mliter.paths import CODING


def _nb(path: Path, sources: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "markdown", "source": "# title", "metadata": {}}]
    cells += [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
              for s in sources]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))


def _write(path: Path, rows: list[dict], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def material(tmp_path):
    data, root = tmp_path / "data", tmp_path / "repo"
    nbs = data / "notebooks_eval"
    _nb(nbs / "o__held/a.ipynb", [f"x{i} = {i}" for i in range(8)] + ["   "])
    _nb(nbs / "o__held/b.ipynb", ["import os", "", "y = 1"])
    _nb(nbs / "o__tune/c.ipynb", [f"z{i} = {i}" for i in range(8)])
    _write(nbs / "MANIFEST.tsv", [
        {"local_path": "o__held/a.ipynb", "repo": "o/held", "group": "a"},
        {"local_path": "o__held/b.ipynb", "repo": "o/held", "group": "b"},
        {"local_path": "o__tune/c.ipynb", "repo": "o/tune", "group": "a"},
    ], "\t")
    _write(root / "coding/eval_split.csv", [{"repo": "o/held", "half": "heldout"}, {"repo": "o/tune", "half": "tuning"}])
    _write(root / "coding/labels/sample_cells.csv", [
        {"cell_id": "c0001", "source": "notebooks_eval", "local_path": "o__held/a.ipynb", "code_cell": 0,
         "repo": "o/held", "group": "a", "half": "heldout"},
        {"cell_id": "c0002", "source": "notebooks_eval", "local_path": "o__held/b.ipynb", "code_cell": 2,
         "repo": "o/held", "group": "b", "half": "heldout"}])
    return data, root


def test_round2_cells_are_fresh_heldout_nonblank_and_deterministic(material):
    data, root = material
    before = (root / "coding/labels/sample_cells.csv").read_bytes()
    got = build_round2_cells(data, root, seed=5)
    out = root / "coding/labels/round2/sample_cells.csv"
    rows = list(csv.DictReader(open(out)))
    assert got == {"notebooks": 2, "repos": 1, "cells": 5}
    assert [r["cell_id"] for r in rows] == [f"r2c{n:04d}" for n in range(1, 6)]
    assert {r["half"] for r in rows} == {"heldout"} and {r["repo"] for r in rows} == {"o/held"}
    picked = {(r["local_path"], int(r["code_cell"])) for r in rows}
    assert ("o__held/a.ipynb", 0) not in picked and ("o__held/b.ipynb", 2) not in picked  # round-1 cells
    assert ("o__held/a.ipynb", 8) not in picked and ("o__held/b.ipynb", 1) not in picked  # blank cells
    assert ("o__held/b.ipynb", 0) in picked  # the one fresh non-blank cell of b
    first = out.read_bytes()
    build_round2_cells(data, root, seed=5)
    assert out.read_bytes() == first
    assert (root / "coding/labels/sample_cells.csv").read_bytes() == before  # round 1 untouched
    assert list(rows[0]) == ["cell_id", "source", "local_path", "code_cell", "repo", "group", "half"]


def test_round2_cells_refuse_to_write_an_empty_sample(material):
    data, root = material
    (root / "coding/eval_split.csv").write_text("repo,half\no/held,tuning\no/tune,tuning\n")
    with pytest.raises(InputError, match="nothing written"):
        build_round2_cells(data, root)
    assert not (root / "coding/labels/round2/sample_cells.csv").exists()


def test_draw_changes_with_the_seed(material):
    data, root = material
    rows = [{"local_path": "o__held/a.ipynb", "repo": "o/held", "group": "a"}]
    draws = {tuple(r["code_cell"] for r in draw_round2_cells(data / "notebooks_eval", rows, {"o/held": "heldout"},
                                                              set(), random.Random(s), per_notebook=3))
             for s in range(6)}
    assert len(draws) > 1


def test_shipped_round2_cells_are_fresh_and_heldout():
    r2 = list(csv.DictReader(open(CODING / "labels/round2/sample_cells.csv")))
    r1 = {(r["local_path"], r["code_cell"]) for r in csv.DictReader(open(CODING / "labels/sample_cells.csv"))}
    split = {r["repo"]: r["half"] for r in csv.DictReader(open(CODING / "eval_split.csv"))}
    assert len(r2) >= 200
    assert not {(r["local_path"], r["code_cell"]) for r in r2} & r1
    assert {split[r["repo"]] for r in r2} == {"heldout"}


def test_shipped_round2_cells_are_reproducible(shared, tmp_path):
    (tmp_path / "coding/labels").mkdir(parents=True)
    for rel in ("coding/eval_split.csv", "coding/labels/sample_cells.csv"):
        (tmp_path / rel).write_bytes((CODING.parent / rel).read_bytes())
    build_round2_cells(shared, tmp_path)
    rel = "coding/labels/round2/sample_cells.csv"
    assert (tmp_path / rel).read_bytes() == (CODING.parent / rel).read_bytes()


def test_shipped_round2_pairs_are_every_consecutive_pair_of_the_shipped_series(tmp_path):
    from mliter.coding.eval_sample import build_round2_pairs

    for rel in ("coding/eval_split.csv", "corpus/notebook_versions_round2.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((CODING.parent / rel).read_bytes())
    got = build_round2_pairs(tmp_path)
    rel = "coding/labels/round2/sample_pairs.csv"
    assert (tmp_path / rel).read_bytes() == (CODING.parent / rel).read_bytes()
    manifest = list(csv.DictReader(open(CODING.parent / "corpus/notebook_versions_round2.csv")))
    assert got["pairs"] == len(manifest) - got["series"] >= 70
    assert got["pairs"] == len(list(csv.DictReader(open(CODING.parent / rel))))


def test_round2_pairs_refuse_a_series_of_a_tuning_repository(tmp_path):
    from mliter.coding.eval_sample import build_round2_pairs

    _write(tmp_path / "coding/eval_split.csv", [{"repo": "o/t", "half": "tuning"}])
    _write(tmp_path / "corpus/notebook_versions_round2.csv", [
        {"local_path": f"o__t/nb/v0{k}_abcdef{k}.ipynb", "repo": "o/t", "version_index": k} for k in (1, 2)])
    with pytest.raises(InputError, match="not in the held-out half: o/t"):
        build_round2_pairs(tmp_path)
    assert not (tmp_path / "coding/labels/round2/sample_pairs.csv").exists()


# Round 3: fresh repositories (material outside the repository, checked against the shipped manifests).

def _round3(tmp_path, notebooks: dict[str, list[str]], kinds: dict[str, str]):
    import hashlib

    material, root = tmp_path / "fresh3", tmp_path / "repo"
    rows = []
    for rel, sources in notebooks.items():
        _nb(material / "notebooks_round3" / rel, sources)
        data = (material / "notebooks_round3" / rel).read_bytes()
        rows.append({"local_path": rel, "repo": rel.split("/")[0].replace("__", "/"),
                     "sha256": hashlib.sha256(data).hexdigest()})
    _write(root / "corpus/notebooks_round3.csv", rows)
    _write(root / "corpus/repos_round3.csv", [{"order": n, "kind": k, "repo": r, "chosen": "yes"}
                                              for n, (r, k) in enumerate(kinds.items(), 1)]
           + [{"order": 99, "kind": "boosting", "repo": "o/notchosen", "chosen": "no"}])
    return material, root


def test_round3_cells_draw_per_notebook_with_the_repository_kind_and_verify_the_bytes(tmp_path):
    from mliter.coding.eval_sample import build_fresh_cells

    nbs = {f"o__r{k}/nb{j}.ipynb": [f"v{i} = {i}" for i in range(6)] + [" "] for k in range(5) for j in range(2)}
    material, root = _round3(tmp_path, nbs, {f"o/r{k}": ("pytorch" if k < 3 else "boosting") for k in range(5)})
    got = build_fresh_cells(material, root, ROUND3, seed=3, per_notebook=4)
    out = root / "coding/labels/round3/sample_cells.csv"
    rows = list(csv.DictReader(open(out)))
    assert got == {"notebooks": 10, "repos": 5, "cells": 40}
    assert [r["cell_id"] for r in rows] == [f"r3c{n:04d}" for n in range(1, 41)]
    assert {r["source"] for r in rows} == {"notebooks_round3"} and {r["half"] for r in rows} == {"heldout"}
    assert {r["group"] for r in rows if r["repo"] == "o/r0"} == {"pytorch"}
    assert {r["group"] for r in rows if r["repo"] == "o/r4"} == {"boosting"}
    assert "6" not in {r["code_cell"] for r in rows}  # the blank cell
    first = out.read_bytes()
    build_fresh_cells(material, root, ROUND3, seed=3, per_notebook=4)
    assert out.read_bytes() == first
    (material / "notebooks_round3/o__r0/nb0.ipynb").write_text("{}")  # not the recorded bytes
    with pytest.raises(InputError, match="not the recorded bytes .first: o__r0/nb0.ipynb"):
        build_fresh_cells(material, root, ROUND3, seed=3)
    assert out.read_bytes() == first  # a failed draw replaces nothing


def test_round3_cells_refuse_a_dominant_repository_and_an_unchosen_one(tmp_path):
    from mliter.coding.eval_sample import build_fresh_cells

    nbs = {"o__big/a.ipynb": ["a", "b", "c", "d"], "o__big/b.ipynb": ["a", "b", "c", "d"],
           "o__small/a.ipynb": ["a", "b", "c", "d"]}
    material, root = _round3(tmp_path, nbs, {"o/big": "fastai", "o/small": "fastai"})
    with pytest.raises(InputError, match=r"above 20% of 12 items: o/big \(8\)"):
        build_fresh_cells(material, root, ROUND3)
    assert not (root / "coding/labels/round3/sample_cells.csv").exists()
    assert build_fresh_cells(material, root, ROUND3, max_share=0.7)["cells"] == 12
    material, root = _round3(tmp_path / "x", {"o__notchosen/a.ipynb": ["a"]}, {"o/r": "fastai"})
    with pytest.raises(InputError, match="not chosen in corpus/repos_round3.csv: o/notchosen"):
        build_fresh_cells(material, root, ROUND3)


def test_round3_pairs_cap_each_series_with_a_seeded_draw(tmp_path):
    from mliter.coding.eval_sample import build_fresh_pairs

    rows = [{"local_path": f"o__r{k}/s{j}/v{v:02d}_abcdef{v % 10}.ipynb", "repo": f"o/r{k}", "version_index": v}
            for k in range(6) for j in range(2) for v in range(1, 9 if j == 0 else 3)]
    _write(tmp_path / "corpus/notebook_versions_round3.csv", rows)
    _write(tmp_path / "corpus/repos_round3.csv", [{"order": k, "kind": "transformers" if k else "tabular_features",
                                                   "repo": f"o/r{k}", "chosen": "yes"} for k in range(6)])
    got = build_fresh_pairs(tmp_path, ROUND3, seed=1, per_series=5)
    out = list(csv.DictReader(open(tmp_path / "coding/labels/round3/sample_pairs.csv")))
    assert got == {"series": 12, "repos": 6, "pairs": 36, "per_series": 5}  # 5 of 7 pairs, and the one pair of each short series
    assert [r["pair_id"] for r in out][:2] == ["r3p0001", "r3p0002"]
    long0 = [r for r in out if r["series"] == "o__r0/s0"]
    assert len(long0) == 5 and all(int(r["to_file"][1:3]) == int(r["from_file"][1:3]) + 1 for r in long0)
    assert {r["kind"] for r in out if r["repo"] == "o/r0"} == {"ff"} and {r["kind"] for r in out} == {"ff", "dl"}
    draws = {tuple(r["from_file"] for r in _drawn_pairs_of_first_series(tmp_path, s)) for s in range(5)}
    assert len(draws) > 1


def _drawn_pairs_of_first_series(root, seed):
    from mliter.coding.eval_sample import build_fresh_pairs

    build_fresh_pairs(root, ROUND3, seed=seed)
    return [r for r in csv.DictReader(open(root / "coding/labels/round3/sample_pairs.csv")) if r["series"] == "o__r0/s0"]


@pytest.mark.parametrize("n", sorted(FRESH_ROUNDS))
def test_shipped_fresh_sample_is_reproducible_fresh_and_balanced(tmp_path, n):
    """From the shipped manifests only (ids, no notebook): the pairs redraw byte for byte, no repository of
    the round is in any earlier set (for round 4 on: nor any candidate of an earlier round), every notebook
    gives its cells and every kind its share, and no repository holds more than 20% of either sample."""
    from collections import Counter

    rnd = FRESH_ROUNDS[n]
    top = CODING.parent
    for rel in (rnd.versions_manifest, rnd.repos_table):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((top / rel).read_bytes())
    drawn = build_fresh_pairs(tmp_path, rnd)
    rel = rnd.labels / "sample_pairs.csv"
    assert (tmp_path / rel).read_bytes() == (top / rel).read_bytes()
    repos = list(csv.DictReader(open(top / rnd.repos_table)))
    chosen = {r["repo"] for r in repos if r["chosen"] == "yes"}
    per_kind = Counter(r["kind"] for r in repos if r["chosen"] == "yes")
    if rnd.kinds_read:  # round 9: a kind has what the frame gave (coding/labels/round9/README.md)
        assert set(per_kind) == set(rnd.filled_kinds) and set(per_kind.values()) <= {1, 2}
    else:
        assert per_kind == {k: 2 for k in rnd.filled_kinds}
    earlier = {r["repo"] for r in csv.DictReader(open(CODING / "eval_split.csv"))}
    for rel in ("corpus/notebooks.csv", "corpus/notebook_versions.csv", "corpus/notebook_versions_round2.csv",
                *(f for m in range(3, n) for f in (FRESH_ROUNDS[m].repos_table, FRESH_ROUNDS[m].notebooks_manifest))):
        earlier |= {r["repo"] for r in csv.DictReader(open(top / rel))}
    least_repos, least_notebooks, least_pairs = rnd.least  # the floors its README accepts (FreshRound.least)
    assert len(chosen) >= least_repos and not {r.lower() for r in chosen} & {r.lower() for r in earlier}
    # every chosen repository gives its 20 cells; the pairs reach 100 unless the per-series cap hit its limit first
    for kind, floor in (("cells", 20 * len(chosen)),
                        ("pairs", 100 if drawn["per_series"] < rnd.max_pairs_per_series else least_pairs)):
        rows = list(csv.DictReader(open(top / rnd.labels / f"sample_{kind}.csv")))
        assert len(rows) >= floor and {r["repo"] for r in rows} <= chosen
        share = rnd.pair_share if kind == "pairs" else 0.2  # the pairs' bound: 20%, or the most even (round 10)
        assert max(Counter(r["repo"] for r in rows).values()) <= share * len(rows)
    cells = list(csv.DictReader(open(top / rnd.labels / "sample_cells.csv")))
    manifest = {r["local_path"] for r in csv.DictReader(open(top / rnd.notebooks_manifest))}
    assert {r["local_path"] for r in cells} == manifest and len(manifest) >= least_notebooks
    assert set(Counter(r["local_path"] for r in cells).values()) == {rnd.cells_per_notebook}
    assert [r["cell_id"] for r in cells] == [f"{rnd.cell_prefix}{k:04d}" for k in range(1, len(cells) + 1)]
    assert Counter(r["group"] for r in cells) == {k: 20 * v for k, v in per_kind.items()}
    pairs = list(csv.DictReader(open(top / rnd.labels / "sample_pairs.csv")))
    # the pair rule stops at `min_pairs`, or short of it once the per-series cap reached its limit (round 7: 118)
    assert len(pairs) >= rnd.min_pairs or drawn["per_series"] == rnd.max_pairs_per_series
    assert drawn["pairs"] == len(pairs) and {r["source"] for r in pairs} == {rnd.versions_source}
    if rnd.pairs_per_repo:
        assert max(Counter(r["repo"] for r in pairs).values()) <= rnd.pairs_per_repo


def test_round4_pair_rule_raises_the_series_cap_until_enough_pairs_and_caps_each_repository(tmp_path):
    """The round-4 rule (written before its pairs were drawn): 5 per series, 15 per repository; fewer than
    `min_pairs`: the per-series cap goes up one at a time, the repository cap still holding."""
    from dataclasses import replace

    rows = [{"local_path": f"o__r{k}/s{j}/v{v:02d}_abcdef{v % 10}.ipynb", "repo": f"o/r{k}", "version_index": v}
            for k in range(4) for j in range(3) for v in range(1, 11)]  # 4 repositories x 3 series x 9 pairs
    _write(tmp_path / "corpus/notebook_versions_round4.csv", rows)
    _write(tmp_path / "corpus/repos_round4.csv", [{"order": k, "kind": "vision" if k % 2 else "nlp",
                                                   "repo": f"o/r{k}", "chosen": "yes"} for k in range(4)])
    low = replace(ROUND4, min_pairs=40)
    got = build_fresh_pairs(tmp_path, low, max_share=0.3)
    out = list(csv.DictReader(open(tmp_path / "coding/labels/round4/sample_pairs.csv")))
    assert got == {"series": 12, "repos": 4, "pairs": 60, "per_series": 5}  # 3 x 5 = 15 per repository: enough
    assert [r["pair_id"] for r in out][:1] == ["r4p0001"] and {r["kind"] for r in out} == {"dl"}
    high = replace(ROUND4, min_pairs=61, pairs_per_repo=20)
    got = build_fresh_pairs(tmp_path, high, max_share=0.3)
    assert got == {"series": 12, "repos": 4, "pairs": 72, "per_series": 6}  # raised once: 18 per repository
    capped = replace(ROUND4, min_pairs=61)
    got = build_fresh_pairs(tmp_path, capped, max_share=0.3)
    out = list(csv.DictReader(open(tmp_path / "coding/labels/round4/sample_pairs.csv")))
    assert got == {"series": 12, "repos": 4, "pairs": 60, "per_series": 9}  # the repository cap holds; cap ends at 9
    from collections import Counter
    assert set(Counter(r["repo"] for r in out).values()) == {15}
    assert all(int(r["to_file"][1:3]) == int(r["from_file"][1:3]) + 1 for r in out)


@pytest.mark.parametrize("n", sorted(FRESH_ROUNDS))
def test_every_fresh_kind_has_a_pair_kind(n):
    """The kinds a fresh round's tables declare and the pair kinds the draw maps them to are one vocabulary."""
    from mliter.coding.trace_schema import TABLES, SAMPLE_PAIRS
    from mliter.corpus.schema import ROUND3_KINDS, ROUND4_KINDS, TABLES as CORPUS_TABLES

    rnd = FRESH_ROUNDS[n]
    assert tuple(rnd.pair_kind) == rnd.kinds == {3: ROUND3_KINDS, 4: ROUND4_KINDS}.get(n, rnd.kinds)
    pair_vocab = set(next(c for c in SAMPLE_PAIRS.columns if c.name == "kind").enum)
    assert set(rnd.pair_kind.values()) <= pair_vocab - {"old"}
    declared = {t.path: t for t in (*TABLES, *CORPUS_TABLES)}
    group = next(c for c in declared[(rnd.labels / "sample_cells.csv").as_posix()].columns if c.name == "group")
    kind = next(c for c in declared[rnd.repos_table.as_posix()].columns if c.name == "kind")
    assert tuple(group.enum) == rnd.kinds
    assert tuple(kind.enum) == rnd.kinds + (("unread",) if rnd.kinds_read else ())  # unread: a candidate never read
