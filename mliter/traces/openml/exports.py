"""OpenML study exports: which model operators reach which score, per dataset and across datasets.

OpenML studies were exported for algorithm selection (ASlib) as ARFF files
`study_<id>_run_evaluations_<measure>.arff` with one row per (dataset or task,
repetition, flow): `openml_data_id` or `openml_task_id`, `repetition`,
`algorithm` = `<flow id>_<flow name>` (Weka names join nested parts with `_`:
`weka.FilteredClassifier_Standardize_NaiveBayes`), the score, and `runstatus`. They carry
no uploader and no time, so they say which operators reach which AUC or accuracy, not how
people iterate. scipy's ARFF reader does not take STRING attributes, so `read_arff` is a
small reader of the subset these files use (header, `@DATA`, comma-separated rows).

Shipped granularity (both tables well under 1 MB): per flow across datasets
(`flow_scores`), and per dataset and model family, the best flow of the family
(`family_scores`).
"""

from __future__ import annotations

from mliter.errors import InputError, MliterError
import csv
import io
import re
from pathlib import Path

import pandas as pd


_FILE = re.compile(r"^study_(\d+)_run_evaluations_(\w+)\.arff$")
MISSING = {"?", "null", "NaN", ""}
#: Weka parts of a flow name that wrap or configure a learner rather than being one.
WEKA_WRAPPERS = frozenset({"FilteredClassifier", "MultiSearch", "AttributeSelectedClassifier", "InputMappedClassifier"})
WEKA_NON_LEARNERS = frozenset({
    "RBFKernel", "PolyKernel", "PrincipalComponents", "Standardize", "Discretize", "Normalize", "BestFirst",
    "Ranker", "CfsSubsetEval", "K2", "SimpleEstimator", "GreedyStepwise", "ReplaceMissingValues",
})
#: Model families of learners (Weka short names), for the operator x score summary.
FAMILIES: dict[str, tuple[str, ...]] = {
    "tree": ("J48", "J48graft", "REPTree", "RandomTree", "SimpleCart", "BFTree", "ADTree", "LADTree", "LMT", "FT",
             "NBTree", "HoeffdingTree", "DecisionStump", "Id3", "ExtraTree"),
    "ensemble": ("RandomForest", "Bagging", "AdaBoostM1", "RealAdaBoost", "LogitBoost", "MultiBoostAB",
                 "RandomSubSpace", "RotationForest", "Decorate", "Dagging", "RacedIncrementalLogitBoost", "END",
                 "Grading", "Stacking", "Vote"),
    "linear": ("Logistic", "SimpleLogistic", "LibLINEAR", "SGD", "SPegasos", "Winnow"),
    "svm_kernel": ("SMO", "LibSVM", "KernelLogisticRegression"),
    "bayes": ("NaiveBayes", "BayesNet", "HNB", "A1DE", "A2DE", "LBR"),
    "neighbors": ("IBk", "IB1", "KStar", "LWL", "NNge"),
    "neural_network": ("MultilayerPerceptron", "RBFClassifier"),
    "rules": ("JRip", "PART", "OneR", "Ridor", "ConjunctiveRule", "FURIA", "Prism", "DecisionTable", "OLM"),
    "baseline": ("ZeroR",),
}
_FAMILY_OF = {name: fam for fam, names in FAMILIES.items() for name in names}
FAMILY_NAMES = tuple(FAMILIES) + ("other",)


class ArffError(MliterError, ValueError):
    """An export file is not in the expected shape; names the file, line and what was expected."""


def read_arff(path: str | Path) -> pd.DataFrame:
    """Attributes as columns (strings; `?`, `null`, `NaN` -> missing); raises ArffError naming the line."""
    path = Path(path)
    names: list[str] = []
    text = path.read_text(encoding="utf-8")
    # Lines end at CR or LF only (newline=""), never at U+2028 and the other Unicode breaks that
    # str.splitlines() also cuts at: those may sit inside a quoted value of the data section.
    lines = io.StringIO(text, newline="").readlines()
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        low = s.lower()
        if low.startswith("@attribute"):
            m = re.match(r"@attribute\s+('[^']+'|\"[^\"]+\"|\S+)\s+", s, re.I)
            if not m:
                raise ArffError(f"{path}:{i + 1}: malformed @ATTRIBUTE line")
            names.append(m.group(1).strip("'\""))
        elif low.startswith("@data"):
            rows = list(csv.reader(io.StringIO("".join(lines[i + 1:]), newline=""), skipinitialspace=True))
            rows = [r for r in rows if r and not r[0].startswith("%")]
            for j, r in enumerate(rows):
                if len(r) != len(names):
                    raise ArffError(f"{path}: data row {j + 1}: expected {len(names)} values, got {len(r)}")
            df = pd.DataFrame(rows, columns=names, dtype="string")
            return df.mask(df.isin(MISSING))
    raise ArffError(f"{path}: no @DATA section")


