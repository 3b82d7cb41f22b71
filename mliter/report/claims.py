"""The headline claims of the four original studies and of the peer studies, set beside our numbers.

Each `Claim` says what the paper reported (in our words, with its own numbers where it gave them), which of our
variables (`figures/variables.json`) answer it, and how to judge them. `judge()` returns one of three statuses
with its reason:

* **reproduced** / **contradicted**: our interval includes or excludes the paper's value, or the two groups it
  compares are ordered as the paper says (or the other way round) with intervals that do not overlap;
* **not addressable here**: our data cannot answer it (the reason says why), our intervals overlap, or too few
  cases; **not addressable here (not yet built)** when a variable the claim needs is not in variables.json yet
  (another analysis will write it), so the page never fails on a claim whose numbers are still to come.

A new analysis makes a claim addressable by writing the variables named here; a new claim is one more entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

REPRODUCED, CONTRADICTED, NOT_ADDRESSABLE = "reproduced", "contradicted", "not addressable here"
NOT_YET_BUILT = "not addressable here (not yet built)"


@dataclass(frozen=True)
class Study:
    key: str
    cite: str
    url: str
    kind: str  # "original" (reproduced here) or "peer"


STUDIES: tuple[Study, ...] = (
    Study("survey", "Xin, Ma, Song, Parameswaran. How Developers Iterate on Machine Learning Workflows: a survey of "
          "the applied machine learning literature. arXiv:1803.10311 (DEEM 2018).", "https://arxiv.org/abs/1803.10311",
          "original"),
    Study("openml", "Lee, Xin, Lee, Parameswaran. Demystifying a Dark Art: Understanding Real-World Machine Learning "
          "Model Development. HILDA 2020.", "https://doi.org/10.1145/3398730.3399153", "original"),
    Study("pipelines", "Xin, Miao, Parameswaran, Polyzotis. Production Machine Learning Pipelines: Empirical "
          "Analysis and Optimization Opportunities. SIGMOD 2021.", "https://doi.org/10.1145/3448016.3457566",
          "original"),
    Study("automl", "Xin, Wu, Lee, Salehi, Parameswaran. Whither AutoML? Understanding the Role of Automation in "
          "Machine Learning Workflows. CHI 2021.", "https://doi.org/10.1145/3411764.3445306", "original"),
    Study("pimentel", "Pimentel, Murta, Braganholo, Freire. Understanding and improving the quality and "
          "reproducibility of Jupyter notebooks. Empirical Software Engineering 26, 2021.",
          "https://doi.org/10.1007/s10664-021-09961-9", "peer"),
    Study("rule", "Rule, Tabard, Hollan. Exploration and Explanation in Computational Notebooks. CHI 2018.",
          "https://doi.org/10.1145/3173574.3173606", "peer"),
)

Judge = Callable[[Mapping[str, Any]], tuple[str, str]]


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def within(key: str, paper: float, n_key: str) -> Judge:
    """The paper's share lies inside our 95% interval (`key`Low, `key`High)."""
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        lo, hi = v[f"{key}Low"], v[f"{key}High"]
        where = f"ours {_fmt(v[key])} [{_fmt(lo)}, {_fmt(hi)}], n = {_fmt(v[n_key])}"
        if lo <= paper <= hi:
            return REPRODUCED, f"the paper's {paper:.2%} lies inside our 95% interval ({where})"
        side = "below" if hi < paper else "above"
        return CONTRADICTED, f"our 95% interval lies {side} the paper's {paper:.2%} ({where})"
    return judge


def above(key: str, threshold: float, n_key: str) -> Judge:
    """Our share's lower 95% bound is above `threshold` (e.g. "most papers")."""
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        lo, hi = v[f"{key}Low"], v[f"{key}High"]
        where = f"{_fmt(v[key])} [{_fmt(lo)}, {_fmt(hi)}], n = {_fmt(v[n_key])}"
        if lo > threshold:
            return REPRODUCED, f"our share is above {threshold:.0%} ({where})"
        if hi < threshold:
            return CONTRADICTED, f"our share is below {threshold:.0%} ({where})"
        return NOT_ADDRESSABLE, f"our interval includes {threshold:.0%} ({where})"
    return judge


def ordered(lower: str, higher: str, n_keys: tuple[str, str], min_n: int = 10) -> Judge:
    """The paper says `lower` < `higher`; judged on non-overlapping 95% intervals with enough cases."""
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        n = (v[n_keys[0]], v[n_keys[1]])
        where = (f"{_fmt(v[lower])} [{_fmt(v[lower + 'Low'])}, {_fmt(v[lower + 'High'])}] (n = {_fmt(n[0])}) vs "
                 f"{_fmt(v[higher])} [{_fmt(v[higher + 'Low'])}, {_fmt(v[higher + 'High'])}] (n = {_fmt(n[1])})")
        if min(n) < min_n:
            return NOT_ADDRESSABLE, f"too few cases (fewer than {min_n}): {where}"
        if v[lower + "High"] < v[higher + "Low"]:
            return REPRODUCED, f"ordered as the paper says, intervals apart: {where}"
        if v[lower + "Low"] > v[higher + "High"]:
            return CONTRADICTED, f"ordered the other way, intervals apart: {where}"
        return NOT_ADDRESSABLE, f"intervals overlap: {where}"
    return judge


