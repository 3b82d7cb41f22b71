"""Which side of a workflow a notebook-defined function or class, or a local module's function, works on.

The work of many notebooks happens in code the notebook defines (`def add_features(df): ...`,
`class Net(nn.Module): ...`) or imports from a module beside it (`from src.features import
build_features`). A workflow signature counts the operators inside a definition's body once, where
it is defined; what a *call* contributes is its arguments: `add_features(df, n_lags=7)` becoming
`n_lags=14` re-parameterises the pre-processing, `Net(hidden=128)` becoming `hidden=256` the model.
For that the signature needs the side of each callee:

- a notebook-defined function or class (`DefIndex.side`): the side of what its body does, followed
  through calls of other notebook-defined names up to `MAX_DEPTH` levels; a model operator anywhere
  in the body makes it `model`, else a pre-processing operator or an assigned column makes it
  `preprocessing`. A class also takes the side of its bases (`torch.nn.Module`, a Lightning or
  Keras model, scikit-learn's `TransformerMixin`);
- a function or class of a local module whose file is not there (`local_side`): the side its name
  says (`clean_*`, `*_features`, `encode_*` are pre-processing; `train_*`, `*Model`, `*Net` are the
  model), else none. Such calls are operators of their own, since their bodies cannot be read.

Static only: bodies are walked as syntax trees, never executed; recursion is bounded.
"""

from __future__ import annotations

import ast
import re
from typing import Callable

from mliter.traces.notebooks.code import _dotted, resolve
from mliter.traces.operators import MODEL, PREPROCESSING, method_role

#: How deep calls between notebook-defined names are followed.
MAX_DEPTH = 4
_DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: Bases of a class that make it a model or a pre-processing step (last dotted component).
MODEL_BASES = frozenset({"Module", "LightningModule", "Model", "Layer", "Sequential", "ClassifierMixin",
                         "RegressorMixin", "PreTrainedModel", "Learner"})
PREPROCESSING_BASES = frozenset({"TransformerMixin", "Dataset", "IterableDataset", "Transform"})
#: Words of a local callable's name (snake_case or CamelCase, compared by prefix) that say its side.
PREPROCESSING_WORDS = ("clean", "impute", "encod", "preprocess", "process", "prepar", "transform", "feature", "fill",
                       "scal", "normali", "select", "reduce", "engineer", "extract", "aggregat", "lag", "rolling",
                       "tokeni", "augment", "resampl", "sampl", "balanc", "outlier", "vif")
MODEL_WORDS = ("model", "train", "fit", "net", "network", "classifier", "regressor", "learner", "estimator",
               "boost", "forest", "ensemble", "stack", "blend")
#: Last words of class names that name a model by what it does (`ExtractiveSummarizer`, `ObjectDetector`).
MODEL_HEADS = ("summari", "detector", "segmenter", "recogni", "translator", "forecaster", "predictor", "tagger",
               "captioner", "classifier", "regressor", "learner", "estimator", "recommender", "ranker")
#: Leading verbs of names that only look at, score or store results (`eval_model`, `plot_features`).
NEUTRAL_VERBS = ("eval", "score", "metric", "plot", "show", "print", "display", "report", "save", "log", "visuali",
                 "summar", "draw", "describe", "inspect", "check", "test", "predict", "submit", "write")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
#: Constructors named after their class: the class name says the side (`Net.from_pretrained`).
_ALT_CONSTRUCTORS = frozenset({"from_pretrained", "from_config", "load", "create", "build"})

RoleOf = Callable[[str], "str | None"]


def top_level_defs(trees: list[ast.AST | None]) -> dict[str, ast.AST]:
    """Name -> the last top-level function or class definition of that name over the cells."""
    out: dict[str, ast.AST] = {}
    for tree in trees:
        for st in getattr(tree, "body", []) if tree is not None else []:
            if isinstance(st, _DEF_TYPES):
                out[st.name] = st
    return out


class DefIndex:
    """The notebook's top-level definitions with a memoised side for each (see the module docstring)."""

    def __init__(self, defs: dict[str, ast.AST], aliases: dict[str, str], role_of: RoleOf):
        self.defs = defs
        self.aliases = aliases
        self.role_of = role_of  # qualified name -> signature role (operators.role + the catalogue)
        self._memo: dict[str, str | None] = {}

    def side(self, name: str, depth: int = 0) -> str | None:
        """`model`, `preprocessing` or None for a notebook-defined name (None for unknown names)."""
        if name in self._memo:
            return self._memo[name]
        node = self.defs.get(name)
        if node is None or depth > MAX_DEPTH:
            return None
        self._memo[name] = None  # a recursive definition reads as "nothing known" while it is computed
        roles: set[str] = set()
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                parts = _dotted(base)
                last = parts[-1] if parts else ""
                if last in MODEL_BASES:
                    roles.add(MODEL)
                elif last in PREPROCESSING_BASES:
                    roles.add(PREPROCESSING)
                elif parts and parts[0] in self.defs and parts[0] != name:
                    r = self.side(parts[0], depth + 1)
                    if r:
                        roles.add(r)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                r = self._call_role(sub, name, depth)
                if r:
                    roles.add(r)
            elif isinstance(sub, (ast.Assign, ast.AugAssign)):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                if any(isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
                       and isinstance(t.slice.value, str) for t in targets):
                    roles.add(PREPROCESSING)  # `df["lag_7"] = ...`: an engineered column
        out = MODEL if MODEL in roles else PREPROCESSING if PREPROCESSING in roles else None
        self._memo[name] = out
        return out

    def _call_role(self, call: ast.Call, owner: str, depth: int) -> str | None:
        parts = _dotted(call.func)
        if parts and len(parts) == 1 and parts[0] in self.defs and parts[0] != owner:
            return self.side(parts[0], depth + 1)
        qualified = resolve(parts, self.aliases) if parts else None
        if qualified is not None:
            r = self.role_of(qualified)
            return r if r in (MODEL, PREPROCESSING) else None
        if isinstance(call.func, ast.Attribute):
            r = method_role(call.func.attr)
            return r if r in (MODEL, PREPROCESSING) else None
        return None


def local_side(qualified: str) -> str | None:
    """The side the name of a local module's callable says (`src.features.add_lags` -> preprocessing)."""
    parts = qualified.split(".")
    name = parts[-2] if parts[-1] in _ALT_CONSTRUCTORS and len(parts) > 1 else parts[-1]
    words = [w.lower() for w in _WORD.findall(name)]
    if not words or words[0].startswith(NEUTRAL_VERBS):
        return None
    if name[:1].isupper() and len(words) > 1 and words[-1].startswith(MODEL_HEADS) and words[-1].endswith(("er", "or")):
        # a class named for the model it is (`ExtractiveSummarizer`, `ObjectDetector`): its last word, the thing
        # it is, says the side before a word that only qualifies it (`extractive`); `FeatureExtractor` stays
        return MODEL
    if any(w.startswith(PREPROCESSING_WORDS) for w in words):
        return PREPROCESSING
    if any(w.startswith(MODEL_WORDS) for w in words):
        return MODEL
    return None


__all__ = ["DefIndex", "MAX_DEPTH", "local_side", "top_level_defs"]
