"""Screen candidate repositories for a fresh held-out sample, by a mechanical rule.

Input: a table of candidates (`order`, `kind`, `repo` = owner/name), written down before any of them was
looked at, and local git mirrors of them (`MIRRORS/<owner>+<name>/repo`, a bare mirror or a clone).
A candidate is `eligible` when
- it is in none of the exclusion tables (any .csv/.tsv with a `repo` column: the shared PROVENANCE and
  MANIFEST files, coding/eval_split.csv, earlier corpus manifests),
- its mirror exists (a snapshot over the size limit has none),
- HEAD has a license file at the root (`LICENSE*`, `LICENCE*`, `COPYING*`),
- at least `min_ml` notebooks at HEAD are at most 1.5 MB, nbformat 4, and import a machine-learning
  library (the regular expression `git_heads.ML_IMPORT`, nothing is executed or parsed),
- at least one notebook at HEAD was touched by at least `min_touches` commits (one `git log`, renames
  not followed).
A candidate listed without a kind (round 9 on: a frame of repository names that say nothing of the
work) gets one from its notebooks' imports (`kind_by_imports`, the counts kept in `kind_nb`); one never
read (excluded, no snapshot) has kind `unread`.
Candidates are then visited in `order`; the first `per_kind` eligible ones of each kind are `chosen`.
A candidate without a mirror after its kind's `per_kind`-th eligible one is `not fetched` (it could not
change the choice, so it need not be fetched; round 5 fetched the first four of each kind), not a refused
snapshot. The output table keeps every candidate with the counts and the reason it was not eligible, so
the choice can be checked and redone.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from mliter.corpus.git_heads import ML_IMPORT, code_sources
from mliter.corpus.git_series import MAX_BYTES, head_notebooks, touch_counts
from mliter.errors import InputError
from mliter.traces.versions.git import GitError, _git

MIN_ML = 5
MIN_TOUCHES = 3
PER_KIND = 2
NO_MIRROR = "no snapshot (no mirror: the fetch was refused)"
FIELDS = ["order", "kind", "repo", "head_commit", "licence", "head_nb", "ml_nb", "nb_touched3", "commits", "why",
          "chosen"]
#: The screened table of a candidate list without kinds: the kind-by-kind counts `kind_by_imports` read.
FIELDS_KINDS_READ = FIELDS[:6] + ["kind_nb"] + FIELDS[6:]
UNREAD = "unread"

#: Libraries whose import statement marks a notebook as one kind of work (coding/labels/round9/README.md, fixed
#: before any candidate was screened). A dotted name matches that module and its submodules only.
KIND_IMPORTS = {
    "vision": ("torchvision", "timm", "cv2", "ultralytics", "skimage", "albumentations", "detectron2", "mmdet",
               "segmentation_models_pytorch", "kornia"),
    "nlp_llm": ("transformers", "nltk", "spacy", "gensim", "langchain", "langchain_core", "langchain_community",
                "openai", "anthropic", "sentence_transformers", "tokenizers", "peft", "llama_index", "guidance",
                "textblob", "trl", "vllm", "tiktoken"),
    "time_series": ("statsmodels.tsa", "prophet", "fbprophet", "sktime", "darts", "pmdarima", "gluonts",
                    "neuralforecast", "statsforecast", "tsfresh", "arch", "tslearn", "aeon"),
    "audio_speech": ("librosa", "torchaudio", "speechbrain", "whisper", "soundfile", "pydub", "audiomentations",
                     "python_speech_features", "pyannote"),
    "feature_engineering": ("featuretools", "feature_engine", "category_encoders", "sklearn.feature_selection",
                            "boruta", "mlxtend.feature_selection", "autofeat"),
    "generative": ("diffusers", "torch_fidelity", "pytorch_fid", "denoising_diffusion_pytorch", "imagen_pytorch"),
}
_KIND_RE = {k: re.compile(r"^[ \t]*(?:import|from)[ \t]+(?:" + "|".join(re.escape(m) for m in mods) + r")(?![\w])",
                          re.M) for k, mods in KIND_IMPORTS.items()}


def kind_counts(sources: list[str]) -> Counter:
    """Per kind of `KIND_IMPORTS`: how many of these notebooks' code texts import one of its libraries."""
    return Counter(k for src in sources for k, rx in _KIND_RE.items() if rx.search(src))


def kind_by_imports(counts: Counter, ml_nb: int, kinds: tuple[str, ...]) -> str:
    """The kind a candidate's notebooks show: of `kinds` after the first, the one most of its `ml_nb` ML notebooks
    import a library of (ties: the earlier kind), if at least a third of them do; otherwise `kinds[0]`."""
    best = max(kinds[1:], key=lambda k: (counts.get(k, 0), -kinds.index(k)), default=kinds[0])
    n = counts.get(best, 0)
    return best if n and 3 * n >= ml_nb else kinds[0]