def model_of(flow_name: str) -> str:
    """The main learner of a flow name: the first part that is neither a wrapper nor a configuration."""
    name = flow_name.removeprefix("weka.")
    parts = [p for p in name.split("_") if p]
    for p in parts:
        if p not in WEKA_WRAPPERS and p not in WEKA_NON_LEARNERS:
            return p
    return parts[-1] if parts else flow_name


def family_of(model: str) -> str:
    return _FAMILY_OF.get(model, "other")


def read_export(path: Path) -> pd.DataFrame:
    """One export as rows: study_id, measure, instance, repetition, flow_id, flow_name, score, status."""
    m = _FILE.match(path.name)
    if not m:
        raise ArffError(f"{path}: expected a name study_<id>_run_evaluations_<measure>.arff")
    study, measure = int(m.group(1)), m.group(2)
    df = read_arff(path)
    key = next((c for c in ("openml_data_id", "openml_task_id") if c in df.columns), None)
    need = {"algorithm", measure, "runstatus"}
    if key is None or not need <= set(df.columns):
        raise ArffError(f"{path}: expected columns openml_data_id|openml_task_id, {sorted(need)}; got {list(df.columns)}")
    algo = df["algorithm"].str.extract(r"^(\d+)_(.+)$")
    if algo[0].isna().any():
        bad = int(algo[0].isna().to_numpy().argmax())
        raise ArffError(f"{path}: data row {bad + 1}: algorithm should be <flow id>_<name>, got {df['algorithm'][bad]!r}")
    return pd.DataFrame({
        "study_id": study, "measure": measure, "instance": key + ":" + df[key],
        "flow_id": algo[0].astype(int), "flow_name": algo[1],
        "score": pd.to_numeric(df[measure], errors="coerce"), "status": df["runstatus"],
    })


def read_exports(folder: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Every run-evaluation export in `folder`, and the files that could not be read (as messages)."""
    frames, problems = [], []
    for path in sorted(Path(folder).glob("study_*_run_evaluations_*.arff")):
        try:
            frames.append(read_export(path))
        except (ArffError, OSError, UnicodeDecodeError) as exc:
            problems.append(str(exc))
    if not frames:
        raise InputError(f"{folder}: no readable study_*_run_evaluations_*.arff files ({problems})")
    df = pd.concat(frames, ignore_index=True)
    df["model"] = df["flow_name"].map(model_of)
    df["family"] = df["model"].map(family_of)
    df["ok"] = (df["status"] == "ok") & df["score"].notna()
    return df, problems


def flow_scores(df: pd.DataFrame) -> pd.DataFrame:
    """Per study, measure and flow: datasets evaluated, failures, and the score distribution."""
    ok = df[df["ok"]]
    g = ok.groupby(["study_id", "measure", "flow_id"])["score"]
    stats = pd.DataFrame({"n_instances": g.size(), "mean_score": g.mean(), "median_score": g.median(),
                          "q25_score": g.quantile(0.25), "q75_score": g.quantile(0.75)})
    fails = df[~df["ok"]].groupby(["study_id", "measure", "flow_id"]).size().rename("n_failed")
    names = df.groupby(["study_id", "measure", "flow_id"])[["flow_name", "model", "family"]].first()
    out = names.join(stats).join(fails).reset_index()
    out["n_instances"] = out["n_instances"].fillna(0).astype(int)
    out["n_failed"] = out["n_failed"].fillna(0).astype(int)
    return out


def family_scores(df: pd.DataFrame) -> pd.DataFrame:
    """Per study, measure, dataset and model family: flows tried, failures, the family's best score and flow."""
    keys = ["study_id", "measure", "instance", "family"]
    ok = df[df["ok"]].sort_values(keys + ["score", "flow_id"], ascending=[True] * 4 + [False, True], kind="mergesort")
    best = ok.groupby(keys).first()[["score", "flow_id", "model"]].rename(
        columns={"score": "best_score", "flow_id": "best_flow_id", "model": "best_model"})
    n_flows = ok.groupby(keys)["flow_id"].nunique().rename("n_flows")
    fails = df[~df["ok"]].groupby(keys).size().rename("n_failed")
    out = pd.concat([n_flows, fails, best], axis=1).reset_index()
    out["n_flows"] = out["n_flows"].fillna(0).astype(int)
    out["n_failed"] = out["n_failed"].fillna(0).astype(int)
    out["best_flow_id"] = out["best_flow_id"].astype("Int64")
    best_of_instance = out.groupby(["study_id", "measure", "instance"])["best_score"].transform("max")
    out["gap_to_best"] = best_of_instance - out["best_score"]
    return out
