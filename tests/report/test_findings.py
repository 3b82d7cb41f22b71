"""The findings page's parts: captions from one place, claims judged (or 'not yet built'), new figures picked up."""

from __future__ import annotations

import json

import pytest

from mliter.errors import MliterError
from mliter.paths import ROOT
from mliter.report import claims as cl
from mliter.report import dag
from mliter.report.captions import caption, fill
from mliter.report.findings import render

FIG = ROOT / "figures"


def test_captions_json_is_current_and_reaches_the_md_files():
    items = dag.scripts(ROOT / "analysis")
    assert (FIG / "captions.json").read_text() == dag.captions(items), "run `make figures`"
    variables = json.loads((FIG / "variables.json").read_text())
    checked = 0
    for s in items:
        for stem, template in s.captions:
            md = FIG / f"{stem}.md"
            if f"figures/{stem}.md" in s.outputs:
                first = md.read_text().splitlines()[0]
                assert first == f"<!-- {fill(template, variables)} -->", f"{md} caption differs from {s.path}"
                checked += 1
    assert checked >= 15
    by_script = json.loads((FIG / "variables_by_script.json").read_text())
    assert {k: v for values in by_script.values() for k, v in values.items()} == variables


def test_caption_names_only_numbers_the_script_writes():
    assert caption({"a": "n = {nX}"}, "a", {"nX": 3}) == "n = 3"
    with pytest.raises(MliterError, match="names \\['nY'\\]"):
        caption({"a": "n = {nY}"}, "a", {"nX": 3})
    assert fill("{share:.1%} of {nMissing}", {"share": 0.5}) == "50.0% of ?"
    assert fill("{missing:.1%}", {}) == "?"


def test_claims_cover_the_four_studies_and_the_peer_studies():
    studies = {c.study for c in cl.CLAIMS}
    assert {"survey", "openml", "pipelines", "automl", "pimentel", "rule"} <= studies
    statuses = {cl.judge(c, {})[0] for c in cl.CLAIMS}
    assert statuses <= {cl.NOT_YET_BUILT, cl.NOT_ADDRESSABLE}


def test_claim_judges_on_intervals():
    c = next(c for c in cl.CLAIMS if c.study == "pimentel" and "36.45" in c.claim)
    v = {"shareOutOfOrder": 0.37, "shareOutOfOrderLow": 0.32, "shareOutOfOrderHigh": 0.43, "nNotebooksOrdered": 298}
    assert cl.judge(c, v)[0] == cl.REPRODUCED
    assert cl.judge(c, v | {"shareOutOfOrderHigh": 0.35, "shareOutOfOrder": 0.33})[0] == cl.CONTRADICTED
    w = next(c for c in cl.CLAIMS if "wastes fewer" in c.claim)
    base = {"nOpenmlAssessableManual": 50, "nOpenmlAssessableAutomated": 60}
    two = {"openmlManualShareWasted": 0.2, "openmlManualShareWastedLow": 0.1, "openmlManualShareWastedHigh": 0.3,
           "openmlAutomatedShareWasted": 0.6, "openmlAutomatedShareWastedLow": 0.5,
           "openmlAutomatedShareWastedHigh": 0.7}
    assert cl.judge(w, base | two)[0] == cl.REPRODUCED
    assert "no data" in cl.judge(w, base)[1]
    assert "too few" in cl.judge(w, two | {"nOpenmlAssessableManual": 3, "nOpenmlAssessableAutomated": 60})[1]


def test_page_picks_up_a_new_figure_and_survives_absent_numbers(tmp_path):
    manifest = (FIG / "MANIFEST.tsv").read_text() + "figures/pipeline_waste.png\tanalysis/pipeline_waste.py\n"
    (tmp_path / "MANIFEST.tsv").write_text(manifest)
    (tmp_path / "captions.json").write_text((FIG / "captions.json").read_text())
    (tmp_path / "vars.json").write_text("{}\n")
    page = render(tmp_path / "MANIFEST.tsv", tmp_path / "captions.json", tmp_path / "vars.json")
    assert '<img src="pipeline_waste.png"' in page and "analysis/pipeline_waste.py" in page
    assert page.count(cl.NOT_YET_BUILT) >= 5
    shipped = (FIG / "index.html").read_text()
    for study in ("survey", "openml", "pipelines", "automl", "pimentel", "rule"):
        assert f">{study}</a></td>" in shipped
    assert "36.45%" in shipped and "76.88%" in shipped


def test_uncorrected_change_type_figures_say_so_with_their_held_out_error():
    """The shares that no correction covers (docs/trace-validity.md) carry that in their captions."""
    variables = json.loads((FIG / "variables.json").read_text())
    for stem in ("change_types", "change_stages"):
        first = (FIG / f"{stem}.md").read_text().splitlines()[0]
        assert "not corrected for misclassification" in first, stem
        assert f"{variables['traceChangeAccuracyLatest']:.1%}" in first, stem
    assert "OpenML change types have no hand labels" in (FIG / "change_types.md").read_text().splitlines()[0]


def test_read_fragment_names_a_missing_fragment(tmp_path):
    from mliter.report.variables import read_fragment, write_fragment

    write_fragment("x", {"nThings": 3}, folder=tmp_path)
    assert read_fragment("x", folder=tmp_path) == {"nThings": 3}
    with pytest.raises(MliterError, match=r"y.json: cannot be read .*make figures"):
        read_fragment("y", folder=tmp_path)
