"""An OpenML run's workflow signature: its flow split into model and pre-processing operators.

A flow is a tree of components (`mliter.traces.openml.parse.FlowComponent`); a run's setup
(or its description's parameter settings) gives the parameter values. Each component
becomes one `Operator` of `Signature.model` or `Signature.preprocessing`, named alike
with notebook operators so the one classifier (`mliter.traces.changes.classify`) compares
both kinds of source:

* scikit-learn components take their role from `mliter.traces.operators.role`
  (`sklearn.impute._base.SimpleImputer` -> pre-processing, `sklearn.svm._classes.SVC` ->
  model). `Pipeline` and `FeatureUnion` are containers: left out, their parts kept. A
  component `role` does not know is a pre-processing step when it is a non-final step of a
  pipeline (scikit-learn's contract: every step but the last transforms) or a part of a
  `FeatureUnion` or of a pre-processing component (a `ColumnTransformer`), and a model otherwise.
* mlr (R) learners are `[mlr.]classif|regr|surv|cluster.<learner>[.<wrapper>...]`; each
  wrapper suffix is its own operator: feature filtering, imputation, pre-processing and
  resampling wrappers (`filtered`, `imputed`, `preproc`, `smoted`, ...) are pre-processing,
  tuning, bagging and class weighting wrappers are model side. A parameter goes to the
  wrapper whose prefix it carries (`fw.perc` -> `mlr.filtered`), else to the learner.
* Weka components are models; a parameter whose value names a Weka filter or attribute
  selection class (`-F weka.filters.unsupervised.attribute.Normalize`) adds that class as a
  pre-processing operator, one naming another classifier adds it as a model operator.
* Anything else is a model (a flow is an implementation of a learner).

Parameter values are decoded from JSON when they parse (`"100"` -> 100) and kept as text
otherwise; parameters that refer to a sub-component (a pipeline's `steps`, an
`estimator`) are left out, since the component is an operator of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mliter.traces.openml.parse import FlowComponent, decode_value
from mliter.traces.operators import MODEL, PREPROCESSING, role
from mliter.traces.versions.signature import Operator, Signature

CONTAINERS = frozenset({"sklearn.pipeline.Pipeline", "sklearn.pipeline.FeatureUnion"})
_MLR = re.compile(r"^(?:mlr\.)?(classif|regr|surv|cluster|multilabel)\.([^.]+(?:\.[^.]+)*)$")
#: mlr wrapper suffix -> (role, parameter prefix of the wrapper; "" when it has none).
MLR_WRAPPERS: dict[str, tuple[str, str]] = {
    "filtered": (PREPROCESSING, "fw."),
    "imputed": (PREPROCESSING, "impute."),
    "preproc": (PREPROCESSING, "ppc."),
    "dummied": (PREPROCESSING, "dummy."),
    "featsel": (PREPROCESSING, "fs."),
    "smoted": (PREPROCESSING, "sw."),
    "oversampled": (PREPROCESSING, "osw."),
    "undersampled": (PREPROCESSING, "usw."),
    "overbagged": (MODEL, "obw."),
    "bagged": (MODEL, "bw."),
    "tuned": (MODEL, "tw."),
    "weighted": (MODEL, "wcw."),
    "multilabel": (MODEL, ""),
}
_WEKA_CLASS = re.compile(r"^weka\.(filters|attributeSelection|classifiers)\.[\w.$]+$")
_COMPONENT_REF = "component_reference"


@dataclass(frozen=True)
class RoledOperator:
    role: str
    operator: Operator


def _clean_params(comp: FlowComponent, params: Mapping[str, str]) -> dict[str, object]:
    children = {c.identifier for c in comp.components}
    out = {}
    for name, text in params.items():
        if name in children or _COMPONENT_REF in text:
            continue
        out[name] = decode_value(text)
    return out


def _mlr_ops(comp: FlowComponent, params: dict[str, object]) -> list[RoledOperator]:
    """The wrapper operators of an mlr learner name, then the learner with the parameters left over."""
    m = _MLR.match(comp.name)
    assert m  # callers check
    parts = m.group(2).split(".")
    wrappers = []
    while len(parts) > 1 and parts[-1] in MLR_WRAPPERS:
        wrappers.insert(0, parts.pop())
    rest = dict(params)
    out = []
    for w in wrappers:
        r, prefix = MLR_WRAPPERS[w]
        mine = {k: v for k, v in rest.items() if prefix and k.startswith(prefix)}
        for k in mine:
            rest.pop(k)
        out.append(RoledOperator(r, Operator.make(f"mlr.{w}", mine)))
    out.append(RoledOperator(MODEL, Operator.make(f"mlr.{m.group(1)}.{'.'.join(parts)}", rest)))
    return out


def _weka_ops(comp: FlowComponent, params: dict[str, object]) -> list[RoledOperator]:
    kept, extra = {}, []
    for k, v in params.items():
        if isinstance(v, str) and _WEKA_CLASS.match(v.split(" ")[0]):
            cls = v.split(" ")[0]
            extra.append(RoledOperator(MODEL if cls.startswith("weka.classifiers.") else PREPROCESSING,
                                       Operator.make(cls)))
        else:
            kept[k] = v
    return [RoledOperator(MODEL, Operator.make(comp.name, kept)), *extra]


def component_operators(comp: FlowComponent, params_of, last_step: bool = True) -> list[RoledOperator]:
    """Operators of `comp` and its sub-components; `params_of(component)` gives raw parameter values."""
    params = _clean_params(comp, params_of(comp))
    children = list(comp.components)
    out: list[RoledOperator] = []
    if comp.name in CONTAINERS:
        pass
    elif _MLR.match(comp.name):
        # an mlr wrapper flow may hold its learner as a sub-component: one learner operator, with
        # the parameters recorded on either (mlr records them all on the outer flow)
        inner = next((c for c in children if _MLR.match(c.name)), None)
        if inner is not None:
            children.remove(inner)
            children += list(inner.components)
            params = {**_clean_params(inner, params_of(inner)), **params}
        out += _mlr_ops(comp, params)
    elif comp.name.startswith("weka."):
        out += _weka_ops(comp, params)
    else:
        r = role(comp.name)
        if r not in (MODEL, PREPROCESSING):
            r = MODEL if last_step else PREPROCESSING
        out.append(RoledOperator(r, Operator.make(comp.name, params)))
    is_pipeline = comp.name == "sklearn.pipeline.Pipeline"
    # parts of a FeatureUnion or of a pre-processing component (a ColumnTransformer) all transform
    transforms = comp.name == "sklearn.pipeline.FeatureUnion" or bool(out and out[0].role == PREPROCESSING)
    for i, child in enumerate(children):
        child_last = not transforms and last_step and (i == len(children) - 1 or not is_pipeline)
        out += component_operators(child, params_of, child_last)
    return out


def flow_signature(flow: FlowComponent, params_of) -> Signature:
    """The signature of a flow with parameter values from `params_of(component) -> {name: text}`."""
    ops = component_operators(flow, params_of)
    return Signature.from_operators(model=[o.operator for o in ops if o.role == MODEL],
                                    preprocessing=[o.operator for o in ops if o.role == PREPROCESSING])


def structure_signature(flow: FlowComponent) -> Signature:
    """The signature with every parameter left out: what a flow's name alone tells."""
    return flow_signature(flow, lambda comp: {})
