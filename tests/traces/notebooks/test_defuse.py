"""The def-use pass and purpose-based stages (issue 7): one fixture per class of miss seen on
notebooks nobody tuned on. Each failed with the former miner (latest-stage rule, no def-use index,
no module summaries, no star imports) and passes now."""

from __future__ import annotations

import pytest

from mliter.traces.notebooks.mine import mine_bytes
from mliter.traces.notebooks.stages import StageRules
from tests.notebook_builders import mined_cells, notebook_bytes

RULES = StageRules.from_csv()


def stages_of(*cells: str, **kw) -> list[str]:
    return [c["stage_rules"] for c in cells_of(*cells, **kw)]  # the rules' stage


def cells_of(*cells: str, **kw) -> list[dict]:
    return mined_cells(*cells, **kw)


def test_reading_and_previewing_a_file_is_loading():
    """Codebook 2.0: the cell's purpose is the frame it leaves; the preview only shows it."""
    got = stages_of("import pandas as pd", "df = pd.read_csv('train.csv')\ndf.head()", "df = df.dropna()")
    assert got[1] == "load"


def test_display_only_cells_take_the_stage_of_what_they_look_at():
    got = stages_of("import pandas as pd", "df = pd.read_csv('train.csv')", "len(df)", "df.count()")
    assert got[2:] == ["EDA", "EDA"]


def test_a_list_of_feature_columns_serves_the_cell_that_reads_it():
    got = stages_of("import pandas as pd", "df = pd.read_csv('train.csv')",
                    "features = ['age', 'fare', 'pclass']",
                    "X = df[features].fillna(0)\nX = pd.get_dummies(X)")
    assert got[2] == "DPR"


def test_a_dict_of_hyperparameters_serves_the_model():
    got = stages_of("import xgboost as xgb", "best = {'max_depth': 5, 'eta': 0.1}",
                    "model = xgb.XGBClassifier(**best)\nmodel.fit(X, y)")
    assert got[1] == "LI"


def test_a_call_of_a_function_defined_three_cells_up_takes_its_body():
    got = stages_of("from sklearn.ensemble import RandomForestClassifier",
                    "def cross_validate(X, y):\n    m = RandomForestClassifier(n_estimators=50)\n    m.fit(X, y)\n    return m",
                    "x = 1", "y = 2", "model = cross_validate(X, y)")
    assert got[1] == "LI" and got[4] == "LI"


def test_a_training_loop_that_logs_a_metric_is_training():
    got = stages_of("from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.metrics import accuracy_score",
                    "model = RandomForestClassifier()\nmodel.fit(X, y)\nprint(accuracy_score(yv, model.predict(Xv)))",
                    "model.predict(Xt)")
    assert got[1] == "LI"


def test_star_imports_of_catalogued_modules_resolve():
    cells = cells_of("from fastai.vision.all import *",
                     "dls = ImageDataLoaders.from_folder(path)\nlearn = vision_learner(dls, resnet34, metrics=error_rate)",
                     "learn.fine_tune(3)")
    assert "fastai.vision.all.vision_learner" in cells[1]["apis"]
    assert cells[1]["stage_rules"] == "LI" and cells[2]["stage_rules"] == "LI"


@pytest.mark.parametrize("library,cell,stage", [
    ("transformers", "from transformers import AutoModelForSequenceClassification\n"
                     "model = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased', num_labels=2)", "LI"),
    ("transformers", "from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained('bert-base-uncased')", "DPR"),
    ("lightning", "import lightning as L\ntrainer = L.Trainer(max_epochs=5)\ntrainer.fit(model, dm)", "LI"),
    ("timm", "import timm\nmodel = timm.create_model('resnet18', pretrained=True, num_classes=3)", "LI"),
])
def test_deep_learning_libraries_are_visible(library, cell, stage):
    assert stages_of(cell, "model")[0] == stage, library


def test_multi_label_stages_record_everything_a_cell_touches():
    cells = cells_of("import pandas as pd", "df = pd.read_csv('train.csv')\ndf.head()")
    assert set(cells[1]["stages"].split(";")) == {"load", "EDA"}


def test_def_use_index_counts_names_read_from_earlier_cells():
    cells = cells_of("import pandas as pd", "df = pd.read_csv('a.csv')", "df2 = df.merge(pd.read_csv('b.csv'))")
    assert cells[2]["n_reads_from"] == 2  # pd (cell 0) and df (cell 1)


def test_modules_beside_the_notebook_are_summarised(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__init__.py").write_text("")
    (tmp_path / "src" / "features.py").write_text(
        "import pandas as pd\n\ndef add_features(df):\n    df = pd.get_dummies(df)\n    return df.fillna(0)\n")
    nb = tmp_path / "nb.ipynb"
    nb.write_bytes(notebook_bytes("from src.features import add_features", "train = add_features(train)", "train"))
    from mliter.traces.notebooks.modules import local_module_resolver

    cells = mine_bytes("file:nb.ipynb", nb.read_bytes(), RULES, local_modules=local_module_resolver(nb)).cells
    assert cells[1]["stage_rules"] == "DPR" and cells[1]["unresolved_calls"] == 0


def test_modules_not_beside_the_notebook_are_recorded_as_unresolved():
    cells = cells_of("from project_code.cleaning import tidy_table", "df = tidy_table(df)")
    assert cells[1]["unresolved_calls"] == 1
    assert cells[1]["stage_rules"] == "DPR"  # the name still hints (local:*tidy* is no rule; the assignment is data)


def test_writefile_cells_holding_python_are_analysed():
    cells = cells_of("%%writefile train.py\nfrom sklearn.linear_model import LogisticRegression\n"
                     "m = LogisticRegression()\nm.fit(X, y)\n")
    assert cells[0]["status"] == "ok" and cells[0]["stage_rules"] == "LI"


def test_summaries_survive_without_trees():
    """Trees are released cell by cell; the def-use summary is what the labelling reads."""
    from mliter.traces.notebooks.mine import analyse_cells
    from mliter.traces.notebooks.parse import Limits, parse_notebook

    nb = parse_notebook(notebook_bytes("import pandas as pd", "df = pd.read_csv('a.csv')"), Limits())
    parsed, _ = analyse_cells([c for c in nb.cells if c.cell_type == "code"], True, Limits())
    assert all(p.tree is None for p in parsed)
    assert parsed[1].defined == {"df"} and "pd" in parsed[1].reads


def test_calls_of_local_functions_are_followed_with_a_depth_bound():
    from mliter.traces.notebooks.stages import MAX_CALL_DEPTH

    chain = [f"def f{i}(x):\n    return f{i + 1}(x)" for i in range(MAX_CALL_DEPTH + 3)]
    chain.append(f"def f{MAX_CALL_DEPTH + 3}(x):\n    from sklearn.svm import SVC\n    return SVC().fit(x, x)")
    near = stages_of("def g(x):\n    return h(x)", "def h(x):\n    from sklearn.svm import SVC\n    return SVC().fit(x, x)",
                     "y = g(df)")
    assert near[2] == "LI"  # followed two calls deep
    far = stages_of(*chain, "y = f0(df)")
    assert far[-1] != "LI"  # beyond the bound the body is not reached
    rec = stages_of("def r(x):\n    return r(x)", "y = r(1)")  # recursion terminates
    assert len(rec) == 2
