"""The API catalogue: data, covers the libraries issue 7 names, compiled once (no glob per lookup)."""

from __future__ import annotations

import csv

import pytest

from mliter.traces.catalogue import DEFAULT_CATALOGUE, ROLES, Catalogue, CatalogueError
from mliter.traces.notebooks.stages import StageRules

LIBRARIES = ("pandas", "numpy", "polars", "scikit-learn", "xgboost", "lightgbm", "catboost", "statsmodels", "keras",
             "pytorch", "pytorch-lightning", "fastai", "transformers", "datasets", "peft", "timm",
             "sentence-transformers", "optuna", "matplotlib", "seaborn", "plotly", "shap")


def test_catalogue_covers_the_libraries_and_roles():
    with open(DEFAULT_CATALOGUE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert set(LIBRARIES) <= {r["library"] for r in rows}
    assert {r["role"] for r in rows} == set(ROLES)


@pytest.mark.parametrize("name,role", [
    ("pandas.read_parquet", "load"), ("sklearn.ensemble._forest.RandomForestClassifier", "construct model"),
    ("transformers.models.bert.BertForTokenClassification", "construct model"),
    ("transformers.Trainer", "fit"), ("peft.get_peft_model", "construct model"), ("timm.create_model", "construct model"),
    ("lightning.pytorch.Trainer", "fit"), ("fastai.vision.all.vision_learner", "construct model"),
    ("shap.TreeExplainer", "explain"), ("optuna.create_study", "tune"), ("seaborn.heatmap", "plot"),
])
def test_lookup(name, role):
    assert Catalogue.from_csv().call(name).role == role


def test_lookups_never_run_a_glob(monkeypatch):
    import fnmatch

    def boom(*a, **k):
        raise AssertionError("fnmatch called at lookup time")

    monkeypatch.setattr(fnmatch, "fnmatch", boom)
    monkeypatch.setattr(fnmatch, "fnmatchcase", boom)
    cat = Catalogue.from_csv()
    for q in ("pandas.read_csv", "xgboost.XGBRegressor", "os.path.join", "a.b.c.d"):
        cat.call(q)
    cat.method("fit_one_cycle")
    rules = StageRules.from_csv()
    assert rules.label(["call:pandas.read_csv"]) == "load"


def test_star_names():
    cat = Catalogue.from_csv()
    assert cat.star_name("fastai.tabular.all", "tabular_learner") == "fastai.tabular.all.tabular_learner"
    assert cat.star_name("mymodule", "tabular_learner") is None


def test_bad_rows_are_named(tmp_path):
    p = tmp_path / "cat.csv"
    p.write_text("library,pattern,role,stage\npandas,pandas.read_csv,read,load\n")
    with pytest.raises(CatalogueError, match="row 2.*role 'read'"):
        Catalogue.from_csv(p)
