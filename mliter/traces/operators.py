"""Which part of a workflow a named operator belongs to: model, pre-processing, data, metric or EDA.

A *role* is decided from a fully qualified name (`sklearn.ensemble.RandomForestClassifier`,
`pandas.read_csv`) for calls resolved through imports, or from a bare method name
(`fillna`, `describe`) for methods of values whose type static analysis cannot know.
The same function classifies OpenML flow components (`sklearn.impute._base.SimpleImputer`),
so notebook signatures and OpenML signatures name their operators alike.

Roles:
  model          estimators, Keras/PyTorch layers, losses and optimisers, boosting libraries,
                 hyperparameter searches wrapping a model
  preprocessing  scikit-learn preprocessing/impute/feature_selection/decomposition/feature
                 extraction, imbalanced-learn samplers, category encoders, pandas transforms
  data           readers of data files or datasets (`pandas.read_csv`, `sklearn.datasets.load_iris`)
  metric         scikit-learn metrics and their counterparts in Keras, PyTorch and torchmetrics
  eda            plots and summaries: matplotlib, seaborn, plotly, pandas describe/value_counts/plot
"""

from __future__ import annotations

import re

MODEL, PREPROCESSING, DATA, METRIC, EDA = "model", "preprocessing", "data", "metric", "eda"
ROLES = (MODEL, PREPROCESSING, DATA, METRIC, EDA)

_SK_MODEL_MODULES = (
    "linear_model", "ensemble", "tree", "svm", "neighbors", "naive_bayes", "neural_network",
    "discriminant_analysis", "gaussian_process", "kernel_ridge", "cluster", "mixture", "dummy",
    "multiclass", "multioutput", "semi_supervised", "isotonic", "calibration", "cross_decomposition",
)
_SK_PRE_MODULES = (
    "preprocessing", "impute", "feature_selection", "decomposition", "feature_extraction", "compose",
    "kernel_approximation", "random_projection", "manifold",
)
_SK_SEARCH = re.compile(r"^sklearn\.(model_selection|grid_search)(\.[_a-z]+)*\.(GridSearchCV|RandomizedSearchCV|HalvingGridSearchCV|HalvingRandomSearchCV)$")
_CLASS = r"\.[A-Z]\w*$"

#: (compiled pattern, role), first match wins; names are fully qualified.
_QUALIFIED_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    # data readers first: `sklearn.datasets.load_*` must not fall into another rule
    (r"^pandas\.read_\w+$", DATA),
    (r"^(numpy|np)\.(load|loadtxt|genfromtxt|fromfile)$", DATA),
    (r"^sklearn\.datasets\.(load|fetch|make)_\w+$", DATA),
    (r"^(tensorflow\.)?keras\.datasets\.\w+\.load_data$", DATA),
    (r"^(tensorflow\.)?keras\.(utils|preprocessing)\.(image_dataset_from_directory|text_dataset_from_directory|get_file)$", DATA),
    (r"^torchvision\.datasets\.[A-Z]\w*$", DATA),
    (r"^(polars|dask\.dataframe|pyarrow\.parquet|modin\.pandas)\.read_\w+$", DATA),
    (r"^datasets\.load_dataset$", DATA),
    (r"^json\.load$", DATA),  # `json.load(open("train.json"))`: the file is the open() call's argument
    # metrics
    (r"^sklearn\.metrics(\.[_a-z]+)*\.[a-z]\w*$", METRIC),
    (r"^(tensorflow\.)?keras\.metrics\.\w+$", METRIC),
    (r"^torchmetrics(\.\w+)*\.[A-Za-z]\w*$", METRIC),
    # model side
    (_SK_SEARCH.pattern, MODEL),
    (r"^sklearn\.(" + "|".join(_SK_MODEL_MODULES) + r")(\.[_a-z]+)*" + _CLASS, MODEL),
    (r"^xgboost(\.[a-z_]+)*\.(XGB\w+|train|cv|Booster)$", MODEL),
    (r"^lightgbm(\.[a-z_]+)*\.(LGBM\w+|train|cv|Booster)$", MODEL),
    (r"^catboost(\.[a-z_]+)*\.(CatBoost\w*)$", MODEL),
    (r"^(tensorflow\.)?keras\.(layers|models|optimizers|losses|applications)(\.[a-z_]+)*\.[A-Za-z]\w*$", MODEL),
    (r"^(tensorflow\.)?keras\.(Sequential|Model|Input)$", MODEL),
    (r"^torch\.nn(\.modules)?(\.[a-z_]+)*" + _CLASS, MODEL),
    (r"^torch\.optim(\.[a-z_]+)*" + _CLASS, MODEL),
    (r"^torchvision\.models\.[a-z]\w*$", MODEL),
    (r"^autogluon(\.[a-z_]+)*\.(TabularPredictor|MultiModalPredictor|TimeSeriesPredictor)$", MODEL),
    (r"^optuna\.create_study$", MODEL),
    (r"^fastai(\.[a-z_]+)*\.(cnn_learner|vision_learner|tabular_learner|text_classifier_learner|unet_learner|Learner)$", MODEL),
    (r"^statsmodels(\.[a-z_]+)*\.(OLS|GLM|Logit|Probit|ARIMA|SARIMAX|ols|logit|glm)$", MODEL),
    # pre-processing side
    (r"^sklearn\.(" + "|".join(_SK_PRE_MODULES) + r")(\.[_a-z]+)*\.[A-Za-z]\w*$", PREPROCESSING),
    (r"^imblearn(\.[a-z_]+)*" + _CLASS, PREPROCESSING),
    (r"^category_encoders(\.[a-z_]+)*" + _CLASS, PREPROCESSING),
    (r"^pandas\.(get_dummies|cut|qcut|merge|concat|to_datetime|to_numeric|factorize|melt|pivot_table)$", PREPROCESSING),
    (r"^pandas\.crosstab$", EDA),  # a summary table to look at, not a step of the data
    (r"^(tensorflow\.)?keras\.preprocessing(\.[a-z_]+)*\.[A-Za-z]\w*$", PREPROCESSING),
    (r"^torchvision\.transforms(\.[a-z_]+)*" + _CLASS, PREPROCESSING),
    # exploration and plots
    (r"^(matplotlib\.pyplot|pylab|seaborn|plotly(\.[a-z_]+)*|missingno|pandas\.plotting)\.\w+$", EDA),
    (r"^IPython\.display\.display$", EDA),
    (r"^(pandas_profiling|ydata_profiling)\.\w+$", EDA),
))

