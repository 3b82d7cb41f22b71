"""The held-out design for notebook traces: a split of the evaluation material by repository,
and the cells and version pairs two blind coders label.

Why by repository: cells of one notebook, and notebooks of one repository, share an author's
habits and helper code; a rule tuned on some of them is not tested by the others. So every
repository of `notebooks_eval/` and `notebook_versions_eval/` goes, with all its notebooks and
series, to one half: `tuning` (rules may be refined while looking at it) or `heldout` (scored
once, after the rules are frozen).

The split is stratified: each repository has a profile (notebooks per group a/b/c of the
eval manifest, version pairs per kind of series) and repositories are assigned, largest first
in a seeded order, to the half that leaves the two halves' profiles most alike. Everything is
deterministic for a given seed and manifest; no code text is written, only ids.

Ids: a cell is (`local_path` of the notebook in its folder, `code_cell`: 0-based index counted
over code cells only); a version pair is (`series` folder, `from_file`, `to_file`).
"""

from __future__ import annotations

import csv
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet

from mliter.errors import InputError
from mliter.corpus.rounds import FRESH_ROUNDS, ROUND3, FreshRound

SEED = 20261201
CELLS_PER_HALF = 310
OLD_PAIRS = 34
GROUPS = ("a", "b", "c")
# Kind of each version series of notebook_versions_eval, from its README (deep learning,
# feature code in functions or local modules, other tabular), keyed by repository + path.
SERIES_KIND = {
    "huggingface/notebooks": "dl",
    "philschmid/deep-learning-pytorch-huggingface": "dl",
    "NielsRogge/Transformers-Tutorials": "dl",
    "muellerzr/Practical-Deep-Learning-for-Coders-2.0": "dl",
    "rasbt/deeplearning-models": "dl",
    "rasbt/machine-learning-book": "dl",
    "mavillan/m5-forecasting-accuracy": "ff",
    "fastai/course22": "ff",
    "andfanilo/ieee-fraud-detection": "ff",
    "sjmiller8182/home-credit-default-risk": "ff",
    "WillKoehrsen/machine-learning-project-walkthrough": "other",
    "james-w-balcomb/kaggle--home-credit-default-risk": "other",
}
KINDS = ("dl", "ff", "other")


@dataclass(frozen=True)
class VersionFile:
    local_path: str  # as in the manifest
    repo: str
    series: str  # folder of the series, relative to the data folder
    version_index: int


def read_tsv(path: Path) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh, delimiter="\t"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read manifest ({exc})") from exc


def version_files(folder: Path) -> list[VersionFile]:
    """Version files of a versions folder, from its MANIFEST.tsv; `local_path` relative to `folder`."""
    out = []
    for row in read_tsv(folder / "MANIFEST.tsv"):
        lp = row["local_path"]
        prefix = folder.name + "/"
        if lp.startswith(prefix):
            lp = lp[len(prefix):]
        out.append(VersionFile(lp, row["repo"], str(Path(lp).parent), int(row["version_index"])))
    return out


def consecutive_pairs(files: list[VersionFile]) -> list[tuple[str, str, str, str]]:
    """(repo, series, from_file, to_file) for every consecutive pair of every series."""
    by_series: dict[str, list[VersionFile]] = defaultdict(list)
    for f in files:
        by_series[f.series].append(f)
    pairs = []
    for series in sorted(by_series):
        vs = sorted(by_series[series], key=lambda f: f.version_index)
        for a, b in zip(vs, vs[1:]):
            pairs.append((a.repo, series, Path(a.local_path).name, Path(b.local_path).name))
    return pairs


def repo_profiles(nb_rows: list[dict], pairs: list[tuple]) -> dict[str, Counter]:
    prof: dict[str, Counter] = defaultdict(Counter)
    for r in nb_rows:
        prof[r["repo"]]["nb_" + r["group"]] += 1
    for repo, *_ in pairs:
        prof[repo]["pairs_" + SERIES_KIND.get(repo, "other")] += 1
    return prof


