"""The change-type codebook and classifier: one notebook fixture per code, operator-only signatures, codebook checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mliter.traces.changes import (
    ChangeCodebookError, classify, default_codebook, diff_cells, diff_operators, load_change_codebook,
)
from mliter.traces.versions.signature import Operator, Signature, signature_from_bytes
from mliter.traces.notebooks.stages import StageRules

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "versions"
RULES = StageRules.from_csv()


def sig(name: str) -> Signature:
    return signature_from_bytes((FIX / name).read_bytes(), RULES)


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("[A-Z]_*.ipynb")))
def test_each_notebook_code_fixture_gets_its_code(name):
    expected = name.split("_", 1)[0]
    result = classify(sig("base.ipynb"), sig(name))
    assert result.code == expected, (name, sorted(result.facets))


def test_every_codebook_code_has_a_fixture_or_is_S():
    covered = {p.name.split("_", 1)[0] for p in FIX.glob("[A-Z]_*.ipynb")} | {"S"}
    assert covered == set(default_codebook().code_names)


def test_first_version_is_S_and_touches_all_its_cells():
    result = classify(None, sig("base.ipynb"))
    assert result.code == "S"
    assert result.cells.cells_added == len(sig("base.ipynb").cells) == 6
    assert result.facets == {"first"}
    assert {"load", "DPR"} <= set(result.stages_touched)


def test_identical_versions_are_N_with_zero_diff():
    a, b = sig("base.ipynb"), sig("N_rerun.ipynb")
    result = classify(a, b)
    assert result.code == "N" and not result.facets
    assert (result.cells.cells_changed, result.cells.lines_added, result.cells.lines_removed) == (0, 0, 0)
    assert result.stages_touched == ()


def test_hyperparameter_diff_sizes_and_stage():
    result = classify(sig("base.ipynb"), sig("H_model_hyperparameter.ipynb"))
    assert (result.model.reparameterised, result.model.params_changed, result.model.added) == (1, 1, 0)
    assert (result.cells.cells_changed, result.cells.lines_added, result.cells.lines_removed) == (1, 1, 1)
    assert result.stages_touched == ("LI",)


def test_signature_reads_operators_arguments_files_and_metrics():
    s = sig("base.ipynb")
    rf = next(op for op in s.model if op.name == "sklearn.ensemble.RandomForestClassifier")
    assert rf.param_dict == {"n_estimators": "100", "max_depth": "5"}
    imputer = next(op for op in s.preprocessing if op.name == "sklearn.impute.SimpleImputer")
    assert imputer.param_dict == {"strategy": '"mean"'}
    assert s.data_files == ("train.csv",)
    assert s.metrics == ("sklearn.metrics.accuracy_score",)
    assert "seaborn.histplot" in s.eda
    summary = s.summary()
    assert summary["model_ops"] == "sklearn.ensemble.RandomForestClassifier"
    assert "train[" not in str(summary)  # names, counts and hashes only


def test_keras_fit_arguments_are_model_hyperparameters():
    import json

    def nb(epochs: int) -> bytes:
        src = ("from keras.models import Sequential\nfrom keras.layers import Dense\n"
               f"model = Sequential()\nmodel.add(Dense(64, activation='relu'))\nmodel.fit(X, y, epochs={epochs})")
        cells = [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": 1}]
        return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()

    a, b = signature_from_bytes(nb(10)), signature_from_bytes(nb(20))
    seq = next(op for op in a.model if op.name == "keras.models.Sequential")
    assert seq.param_dict["fit.epochs"] == "10"
    assert next(op for op in a.model if op.name == "keras.layers.Dense").param_dict == {"_0": "64", "activation": '"relu"'}
    assert classify(a, b).code == "H"


def test_non_literal_arguments_are_hashed_never_shipped_as_code():
    import json

    src = "from sklearn.svm import SVC\nclf = SVC(C=best_c * 2, kernel=choose_kernel())"
    cells = [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": 1}]
    s = signature_from_bytes(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode())
    params = s.model[0].param_dict
    assert all(v.startswith("<expr:") for v in params.values())
    assert "best_c" not in repr(s) and "choose_kernel" not in repr(s)


# -- operator-only signatures (how OpenML flows are compared) -----------------------------

RF = Operator.make("sklearn.ensemble.RandomForestClassifier", {"n_estimators": 100})
RF500 = Operator.make("sklearn.ensemble.RandomForestClassifier", {"n_estimators": 500})
SVC = Operator.make("sklearn.svm.SVC", {"C": 1.0})
IMP = Operator.make("sklearn.impute.SimpleImputer", {"strategy": "mean"})
IMP_MED = Operator.make("sklearn.impute.SimpleImputer", {"strategy": "median"})
SCALE = Operator.make("sklearn.preprocessing.StandardScaler", {})


@pytest.mark.parametrize("model,pre,code", [
    ([RF], [IMP], "N"),
    ([SVC], [IMP], "M"),
    ([RF], [IMP, SCALE], "P"),
    ([RF500], [IMP], "H"),
    ([RF], [IMP_MED], "R"),
    ([RF500], [IMP_MED], "C"),
    ([SVC], [SCALE], "C"),
    ([RF, SVC], [IMP], "M"),
    ([RF, RF500], [IMP], "H"),  # another configuration of a class already used is tuning
    ([RF, RF500], [IMP, SCALE], "C"),
])
def test_operator_signatures_get_the_shared_codes(model, pre, code):
    prev = Signature.from_operators([RF], [IMP])
    assert classify(prev, Signature.from_operators(model, pre)).code == code
    assert classify(None, Signature.from_operators(model, pre)).code == "S"


def test_diff_operators_pairs_reparameterised_instances():
    d = diff_operators([RF, IMP], [RF500, IMP_MED, SCALE])
    assert (d.added, d.removed, d.reparameterised, d.params_changed) == (1, 0, 2, 2)


def test_diff_cells_counts_added_removed_changed():
    a, b = sig("base.ipynb"), sig("V_visualisation.ipynb")
    d = diff_cells(a.cells, b.cells)
    assert (d.cells_added, d.cells_removed, d.cells_changed) == (0, 0, 1)
    assert (d.lines_added, d.lines_removed) == (2, 0)


# -- the codebook as data -------------------------------------------------------------------

def test_codebook_precedence_and_fields():
    book = default_codebook()
    assert book.code_names[0] == "S" and book.code_names[-1] == "N"
    assert {"S", "M", "P", "H", "R", "C", "N", "D", "V", "X"} <= set(book.code_names)
    assert book.code_names.index("C") < min(book.code_names.index(c) for c in "MPHR")
    for c in book.codes:
        assert c.definition and c.include and c.exclude and c.example


def test_codebook_errors_name_file_and_code(tmp_path):
    bad = tmp_path / "cb.yaml"
    bad.write_text("version: '1'\ncodes:\n  - {code: Z, name: z, precedence: 1, when: [[nonsense]],"
                   " definition: d, include: i, exclude: e, example: x}\n", encoding="utf-8")
    with pytest.raises(ChangeCodebookError, match=r"cb.yaml, codes\[0\] \(Z\): unknown facets"):
        load_change_codebook(bad)
    bad.write_text("version: '1'\ncodes:\n  - {code: Z, name: z, precedence: 1, when: [[code]],"
                   " definition: d, include: i, exclude: e, example: x}\n", encoding="utf-8")
    with pytest.raises(ChangeCodebookError, match="when: \\[\\]"):
        load_change_codebook(bad)


# -- properties -----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mliter.traces.changes import facets  # noqa: E402

_ops = st.lists(st.builds(Operator.make, st.sampled_from(["a.A", "a.B", "b.C"]),
                          st.dictionaries(st.sampled_from(["x", "y"]), st.integers(0, 3), max_size=2)), max_size=4)
_sigs = st.builds(Signature.from_operators, _ops, _ops, st.lists(st.sampled_from(["t.csv", "u.csv"]), max_size=2),
                  st.lists(st.sampled_from(["m.f1", "m.auc"]), max_size=2))


@settings(max_examples=200, deadline=None)
@given(_sigs, _sigs)
def test_classifier_properties(a, b):
    assert classify(a, a).code == "N"  # a version identical to its predecessor changed nothing
    assert facets(a, b) == facets(b, a)  # what differs does not depend on the direction
    result = classify(a, b)
    assert result.code != "S"
    if result.code == "N":
        assert a.model == b.model and a.preprocessing == b.preprocessing
    if result.code == "C":
        assert a.model != b.model and a.preprocessing != b.preprocessing
    if result.code in ("M", "H"):
        assert a.preprocessing == b.preprocessing and a.model != b.model


def test_r_notebooks_compare_by_text():
    import json

    def nb(src: str) -> bytes:
        cells = [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": 1}]
        meta = {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}
        return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": cells}).encode()

    a, b = signature_from_bytes(nb("x <- read.csv('a.csv')")), signature_from_bytes(nb("x <- read.csv('b.csv')"))
    assert a.n_unparsed_cells == 1 and not a.model
    assert classify(a, b).code == "O" and classify(a, a).code == "N"
