"""Dataset-level metadata, said once: what the package is, where its material came from, who made it.

`datapackage.json` (Frictionless `sources`, `contributors`), `croissant.json` (schema.org and the Croissant
Responsible-AI fields) and `CITATION.cff` (`version`, `date-released`) are all generated from these values and
from `mliter.__version__`/`mliter.__release_date__`, so the four files cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mliter import __release_date__, __version__
from mliter.errors import MliterError

NAME = "mliter"
TITLE = "mliter: traces and codes of how people iterate on machine-learning workflows"
DESCRIPTION = (
    "Derived tables of the mliter study: manifests of captured material, mined notebook "
    "execution traces, iteration sequences and coded annotations. Rows carry identifiers, "
    "derived values and provenance only, never copied code or text."
)
HOMEPAGE = "https://github.com/mliter/mliter"
DATA_LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0"}
KEYWORDS = ("machine learning workflows", "human-in-the-loop machine learning", "Jupyter notebooks",
            "execution traces", "OpenML", "reproducibility")


@dataclass(frozen=True)
class Source:
    """Where a part of the raw material came from (the manifests hold the per-item URL, commit and sha256)."""

    title: str
    path: str
    description: str


SOURCES: tuple[Source, ...] = (
    Source("Public GitHub repositories: Jupyter notebooks and their git histories", "https://github.com",
           "Notebooks (corpus/notebooks.csv) and successive committed versions (corpus/notebook_versions.csv), "
           "each with repository, path, commit, URL, license and sha256."),
    Source("OpenML REST API and recorded responses", "https://www.openml.org",
           "Runs, flows, setups, tasks and evaluations (traces/openml_run_sources.csv names server and files)."),
    Source("OpenML workflows of Lee et al. (HILDA 2020)", "https://github.com/helix-ml/openml_workflows",
           "The study's published 475,297-run table (CC0), read by `mliter import openml-workflows`; not shipped."),
    Source("Meta Kaggle", "https://www.kaggle.com/datasets/kaggle/meta-kaggle",
           "Kernel and kernel-version tables for Kaggle version histories."),
    Source("Proceedings of Machine Learning Research", "https://proceedings.mlr.press",
           "Paper metadata of applied-ML volumes (corpus/papers.csv)."),
    Source("arXiv API", "https://arxiv.org", "Paper metadata (corpus/papers.csv)."),
    Source("Semantic Scholar Graph API", "https://www.semanticscholar.org", "Paper metadata (corpus/papers.csv)."),
    Source("ACL Anthology", "https://aclanthology.org", "Paper metadata (corpus/papers.csv)."),
    Source("OpenAlex", "https://openalex.org", "Paper metadata (corpus/papers.csv)."),
)


@dataclass(frozen=True)
class Contributor:
    title: str
    role: str  # Frictionless roles: author, publisher, maintainer, wrangler, contributor
    path: str = ""


CONTRIBUTORS: tuple[Contributor, ...] = (
    Contributor("mliter contributors", "author", HOMEPAGE),
    Contributor("coder_a, coder_b, coder_c (model-based coders; see docs/datasheet.md)", "wrangler"),
)

_CFF = Path("CITATION.cff")


def citation_text(text: str) -> str:
    """CITATION.cff with `version` and `date-released` set from the package; other lines kept as written."""
    for key, value in (("version", __version__), ("date-released", __release_date__)):
        line = f'{key}: "{value}"' if key == "date-released" else f"{key}: {value}"
        pattern = re.compile(rf"^{re.escape(key)}:.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(line, text, count=1)
        else:
            anchor = re.search(r"^type:.*$", text, re.M)
            if anchor is None:
                raise MliterError(f"{_CFF}: no `type:` line to put `{key}` after")
            text = text[:anchor.end()] + "\n" + line + text[anchor.end():]
    return text


@dataclass(frozen=True)
class CodedVariable:
    """A value in the data that a judgement produced: who or what made it and how it was checked."""

    variable: str  # table column(s)
    kind: str  # "person", "rule table", "model-based coder"
    producer: str
    check: str


def _primary_kind() -> str:
    """What produces the primary `stage`: the producer coding/stage_producer.yaml declares."""
    from mliter.traces.notebooks.learned import default_producer

    return "model-based coder" if default_producer() == "learned" else "rule table"


CODED_VARIABLES: tuple[CodedVariable, ...] = (
    CodedVariable("coding/papers/consensus.csv: domain, the nine iteration counts, evidence_basis",
                  "model-based coder",
                  "coders coder_a, coder_b, coder_c (language-model sessions following coding/papers/README.md and "
                  "the codebook coding/papers.codebook.yaml), disagreements settled by the adjudicator eng_b",
                  "double coding of 78 papers: Cohen's kappa and Krippendorff's alpha with bootstrap intervals "
                  "(coding/papers/agreement.csv, figures/survey_agreement.*)"),
    CodedVariable("traces/cells.csv: stage; traces/stages.csv", _primary_kind(),
                  "the producer coding/stage_producer.yaml declares primary: `rules` (its stage_rules column) or "
                  "`learned` (its stage_learned column), set by the lead at a round's freeze by the rule "
                  "pre-registered for that round (round 4: learned only if its LORO accuracy beat the rules' "
                  "in-sample one, which kept the rules; rounds 5 to 7: learned unless its LORO accuracy is more than 3 "
                  "points below the rules' in-sample one)",
                  "as the declared producer's column below"),
    CodedVariable("traces/cells.csv: stage_rules, stages", "rule table",
                  "the stage rule table coding/stage_rules.csv and the API catalogue applied to each cell's def-use "
                  "summary (mliter.traces.notebooks.stages)",
                  "blind consensus labels of rounds 1-7, each round scored once after its freeze "
                  "(traces/frozen/, figures/trace_validity.*); docs/trace-validity.md"),
    CodedVariable("traces/cells.csv: stage_learned; traces/eval_*cells.csv: stage_learned", "model-based coder",
                  "a multinomial logistic regression (coefficients coding/stage_coder.csv, trained by "
                  "`mliter code train-stage-coder` on the labelled cells of the tuning rounds, 2,018 cells of rounds "
                  "1-6 from round 7) over the miner's static features, API-name tokens found in at least k tuning "
                  "repositories, the kinds and words of the cell's stored outputs (words found in at least k "
                  "tuning repositories) and the rules' output (mliter.traces.notebooks.learned)",
                  "nested leave-one-repository-out accuracy over 85 repositories, regularisation and vocabulary "
                  "threshold chosen within the training repositories (traces/eval_stage_coder.csv, "
                  "coding/stage_producer.yaml); on each round's held-out sample once scored (round 4: 67.1%; as the "
                  "primary stage, round 5: 71.8%, round 6: 65.0%, round 7: 65.7%, floor 85%)"),
    CodedVariable("coding/stage_labels.csv, coding/stage_labels_heldout.csv: stage", "model-based coder",
                  "coder_a (a language-model session, procedure in coding/stage_labels.md)",
                  "not double-coded: a single reference coder; the rule table is scored against it"),
    CodedVariable("traces/versions.csv, traces/openml_runs.csv: change_type", "rule table",
                  "the change-type classifier driven by the codebook coding/change_types.yaml",
                  "80 hand-coded version pairs (coding/change_labels.csv: 60 tuning, 20 held out; "
                  "figures/change_type_agreement.*)"),
    CodedVariable("coding/change_labels.csv: code", "model-based coder",
                  "one coder (a language-model session) reading the version pairs (docs/iterations.md)",
                  "single coder, no agreement measured"),
    CodedVariable("traces/openml_runs.csv: model, ppr", "rule table",
                  "operator roles of mliter.traces.operators (scikit-learn, mlr and Weka names)",
                  "unit tests on known flows; no held-out labels"),
    CodedVariable("OpenML sequence mode (manual, automated, mixed)", "rule table",
                  "the thresholds of docs/openml.md (mliter.traces.openml.study), after Lee et al. 2020",
                  "a fixture with known answers (tests); no labels of real uploaders' intent exist"),
    CodedVariable("traces/notebooks.csv: execution-order measures", "rule table",
                  "exact computations on execution counts (mliter.traces notebooks order)",
                  "property and unit tests; no judgement involved"),
)

LIMITATIONS: tuple[str, ...] = (
    "The notebooks are 300 public GitHub notebooks chosen by size and format rules, not a random sample of all "
    "notebooks; plot-heavy notebooks over 400 KB are under-represented.",
    "The shipped OpenML runs are 33 recorded API responses, a demonstration of the pipeline; the study's 475,297-run "
    "table is read with `mliter import openml-workflows` when a user has it.",
    "Papers were coded from titles and abstracts, which under-report iterations.",
    "Coded values come from model-based coders; agreement between them is not agreement with human experts.",
)
PERSONAL_INFORMATION = (
    "Public GitHub owner/repository names and OpenML uploader ids identify accounts; no other personal data, and "
    "no notebook code, output or paper text, is shipped.")


def citation_bibtex() -> str:
    """How to cite the dataset (also in CITATION.cff)."""
    year = __release_date__[:4]
    return (f"@misc{{mliter{year}, title = {{{TITLE}}}, author = {{{{mliter contributors}}}}, "
            f"year = {{{year}}}, version = {{{__version__}}}, url = {{{HOMEPAGE}}}}}")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def composition_markdown(root: Path, tables: list) -> str:
    """One row per shipped table: path, rows, what a row is (counted from the files, never typed)."""
    lines = ["| table | rows | one row is |", "|---|---:|---|"]
    for t in tables:
        path = Path(root) / t.path
        if path.exists():
            with open(path, "rb") as fh:
                rows = max(sum(1 for _ in fh) - 1, 0)
            lines.append(f"| `{t.path}` | {rows:,} | {_md_cell(t.title)} |")
    return "\n".join(lines)


def coded_variables_markdown() -> str:
    lines = ["| variable | produced by | kind | how it was checked |", "|---|---|---|---|"]
    lines += [f"| {_md_cell(v.variable)} | {_md_cell(v.producer)} | {v.kind} | {_md_cell(v.check)} |"
              for v in CODED_VARIABLES]
    return "\n".join(lines)


def _replace_block(pattern: re.Pattern[str], text: str, body: str) -> str:
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text, count=1)


def fill_generated(text: str, blocks: dict[str, str], where: str = "docs/datasheet.md") -> str:
    """Replace each `<!-- generated: NAME -->...<!-- /generated -->` block; a missing marker is an error."""
    for name, body in blocks.items():
        pattern = re.compile(rf"(<!-- generated: {re.escape(name)} -->\n).*?(<!-- /generated -->)", re.S)
        if not pattern.search(text):
            raise MliterError(f"{where}: no '<!-- generated: {name} -->' ... '<!-- /generated -->' block")
        text = _replace_block(pattern, text, body)
    return text


def datasheet_text(root: Path, tables: list) -> str:
    path = Path(root) / "docs" / "datasheet.md"
    return fill_generated(path.read_text(encoding="utf-8"), {
        "composition": composition_markdown(root, tables), "coded-variables": coded_variables_markdown()})