def read_exclusions(tables: Iterable[Path]) -> set[str]:
    """Lower-cased owner/name of every repository named in a `repo` (or `repository`) column."""
    out = set()
    for t in tables:
        try:
            with open(t, newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh, delimiter="\t" if t.suffix == ".tsv" else ","):
                    v = (r.get("repo") or r.get("repository") or "").strip()
                    if "/" in v:
                        out.add(v.lower())
        except (OSError, csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{t}: cannot read the repositories to exclude ({exc})") from exc
    return out


def mirror_dir(mirrors: Path, repo: str) -> Path:
    base = mirrors / repo.replace("/", "+") / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def inspect(git_dir: Path) -> dict:
    """Counts of one mirror at HEAD: license files, notebooks, ML notebooks, notebooks touched >= 3 times."""
    root = _git(git_dir, "ls-tree", "--name-only", "HEAD").decode("utf-8", "replace").splitlines()
    lic = [p for p in root if p.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
    paths = head_notebooks(git_dir)
    ml, kinds = 0, Counter[str]()
    for line in _git(git_dir, "ls-tree", "-r", "-l", "-z", "HEAD").decode("utf-8", "replace").split("\0"):
        meta, _, p = line.partition("\t")
        parts = meta.split()
        if not p.endswith(".ipynb") or ".ipynb_checkpoints/" in p or len(parts) < 4:
            continue
        if not parts[3].isdigit() or int(parts[3]) > MAX_BYTES:
            continue  # over the size limit, or absent from the mirror
        try:
            cells = code_sources(_git(git_dir, "cat-file", "blob", parts[2]))
        except GitError:
            continue
        if cells is not None and ML_IMPORT.search(src := "\n".join(cells)):
            ml += 1
            kinds.update(kind_counts([src]))  # counted per notebook: no repository's code is held at once
    touches = touch_counts(git_dir)
    return {"head_commit": _git(git_dir, "rev-parse", "HEAD").decode().strip(), "licence": ";".join(lic),
            "head_nb": len(paths), "ml_nb": ml,
            "nb_touched3": sum(1 for p in paths if touches.get(p, 0) >= MIN_TOUCHES),
            "commits": len(_git(git_dir, "rev-list", "HEAD").split()), "kinds": kinds}


def screen(candidates: list[dict], mirrors: Path, exclude: set[str], per_kind: int = PER_KIND,
           min_ml: int = MIN_ML, kinds: tuple[str, ...] = ()) -> list[dict]:
    """Every candidate with its counts, `why` (`eligible` or the reasons not) and `chosen`. A candidate with an
    empty `kind` gets `kind_by_imports` among `kinds` (and `kind_nb`, the counts), or `unread` if never read."""
    rows = []
    for c in sorted(candidates, key=lambda c: int(c["order"])):
        if not c.get("kind") and not kinds:
            raise InputError(f"candidate {c['repo']} (order {c['order']}) has no kind and no kinds to read one among "
                             "(--kinds)")
        r = {"order": c["order"], "kind": c.get("kind") or UNREAD, "repo": c["repo"]}
        d = mirror_dir(mirrors, c["repo"])
        if c["repo"].lower() in exclude:
            r["why"] = "excluded"
        elif not d.exists():
            r["why"] = NO_MIRROR
        else:
            try:
                r.update(inspect(d))
            except GitError as exc:
                r["why"] = f"git failed: {exc}"[:200]
            else:
                counts = r.pop("kinds")
                if not c.get("kind"):
                    r["kind"] = kind_by_imports(counts, r["ml_nb"], kinds)
                    r["kind_nb"] = ";".join(f"{k}:{counts[k]}" for k in kinds[1:] if counts.get(k))
                why = []
                if not r["licence"]:
                    why.append("no licence file")
                if r["ml_nb"] < min_ml:
                    why.append(f"<{min_ml} ML notebooks")
                if r["nb_touched3"] < 1:
                    why.append(f"no notebook touched by >={MIN_TOUCHES} commits")
                r["why"] = "; ".join(why) or "eligible"
        rows.append(r)
    taken: Counter = Counter()
    for r in rows:
        r["chosen"] = "no"
        if r["why"] == NO_MIRROR and r["kind"] != UNREAD and taken[r["kind"]] >= per_kind:
            r["why"] = f"not fetched: {per_kind} eligible earlier in its kind"
        if r["why"] == "eligible" and taken[r["kind"]] < per_kind:
            taken[r["kind"]] += 1
            r["chosen"] = "yes"
    return rows
