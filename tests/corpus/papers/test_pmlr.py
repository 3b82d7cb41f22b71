"""PMLR volumes: the recorded clones of six volumes, a fixture volume, the index page and broken input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from mliter.corpus.papers.bibtex import detex, parse_bibtex, split_authors
from mliter.corpus.papers.pmlr import paper_from_post, parse_index_html, parse_volume
from mliter.corpus.papers.record import RecordError

VOLUMES = {"paper_pages/pmlr_v219_mlhc2023": 48, "pmlr/v81": 20, "pmlr/v102": 48, "pmlr/v120": 100,
           "pmlr/v174": 24, "pmlr/v240": 18}


@pytest.mark.integration
@pytest.mark.parametrize("folder,count", sorted(VOLUMES.items()))
def test_recorded_volume_counts_and_posts_match_bibtex(shared: Path, folder: str, count: int) -> None:
    errors: list = []
    papers = parse_volume(shared / folder, errors)
    assert errors == []  # every post matched one @InProceedings entry and vice versa
    assert len(papers) == count
    assert len({p.paper_id for p in papers}) == count
    assert all(p.title and p.url.startswith("https://proceedings.mlr.press/v") for p in papers)


@pytest.mark.integration
def test_recorded_v219_adams(shared: Path) -> None:
    papers = {p.paper_id: p for p in parse_volume(shared / "paper_pages/pmlr_v219_mlhc2023")}
    p = papers["pmlr:v219/adams23a"]
    assert p.title == "A Meta-Evaluation of Faithfulness Metrics for Long-Form Hospital-Course Summarization"
    assert p.authors == ("Griffin Adams", "Jason Zuckerg", "Nóemie Elhadad")
    assert (p.venue, p.year, p.source) == ("MLHC", 2023, "pmlr")  # venue from the .bib: no _config.yml here
    assert p.url == "https://proceedings.mlr.press/v219/adams23a.html"
    assert p.abstract.startswith("Long-form clinical summarization of hospital admissions")
    post = shared / "paper_pages/pmlr_v219_mlhc2023/_posts/2023-12-22-adams23a.md"
    assert p.sha256 == hashlib.sha256(post.read_bytes()).hexdigest()
    assert p.commit == "0df0200ddd9d93b3650b5bbc812ee9800e68999c"
    assert p.record_url == ("https://github.com/mlresearch/v219/blob/0df0200ddd9d93b3650b5bbc812ee9800e68999c/"
                            "_posts/2023-12-22-adams23a.md")
    # the proceedings give compton23a's title to do23a too: both stay, as two papers
    assert papers["pmlr:v219/do23a"].title == papers["pmlr:v219/compton23a"].title


@pytest.mark.integration
def test_recorded_v81_sections_and_abstract_from_bib(shared: Path) -> None:
    papers = {p.paper_id: p for p in parse_volume(shared / "pmlr/v81")}
    g = papers["pmlr:v81/buolamwini18a"]
    assert g.title == "Gender Shades: Intersectional Accuracy Disparities in Commercial Gender Classification"
    assert (g.authors, g.venue, g.year, g.section) == (("Joy Buolamwini", "Timnit Gebru"), "FAT*", 2018,
                                                       "Contributed Papers")
    assert sorted(p.section for p in papers.values()).count("Keynotes") == 2
    # hellman18a's post has no abstract: the bib entry supplies it; the preface has none anywhere
    assert papers["pmlr:v81/hellman18a"].abstract.startswith("We distinguish among people all the time")
    assert papers["pmlr:v81/friedler18a"].section == "Preface" and papers["pmlr:v81/friedler18a"].abstract == ""


@pytest.mark.integration
def test_recorded_v120_venue_from_config(shared: Path) -> None:
    papers = {p.paper_id: p for p in parse_volume(shared / "pmlr/v120")}
    p = papers["pmlr:v120/abdulsamad20a"]
    assert (p.venue, p.year, p.authors) == ("L4DC", 2020, ("Hany Abdulsamad", "Jan Peters"))
    assert p.title.startswith("Hierarchical Decomposition of Nonlinear Dynamics")


def test_fixture_volume(fixtures: Path) -> None:
    papers = parse_volume(fixtures / "papers/pmlr_v999")
    assert [p.paper_id for p in papers] == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"]
    doe, roe = papers
    assert doe.authors == ("Jane Doe", "Łukasz Exemplar") and doe.venue == "WIE" and doe.year == 2031
    assert doe.section == "Contributed Papers" and doe.commit == "" and doe.record_url == ""
    assert roe.year == 2031  # from the post's date
    assert roe.abstract == "A second invented abstract with an accent: naïve café."  # post has none: from bib


def test_missing_front_matter_names_the_file(tmp_path: Path, fixtures: Path) -> None:
    vol = tmp_path / "v999"
    shutil.copytree(fixtures / "papers/pmlr_v999", vol)
    bad = vol / "_posts/2031-05-01-roe31a.md"
    bad.write_text("title: no dashes\nid: roe31a\n", encoding="utf-8")
    with pytest.raises(RecordError) as exc:
        paper_from_post(bad)
    assert "2031-05-01-roe31a.md" in str(exc.value) and "front matter" in str(exc.value)
    errors: list = []
    papers = parse_volume(vol, errors)  # the batch continues without the broken post
    assert [p.paper_id for p in papers] == ["pmlr:v999/doe31a"]
    assert [e.entry for e in errors] == ["2031-05-01-roe31a", "roe31"]  # the post, then its orphaned bib entry


def test_truncated_front_matter_and_missing_id(tmp_path: Path) -> None:
    post = tmp_path / "2031-01-01-x31a.md"
    post.write_text("---\ntitle: 'unterminated\nid: x31a\n", encoding="utf-8")
    with pytest.raises(RecordError, match="x31a.md, entry 2031-01-01-x31a: no YAML front matter"):
        paper_from_post(post)
    post.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    with pytest.raises(RecordError, match="not valid YAML"):
        paper_from_post(post)
    post.write_text("---\ntitle: Something\nvolume: 1\n---\n", encoding="utf-8")
    with pytest.raises(RecordError, match="no 'id'"):
        paper_from_post(post)


def test_bibtex_reader_and_errors() -> None:
    entries = parse_bibtex('@string{v = "Vol"}\n@Book{k1, title = v # { and more}, year = 2020}\n'
                           '@comment{ignored {nested}}\n@article(k2, author = "M{\\"u}ller, Hans and Ana Silva")',
                           "x.bib")
    assert [(e.type, e.key) for e in entries] == [("book", "k1"), ("article", "k2")]
    assert entries[0].fields["title"] == "Vol and more"
    assert split_authors(entries[1].fields["author"]) == ["Hans Müller", "Ana Silva"]
    assert detex(r"Ca\c{c}a \v{S}ime \'{\i} {\o}re 10\%") == "Caça Šime í øre 10%"
    with pytest.raises(RecordError, match=r"x\.bib, entry broken1: unbalanced braces"):
        parse_bibtex("@inproceedings{broken1,\n title = {never {closed,\n}\n", "x.bib")
    with pytest.raises(RecordError, match=r"entry k3: expected '=' after field 'title'"):
        parse_bibtex("@misc{k3, title {x}}", "x.bib")


def test_index_page(fixtures: Path) -> None:
    html = (fixtures / "papers/pmlr_index_v999.html").read_text(encoding="utf-8")
    errors: list = []
    papers = parse_index_html(html, "https://proceedings.mlr.press/v999/", errors=errors)
    assert [p.paper_id for p in papers] == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"]
    assert papers[0].authors == ("Jane Doe", "Łukasz Exemplar")
    assert (papers[0].venue, papers[0].year) == ("Workshop on Invented Examples", 2031)
    assert papers[0].abstract == ""
    assert len(errors) == 1 and "div.paper #3" in str(errors[0]) and "abs" in str(errors[0])
    with pytest.raises(RecordError, match="div.paper #3"):
        parse_index_html(html, "https://proceedings.mlr.press/v999/")
