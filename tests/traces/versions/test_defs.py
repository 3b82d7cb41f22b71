"""Sides of notebook-defined functions and classes, and of local modules' callables."""

from __future__ import annotations

import ast

from mliter.traces.operators import MODEL, PREPROCESSING, role
from mliter.traces.versions.defs import MAX_DEPTH, DefIndex, local_side, top_level_defs


def index(*cells: str, aliases: dict[str, str] | None = None) -> DefIndex:
    return DefIndex(top_level_defs([ast.parse(c) for c in cells]), aliases or {}, role)


def test_side_follows_the_body_and_calls_between_definitions():
    idx = index("def clean(df):\n    return df.fillna(0)", "def run(df):\n    return clean(df)",
                "def show(df):\n    print(df)")
    sides = {name: idx.side(name) for name in ("clean", "run", "show", "missing")}
    assert sides == {"clean": PREPROCESSING, "run": PREPROCESSING, "show": None, "missing": None}


def test_a_model_anywhere_in_the_body_makes_the_model_side():
    idx = index("def fit_all(X, y):\n    X = X.fillna(0)\n    return RF(n_estimators=5).fit(X, y)",
                aliases={"RF": "sklearn.ensemble.RandomForestClassifier"})
    assert idx.side("fit_all") == MODEL


def test_class_bases_decide_and_recursion_is_bounded():
    idx = index("class Net(nn.Module):\n    pass", "class Sel(BaseEstimator, TransformerMixin):\n    pass",
                "def f():\n    return f()")
    assert [idx.side(n) for n in ("Net", "Sel", "f")] == [MODEL, PREPROCESSING, None]
    chain = [f"def f{i}(x):\n    return f{i + 1}(x)" for i in range(MAX_DEPTH + 3)]
    deep = index(*chain, f"def f{MAX_DEPTH + 3}(x):\n    return x.dropna()")
    assert deep.side("f0") is None  # too deep to follow
    assert deep.side(f"f{MAX_DEPTH + 2}") == PREPROCESSING


def test_local_names_by_words():
    assert local_side("src.features.build_features") == PREPROCESSING
    assert local_side("stats.ReduceVIF") == PREPROCESSING
    assert local_side("lib.models.train_model") == MODEL
    assert local_side("human.models.GemmaForSequenceClassification.from_pretrained") is None  # "pretrained" is no "train"
    assert local_side("utils.reduce_mem_usage") == PREPROCESSING
    assert local_side("utils.seed_everything") is None
