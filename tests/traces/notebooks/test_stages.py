"""Stage rules: the table is data, its semantics, and its accuracy against hand labels."""

from pathlib import Path

import pandas as pd
import pytest

from mliter.paths import CODING, TRACES
from mliter.traces.notebooks.stages import DEFAULT_RULES, STAGES, Rule, RuleError, StageRules
from tests.notebook_builders import mined_cells

#: The older label sets were coded under codebook 1 (a cell's stage is the latest it touches); the
#: rules now follow codebook 2.0 (a cell's purpose), so these are regression floors on a neighbouring
#: definition, not targets. The evaluation of codebook 2.0 is tests/coding/test_trace_eval.py.
#: 0.75 until round 4; the frozen round-4 rules give 184 of 246 (74.8%, the round-3 rules 77.2%): the
#: demonstration rule turns 6 EDA/DPR cells of Kaggle EDA notebooks into `other`, read-then-tidy makes 2
#: latest-stage DPR cells `load`. It showed after the freeze, so the floor moved, not the rules; the loss is
#: reported in docs/trace-validity.md ("Round 4: what it showed") and the figure shows the value.
MIN_ACCURACY = 0.74


def test_rule_table_loads_and_uses_known_stages():
    rules = StageRules.from_csv(DEFAULT_RULES)
    assert len(rules.rules) > 100
    assert {r.stage for r in rules.rules} <= set(STAGES)
    assert all(r.rationale.strip() for r in rules.rules)


@pytest.mark.parametrize("row,message", [
    ("call:x.*,LEARN,50,bad stage", "stage 'LEARN'"),
    ("call:x.*,LI,high,bad precedence", "precedence 'high'"),
    ("x.*,LI,50,no kind", "lacks a 'kind:' prefix"),
    ("call:x.*,LI,50,a, b", "expected 4 fields"),
])
def test_bad_rule_rows_are_named(tmp_path, row, message):
    path = tmp_path / "rules.csv"
    path.write_text("pattern,stage,precedence,rationale\nimport:*,setup,10,ok\n" + row + "\n")
    with pytest.raises(RuleError) as err:
        StageRules.from_csv(path)
    assert "row 3" in str(err.value) and message in str(err.value)


def test_latest_stage_wins_and_specific_beats_generic():
    rules = StageRules([
        Rule("import:*", "setup", 10, ""), Rule("call:pandas.*", "EDA", 20, ""),
        Rule("call:pandas.read_*", "load", 50, ""), Rule("method:fit", "LI", 50, ""),
        Rule("call:sklearn.metrics.*", "PPR", 60, ""), Rule("var:*pred*", "PPR", 5, ""),
    ])
    assert rules.label(["import:pandas"]) == "setup"
    assert rules.label(["import:pandas", "call:pandas.read_csv"]) == "load"
    assert rules.label(["method:fit", "call:sklearn.metrics.f1_score", "call:pandas.read_csv"]) == "PPR"
    assert rules.label(["method:fit", "var:preds"]) == "LI"  # a name hint cannot outvote a specific call
    assert rules.label(["var:preds"]) == "PPR"
    assert rules.label(["call:print"]) == "other"