#: Methods called on values of unknown type (usually a DataFrame or Series).
METHOD_ROLES: dict[str, str] = {
    **{m: PREPROCESSING for m in (
        "fillna", "dropna", "drop", "drop_duplicates", "replace", "map", "apply", "applymap", "astype",
        "merge", "join", "clip", "interpolate", "get_dummies", "pivot", "pivot_table", "melt",
        "explode", "bfill", "ffill", "shift", "diff", "transform", "qcut", "cut", "where", "mask",
        "select_dtypes", "reset_index",
        # a dataset converted into a model's input pipeline (Hugging Face datasets to Keras)
        "to_tf_dataset", "prepare_tf_dataset",
        # aggregates and windows that make features (`df.groupby("store").sales.agg(["mean", "std"])`)
        "agg", "aggregate", "rolling", "expanding", "ewm", "cumsum", "cumcount", "pct_change",
    )},
    # fastai training calls on a learner (often made through `from fastai... import *`)
    **{m: MODEL for m in ("fit_one_cycle", "fine_tune", "fit_flat_cos", "fit_sgdr")},
    **{m: EDA for m in (
        "describe", "info", "head", "tail", "value_counts", "corr", "cov", "nunique", "unique",
        "hist", "plot", "boxplot", "scatter", "barh", "bar", "kde", "plot_date", "imshow", "profile_report",
    )},
}

#: Methods of a model object whose keyword arguments are hyperparameters (`model.fit(epochs=10)`).
TRAINING_METHODS = frozenset({"fit", "compile", "train", "fit_generator", "set_params", "partial_fit",
                              "fit_one_cycle", "fine_tune", "fit_flat_cos", "fit_sgdr"})


def role(qualified: str) -> str | None:
    """Role of a fully qualified operator name, or None when it names no workflow operator.

    >>> role("sklearn.ensemble.RandomForestClassifier"), role("pandas.read_csv")
    ('model', 'data')
    """
    for pattern, r in _QUALIFIED_RULES:
        if pattern.match(qualified):
            return r
    return None


#: Variables that hold results rather than data: their methods are post-processing, no operator.
RESULT_NAME = re.compile(r"(?i)(submission|^subm?$|^sub_|_sub$|pred|result|score|metric|summary|report|"
                         r"importance|output|answer|solution|history|^cv_|_cv$|leaderboard)")


def method_role(name: str, root: str | None = None) -> str | None:
    """Role of a method called on a value of unknown type (`df.fillna` -> preprocessing).

    A method chain that starts from a results variable (`scores.describe().T.drop(...)`,
    `submission.fillna(0)`) is post-processing: no pre-processing operator.
    """
    r = METHOD_ROLES.get(name)
    if r == PREPROCESSING and root is not None and RESULT_NAME.search(root):
        return None
    return r