def split_repos(profiles: dict[str, Counter], seed: int = SEED) -> dict[str, str]:
    """Assign each repository to `tuning` or `heldout`, balancing the profiles (see module doc)."""
    rng = random.Random(seed)
    keys = [f"nb_{g}" for g in GROUPS] + [f"pairs_{k}" for k in KINDS]
    totals = Counter()
    for p in profiles.values():
        totals.update(p)
    repos = sorted(profiles)
    rng.shuffle(repos)
    repos.sort(key=lambda r: -sum(profiles[r].values()))  # stable: seeded order breaks ties
    load = {"tuning": Counter(), "heldout": Counter()}
    out = {}

    def imbalance(lt: Counter, lh: Counter) -> float:
        return sum(abs(lt[k] - lh[k]) / max(totals[k], 1) for k in keys)

    for repo in repos:
        p = profiles[repo]
        cost_t = imbalance(load["tuning"] + p, load["heldout"])
        cost_h = imbalance(load["tuning"], load["heldout"] + p)
        if math.isclose(cost_t, cost_h):
            half = rng.choice(["tuning", "heldout"])
        else:
            half = "tuning" if cost_t < cost_h else "heldout"
        out[repo] = half
        load[half].update(p)
    return dict(sorted(out.items()))


def code_cells(path: Path) -> list[str]:
    """Source of every code cell of a notebook, in order (for choosing non-blank cells only)."""
    from mliter.coding.eval_labels import code_cells as read

    try:
        return read(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable notebook ({exc})") from exc


def draw_cells(folder: Path, nb_rows: list[dict], split: dict[str, str], rng: random.Random,
               per_half: int = CELLS_PER_HALF) -> list[dict]:
    """About `per_half` non-blank code cells from each half, the same number from every notebook."""
    out = []
    for half in ("tuning", "heldout"):
        rows = sorted((r for r in nb_rows if split[r["repo"]] == half), key=lambda r: r["local_path"])
        k = math.ceil(per_half / max(len(rows), 1))
        for r in rows:
            cells = code_cells(folder / r["local_path"])
            cand = [i for i, s in enumerate(cells) if s.strip()]
            for i in sorted(rng.sample(cand, min(k, len(cand)))):
                out.append({"source": folder.name, "local_path": r["local_path"], "code_cell": i,
                            "repo": r["repo"], "group": r["group"], "half": half})
    for n, row in enumerate(out, 1):
        row["cell_id"] = f"c{n:04d}"
    return out


def draw_pairs(eval_folder: Path, old_folder: Path, split: dict[str, str], rng: random.Random,
               n_old: int = OLD_PAIRS, exclude_old: set[tuple[str, str]] = frozenset()) -> list[dict]:
    """Every consecutive pair of the eval series, plus `n_old` random pairs of the old series
    (tuning only; pairs already in coding/change_labels.csv are left out)."""
    out = []
    for repo, series, a, b in consecutive_pairs(version_files(eval_folder)):
        out.append({"source": eval_folder.name, "series": series, "from_file": a, "to_file": b,
                    "repo": repo, "kind": SERIES_KIND.get(repo, "other"), "half": split[repo]})
    old_files = version_files(old_folder)
    commit_of = {}
    for row in read_tsv(old_folder / "MANIFEST.tsv"):
        lp = row["local_path"].split("/", 1)[1] if row["local_path"].startswith(old_folder.name + "/") else row["local_path"]
        commit_of[lp] = row["commit"]
    old = [p for p in consecutive_pairs(old_files)
           if (commit_of[f"{p[1]}/{p[3]}"], commit_of[f"{p[1]}/{p[2]}"]) not in exclude_old]
    for repo, series, a, b in sorted(rng.sample(old, min(n_old, len(old)))):
        out.append({"source": old_folder.name, "series": series, "from_file": a, "to_file": b,
                    "repo": repo, "kind": "old", "half": "tuning"})
    for n, row in enumerate(out, 1):
        row["pair_id"] = f"p{n:04d}"
    return out


def labelled_old_pairs(change_labels: Path) -> set[tuple[str, str]]:
    """(commit, previous commit) of the pairs coding/change_labels.csv already holds."""
    if not change_labels.exists():
        return set()
    with open(change_labels, newline="", encoding="utf-8") as fh:
        return {(r["version_id"].rsplit("@", 1)[-1], r["previous_version_id"].rsplit("@", 1)[-1])
                for r in csv.DictReader(fh)}


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    from mliter.io import atomic_write_text
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    atomic_write_text(path, buf.getvalue())


def build(data: Path, root: Path, seed: int = SEED) -> dict[str, int]:
    """Write coding/eval_split.csv, coding/labels/sample_cells.csv and sample_pairs.csv."""
    nb_folder, ver_folder, old_folder = data / "notebooks_eval", data / "notebook_versions_eval", data / "notebook_versions"
    nb_rows = read_tsv(nb_folder / "MANIFEST.tsv")
    pairs = consecutive_pairs(version_files(ver_folder))
    profiles = repo_profiles(nb_rows, pairs)
    split = split_repos(profiles, seed)
    split_rows = [{"repo": r, "half": h, **{k: profiles[r][k] for k in
                   [f"nb_{g}" for g in GROUPS] + [f"pairs_{k}" for k in KINDS]}}
                  for r, h in split.items()]
    write_csv(root / "coding/eval_split.csv", split_rows,
              ["repo", "half"] + [f"nb_{g}" for g in GROUPS] + [f"pairs_{k}" for k in KINDS])
    rng = random.Random(seed)
    cells = draw_cells(nb_folder, nb_rows, split, rng)
    write_csv(root / "coding/labels/sample_cells.csv", cells,
              ["cell_id", "source", "local_path", "code_cell", "repo", "group", "half"])
    prs = draw_pairs(ver_folder, old_folder, split, rng,
                     exclude_old=labelled_old_pairs(root / "coding/change_labels.csv"))
    write_csv(root / "coding/labels/sample_pairs.csv", prs,
              ["pair_id", "source", "series", "from_file", "to_file", "repo", "kind", "half"])
    return {"repos": len(split), "cells": len(cells), "pairs": len(prs)}


ROUND2_SEED = 20261207
ROUND2_CELLS_PER_NOTEBOOK = 4
ROUND2_LABELS = Path("coding/labels/round2")
CELL_SAMPLE_FIELDS = ["cell_id", "source", "local_path", "code_cell", "repo", "group", "half"]


def read_csv(path: Path) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc


def draw_notebook_cells(folder: Path, rows: list[dict], rng: random.Random, per_notebook: int, prefix: str,
                        exclude: AbstractSet[tuple[str, int]] = frozenset(), source: str | None = None) -> list[dict]:
    """`per_notebook` non-blank code cells of every notebook row (not in `exclude`), ids `<prefix>0001`...

    Notebooks are visited in `local_path` order and cells drawn with one seeded generator, so the draw is
    a function of the seed, the rows and `exclude` only. A notebook with fewer such cells gives all it has.
    Each row needs local_path, repo, group and half."""
    out = []
    for r in sorted(rows, key=lambda r: r["local_path"]):
        cells = code_cells(folder / r["local_path"])
        cand = [i for i, s in enumerate(cells) if s.strip() and (r["local_path"], i) not in exclude]
        for i in sorted(rng.sample(cand, min(per_notebook, len(cand)))):
            out.append({"source": source or folder.name, "local_path": r["local_path"], "code_cell": i,
                        "repo": r["repo"], "group": r["group"], "half": r["half"]})
    for n, row in enumerate(out, 1):
        row["cell_id"] = f"{prefix}{n:04d}"
    return out


def draw_round2_cells(folder: Path, nb_rows: list[dict], split: dict[str, str], exclude: set[tuple[str, int]],
                      rng: random.Random, per_notebook: int = ROUND2_CELLS_PER_NOTEBOOK) -> list[dict]:
    """Round 2: `per_notebook` fresh non-blank code cells of every held-out-half notebook.

    Fresh means not in `exclude` ((local_path, code_cell) of the round-1 sample); cell ids are r2c0001, ..."""
    rows = [{**r, "half": "heldout"} for r in nb_rows if split.get(r["repo"]) == "heldout"]
    return draw_notebook_cells(folder, rows, rng, per_notebook, "r2c", exclude)


def read_split(root: Path) -> dict[str, str]:
    """repo -> half, from the committed coding/eval_split.csv (round 2 never re-splits)."""
    return {r["repo"]: r["half"] for r in read_csv(root / "coding/eval_split.csv")}


def build_round2_cells(data: Path, root: Path, seed: int = ROUND2_SEED,
                       per_notebook: int = ROUND2_CELLS_PER_NOTEBOOK) -> dict[str, int]:
    """Write coding/labels/round2/sample_cells.csv (the round-1 files are read, never written)."""
    folder = data / "notebooks_eval"
    nb_rows = read_tsv(folder / "MANIFEST.tsv")
    split = read_split(root)
    exclude = {(r["local_path"], int(r["code_cell"])) for r in read_csv(root / "coding/labels/sample_cells.csv")}
    cells = draw_round2_cells(folder, nb_rows, split, exclude, random.Random(seed), per_notebook)
    if not cells:
        raise InputError(f"{folder}: no held-out notebook gave a fresh cell; nothing written")
    write_csv(root / ROUND2_LABELS / "sample_cells.csv", cells, CELL_SAMPLE_FIELDS)
    return {"notebooks": len({c["local_path"] for c in cells}), "repos": len({c["repo"] for c in cells}),
            "cells": len(cells)}


ROUND2_SOURCE = "notebook_versions_round2"
ROUND2_MANIFEST = Path("corpus/notebook_versions_round2.csv")
PAIR_SAMPLE_FIELDS = ["pair_id", "source", "series", "from_file", "to_file", "repo", "kind", "half"]
# Kind of the round-2 series' repositories not in SERIES_KIND (same three kinds, by repository).
ROUND2_KIND = {
    "PacktPublishing/The-Kaggle-Book": "other",
    "alexeygrigorev/mlbookcamp-code": "other",
    "WillKoehrsen/feature-selector": "ff",
    "DataTalksClub/machine-learning-zoomcamp": "other",
    "Lightning-AI/dl-fundamentals": "dl",
    "bentrevett/pytorch-sentiment-analysis": "dl",
    "muchcreative/AI4Code-Kaggle-Competition": "dl",
    "sbcd90/kaggle-competitions": "other",
    "yota-p/02-ieee-fraud-detection": "ff",
}


def build_round2_pairs(root: Path) -> dict[str, int]:
    """Write coding/labels/round2/sample_pairs.csv: every consecutive pair of the round-2 series.

    Read from the shipped manifest corpus/notebook_versions_round2.csv (made by `mliter corpus
    versions-from-git`), so the draw needs no notebook; every series' repository must be held out."""
    manifest = root / ROUND2_MANIFEST
    files = [VersionFile(r["local_path"], r["repo"], str(Path(r["local_path"]).parent), int(r["version_index"]))
             for r in read_csv(manifest)]
    split = read_split(root)
    wrong = sorted({f.repo for f in files if split.get(f.repo) != "heldout"})
    if wrong:
        raise InputError(f"{manifest}: series of repositories not in the held-out half: {', '.join(wrong)}")
    out = [{"source": ROUND2_SOURCE, "series": series, "from_file": a, "to_file": b, "repo": repo,
            "kind": ROUND2_KIND.get(repo) or SERIES_KIND.get(repo, "other"), "half": "heldout"}
           for repo, series, a, b in consecutive_pairs(files)]
    if not out:
        raise InputError(f"{manifest}: no consecutive pair; nothing written")
    for n, row in enumerate(out, 1):
        row["pair_id"] = f"r2p{n:04d}"
    write_csv(root / ROUND2_LABELS / "sample_pairs.csv", out, PAIR_SAMPLE_FIELDS)
    return {"series": len({r["series"] for r in out}), "repos": len({r["repo"] for r in out}), "pairs": len(out)}


MAX_REPO_SHARE = 0.2


def repo_kinds(path: Path) -> dict[str, str]:
    """repo -> kind of the chosen repositories of a round's repository table (corpus/repos_round<N>.csv)."""
    return {r["repo"]: r["kind"] for r in read_csv(path) if r.get("chosen") == "yes"}


def check_share(rows: list[dict], what: str, max_share: float = MAX_REPO_SHARE) -> None:
    """No repository may hold more than `max_share` of a sample: raise naming the repository."""
    n = Counter(r["repo"] for r in rows)
    over = {r: k for r, k in n.items() if k > max_share * len(rows)}
    if over:
        raise InputError(f"{what}: repositories above {max_share:.0%} of {len(rows)} items: "
                         + ", ".join(f"{r} ({k})" for r, k in sorted(over.items())) + "; nothing written")


def verify_sha256(folder: Path, rows: list[dict]) -> None:
    """The material outside the repository must be the bytes the shipped manifest records."""
    import hashlib

    bad = []
    for r in rows:
        f = folder / r["local_path"]
        try:
            ok = hashlib.sha256(f.read_bytes()).hexdigest() == r["sha256"]
        except OSError:
            ok = False
        if not ok:
            bad.append(r["local_path"])
    if bad:
        raise InputError(f"{folder}: {len(bad)} notebooks missing or not the recorded bytes (first: {bad[0]}); "
                         f"rebuild them with `mliter corpus fetch --only {folder.name}.csv --out {folder.parent}`")


def _chosen_kinds(root: Path, rnd: FreshRound, manifest: Path, repos: set[str]) -> dict[str, str]:
    kinds = repo_kinds(root / rnd.repos_table)
    unknown = sorted(repos - set(kinds))
    if unknown:
        raise InputError(f"{manifest}: repositories not chosen in {rnd.repos_table}: {', '.join(unknown)}")
    return kinds


def build_fresh_cells(material: Path, root: Path, rnd: FreshRound = ROUND3, seed: int | None = None,
                      per_notebook: int | None = None, max_share: float = MAX_REPO_SHARE) -> dict[str, int]:
    """Write coding/labels/round<N>/sample_cells.csv: `per_notebook` non-blank code cells of every notebook
    of corpus/notebooks_round<N>.csv (fresh repositories, chosen by `mliter corpus notebooks-from-git`).

    `material` is the folder holding notebooks_round<N>/ (outside the repository); its files are checked
    against the manifest's sha256 first. Group is the repository's kind (corpus/repos_round<N>.csv)."""
    folder = material / rnd.notebooks_source
    nb_rows = read_csv(root / rnd.notebooks_manifest)
    kinds = _chosen_kinds(root, rnd, root / rnd.notebooks_manifest, {r["repo"] for r in nb_rows})
    verify_sha256(folder, nb_rows)
    rows = [{**r, "group": kinds[r["repo"]], "half": "heldout"} for r in nb_rows]
    cells = draw_notebook_cells(folder, rows, random.Random(rnd.seed if seed is None else seed),
                                per_notebook or rnd.cells_per_notebook, rnd.cell_prefix)
    if not cells:
        raise InputError(f"{folder}: no notebook gave a non-blank code cell; nothing written")
    check_share(cells, f"round-{rnd.number} cells", max_share)
    write_csv(root / rnd.labels / "sample_cells.csv", cells, CELL_SAMPLE_FIELDS)
    return {"notebooks": len({c["local_path"] for c in cells}), "repos": len({c["repo"] for c in cells}),
            "cells": len(cells)}


def capped_pairs(pairs: list[tuple[str, str, str, str]], per_series: int, rng: random.Random,
                 per_repo: int | None = None) -> list[tuple]:
    """At most `per_series` consecutive pairs of each series (a seeded draw, series in sorted order), then
    at most `per_repo` of each repository (a seeded subset, repositories in sorted order), kept in series
    and version order."""
    by_series: dict[str, list[tuple]] = defaultdict(list)
    for p in pairs:
        by_series[p[1]].append(p)
    out = []
    for series in sorted(by_series):
        ps = by_series[series]
        keep = sorted(rng.sample(range(len(ps)), min(per_series, len(ps))))
        out += [ps[i] for i in keep]
    if per_repo is None:
        return out
    by_repo: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(out):
        by_repo[p[0]].append(i)
    drop = set()
    for repo in sorted(by_repo):
        idx = by_repo[repo]
        if len(idx) > per_repo:
            drop |= set(idx) - set(rng.sample(idx, per_repo))
    return [p for i, p in enumerate(out) if i not in drop]


def fresh_pairs(pairs: list[tuple[str, str, str, str]], rnd: FreshRound, seed: int,
                per_series: int) -> tuple[list[tuple], int]:
    """The round's pair draw and the per-series cap it ended at: the caps of `capped_pairs`; while fewer than
    `rnd.min_pairs` come out, the per-series cap is raised by one (up to `rnd.max_pairs_per_series`) and the
    whole draw redone from the seed."""
    while True:
        out = capped_pairs(pairs, per_series, random.Random(seed), rnd.pairs_per_repo)
        if len(out) >= rnd.min_pairs or per_series >= rnd.max_pairs_per_series:
            return out, per_series
        per_series += 1


def build_fresh_pairs(root: Path, rnd: FreshRound = ROUND3, seed: int | None = None, per_series: int | None = None,
                      max_share: float | None = None) -> dict[str, int]:
    """Write coding/labels/round<N>/sample_pairs.csv: consecutive pairs (seeded, capped by the round's rule,
    `fresh_pairs`) of every series of corpus/notebook_versions_round<N>.csv (`mliter corpus versions-from-git`).

    Read from the shipped manifest only, so the draw needs no notebook."""
    manifest = root / rnd.versions_manifest
    files = [VersionFile(r["local_path"], r["repo"], str(Path(r["local_path"]).parent), int(r["version_index"]))
             for r in read_csv(manifest)]
    kinds = _chosen_kinds(root, rnd, manifest, {f.repo for f in files})
    drawn, cap = fresh_pairs(consecutive_pairs(files), rnd, rnd.seed if seed is None else seed,
                             per_series or rnd.pairs_per_series)
    out = [{"source": rnd.versions_source, "series": series, "from_file": a, "to_file": b, "repo": repo,
            "kind": rnd.pair_kind.get(kinds[repo], "other"), "half": "heldout"} for repo, series, a, b in drawn]
    if not out:
        raise InputError(f"{manifest}: no consecutive pair; nothing written")
    check_share(out, f"round-{rnd.number} pairs", rnd.pair_share if max_share is None else max_share)
    for n, row in enumerate(out, 1):
        row["pair_id"] = f"{rnd.pair_prefix}{n:04d}"
    write_csv(root / rnd.labels / "sample_pairs.csv", out, PAIR_SAMPLE_FIELDS)
    return {"series": len({r["series"] for r in out}), "repos": len({r["repo"] for r in out}), "pairs": len(out),
            "per_series": cap}


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    from mliter.paths import ROOT

    ap = argparse.ArgumentParser(
        description="Split the eval material by repository and draw the labelling samples (round 1), "
                    "or draw the fresh held-out samples of round 2 and of the fresh rounds "
                    f"({', '.join(map(str, FRESH_ROUNDS))}: mliter.corpus.rounds).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python -m mliter.coding.eval_sample --data ../shared/data          # round 1\n"
               "  python -m mliter.coding.eval_sample --data ../shared/data round2-cells\n"
               "  python -m mliter.coding.eval_sample round2-pairs\n"
               "  python -m mliter.coding.eval_sample round4-cells --material /work/fresh4\n"
               "  python -m mliter.coding.eval_sample round4-pairs")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--seed", type=int, default=None,
                    help=f"default {SEED} (round 1), {ROUND2_SEED} (round 2), "
                         + ", ".join(f"{r.seed} (round {n})" for n, r in FRESH_ROUNDS.items()))
    sub = ap.add_subparsers(dest="cmd")
    r2 = sub.add_parser("round2-cells", help="fresh held-out cells into coding/labels/round2/sample_cells.csv",
                        description="Draw 4 fresh non-blank code cells of every held-out notebook.",
                        epilog="example: python -m mliter.coding.eval_sample --data ../shared/data round2-cells")
    r2.add_argument("--per-notebook", type=int, default=ROUND2_CELLS_PER_NOTEBOOK)
    sub.add_parser("round2-pairs", help="every consecutive pair of corpus/notebook_versions_round2.csv",
                   description="Draw coding/labels/round2/sample_pairs.csv from the shipped round-2 series manifest.",
                   epilog="example: python -m mliter.coding.eval_sample round2-pairs")
    fresh = {}
    for n, rnd in FRESH_ROUNDS.items():
        c = sub.add_parser(f"{rnd.name}-cells", help=f"cells of the fresh round-{n} notebooks into {rnd.labels}/",
                           description=f"Draw non-blank code cells of every notebook of {rnd.notebooks_manifest}.",
                           epilog=f"example: python -m mliter.coding.eval_sample {rnd.name}-cells "
                                  f"--material /work/{rnd.default_folder}")
        c.add_argument("--per-notebook", type=int, default=rnd.cells_per_notebook)
        c.add_argument("--material", type=Path, default=None,
                       help=f"folder holding {rnd.notebooks_source}/ (default ${rnd.data_env}, "
                            f"else ../{rnd.default_folder})")
        p = sub.add_parser(f"{rnd.name}-pairs", help=f"capped consecutive pairs of {rnd.versions_manifest}",
                           description=f"Draw {rnd.labels}/sample_pairs.csv from the shipped round-{n} series manifest.",
                           epilog=f"example: python -m mliter.coding.eval_sample {rnd.name}-pairs")
        p.add_argument("--per-series", type=int, default=rnd.pairs_per_series)
        fresh[f"{rnd.name}-cells"], fresh[f"{rnd.name}-pairs"] = (rnd, "cells"), (rnd, "pairs")
    a = ap.parse_args(argv)
    if a.cmd == "round2-pairs":
        print(build_round2_pairs(ROOT))
        return 0
    if a.cmd == "round2-cells":
        print(build_round2_cells(Path(a.data), ROOT, ROUND2_SEED if a.seed is None else a.seed, a.per_notebook))
        return 0
    if a.cmd in fresh:
        rnd, kind = fresh[a.cmd]
        if kind == "cells":
            material = a.material or Path(os.environ.get(rnd.data_env) or ROOT.parent / rnd.default_folder)
            print(build_fresh_cells(material, ROOT, rnd, a.seed, a.per_notebook))
        else:
            print(build_fresh_pairs(ROOT, rnd, a.seed, a.per_series))
        return 0
    print(build(Path(a.data), ROOT, SEED if a.seed is None else a.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
