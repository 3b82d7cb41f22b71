"""Notebooks at one pinned commit of git repositories, chosen by a mechanical rule.

What a researcher does to get fresh single notebooks (not version series) from public repositories
(the round-3 held-out cells of issue 7 were drawn from notebooks chosen this way): for each repository
(a clone or a bare mirror) and a pinned commit (default HEAD), every `*.ipynb` tracked there
(checkpoint copies left out) is a candidate. A candidate is eligible when it is at most `max_bytes`,
is nbformat 4, has at least `min_cells` non-blank code cells, and its code imports a machine-learning
library (`ML_IMPORT`: scikit-learn, PyTorch, TensorFlow/Keras, Hugging Face transformers, fastai,
Lightning, timm, XGBoost, LightGBM, CatBoost, statsmodels, SHAP). The test is a line-anchored regular
expression over the code cells' text: nothing is executed or parsed as Python.

No other content is read to choose: candidates are visited in the order of a seeded hash of
(repository, path) and the first `per_repo` eligible notebooks of each repository are taken, so no
repository dominates.

Output, outside the repository (notebooks are not ours to ship): `OUT/<owner>__<repo>/<path>` (the
path in the repository kept) and `OUT/MANIFEST.tsv`; `manifest_rows` adds what a shipped manifest needs
(blob id, sha256, raw URL at the commit, license).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet
from urllib.parse import quote

from mliter.corpus.git_series import MAX_BYTES, detect_license, head_notebooks, local_dir, order_key, write_table
from mliter.errors import InputError
from mliter.traces.versions.git import GitError, _git

PER_REPO = 5
MIN_CELLS = 4
SEED = 20261215
ML_IMPORT = re.compile(
    r"^[ \t]*(?:import|from)[ \t]+(?:sklearn|torch|torchvision|torchaudio|tensorflow|keras|tf_keras|transformers|"
    r"fastai|lightning|pytorch_lightning|timm|xgboost|lightgbm|catboost|statsmodels|shap)\b", re.M)
MANIFEST_FIELDS = ["local_path", "repo", "repo_path", "commit", "bytes", "n_code_cells", "license"]
SHIPPED_FIELDS = ["local_path", "repo", "repo_path", "commit", "blob", "sha256", "bytes", "n_code_cells", "url",
                  "license"]


@dataclass(frozen=True)
class HeadNotebook:
    repo: str  # owner/name
    path: str  # in the repository
    commit: str
    blob: str
    data: bytes
    n_code_cells: int


def code_sources(data: bytes) -> list[str] | None:
    """Source of every code cell of an nbformat-4 notebook, or None when it is not one."""
    try:
        nb = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not (isinstance(nb, dict) and nb.get("nbformat") == 4 and isinstance(nb.get("cells"), list)):
        return None
    out = []
    for c in nb["cells"]:
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def eligible(data: bytes, min_cells: int = MIN_CELLS, max_bytes: int = MAX_BYTES) -> list[str] | None:
    """The notebook's code cells when it passes the rule (size, nbformat 4, non-blank cells, ML import)."""
    if len(data) > max_bytes:
        return None
    cells = code_sources(data)
    if cells is None or sum(1 for s in cells if s.strip()) < min_cells:
        return None
    return cells if ML_IMPORT.search("\n".join(cells)) else None


def resolve(git_dir: Path, rev: str = "HEAD") -> str:
    return _git(git_dir, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()


def choose(git_dir: Path, repo: str, rev: str = "HEAD", per_repo: int = PER_REPO, seed: int = SEED,
           exclude: AbstractSet[tuple[str, str]] = frozenset(), min_cells: int = MIN_CELLS,
           max_bytes: int = MAX_BYTES) -> list[HeadNotebook]:
    """The first `per_repo` eligible notebooks of a repository at `rev`, in seeded-hash order."""
    commit = resolve(git_dir, rev)
    paths = sorted((p for p in head_notebooks(git_dir, commit) if (repo, p) not in exclude),
                   key=lambda p: order_key(seed, repo, p))
    chosen = []
    for p in paths:
        try:
            blob = _git(git_dir, "rev-parse", "-q", "--verify", f"{commit}:{p}").decode().strip()
            if int(_git(git_dir, "cat-file", "-s", blob).decode().strip()) > max_bytes:
                continue
            data = _git(git_dir, "cat-file", "blob", blob)
        except GitError:  # a mirror without the object: this path is skipped, not the repository
            continue
        cells = eligible(data, min_cells, max_bytes)
        if cells is not None:
            chosen.append(HeadNotebook(repo, p, commit, blob, data, len(cells)))
            if len(chosen) >= per_repo:
                break
    return chosen


def write_notebooks(chosen: list[HeadNotebook], out: Path, license: str = "") -> list[dict]:
    """Byte copies under `out`; rows of MANIFEST.tsv plus blob/sha256/url."""
    from mliter.io import atomic_write_bytes

    rows = []
    for nb in chosen:
        rel = f"{local_dir(nb.repo)}/{nb.path}"
        target = out / rel
        if not (target.exists() and target.read_bytes() == nb.data):
            atomic_write_bytes(target, nb.data)
        rows.append({"local_path": rel, "repo": nb.repo, "repo_path": nb.path, "commit": nb.commit,
                     "blob": nb.blob, "sha256": hashlib.sha256(nb.data).hexdigest(), "bytes": len(nb.data),
                     "n_code_cells": nb.n_code_cells, "license": license,
                     "url": f"https://raw.githubusercontent.com/{nb.repo}/{nb.commit}/{quote(nb.path)}"})
    return rows


def build(repos: list[tuple[Path, str, str]], out: Path, shipped: Path | None = None, per_repo: int = PER_REPO,
          seed: int = SEED, exclude: AbstractSet[tuple[str, str]] = frozenset(), **rule) -> dict[str, int]:
    """Choose and write the notebooks of every (git dir, owner/name, rev); a repository that fails is
    reported, the others go on. Nothing is written when no notebook at all is chosen."""
    rows, failed = [], []
    for git_dir, name, rev in repos:
        try:
            rows += write_notebooks(choose(git_dir, name, rev, per_repo, seed, exclude, **rule),
                                    out, detect_license(git_dir))
        except GitError as exc:
            failed.append(f"{name}: {exc}")
    if not rows:
        raise InputError("no notebook passed the rule in " + ", ".join(n for _, n, _ in repos)
                         + (f" (failed: {'; '.join(failed)})" if failed else "") + "; nothing written")
    write_table(out / "MANIFEST.tsv", rows, MANIFEST_FIELDS)
    if shipped is not None:
        write_table(shipped, rows, SHIPPED_FIELDS)
    return {"repos": len({r["repo"] for r in rows}), "notebooks": len(rows), "failed": len(failed)}