def _accuracy(labels: pd.DataFrame, cells: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    merged = labels.merge(cells[["notebook_id", "cell_index", "stage"]], on=["notebook_id", "cell_index"],
                          how="left", suffixes=("_hand", "_rule"))
    missing = merged[merged.stage_rule.isna()]
    assert missing.empty, f"hand-labelled cells absent from traces/cells.csv: {missing[['notebook_id', 'cell_index']].values.tolist()[:5]}"
    return float((merged.stage_hand == merged.stage_rule).mean()), merged


def test_rule_accuracy_against_hand_labels():
    """The shipped stage labels agree with at least 75% of the older hand-labelled cells (codebook 1)."""
    labels = pd.read_csv(CODING / "stage_labels.csv")
    assert len(labels) >= 150 and set(labels.stage) <= set(STAGES)
    cells = pd.read_csv(TRACES / "cells.csv", keep_default_na=False)
    acc, merged = _accuracy(labels, cells)
    confusion = pd.crosstab(merged.stage_hand, merged.stage_rule)
    assert acc >= MIN_ACCURACY, f"rule accuracy {acc:.3f} < {MIN_ACCURACY}\n{confusion}"


def test_shipped_labels_match_current_rules(shared):
    """traces/cells.csv was produced by the current rule table (re-mining the labelled notebooks)."""
    from mliter.corpus.notebooks import from_manifest
    from mliter.traces.notebooks.mine import mine_ref

    labels = pd.read_csv(CODING / "stage_labels.csv")
    refs = [r for r in from_manifest(Path("corpus/notebooks.csv").resolve(), root=shared / "notebooks")
            if r.notebook_id in set(labels.notebook_id)]
    rules = StageRules.from_csv(DEFAULT_RULES)
    fresh = pd.DataFrame([row for r in refs for row in mine_ref(r, rules).cells])
    shipped = pd.read_csv(TRACES / "cells.csv", keep_default_na=False)
    both = fresh.merge(shipped, on=["notebook_id", "cell_index"], suffixes=("_fresh", "_shipped"))
    assert len(both) == len(fresh)
    stale = both[both.stage_fresh != both.stage_shipped]
    assert stale.empty, f"{len(stale)} cells changed stage: run `make traces`"


HELDOUT_FLOOR = 0.62


def test_rule_accuracy_on_held_out_labels():
    """Out-of-sample guard: labels never used to tune the rules (a regression floor, not a target)."""
    labels = pd.read_csv(CODING / "stage_labels_heldout.csv")
    assert len(labels) >= 100 and set(labels.stage) <= set(STAGES)
    assert not set(labels.notebook_id) & set(pd.read_csv(CODING / "stage_labels.csv").notebook_id)
    acc, merged = _accuracy(labels, pd.read_csv(TRACES / "cells.csv", keep_default_na=False))
    assert acc >= HELDOUT_FLOOR, f"held-out accuracy {acc:.3f} < {HELDOUT_FLOOR}"


def test_label_band_is_the_strongest_bands_latest_stage():
    """`label_band`'s one-number memo gives what the band-by-band reading gives, on random feature sets."""
    import random

    rules = StageRules.from_csv(DEFAULT_RULES)
    pool = [r.pattern.replace("*", "x") for r in rules.rules][:400] + ["call:nothing.known", "var:df", "syntax:display"]
    rng = random.Random(7)
    for _ in range(300):
        feats = set(rng.sample(pool, rng.randint(0, 12)))
        best: dict[int, str] = {}
        for band, stage in rules._banded(feats):
            if band not in best or STAGES.index(stage) > STAGES.index(best[band]):
                best[band] = stage
        want = (best[min(best)], min(best)) if best else ("other", 9)
        assert rules.label_band(feats) == want
        assert rules.label_band(iter(sorted(feats))) == want  # any iterable, read once


# Round 2 (issue 7): one fixture per class of miss found by error analysis on the tuning half.
# Each was written from the class, not copied from a notebook; each failed with the round-1 rules.

def _stages(*cells: str) -> list[str]:
    """The rules' primary stage of each cell (`stage_rules`: these are the rules' tests, whichever producer
    coding/stage_producer.yaml makes the shipped primary `stage`)."""
    return [c["stage_rules"] for c in mined_cells(*cells)]


def test_a_name_hint_does_not_outrank_a_call_among_a_cells_products():
    """`model_name = "..."` (a model-name hint) beside a tokenizer and a tokenised dataset: DPR."""
    got = _stages("from transformers import AutoTokenizer\nimport datasets",
                  "ds = datasets.load_dataset('imdb')",
                  "model_name = 'distilbert-base-uncased'\ntok = AutoTokenizer.from_pretrained(model_name)\n"
                  "enc = ds.map(lambda b: tok(b['text']), batched=True)",
                  "model = build(model_name, enc)")
    assert got[2] == "DPR"


def test_calling_a_feature_function_takes_what_the_function_mostly_does():
    """One result-looking call inside a long feature function does not make its callers PPR."""
    got = _stages("import numpy as np\nimport pandas as pd\nfrom sklearn.metrics import r2_score",
                  "def make_features(df):\n    df['a'] = np.log1p(df['x'])\n    df['b'] = pd.to_numeric(df['y'])\n"
                  "    df['c'] = pd.cut(df['z'], 5)\n    df['d'] = np.where(df['a'] > 0, 1, 0)\n"
                  "    df['q'] = r2_score(df['a'], df['b'])\n    return df",
                  "tr = pd.read_csv('tr.csv')", "tr2 = make_features(tr)", "tr2.describe()")
    assert got[3] == "DPR"


def test_a_frame_filled_with_predictions_read_through_a_method_is_post_processing():
    got = _stages("import pandas as pd", "test = pd.read_csv('test.csv')", "test_preds = model.predict(X_test)",
                  "out = test[['id']].copy()\nout['target'] = test_preds.tolist()\nout.head()")
    assert got[3] == "PPR"


def test_predicting_and_scoring_in_one_call_is_evaluation_not_training():
    """The "training that scores itself is training" rule needs training in the statement."""
    got = _stages("from sklearn.ensemble import RandomForestRegressor\nfrom sklearn.metrics import mean_absolute_error",
                  "def report(m):\n    p = m.predict(X_val)\n    return {'mae': mean_absolute_error(y_val, p)}",
                  "rf = RandomForestRegressor()\nrf.fit(X_tr, y_tr)", "report(rf)")
    assert got[3] == "PPR"


def test_a_plot_of_values_made_by_post_processing_is_post_processing():
    """`fig, ax = plt.subplots()` is a display part, and what it shows (an ROC curve) is results."""
    got = _stages("import matplotlib.pyplot as plt\nfrom sklearn.metrics import roc_curve",
                  "fpr, tpr, thr = roc_curve(y_val, proba)",
                  "fig, ax = plt.subplots()\nax.plot(fpr, tpr)\nplt.show()")
    assert got[1:] == ["PPR", "PPR"]


def test_a_file_read_only_to_be_shown_is_exploration():
    assert _stages("import pandas as pd", "pd.read_csv('sample_submission.csv')")[1] == "EDA"


def test_looking_at_a_configuration_value_is_other():
    got = _stages("import torch", "class Settings:\n    device = torch.device('cpu')\n    epochs = 3",
                  "config = Settings()", "print(config.device)")
    assert got[3] == "other"


def test_a_loop_that_changes_frames_in_place_is_pre_processing():
    got = _stages("import pandas as pd", "tr = pd.read_csv('a.csv')\nte = pd.read_csv('b.csv')\nboth = [tr, te]",
                  "for frame in both:\n    frame['sex'] = frame['sex'].map({'f': 1, 'm': 0}).astype(int)\ntr.head()")
    assert got[2] == "DPR"


def test_configuring_the_session_is_setup_even_when_it_prints():
    got = _stages("import warnings\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
                  "warnings.filterwarnings('ignore')\nplt.style.use('ggplot')\nprint('ready')",
                  "df = pd.read_csv('a.csv')\nplt.hist(df['x'])")
    assert got[0] == "setup"


def test_showing_a_picture_with_ipython_is_other():
    assert _stages("from IPython.display import Image\nImage(filename='figures/diagram.png')") == ["other"]


def test_gradient_accumulation_is_no_accuracy():
    """The accuracy name hint once matched `gradient_accumulation_steps` and made a config class PPR."""
    rules = StageRules.from_csv()
    assert rules.feature_stage("var:gradient_accumulation_steps") != "PPR"
    assert rules.feature_stage("var:val_acc") == "PPR" and rules.feature_stage("var:accuracy") == "PPR"
    got = _stages("class Hyper:\n    lr = 3e-5\n    epochs = 4\n    batch_size = 16\n    gradient_accumulation_steps = 2",
                  "opt = make_optimizer(Hyper.lr)")
    assert got[0] == "LI"


def test_downloading_the_data_is_loading():
    got = _stages("import os\nimport urllib.request", "url = 'https://example.org/data.tgz'\ndest = 'data.tgz'\n"
                  "if not os.path.exists(dest):\n    urllib.request.urlretrieve(url, dest)", "print(dest)")
    assert got[1] == "load"
    assert _stages("!wget https://example.org/data.zip\n!unzip data.zip") == ["load"]


def test_a_function_with_a_reliable_name_takes_that_stage():
    """`evaluate_*` fitting models inside is still evaluation: the name says what the caller gets."""
    got = _stages("from sklearn.linear_model import LogisticRegression\nfrom sklearn.model_selection import KFold",
                  "def evaluate_features(X, y):\n    scores = []\n    for tr, va in KFold(5).split(X):\n"
                  "        m = LogisticRegression()\n        m.fit(X[tr], y[tr])\n        m.predict(X[va])\n"
                  "        scores.append(1)\n    return scores",
                  "results = evaluate_features(X, y)")
    assert got[1] == "PPR"


def test_stages_touched_ignore_name_hints_and_plots_of_results_are_ppr():
    cells = mined_cells("import matplotlib.pyplot as plt\nfrom sklearn.metrics import confusion_matrix",
                   "cm = confusion_matrix(y_val, pred)\nout_dir = 'figs'\nplt.imshow(cm)\nplt.show()")
    assert cells[1]["stage_rules"] == "PPR"
    assert set(cells[1]["stages"].split(";")) == {"PPR"}


def test_a_row_picked_out_only_to_be_shown_is_exploration():
    """`ex = ds["train"][0]` then showing `ex`: a peek at the data, not a prepared dataset."""
    got = _stages("import datasets", "ds = datasets.load_dataset('beans')", "ex = ds['train'][0]\nex['image']",
                  "model = fit(ds, ex)")
    assert got[2] == "EDA"


def test_names_differing_only_in_case_map_to_the_latest_definition_in_any_order():
    """`KFold` and `kfold` read by one cell: which defining cell counts used to follow set order."""
    from mliter.traces.notebooks.stages import _lower_index

    assert _lower_index({"KFold": 0, "kfold": 3}) == _lower_index({"kfold": 3, "KFold": 0}) == {"kfold": 3}
    assert _lower_index({"kfold": 1, "KFold": 2}) == {"kfold": 2}


def test_stage_labels_do_not_depend_on_the_hash_seed():
    """The same notebook mined under different PYTHONHASHSEED values gives the same rows."""
    import os
    import subprocess
    import sys

    cells = ["from sklearn.model_selection import KFold, cross_val_score\nimport matplotlib.pyplot as plt\n"
             "import pandas as pd",
             "df = pd.read_csv('a.csv')",
             "results = pd.DataFrame({'s': cross_val_score(model, X, y)})\nkfold = results",
             "plt.plot(kfold)\nplt.plot(KFold)",
             "x = KFold + kfold"]
    code = ("import json, sys; sys.path.insert(0, 'tests'); from notebook_builders import mined_cells; "
            f"print(json.dumps([(c['stage'], c['stages']) for c in mined_cells(*{cells!r})]))")
    root = Path(__file__).resolve().parents[3]
    outs = set()
    for seed in ("0", "1", "2", "3", "4", "5", "6", "7"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.add(subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                                check=True).stdout)
    assert len(outs) == 1, outs


# Round 3 (issue 7): one fixture per class of miss found by error analysis on every label set so far
# (round 1 both halves, round 2). Each was written from the class, not copied from a notebook, and
# each fails with the frozen round-2 rules (commit 1c16c0c), except the guard marked as such.
ROUND3_CASES = {
    # a cell that takes label names out of the data and shows them serves the cells that read them
    "values_shown_then_handed_towards_a_model_are_DPR": (
        ["from transformers import AutoModelForSequenceClassification, Trainer\nimport datasets",
         "ds = datasets.load_dataset('emotions')",
         "names = ds['train'].features['label'].names\nnames",
         "id2label = dict(enumerate(names))",
         "model = AutoModelForSequenceClassification.from_pretrained('bert', id2label=id2label)\n"
         "trainer = Trainer(model=model, train_dataset=ds['train'])\ntrainer.train()"], {2: "DPR"}),
    # columns summed into a throwaway frame that only plots read: nothing of it reaches the model
    "a_scratch_frame_read_only_by_plots_is_EDA": (
        ["import pandas as pd\nimport seaborn as sns\nfrom sklearn.linear_model import Ridge",
         "df = pd.read_csv('houses.csv')",
         "porch = df[['price', 'open', 'closed']].copy()\nporch['total'] = porch.open + porch.closed",
         "sns.scatterplot(data=porch, x='total', y='price')", "sns.histplot(porch.total)",
         "m = Ridge().fit(df[['open', 'closed']], df.price)"], {2: "EDA", 5: "LI"}),
    # guard for the rule above (passes with the round-2 rules too): one example taken out to look at,
    # and decoded for a look, stays EDA
    "guard_a_sample_picked_out_to_look_at_stays_EDA": (
        ["from transformers import AutoTokenizer\nimport datasets",
         "ds = datasets.load_dataset('imdb')\ntok = AutoTokenizer.from_pretrained('bert')",
         "example = ds['train'][0]\nexample", "ids = tok(example['text'])['input_ids']\ntext = tok.decode(ids)",
         "print(text)"], {2: "EDA", 3: "EDA"}),
    # decoding the labels of one batch drawn to look at, which nothing carries into a model, is a look at the data
    "work_on_a_batch_drawn_to_look_at_is_EDA": (
        ["from transformers import TrOCRProcessor\nimport torch",
         "processor = TrOCRProcessor.from_pretrained('trocr')\nloader = torch.utils.data.DataLoader(ds, batch_size=4)",
         "batch = next(iter(loader))",
         "labels = batch['labels']\nlabels[labels == -100] = processor.tokenizer.pad_token_id\n"
         "label_str = processor.batch_decode(labels, skip_special_tokens=True)\nlabel_str"], {3: "EDA"}),
    # choosing the feature columns is DPR (codebook), even when the first reader trains a model
    "a_list_of_column_names_read_by_a_training_cell_is_DPR": (
        ["import pandas as pd\nfrom sklearn.linear_model import LogisticRegression", "df = pd.read_csv('a.csv')",
         "categorical = ['sex', 'port']\nnumerical = ['age', 'fare']",
         "model = LogisticRegression().fit(pd.get_dummies(df[categorical + numerical]), df.y)"], {2: "DPR"}),
    # `ds = Data(); ds.load_dataset()` with a class from beside the notebook: loading
    "a_method_named_for_loading_fills_its_object": (
        ["from src.data import Data\nimport pandas as pd", "ds = Data()\nds.load_dataset()", "X = ds.X_train.fillna(0)"],
        {1: "load"}),
    # the cell's main product is the frames read when few of its statements change them
    "reading_tables_and_tidying_them_a_little_is_load": (
        ["import pandas as pd",
         "tr = pd.read_csv('train.csv')\nte = pd.read_csv('test.csv')\ntr = tr.drop(columns=['Unnamed: 0'])",
         "tr['f'] = tr.a * 2"], {1: "load"}),
    "freeing_memory_is_housekeeping_not_EDA": (
        ["import gc\nimport pandas as pd", "tr = pd.read_csv('a.csv')\nte = pd.read_csv('b.csv')",
         "df = pd.concat([tr, te])", "del tr, te\ngc.collect()"], {3: "other"}),
    # a submission built from `predict_proba` in the same statement is PPR, not the prediction (LI)
    "predictions_put_in_a_table_and_written_are_PPR": (
        ["import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier",
         "tr = pd.read_csv('a.csv')\nte = pd.read_csv('b.csv')", "clf = RandomForestClassifier().fit(tr[['x']], tr.y)",
         "sub = pd.DataFrame({'id': te.id, 'y': clf.predict_proba(te[['x']])[:, 1]})\n"
         "sub.to_csv('submission.csv', index=False)"], {3: "PPR"}),
    # the accuracy function is a metric (PPR); the loop that trains and calls it to log is LI
    "a_training_loop_logging_a_notebook_defined_accuracy_is_LI": (
        ["import torch", "def batch_accuracy(logits, y):\n    return (logits.argmax(1) == y).float().mean().item()",
         "opt = torch.optim.Adam(model.parameters())",
         "for epoch in range(3):\n    for xb, yb in loader:\n        loss = loss_fn(model(xb), yb)\n"
         "        opt.zero_grad()\n        loss.backward()\n        opt.step()\n    print(batch_accuracy(model(xv), yv))"],
        {1: "PPR", 3: "LI"}),
    "a_view_of_what_a_fitted_model_holds_is_PPR": (
        ["import pandas as pd\nfrom sklearn.linear_model import LogisticRegression", "df = pd.read_csv('a.csv')",
         "model = LogisticRegression()\nmodel.fit(df[['x']], df.y)", "model.intercept_[0]"], {3: "PPR"}),
    # `ImageDataLoaders.from_folder` and `Resize` from `fastai.vision.all import *` load and transform
    # data (catalogue: DPR), not the library-wide fastai row (LI)
    "catalogue_entries_resolve_through_star_imports_and_class_methods": (
        ["from fastai.vision.all import *",
         "dls = ImageDataLoaders.from_folder(path, valid_pct=0.2, item_tfms=Resize(224))",
         "learn = vision_learner(dls, resnet34, metrics=error_rate)\nlearn.fine_tune(2)"], {1: "DPR", 2: "LI"}),
    # scikit-optimize and a scorer made for a search (`make_scorer`) configure model selection
    "tuning_libraries_are_model_search": (
        ["from skopt import BayesSearchCV\nfrom sklearn.metrics import make_scorer, roc_auc_score",
         "auc = make_scorer(roc_auc_score, needs_threshold=True)",
         "opt = BayesSearchCV(estimator=clf, search_spaces=space, scoring=auc, n_iter=50)"], {1: "LI", 2: "LI"}),
    # looking at a list of files or at a model's make-up is `other` (codebook: a configuration view)
    "a_listing_of_files_shown_is_other": (
        ["import os", "DATA = '../input'", "print(os.listdir(DATA))", "!ls {DATA}"], {2: "other", 3: "other"}),
    "a_view_of_a_models_architecture_or_config_is_other": (
        ["import torch\nfrom transformers import AutoModel", "model = AutoModel.from_pretrained('bert')\nmodel.train()",
         "print(model)", "model.config.hidden_size"], {2: "other", 3: "other"}),
    # a loop that only plots, or a call of a plotting helper, leaves nothing: what it shows decides
    # (here training histories, so PPR)
    "a_loop_of_plots_of_training_histories_is_PPR": (
        ["import matplotlib.pyplot as plt\nfrom tensorflow import keras",
         "scores = {}\nfor size in [10, 100]:\n    model = keras.Sequential([keras.layers.Dense(size)])\n"
         "    model.compile(optimizer='adam', loss='mse')\n    scores[size] = model.fit(X, y).history",
         "for size, hist in scores.items():\n    plt.plot(hist['val_accuracy'], label=str(size))\nplt.legend()",
         "def plot_history(h):\n    plt.plot(h['loss'])\n    plt.show()",
         "plot_history(scores[10])"], {2: "PPR", 4: "PPR"}),
}


# Round 4 (issue 7): one fixture per class of miss found on all 1,178 labelled cells of rounds 1-3
# (the three spent held-out sets included). Written from the class, not copied from a notebook; each
# fails with the round-3 rules unless it is marked as a guard.
ROUND4_CASES = {
    # data lineage: toy values that descend from no loaded data and feed no model are a demonstration
    "a_demonstration_on_toy_arrays_that_feeds_no_model_is_other": (
        ["import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\nfrom sklearn.linear_model import Ridge",
         "df = pd.read_csv('houses.csv')",
         "x = np.linspace(0, 10, 100)\ny = np.sin(x)",
         "plt.plot(x, y)",
         "m = Ridge().fit(df[['rooms']], df.price)"], {2: "other", 3: "other", 4: "LI"}),
    # toy values that a model is fitted on are the workflow's data: generating a synthetic dataset is load
    "random_values_a_model_is_fitted_on_are_a_generated_dataset_load": (
        ["import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import Ridge",
         "df = pd.read_csv('houses.csv')",
         "X = np.random.rand(100, 1)\ny = 3 * X[:, 0] + np.random.randn(100)",
         "m = Ridge().fit(X, y)"], {2: "load", 3: "LI"}),
    # guard: a transform pipeline made from nothing loaded, that a model reads, stays pre-processing
    "guard_a_transform_made_from_nothing_loaded_stays_DPR": (
        ["import numpy as np\nimport pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
         "from sklearn.linear_model import Ridge",
         "df = pd.read_csv('houses.csv')", "scaler = StandardScaler()",
         "m = Ridge().fit(scaler.fit_transform(df[['area']]), df.price)"], {2: "DPR"}),
    # calling a value that model work or post-processing made runs what that value is: an explainer explains
    "calling_an_explainer_object_is_PPR": (
        ["import pandas as pd\nimport shap\nfrom sklearn.ensemble import RandomForestRegressor",
         "df = pd.read_csv('houses.csv')\nX, y = df[['rooms', 'area']], df.price",
         "forest = RandomForestRegressor().fit(X, y)\nexp = shap.Explainer(forest)\nvals = exp(X[:100])",
         "top = abs(vals.values).mean(0)"], {2: "PPR"}),
    # a helper whose body mostly draws is a display helper: of model output when it predicts (PPR)
    "a_helper_that_draws_a_models_predictions_is_PPR": (
        ["import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\nfrom sklearn.tree import DecisionTreeRegressor",
         "df = pd.read_csv('houses.csv')\nX, y = df[['area']].values, df.price.values",
         "def draw_fit(reg, X, y):\n    grid = np.linspace(X.min(), X.max(), 200).reshape(-1, 1)\n"
         "    plt.plot(X, y, 'b.')\n    plt.plot(grid, reg.predict(grid), 'r-')\n    plt.xlabel('area')",
         "reg = DecisionTreeRegressor(max_depth=3).fit(X, y)", "draw_fit(reg, X, y)"], {2: "PPR", 4: "PPR"}),
    # guard: a feature function that prints while it works stays pre-processing
    "guard_a_feature_function_that_prints_stays_DPR": (
        ["import pandas as pd\nimport numpy as np",
         "df = pd.read_csv('houses.csv')",
         "def add_ratio(d):\n    d['ratio'] = d.area / d.rooms\n    d['log_area'] = np.log1p(d.area)\n"
         "    print(d.shape)\n    return d",
         "df = add_ratio(df)"], {2: "DPR"}),
    # reading a table and tidying that same table a little (rename, drop a column) is loading
    "reading_a_table_and_tidying_that_table_is_load": (
        ["import pandas as pd\nfrom sklearn.linear_model import Ridge",
         "df = pd.read_fwf('labels.txt', header=None)\ndf.rename(columns={0: 'file', 1: 'text'}, inplace=True)\n"
         "df = df.drop(columns=[2])\ndf.head()",
         "m = Ridge().fit(df[['file']], df.text)"], {1: "load"}),
    # guard: reading and then calling the notebook's own processing code is pre-processing
    "guard_reading_then_calling_own_processing_code_stays_DPR": (
        ["import pandas as pd\nfrom sklearn.linear_model import Ridge",
         "def build(d):\n    d['a2'] = d.a ** 2\n    d['ab'] = d.a * d.b\n    return d",
         "df = pd.read_csv('x.csv')\ndf = build(df)",
         "m = Ridge().fit(df[['a2', 'ab']], df.y)"], {2: "DPR"}),
    # codebook 2.1, decision 3: a metric class handed to a booster as an argument is LI (the training decides)
    "a_metric_class_handed_to_a_booster_is_LI": (
        ["import numpy as np\nimport pandas as pd\nfrom catboost import CatBoostClassifier",
         "df = pd.read_csv('x.csv')",
         "class WeightedLoglossMetric:\n    def is_max_optimal(self):\n        return False\n"
         "    def evaluate(self, approxes, target, weight):\n        score = np.log(1 + np.exp(-approxes[0]))\n"
         "        return score.sum(), len(target)",
         "clf = CatBoostClassifier(eval_metric=WeightedLoglossMetric())\nclf.fit(df[['a']], df.y)"], {2: "LI"}),
    # guard: a metric helper that code calls itself to score stays PPR, also when a training loop calls it too
    "guard_a_metric_helper_called_to_score_stays_PPR": (
        ["import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import SGDRegressor",
         "df = pd.read_csv('x.csv')",
         "def rmse_score(y, p):\n    return np.sqrt(np.mean((y - p) ** 2))",
         "m = SGDRegressor()\nfor epoch in range(5):\n    m.partial_fit(df[['a']], df.y)\n"
         "    print(rmse_score(df.y, m.predict(df[['a']])))",
         "print(rmse_score(df.y, m.predict(df[['a']])))"], {2: "PPR"}),
    # a booster's data container (Pool, DMatrix, lightgbm Dataset) is a dataset: DPR, not model work
    "a_boosters_data_container_is_DPR": (
        ["import pandas as pd\nfrom catboost import Pool, CatBoostClassifier\nfrom sklearn.model_selection import train_test_split",
         "df = pd.read_csv('x.csv')",
         "tr, va = train_test_split(df)\ntrain_pool = Pool(tr[['a']], tr.y)\nvalid_pool = Pool(va[['a']], va.y)",
         "clf = CatBoostClassifier().fit(train_pool, eval_set=valid_pool)"], {2: "DPR", 3: "LI"}),
    # the fitted attributes of a model-based feature selector (ranks, chosen features) are its results: PPR
    "a_view_of_a_fitted_selectors_ranking_is_PPR": (
        ["import pandas as pd\nfrom sklearn.feature_selection import RFE\nfrom sklearn.linear_model import LogisticRegression",
         "df = pd.read_csv('x.csv')\nX = df.drop(columns='y')",
         "rfe = RFE(LogisticRegression(), n_features_to_select=5).fit(X, df.y)",
         "print(X.columns[rfe.support_], rfe.ranking_)"], {3: "PPR"}),
    # predictions made in a cell and turned into a table there are post-processed, not pre-processed
    "a_table_made_from_this_cells_predictions_is_PPR": (
        ["import pandas as pd\nfrom sklearn.linear_model import LogisticRegression",
         "df = pd.read_csv('x.csv')\nclf = LogisticRegression().fit(df[['a', 'b']], df.y)",
         "p = clf.predict_proba(df[['a', 'b']])\nframe = pd.DataFrame(p, columns=['no', 'yes'])",
         "frame.describe()"], {2: "PPR"}),
}


# Round 5 (issue 7): one fixture per class of miss found on all 1,458 tuning cells (rounds 1-4), written
# from the class (no code of a labelled notebook); each non-guard case fails with the round-4 rules (main
# at 6f27feb), the guards pass with both.
ROUND5_CASES = {
    # libraries the catalogue lacked: AutoML and tuning calls are model work (pycaret, keras-tuner, flaml)
    "automl_library_calls_are_load_and_LI": (
        ["import h2o\nfrom h2o.automl import H2OAutoML",
         "h2o.init()",
         "frame = h2o.import_file('churn.csv')",
         "aml = H2OAutoML(max_models=10, seed=1)",
         "aml.train(y='churned', training_frame=frame)"], {2: "load", 3: "LI"}),
    "a_keras_tuner_search_is_LI": (
        ["import numpy as np\nimport keras_tuner as kt\nfrom tensorflow import keras",
         "X = np.load('x.npy')\ny = np.load('y.npy')",
         "def build(hp):\n    m = keras.Sequential([keras.layers.Dense(hp.Int('units', 8, 64), activation='relu'),"
         " keras.layers.Dense(1)])\n    m.compile('adam', 'mse')\n    return m",
         "tuner = kt.Hyperband(build, objective='val_loss', max_epochs=10)\n"
         "tuner.search(X, y, validation_split=0.2)",
         "best = tuner.get_best_models(num_models=1)[0]"], {3: "LI", 4: "LI"}),
    # stationarity tests and autocorrelation plots of a series look at the data (EDA), not a model
    "stationarity_tests_and_autocorrelation_plots_are_EDA": (
        ["import pandas as pd\nfrom statsmodels.tsa.stattools import adfuller\n"
         "from statsmodels.graphics.tsaplots import plot_acf\nfrom statsmodels.tsa.arima.model import ARIMA",
         "sales = pd.read_csv('sales.csv', index_col='date', parse_dates=True)['units']",
         "stat, p = adfuller(sales)[:2]\nprint(f'ADF {stat:.2f}, p={p:.3f}')",
         "plot_acf(sales, lags=30);",
         "fit = ARIMA(sales, order=(1, 1, 1)).fit()"], {2: "EDA", 3: "EDA", 4: "LI"}),
    # counterfactual and local explainers of explanation libraries are post-processing
    "explanation_library_objects_are_PPR": (
        ["import pandas as pd\nimport dice_ml\nfrom sklearn.ensemble import RandomForestClassifier",
         "df = pd.read_csv('loans.csv')\nclf = RandomForestClassifier().fit(df[['income', 'age']], df.ok)",
         "data = dice_ml.Data(dataframe=df, continuous_features=['income', 'age'], outcome_name='ok')\n"
         "exp = dice_ml.Dice(data, dice_ml.Model(model=clf, backend='sklearn'))",
         "cf = exp.generate_counterfactuals(df[['income', 'age']][:1], total_CFs=3, desired_class='opposite')\n"
         "cf.visualize_as_dataframe()"], {2: "PPR", 3: "PPR"}),
    # a collate function that pads a batch of sequences is data preparation, and so is the loader made with it
    "a_collate_function_that_pads_sequences_is_DPR": (
        ["import torch\nfrom torch.nn.utils.rnn import pad_sequence\nfrom torch.utils.data import DataLoader",
         "pairs = torch.load('pairs.pt')",
         "def collate(batch):\n    src = pad_sequence([b[0] for b in batch], padding_value=1)\n"
         "    trg = pad_sequence([b[1] for b in batch], padding_value=1)\n    return src, trg",
         "loader = DataLoader(pairs, batch_size=64, collate_fn=collate)",
         "model = torch.nn.GRU(256, 512)\nfor src, trg in loader:\n    out, h = model(src)"], {2: "DPR"}),
    # an NLP pipeline loaded to tokenise and word vectors trained to make features prepare the text
    "a_spacy_pipeline_and_word_vectors_are_DPR": (
        ["import pandas as pd\nimport spacy\nfrom gensim.models import Word2Vec\nfrom sklearn.linear_model import LogisticRegression",
         "df = pd.read_csv('reviews.csv')",
         "nlp = spacy.load('en_core_web_sm')",
         "docs = [[t.lemma_ for t in nlp(s)] for s in df.text]\nw2v = Word2Vec(docs, vector_size=50, min_count=2)",
         "X = [w2v.wv[d].mean(0) for d in docs]\nclf = LogisticRegression().fit(X, df.label)"], {2: "DPR", 3: "DPR"}),
    # a drawing of a network's architecture is a view of the model's make-up (codebook 2.1, decision 2)
    "a_drawing_of_a_models_architecture_is_other": (
        ["import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras.utils import plot_model",
         "X = np.load('x.npy')",
         "net = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(1)])",
         "plot_model(net, show_shapes=True)",
         "net.compile('adam', 'mse')\nnet.fit(X, X[:, 0])"], {3: "other"}),
    # class weights computed for the loss are a setting of training (LI)
    "class_weights_for_training_are_LI": (
        ["import numpy as np\nimport pandas as pd\nfrom sklearn.utils.class_weight import compute_class_weight\n"
         "from sklearn.linear_model import LogisticRegression",
         "df = pd.read_csv('x.csv')",
         "w = compute_class_weight(class_weight='balanced', classes=np.unique(df.y), y=df.y)",
         "clf = LogisticRegression(class_weight=dict(enumerate(w))).fit(df[['a']], df.y)"], {2: "LI"}),
    # library work beside imports that later cells read: the work (here a fitted model) is the cell's product
    "library_work_outranks_imports_that_later_cells_read": (
        ["import pandas as pd",
         "df = pd.read_csv('x.csv')",
         "from sklearn.ensemble import RandomForestClassifier\nfirst = RandomForestClassifier(n_estimators=50)\n"
         "first.fit(df[['a', 'b']], df.y)",
         "second = RandomForestClassifier(max_depth=3).fit(df[['a']], df.y)"], {2: "LI"}),
    # guard: a cell of imports only stays setup
    "guard_an_import_cell_stays_setup": (
        ["import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier",
         "df = pd.read_csv('x.csv')",
         "m = RandomForestClassifier().fit(df[['a']], df.y)"], {0: "setup"}),
    # a frame wrapped around data the cell itself brought in (a bundled dataset) is loading (decision 8)
    "a_frame_wrapped_around_a_bundled_dataset_is_load": (
        ["import pandas as pd\nfrom sklearn.datasets import load_wine\nfrom sklearn.tree import DecisionTreeClassifier",
         "raw = load_wine()\nwine = pd.DataFrame(raw.data, columns=raw.feature_names)\nwine['kind'] = raw.target\nwine.head()",
         "tree = DecisionTreeClassifier().fit(wine.drop(columns='kind'), wine.kind)"], {1: "load"}),
    # guard: a cell that reads a table and then builds several features on it stays DPR
    "guard_reading_then_building_many_features_stays_DPR": (
        ["import pandas as pd\nimport numpy as np\nfrom sklearn.linear_model import Ridge",
         "raw = pd.read_csv('x.csv')\ndf = raw.dropna()\ndf['r'] = df.a / df.b\ndf['l'] = np.log1p(df.a)\n"
         "df['s'] = df.a ** 2\ndf = pd.get_dummies(df, columns=['c'])",
         "m = Ridge().fit(df[['r', 'l', 's']], df.y)"], {1: "DPR"}),
    # a simulated ARMA series that the notebook then studies is a generated dataset: plots of it look at data
    "plots_of_a_simulated_series_are_EDA": (
        ["import numpy as np\nimport matplotlib.pyplot as plt\nfrom statsmodels.tsa.arima_process import ArmaProcess\n"
         "from statsmodels.graphics.tsaplots import plot_pacf",
         "proc = ArmaProcess(np.array([1, -0.33, -0.5]), np.array([1]))\nseries = proc.generate_sample(nsample=1000)",
         "plot_pacf(series, lags=20);\nplt.tight_layout()"], {2: "EDA"}),
    # a model implemented from scratch: functions named for the parts of gradient-based training are model work
    "a_model_implemented_from_scratch_is_LI": (
        ["import numpy as np\nimport matplotlib.pyplot as plt",
         "X = np.load('x.npy')\nY = np.load('y.npy')",
         "def initialize_parameters(n_in, n_h):\n    return {'W1': np.random.randn(n_h, n_in) * 0.01, 'b1': np.zeros((n_h, 1))}",
         "def forward_propagation(X, params):\n    Z = np.dot(params['W1'], X) + params['b1']\n    return np.tanh(Z)",
         "def fit_network(X, Y, steps=100, lr=0.1):\n    params = initialize_parameters(X.shape[0], 4)\n    costs = []\n"
         "    for i in range(steps):\n        A = forward_propagation(X, params)\n        costs.append(np.mean((A - Y) ** 2))\n"
         "        params['W1'] -= lr * np.dot(A - Y, X.T)\n    plt.plot(costs)\n    plt.ylabel('cost')\n    plt.xlabel('step')\n"
         "    plt.title('training')\n    plt.show()\n    return params",
         "params = fit_network(X, Y, steps=500)"], {3: "LI", 4: "LI", 5: "LI"}),
    # logging in to a model hub is set-up, downloading a file from it is loading
    "logging_in_to_a_hub_is_setup": (
        ["from huggingface_hub import notebook_login, hf_hub_download\nimport pandas as pd",
         "notebook_login()",
         "path = hf_hub_download(repo_id='org/data', filename='train.csv', repo_type='dataset')\ndf = pd.read_csv(path)"],
        {1: "setup", 2: "load"}),
}


# Round 6 (issue 7): one fixture per class of miss found on all 1,738 tuning cells (rounds 1-5; round 5's
# misses were the new information), written from the class (no code of a labelled notebook); each non-guard
# case fails with the round-5 rules (main at 004de51), the guards pass with both.
ROUND6_CASES = {
    # libraries the catalogue lacked: a recommender library's splitters are DPR, its ranking metrics and the
    # results it records for a report are PPR
    "recommender_library_splits_and_metrics": (
        ["import pandas as pd\nfrom recommenders.datasets.python_splitters import python_random_split\n"
         "from recommenders.evaluation.python_evaluation import ndcg_at_k, precision_at_k\n"
         "from recommenders.utils.notebook_utils import store_metadata",
         "ratings = pd.read_csv('ratings.csv')",
         "train, test = python_random_split(ratings, ratings=0.8)",
         "top = pd.read_csv('top_k.csv')",
         "ndcg = ndcg_at_k(test, top, k=10)\nprec = precision_at_k(test, top, k=10)\nprint(ndcg, prec)",
         "store_metadata('ndcg', ndcg)\nstore_metadata('precision', prec)"], {2: "DPR", 4: "PPR", 5: "PPR"}),
    # an explanation toolkit: its explainers (also those that fit a model of their own, decision 9) are PPR,
    # its rule-induction models, which later cells use as classifiers, are LI, its binarizer is DPR
    "explainer_toolkit_explainers_are_PPR_rule_models_LI": (
        ["import pandas as pd\nfrom aix360.algorithms.protodash import ProtodashExplainer\n"
         "from aix360.algorithms.rbm import FeatureBinarizer, BooleanRuleCG",
         "df = pd.read_csv('x.csv')",
         "fb = FeatureBinarizer(negations=True)\nXb = fb.fit_transform(df[['a', 'b']])",
         "rules = BooleanRuleCG()\nrules.fit(Xb, df.y)",
         "pd_exp = ProtodashExplainer()\nW, S, _ = pd_exp.explain(Xb.values, Xb.values, m=5)",
         "print(rules.predict(Xb)[:5], W, S)"], {2: "DPR", 3: "LI", 4: "PPR"}),
    # an explainer made in one cell and fitted in another (it learns a model of its own) still explains: PPR
    "fitting_an_explainer_made_earlier_is_PPR": (
        ["import numpy as np\nfrom sklearn.ensemble import RandomForestClassifier\n"
         "from alibi.explainers import CounterfactualRL",
         "X = np.load('x.npy')\ny = np.load('y.npy')\nclf = RandomForestClassifier().fit(X, y)",
         "explainer = CounterfactualRL(predictor=clf.predict_proba, encoder=None, decoder=None, latent_dim=8,\n"
         "                             coeff_sparsity=0.5, coeff_consistency=0.5, train_steps=100, batch_size=10)",
         "explainer = explainer.fit(X=X)",
         "cf = explainer.explain(X[:5], Y_t=np.array([1]))\nprint(cf.data['cf']['X'])"], {3: "PPR", 4: "PPR"}),
    # a model run on one input only to show its output, which no later cell reads, is PPR (decision 11); the
    # guard: predictions a later cell reads keep the cell LI
    "predicting_only_to_show_is_PPR": (
        ["import numpy as np\nfrom sklearn.linear_model import LinearRegression",
         "X = np.load('x.npy')\ny = np.load('y.npy')",
         "reg = LinearRegression().fit(X, y)",
         "reg.predict([[17.0]])",
         "p = reg.predict(X[:3])\nprint('predicted:', p)"], {2: "LI", 3: "PPR", 4: "PPR"}),
    "guard_predictions_read_later_stay_LI": (
        ["import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import LinearRegression",
         "X = np.load('x.npy')\ny = np.load('y.npy')\nreg = LinearRegression().fit(X, y)",
         "p = reg.predict(X)\nprint(p[:3])",
         "pd.DataFrame({'pred': p}).to_csv('out.csv')"], {2: "LI"}),
    # the parts of a bundled dataset taken out in the cell that fetched it are loaded with it (decision 8)
    "parts_taken_out_of_a_fetched_dataset_are_load": (
        ["from alibi.datasets import fetch_adult\nfrom sklearn.ensemble import RandomForestClassifier",
         "adult = fetch_adult()\nadult.keys()\nX = adult.data\ny = adult.target\nnames = adult.feature_names",
         "clf = RandomForestClassifier().fit(X, y)\nprint(names)"], {1: "load"}),
    # a path joined for a checkpoint that a later training cell reads, making and removing working folders:
    # paths and folder constants are set-up, whoever reads them
    "paths_and_working_folders_are_setup": (
        ["import os\nimport shutil\nimport numpy as np\nfrom sklearn.linear_model import LogisticRegression\nimport joblib",
         "root = os.getcwd()",
         "ckpt_file = os.path.join(root, 'checkpoints', 'clf.joblib')",
         "os.mkdir(root + '/data')\nout_file = root + '/data/run1.npy'\nprint(out_file)",
         "X = np.load('x.npy')\ny = np.load('y.npy')\nclf = LogisticRegression().fit(X, y)\njoblib.dump(clf, ckpt_file)",
         "shutil.rmtree(root + '/data')"], {2: "setup", 3: "setup", 5: "setup"}),
    # a helper that draws what an explainer returns, and its call, show explanations: PPR, not a look at data
    "a_helper_drawing_explanations_is_PPR": (
        ["import numpy as np\nimport matplotlib.pyplot as plt",
         "images = np.load('images.npy')\nexplainer = np.load('explainer.npy', allow_pickle=True).item()",
         "def show_edits(explainer, images, dims=3):\n    f, ax = plt.subplots(dims, 5)\n    for i in range(dims):\n"
         "        for j in range(5):\n            out = explainer.explain(input_images=images, edit_dim_id=i, edit_dim_value=j)\n"
         "            ax[i][j].imshow(out[0, :, :, 0])\n    plt.show()",
         "show_edits(explainer, images)"], {2: "PPR", 3: "PPR"}),
    # a pretrained encoder loaded and switched to inference is used as is: load (decision 10); the guard: a
    # pretrained model loaded without switching it to inference, then trained, stays LI
    "a_pretrained_model_put_in_inference_mode_is_load": (
        ["import torch\nfrom transformers import AutoTokenizer, AutoModel",
         "name = 'org/encoder'\ntok = AutoTokenizer.from_pretrained(name)\nenc = AutoModel.from_pretrained(name).to('cpu')\n"
         "enc.eval()",
         "with torch.no_grad():\n    emb = enc(**tok(['a text'], return_tensors='pt')).last_hidden_state.mean(1)",
         "torch.save(emb, 'emb.pt')"], {1: "load"}),
    "guard_a_pretrained_model_to_fine_tune_stays_LI": (
        ["import torch\nfrom transformers import AutoModelForSequenceClassification",
         "model = AutoModelForSequenceClassification.from_pretrained('org/encoder', num_labels=2).to('cpu')",
         "opt = torch.optim.AdamW(model.parameters(), lr=1e-5)\nmodel.train()"], {1: "LI"}),
    # bundled data read and cut down to a part of it (`X = X[:50]`, no call) is loaded, however many parts
    "data_read_then_cut_down_is_load": (
        ["from sktime.datasets import load_unit_test\nfrom sktime.classification.interval_based import TimeSeriesForestClassifier",
         "X_train, y_train = load_unit_test(split='train', return_X_y=True)\nX_test, y_test = load_unit_test(split='test', return_X_y=True)\n"
         "X_train = X_train[:40]\ny_train = y_train[:40]\nX_test = X_test[:20]\ny_test = y_test[:20]\nprint(X_train.shape, X_test.shape)",
         "clf = TimeSeriesForestClassifier().fit(X_train, y_train)\nprint(clf.score(X_test, y_test))"], {1: "load"}),
    # arrays made from what a modelling loop left, only to be drawn in the same cell, are a plot of results (PPR)
    "arrays_of_results_made_to_be_drawn_are_PPR": (
        ["import numpy as np\nimport matplotlib.pyplot as plt\nfrom sklearn.neural_network import MLPRegressor",
         "X = np.load('x.npy')\ny = np.load('y.npy')",
         "runs_a = []\nmodel = MLPRegressor(max_iter=1, warm_start=True)\nfor epoch in range(20):\n    model.fit(X, y)\n"
         "    runs_a.append(model.loss_)",
         "runs_a = np.array(runs_a)\nx = range(1, 21)\nfig, ax = plt.subplots()\n"
         "ax.errorbar(x, runs_a.mean(), yerr=runs_a.std())\nax.set_xlabel('iteration')\nplt.show()"],
        {2: "LI", 3: "PPR"}),
    # an in-memory vector index built over embeddings is a fitted search model and querying it runs that model:
    # both LI (decision 10), with a dataset library's index methods and a similarity-search library's index class
    "building_and_querying_a_vector_index_is_LI": (
        ["import numpy as np\nimport faiss\nfrom datasets import load_dataset",
         "ds = load_dataset('org/images', split='train')\nemb = np.load('emb.npy').astype('float32')",
         "ds = ds.add_column('emb', list(emb))\nds.add_faiss_index(column='emb')",
         "scores, found = ds.get_nearest_examples('emb', emb[0], k=3)",
         "index = faiss.IndexFlatL2(emb.shape[1])\nindex.add(emb)",
         "print(found['label'], scores, index.ntotal)"], {2: "LI", 3: "LI", 4: "LI"}),
    # a pretrained sentence encoder loaded to be used as is is load (decision 10); the guard: loaded with a loss
    # to fine-tune it, it stays LI
    "a_sentence_encoder_loaded_to_use_is_load": (
        ["import pandas as pd\nfrom sentence_transformers import SentenceTransformer, losses",
         "docs = pd.read_csv('docs.csv')",
         "encoder = SentenceTransformer('org/mini-encoder')",
         "emb = encoder.encode(docs.text.tolist())\nprint(emb.shape)"], {2: "load"}),
    "guard_a_sentence_encoder_to_fine_tune_stays_LI": (
        ["import pandas as pd\nfrom sentence_transformers import SentenceTransformer, losses",
         "pairs = pd.read_csv('pairs.csv')",
         "encoder = SentenceTransformer('org/mini-encoder')\nloss = losses.MultipleNegativesRankingLoss(encoder)",
         "encoder.fit(train_objectives=[(pairs, loss)], epochs=1)"], {2: "LI"}),
    # a printed summary of a network (torchsummary, torchinfo) and a listing of a library's estimators only show a
    # configuration: other (decision 2); a plotting option of a library is set-up
    "model_summaries_and_estimator_listings_are_other": (
        ["import torch\nfrom torchsummary import summary\nfrom sktime.registry import all_estimators\nfrom darts import set_option\n"
         "set_option('plotting.use_darts_style', True)",
         "x = torch.ones(4, 3)",
         "model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))",
         "summary(model, input_size=(3,), device='cpu')",
         "all_estimators('classifier', as_dataframe=True)"], {0: "setup", 3: "other", 4: "other"}),
    # choosing devices, seeding every generator and starting a compute cluster prepare the session (setup)
    "device_seeding_and_cluster_set_up_is_setup": (
        ["import tensorflow as tf\nfrom monai.utils import set_determinism\nfrom dask.distributed import Client, LocalCluster",
         "gpus = tf.config.list_physical_devices('GPU')\nfor g in gpus:\n    tf.config.experimental.set_memory_growth(g, True)\n"
         "strategy = tf.distribute.MirroredStrategy()",
         "set_determinism(seed=0)",
         "cluster = LocalCluster(n_workers=2)\nclient = Client(cluster)",
         "with strategy.scope():\n    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n    model.compile('adam', 'mse')",
         "model.fit(tf.zeros((4, 2)), tf.zeros((4, 1)))"], {1: "setup", 2: "setup", 3: "setup"}),
    # a trained model read back from a checkpoint is loaded, also through a model class of a library
    "a_model_read_back_from_a_checkpoint_is_load": (
        ["from darts.models import BlockRNNModel\nfrom darts.datasets import AirPassengersDataset",
         "series = AirPassengersDataset().load()",
         "best = BlockRNNModel.load_from_checkpoint(model_name='rnn', best=True)",
         "forecast = best.predict(n=12, series=series)\nforecast.plot()"], {2: "load"}),
}


#: Round 7 (branch stages7): classes of miss read on rounds 1-6's consensus (mostly round 6's toolkit and recipe
#: notebooks), each a case that fails with the round-6 rules (main at 4fbc04b) unless named `guard_`.
ROUND7_CASES = {
    # fitting a transformation the catalogue knows, of any library (not only scikit-learn's preprocessing rows):
    # its parameters serve the features, DPR; the guard: a model of the same library fitted stays LI
    "fitting_a_catalogued_transformation_is_DPR": (
        ["import numpy as np\nfrom sktime.transformations.panel.rocket import Rocket\n"
         "from sktime.classification.kernel_based import RocketClassifier",
         "X = np.load('x.npy')\ny = np.load('y.npy')",
         "rocket = Rocket(num_kernels=100)\nrocket.fit(X, y)",
         "feats = rocket.transform(X)",
         "clf = RocketClassifier()\nclf.fit(X, y)",
         "print(clf.predict(X[:2]), feats.shape)"], {2: "DPR", 4: "LI"}),
    # a model class or a training loop defined with its metric helpers (and perhaps run and scored in the same
    # cell) is training code: LI, whatever the body's count of metric and print calls says (codebook 2.0,
    # decision 3)
    "a_model_defined_with_its_metric_helpers_is_LI": (
        ["import torch\nimport torch.nn.functional as F",
         "graph = torch.load('graph.pt')",
         "def accuracy(pred, true):\n    return torch.sum(pred == true) / len(true)\n\n"
         "class Net(torch.nn.Module):\n    def __init__(self, d, k):\n        super().__init__()\n"
         "        self.lin = torch.nn.Linear(d, k)\n\n    def forward(self, x):\n        return F.log_softmax(self.lin(x), dim=1)\n\n"
         "    def fit(self, g, epochs):\n        loss_fn = torch.nn.CrossEntropyLoss()\n"
         "        opt = torch.optim.Adam(self.parameters(), lr=0.01)\n        for e in range(epochs):\n"
         "            opt.zero_grad()\n            out = self(g.x)\n            loss = loss_fn(out[g.train_mask], g.y[g.train_mask])\n"
         "            acc = accuracy(out[g.train_mask].argmax(dim=1), g.y[g.train_mask])\n"
         "            loss.backward()\n            opt.step()\n"
         "            val_acc = accuracy(out[g.val_mask].argmax(dim=1), g.y[g.val_mask])\n"
         "            print(e, loss, acc, val_acc)\n\n"
         "    @torch.no_grad()\n    def test(self, g):\n        self.eval()\n        out = self(g.x)\n"
         "        return accuracy(out.argmax(dim=1)[g.test_mask], g.y[g.test_mask])\n\n"
         "net = Net(8, 3)\nprint(net)\nnet.fit(graph, epochs=50)\nacc = net.test(graph)\nprint(acc)",
         "print(acc * 100)"], {2: "LI"}),
    "guard_a_training_loop_defined_beside_its_test_loop_stays_LI": (
        ["import torch",
         "loader = torch.load('loader.pt')\nval_loader = torch.load('val.pt')",
         "def accuracy(pred, true):\n    return (pred == true).sum() / len(true)\n\n"
         "def train(model, loader):\n    loss_fn = torch.nn.CrossEntropyLoss()\n"
         "    opt = torch.optim.Adam(model.parameters(), lr=0.01)\n    for epoch in range(20):\n"
         "        total_loss = 0\n        acc = 0\n        for b in loader:\n            opt.zero_grad()\n"
         "            out = model(b.x)\n            loss = loss_fn(out, b.y)\n            total_loss += loss / len(loader)\n"
         "            acc += accuracy(out.argmax(dim=1), b.y) / len(loader)\n            loss.backward()\n            opt.step()\n"
         "            val_loss, val_acc = test(model, val_loader)\n        print(epoch, total_loss, acc, val_loss, val_acc)\n"
         "    return model\n\n"
         "@torch.no_grad()\ndef test(model, loader):\n    loss_fn = torch.nn.CrossEntropyLoss()\n    model.eval()\n"
         "    loss = 0\n    acc = 0\n    for b in loader:\n        out = model(b.x)\n"
         "        loss += loss_fn(out, b.y) / len(loader)\n        acc += accuracy(out.argmax(dim=1), b.y) / len(loader)\n"
         "    return loss, acc\n\n"
         "net = train(torch.nn.Linear(4, 2), loader)\ntest_loss, test_acc = test(net, val_loader)\nprint(test_acc)",
         "print(test_loss, test_acc)"], {2: "LI"}),
    # a subclass of a toolkit's training-loop or task class that the catalogue lacks (speechbrain's Brain, a
    # Lightning task of a geospatial library) is the notebook's own training loop: LI, also when it sets up
    # metrics; a subclass of a toolkit's dataset class builds the data pipeline: DPR
    "a_toolkit_training_class_subclassed_is_LI": (
        ["import torch\nimport speechbrain as sb\nfrom torchmetrics import Accuracy, F1Score\n"
         "from geokit.trainers import SegmentationTask\nfrom geokit.datasets import RasterDataset",
         "class Enhancer(sb.Brain):\n    def compute_forward(self, batch, stage):\n"
         "        return self.modules.model(batch.sig.to(self.device))\n\n"
         "    def compute_objectives(self, pred, batch, stage):\n        return sb.nnet.losses.mse_loss(pred, batch.clean)",
         "class MyTask(SegmentationTask):\n    def configure_metrics(self):\n        self.acc = Accuracy(task='binary')\n"
         "        self.f1 = F1Score(task='binary')\n\n    def configure_optimizers(self):\n"
         "        return torch.optim.AdamW(self.parameters(), lr=1e-3)",
         "class Tiles(RasterDataset):\n    filename_glob = '*.tif'\n    is_image = True"], {1: "LI", 2: "LI", 3: "DPR"}),
    # element-wise tensor arithmetic and Fourier transforms of the notebook's own signal compute features (a
    # spectrum, a log spectrogram), not a model: DPR, like the same numpy calls
    "tensor_arithmetic_on_a_signal_is_DPR": (
        ["import torch\nimport torchaudio\nimport matplotlib.pyplot as plt",
         "wav, sr = torchaudio.load('a.wav')",
         "spec = torch.fft.rfft(wav.squeeze())\nmag = torch.sqrt(torch.pow(spec.real, 2) + torch.pow(spec.imag, 2))\n"
         "freqs = torch.linspace(0, sr / 2, mag.shape[0])\nplt.plot(freqs, mag)",
         "logmag = torch.log(mag + 1e-6)\nplt.plot(freqs, logmag)\nplt.show()",
         "print(logmag.max())"], {2: "DPR", 3: "DPR"}),
    # cloud sessions and clients, values read off them (a region, a user name), a logger and plotting defaults
    # prepare the session: setup
    "cloud_sessions_and_values_read_off_them_are_setup": (
        ["import boto3\nimport logging\nimport matplotlib.pyplot as plt\nfrom huggingface_hub import HfApi",
         "session = boto3.session.Session()\nregion = session.region_name\nlog = logging.getLogger('nb')",
         "api = HfApi()\nowner = api.whoami()['name']",
         "plt.rcParams['font.size'] = 14\nplt.rcParams['figure.figsize'] = (8, 4)",
         "print(region, owner)\nlog.info(owner)"], {1: "setup", 2: "setup", 3: "setup"}),
    # a value named like results but read from a file in the same cell is data: the cell loads it, and a look at
    # it is EDA, not a view of results
    "a_result_named_value_read_from_a_file_is_load": (
        ["import pyreadr",
         "result = pyreadr.read_r('energy.rda')\ndf = result['energy']",
         "df.dtypes",
         "df.describe()"], {1: "load", 2: "EDA", 3: "EDA"}),
    # a function named for making a working folder (a toolkit's `create_experiment_directory`) is set-up, so the
    # configuration read in the same cell is no result and a look at it is no view of results
    "a_working_folder_made_for_an_experiment_is_not_a_result": (
        ["import speechbrain as sb\nfrom hyperpyyaml import load_hyperpyyaml",
         "with open('train.yaml') as fin:\n    hparams = load_hyperpyyaml(fin)\n"
         "sb.create_experiment_directory(hparams['output_folder'])",
         "hparams['seed']"], {1: "load", 2: "EDA"}),
    # an uncatalogued toolkit's class named for a dataset (a recipe wrapper of a named corpus) builds the data
    # pipeline (DPR, codebook: datasets), also when it reads constants of a cell whose names mention results (a
    # results folder and a clean-up toggle are set-up); a look at one of its items is EDA, not a view of results
    "an_uncatalogued_dataset_wrapper_is_data_not_results": (
        ["import os\nfrom recipes_kit.dataset.news import NewsSummaryDataset",
         "DATA_DIR = './data'\nRESULT_DIR = './results'\nCLEANUP_RESULTS = True\nTOP_N = 100\nos.makedirs(RESULT_DIR)",
         "train_ds, test_ds = NewsSummaryDataset(local_path=DATA_DIR, top_n=TOP_N)\nprint(len(train_ds))",
         "test_ds.get_source()[0]"], {2: "DPR", 3: "EDA"}),
}


#: Round 9 (branch stages9): classes of miss read on rounds 7 and 8's consensus (tuning material once round 9 was
#: drawn), each a case that fails with the round-7 rules (main at 04ee309) unless named `guard_`.
ROUND9_CASES = {
    # a pretrained language model opened through a prompting library, to be used as is, is loaded (codebook: load);
    # prompting it to generate and keeping the program for a later cell is running a model (LI)
    "a_language_model_opened_by_a_prompting_library_is_load": (
        ["from guidance import models, gen",
         "llm = models.Transformers('gpt2', device='cpu')",
         "program = llm + 'The capital of France is ' + gen('answer', max_tokens=5)",
         "print(program['answer'])"], {1: "load", 2: "LI"}),
    # a model run to generate text and read by no later cell is predict-and-show, PPR (decision 11), also when the
    # cell imports what it uses and shows the output through the library (no explicit print or bare name)
    "a_generation_read_by_no_later_cell_is_PPR": (
        ["import outlines",
         "llm = outlines.models.transformers('gpt2')",
         "from outlines import generate\nanswer = generate.text(llm)('Name a colour: ', max_tokens=3)"], {1: "load", 2: "PPR"}),
    "a_generation_a_later_cell_reads_is_LI": (
        ["import outlines",
         "llm = outlines.models.transformers('gpt2')",
         "from outlines import generate\nanswer = generate.text(llm)('Name a colour: ', max_tokens=3)",
         "words = answer.split()\nprint(len(words))"], {2: "LI"}),
    # scoring trained topic models with a coherence measure, through the measure's own constructors
    # (`CoherenceModel.for_models`), is post-processing
    "coherence_scores_of_topic_models_are_PPR": (
        ["from gensim import models\nfrom gensim.corpora import Dictionary",
         "docs = [['a', 'b'], ['b', 'c']]\ndictionary = Dictionary(docs)\ncorpus = [dictionary.doc2bow(d) for d in docs]",
         "lda = models.LdaModel(corpus, num_topics=2, id2word=dictionary)",
         "cm = models.CoherenceModel.for_models([lda], dictionary, texts=docs, coherence='u_mass')",
         "print(cm.compare_models([lda]))"], {1: "DPR", 2: "LI", 3: "PPR"}),
    # a time-series foundation model of the catalogue (IBM's tsfm toolkit) is a model, not uncatalogued code: LI
    "a_time_series_foundation_model_is_a_model": (
        ["import pandas as pd\nfrom tsfm_public import TinyTimeMixerForPrediction, TimeSeriesPreprocessor",
         "df = pd.read_csv('series.csv')",
         "tsp = TimeSeriesPreprocessor(timestamp_column='t', target_columns=['y'])\ntsp.train(df)",
         "model = TinyTimeMixerForPrediction.from_pretrained('ibm/ttm', head_dropout=0.2)\nmodel.train()"], {2: "DPR", 3: "LI"}),
}


CLASS_CASES = {**{f"round3_{k}": v for k, v in ROUND3_CASES.items()}, **{f"round4_{k}": v for k, v in ROUND4_CASES.items()},
               **{f"round5_{k}": v for k, v in ROUND5_CASES.items()}, **{f"round6_{k}": v for k, v in ROUND6_CASES.items()},
               **{f"round7_{k}": v for k, v in ROUND7_CASES.items()}, **{f"round9_{k}": v for k, v in ROUND9_CASES.items()}}


@pytest.mark.parametrize("case", sorted(CLASS_CASES))
def test_class_of_miss(case):
    cells, want = CLASS_CASES[case]
    got = _stages(*cells)
    assert {i: got[i] for i in want} == want, got


def test_catalogue_rules_see_names_as_the_catalogue_resolves_them():
    rules = StageRules.from_csv()
    assert rules.feature_stage("call:fastai.vision.all.ImageDataLoaders.from_folder") == "DPR"
    assert rules.feature_stage("call:fastai.vision.all.vision_learner") == "LI"
    assert rules.feature_stage("call:pandas.DataFrame") == "DPR"  # the rule table's own row keeps its precedence
    assert rules.feature_rule("call:pandas.DataFrame").precedence < 30
