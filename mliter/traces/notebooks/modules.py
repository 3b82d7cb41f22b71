"""Modules imported from beside a notebook: summarised when their file is there, else recorded.

Feature code often lives in the author's own modules (`from src.features.build_features import
add_features`). A call into such a module does what the module's function does, so its stage
and operators come from the function's body. This module finds the file (statically, never
importing or running it), parses it with the cell parser and keeps, per function or class, the
features of its body: `{"src.features.build_features.add_features": {...}}`. Calls between
functions of one module are followed too (they become qualified calls).

Which modules are local: a top-level name that is neither in the standard library, nor a library
of the API catalogue, nor in `KNOWN_LIBRARIES`. When the file cannot be found (the evaluation
folders do not stage those modules) each call into the module is recorded on the cell as
*unresolved* and its last name still serves as a name hint (`local:add_features`).

Bounds: files larger than `MAX_MODULE_BYTES` are not read; folders searched are the notebook's
folder and up to `MAX_PARENTS` parents (a repository root above `notebooks/`), plus `src/`.
"""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path
from typing import Callable, Mapping

from mliter.traces.notebooks.code import CellCode, collect_uses, import_aliases, parse_cell

MAX_MODULE_BYTES = 1_000_000
MAX_PARENTS = 3
#: Third-party libraries outside the catalogue that are never "beside the notebook".
KNOWN_LIBRARIES = frozenset("""
scipy PIL cv2 tqdm nltk gensim spacy wandb mlflow IPython ipywidgets tensorflow keras torch torchvision torchaudio
torchtext skimage imblearn category_encoders albumentations yaml requests bs4 sqlalchemy pyspark dask numba h5py
tables pyarrow joblib six google kaggle kagglehub tabulate termcolor colorama missingno pandas_profiling ydata_profiling
wordcloud networkx eli5 lime scikitplot yellowbrick mlxtend hyperopt bayes_opt skopt featuretools tsfresh prophet
fbprophet pmdarima sympy accelerate bitsandbytes trl evaluate tokenizers sentencepiece huggingface_hub einops
torchmetrics torchinfo torchsummary pytorch_lightning lightning tensorboard tensorboardX apex jax flax optax
pydicom nibabel librosa soundfile rasterio geopandas shapely folium pycountry tldextract regex emoji textblob
unidecode langdetect xlrd openpyxl psutil gc tensorflow_hub tensorflow_datasets keras_nlp keras_cv keras_tuner
""".split())


def is_local_module(module: str, libraries: frozenset[str] | set[str] = frozenset()) -> bool:
    """True when `module` (dotted) is neither standard library nor a known library."""
    top = module.split(".", 1)[0]
    return bool(top) and top not in sys.stdlib_module_names and top not in KNOWN_LIBRARIES and top not in libraries


def summarise_module(text: str, module: str) -> dict[str, set[str]]:
    """Features of every top-level function and class of a module's source, keyed `module.name`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return {}
    names = {n.name.lower(): n.name for n in tree.body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    cell = parse_cell(text)
    aliases: dict[str, str] = {}
    import_aliases(cell, aliases)
    collect_uses(cell, aliases)
    out: dict[str, set[str]] = {}
    for low, feats in cell.defs.items():
        if low not in names:
            continue
        fixed = set()
        for f in feats:
            if f.startswith("local:") and f[6:] in names:  # a call of another function of the module
                fixed.add(f"call:{module}.{names[f[6:]]}")
            else:
                fixed.add(f)
        out[f"{module}.{names[low]}"] = fixed
    return out


def local_module_resolver(notebook: Path | str, extra: tuple[Path, ...] = ()) -> Callable[[str], dict[str, set[str]] | None]:
    """A function `module -> summary or None` that looks for `module`'s file beside `notebook`."""
    here = Path(notebook).parent
    roots = [here, *list(here.parents)[:MAX_PARENTS]]
    roots += [r / "src" for r in roots[:2]] + list(extra)
    cache: dict[str, dict[str, set[str]] | None] = {}

    def find(module: str) -> dict[str, set[str]] | None:
        if module in cache:
            return cache[module]
        rel = Path(*module.split("."))
        found = None
        for root in roots:
            for cand in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
                try:
                    if cand.is_file() and cand.stat().st_size <= MAX_MODULE_BYTES:
                        found = summarise_module(cand.read_text(encoding="utf-8", errors="replace"), module)
                        break
                except OSError:
                    continue
            if found is not None:
                break
        cache[module] = found
        return found

    return find


def bind_local_modules(cell: CellCode, aliases: dict[str, str], module_defs: dict[str, set[str]],
                       resolver: Callable[[str], Mapping[str, set[str]] | None] | None) -> bool:
    """Before a cell's uses are collected: summarise the local modules it imports (when `resolver`
    finds them) into `module_defs`; a star import of a found module binds its functions' names.

    Returns whether the cell imports a local module that could not be summarised (recorded in
    `aliases` as `!local:<module>`): only then can `mark_unresolved` find anything, so the miner
    calls it only from then on rather than scanning the aliases of every cell."""
    from mliter.traces.catalogue import default_catalogue

    libraries = default_catalogue().libraries
    unsummarised = False
    for name, target, _ in cell.bindings:
        module = target if name.startswith("*") or "." not in target or name == target.split(".")[0] else target.rsplit(".", 1)[0]
        if not is_local_module(module, libraries):
            continue
        summary = resolver(module) if resolver is not None else None
        if summary is None and "." in target and not name.startswith("*"):
            summary = resolver(target) if resolver is not None else None  # `from pkg import module`
        if not summary:
            aliases.setdefault("!local:" + module, module)
            unsummarised = True
            continue
        module_defs.update(summary)
        if name.startswith("*"):
            for q in summary:
                aliases[q.rsplit(".", 1)[1]] = q
    return unsummarised


def mark_unresolved(cell: CellCode, aliases: Mapping[str, str], module_defs: Mapping[str, set[str]]) -> None:
    """After collection: calls into local modules that were not summarised are recorded as unresolved,
    and their last name becomes a name hint (`local:<name>`) in the statement that calls them."""
    if not any(k.startswith("!local:") for k in aliases):
        return
    from mliter.traces.catalogue import default_catalogue

    libraries = default_catalogue().libraries
    for q in list(cell.calls):
        if q in module_defs or not is_local_module(q, libraries) or "." not in q:
            continue
        if not any(q.startswith(m + ".") or q == m for m in (k[7:] for k in aliases if k.startswith("!local:"))):
            continue
        cell.unresolved.add(q)
        hint = "local:" + q.rsplit(".", 1)[1].lower()
        cell.local_calls.add(q.rsplit(".", 1)[1].lower())
        for feats in cell.stmt_feats:
            if "call:" + q in feats:
                feats.add(hint)
        for feats in cell.defs.values():
            if "call:" + q in feats:
                feats.add(hint)