def all_present(keys: tuple[str, ...], total: str, min_n: int = 30) -> Judge:
    """Every group occurs, among at least `min_n` cases."""
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        counts = ", ".join(f"{k} = {_fmt(v[k])}" for k in keys)
        if v[total] < min_n:
            return NOT_ADDRESSABLE, f"only {_fmt(v[total])} sequences with a known pace ({counts}); need {min_n}"
        if all(v[k] > 0 for k in keys):
            return REPRODUCED, f"all occur: {counts}"
        return CONTRADICTED, f"not all occur: {counts}"
    return judge


def p_value(key: str, alpha: float = 0.05, describe: str = "") -> Judge:
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        if v[key] < alpha:
            return REPRODUCED, f"{describe} p = {_fmt(v[key])}"
        return NOT_ADDRESSABLE, f"no evidence of a difference here: {describe} p = {_fmt(v[key])}"
    return judge


def context(reason: str) -> Judge:
    """Our numbers exist but do not answer the claim (another source, no comparable measure): said why."""
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        return NOT_ADDRESSABLE, reason
    return judge


def reaches(key: str, paper: float, n_key: str, min_n: int) -> Judge:
    """Our point value (no interval) reaches the paper's `paper`, given at least `min_n` cases."""
    def judge(v: Mapping[str, Any]) -> tuple[str, str]:
        where = f"ours {_fmt(v[key])}, n = {_fmt(v[n_key])}"
        if v[n_key] < min_n:
            return NOT_ADDRESSABLE, f"too few cases (fewer than {min_n}): {where}"
        if v[key] >= paper:
            return REPRODUCED, f"reaches the paper's {paper:.0%} ({where})"
        return CONTRADICTED, f"below the paper's {paper:.0%} ({where})"
    return judge


@dataclass(frozen=True)
class Claim:
    study: str
    claim: str
    paper: str  # the paper's number(s), as reported
    ours: str  # what our number is, a template over variables.json
    variables: tuple[str, ...] = ()
    judge: Judge | None = None
    not_addressable: str = ""  # why our material cannot answer it at all
    figure: str = ""  # the figure that shows our number
    note: str = ""  # context for the reader, appended to the reason


def _automated_more(name: str, claim: str, paper: str, label: str) -> Claim:
    """An OpenML claim that automated sequences score higher than manual ones on `openml<Mode><name>`."""
    manual, auto = f"openmlManual{name}", f"openmlAutomated{name}"
    counts = ("nOpenmlSeqManual", "nOpenmlSeqAutomated")
    return Claim("openml", f"Automated iteration {claim}.", paper,
                 f"{label}, manual {{{manual}}} vs automated {{{auto}}}",
                 (manual, manual + "Low", manual + "High", auto, auto + "Low", auto + "High", *counts),
                 ordered(manual, auto, counts), figure="openml_modes")


CLAIMS: tuple[Claim, ...] = (
    Claim("survey", "Developing ML workflows is iterative: most applied papers report trying alternatives in at "
          "least one part of the workflow.", "qualitative (five application domains)",
          "{shareIteratingPpr:.1%} of {nSurveyPapers} coded papers iterate on post-processing, "
          "{shareIteratingLi:.1%} on learning/inference",
          ("shareIteratingPpr", "shareIteratingPprLow", "shareIteratingPprHigh", "shareIteratingLi",
           "nSurveyPapers"), above("shareIteratingPpr", 0.5, "nSurveyPapers"), figure="survey_iterating_papers"),
    Claim("survey", "Which parts of the workflow are iterated on differs between application domains.",
          "trends across five domains", "chi-square over {surveyChiPapers} papers and {surveyChiDomains} domains: "
          "permutation p = {surveyChiPPerm}, Cramér's V = {surveyCramersV}",
          ("surveyChiPPerm", "surveyChiPapers", "surveyChiDomains", "surveyCramersV"),
          p_value("surveyChiPPerm", describe="permutation chi-square,"), figure="survey_iterations"),
    Claim("openml", "Users iterate in one of three ways: manually, automatically, or mixing both.",
          "475,297 runs of OpenML users", "{nOpenmlSeqManual} manual, {nOpenmlSeqAutomated} automated, "
          "{nOpenmlSeqMixed} mixed sequences", ("nOpenmlSeqManual", "nOpenmlSeqAutomated", "nOpenmlSeqMixed",
                                                "nOpenmlSeqWithMode"),
          all_present(("nOpenmlSeqManual", "nOpenmlSeqAutomated", "nOpenmlSeqMixed"), "nOpenmlSeqWithMode"),
          figure="openml_modes"),
    Claim("openml", "Manual iteration wastes fewer iterations than automated iteration.",
          "fewer wasted iterations when manual", "wasted share manual {openmlManualShareWasted} vs automated "
          "{openmlAutomatedShareWasted}",
          ("openmlManualShareWasted", "openmlManualShareWastedLow", "openmlManualShareWastedHigh",
           "openmlAutomatedShareWasted", "openmlAutomatedShareWastedLow", "openmlAutomatedShareWastedHigh",
           "nOpenmlAssessableManual", "nOpenmlAssessableAutomated"),
          ordered("openmlManualShareWasted", "openmlAutomatedShareWasted",
                  ("nOpenmlAssessableManual", "nOpenmlAssessableAutomated")), figure="openml_modes"),
    _automated_more("PprOptions", "explores more pre-processing options", "more options when automated",
                    "mean pre-processing options"),
    _automated_more("HyperOptions", "explores more hyperparameter options", "more options when automated",
                    "mean hyperparameter options"),
    _automated_more("BestDist", "reaches higher performance overall", "higher AUC when automated",
                    "best AUC minus task mean"),
    Claim("pipelines", "Much of the computation of production pipelines does not translate into deployed models.",
          "3,000 Google pipelines, over 450,000 models, four months",
          "{pipelineWastedShare:.1%} of compute in {nPipelineExecutions} executions of public stores is wasted",
          ("pipelineWastedShare", "nPipelineExecutions"),
          context("the paper's share is not restated here, and our stores are public ML Metadata and MLflow stores, "
                  "not a production fleet"), figure="pipeline_waste"),
    Claim("pipelines", "Pruning computation that does not lead to deployment cuts wasted computation by half "
          "without slowing deployment.", "50% less waste",
          "{pruningSavedOfWasteAtNoLoss:.0%} of waste saved at no loss of pushes, over {nPruningGraphlets} graphlets "
          "({nPruningPushed} pushed)",
          ("pruningSavedOfWasteAtNoLoss", "nPruningPushed", "nPruningGraphlets"),
          reaches("pruningSavedOfWasteAtNoLoss", 0.5, "nPruningPushed", 30), figure="pipeline_pruning"),
    Claim("automl", "AutoML users do not aim at full automation: they want a partnership in which the human keeps "
          "control of parts of the workflow.", "qualitative study of AutoML users (interviews)",
          "the partnership theme in {shareThemePartnership:.1%} of {nThreadsCoded} coded AutoML issue threads",
          ("shareThemePartnership", "nThreadsCoded"),
          context("a design argument from interviews; our coded public issue threads are another source and give "
                  "no interval here"), figure="threads_themes"),
    Claim("pimentel", "Of the notebooks with an unambiguous execution order, 36.45% were executed out of order.",
          "36.45% of 802,474 notebooks", "{shareOutOfOrder:.1%} of {nNotebooksOrdered} notebooks",
          ("shareOutOfOrder", "shareOutOfOrderLow", "shareOutOfOrderHigh", "nNotebooksOrdered"),
          within("shareOutOfOrder", 0.3645, "nNotebooksOrdered"), figure="execution_order"),
    Claim("pimentel", "76.88% of the notebooks have skipped execution counts (cells run and re-run out of sight).",
          "76.88%", "{shareHiddenExecutions:.1%} of {nNotebooksOrdered} notebooks with hidden executions",
          ("shareHiddenExecutions", "shareHiddenExecutionsLow", "shareHiddenExecutionsHigh", "nNotebooksOrdered"),
          within("shareHiddenExecutions", 0.7688, "nNotebooksOrdered"), figure="execution_order",
          note="the samples differ (a crawl of GitHub there, Kaggle-style notebooks here), and a skip there is any "
               "gap in the counts, as our hidden executions are"),
    Claim("rule", "Public notebooks are often left with cells run out of order and with little explanation.",
          "over a million GitHub notebooks", "{shareOutOfOrder:.1%} out of order here", ("shareOutOfOrder",),
          not_addressable="its measures of order and explanation differ from ours; we compare with Pimentel et "
          "al., whose out-of-order definition we follow", figure="execution_order"),
)


def judge(claim: Claim, variables: Mapping[str, Any]) -> tuple[str, str]:
    """(status, reason) of `claim` given the merged variables."""
    if claim.not_addressable:
        return NOT_ADDRESSABLE, claim.not_addressable
    missing = [k for k in claim.variables if k not in variables]
    counts = [k for k in claim.variables if k.startswith("n") and k[1:2].isupper()]
    if missing and counts and not any(k in missing for k in counts):
        return NOT_ADDRESSABLE, "no data for it here: " + ", ".join(f"{k} = {_fmt(variables[k])}" for k in counts)
    if missing:
        return NOT_YET_BUILT, f"figures/variables.json has no {', '.join(missing[:3])}" + (
            f" (and {len(missing) - 3} more)" if len(missing) > 3 else "")
    if claim.judge is None:
        return NOT_ADDRESSABLE, "no rule to compare with"
    status, reason = claim.judge(variables)
    return status, f"{reason}; {claim.note}" if claim.note else reason
