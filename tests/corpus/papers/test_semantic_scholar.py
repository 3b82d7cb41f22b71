"""Semantic Scholar Graph API: recorded JSON bodies and VCR cassettes, and malformed responses."""

from __future__ import annotations

from pathlib import Path

import pytest

from mliter.corpus.papers.record import RecordError
from mliter.corpus.papers.semantic_scholar import parse_cassette, parse_document, parse_path

S2 = "paper_pages/semantic_scholar"


@pytest.mark.integration
def test_recorded_search_cassette(shared: Path) -> None:
    papers = parse_path(shared / S2 / "test_search_paper.yaml")
    assert len(papers) == 100 and len({p.paper_id for p in papers}) == 100
    p = papers[0]
    assert p.paper_id == "s2:7cbc2a7843411a1768ab762930707af0a3c33a19"
    assert p.title == ("Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B, A Large-Scale Generative "
                       "Language Model")
    assert (p.year, p.authors, p.abstract) == (None, (), "")  # the search asked for titles only
    assert p.url == "https://www.semanticscholar.org/paper/7cbc2a7843411a1768ab762930707af0a3c33a19"
    assert p.commit == "73c77266abcab52125941736d87c659ed4fa0e15"


@pytest.mark.integration
def test_recorded_citation_and_reference(shared: Path) -> None:
    (c,) = parse_path(shared / S2 / "Citation.json")
    assert c.paper_id == "doi:10.1109/lra.2022.3229266"  # no arXiv id: the DOI names it
    assert c.title == "Learning to Throw With a Handful of Samples Using Decision Transformers"
    assert (c.venue, c.year, c.authors) == ("IEEE Robotics and Automation Letters", 2023,
                                            ("M. Monastirsky", "Osher Azulay", "A. Sintov"))
    (r,) = parse_path(shared / S2 / "Reference.json")
    assert (r.paper_id, r.arxiv_id, r.year) == ("arxiv:1402.0030", "1402.0030", 2014)
    assert r.venue == "International Conference on Machine Learning"
    assert r.abstract.startswith("Highly expressive directed latent variable models")


@pytest.mark.integration
def test_recorded_records_without_titles_are_named(shared: Path) -> None:
    errors: list = []
    assert parse_path(shared / S2 / "PaperWithNullValues.json", errors) == []
    assert [e.entry for e in errors] == ["document (paperId 2d5673caa9e6af3a7b82a43f19ee920992db07ad)"]
    errors = []
    assert parse_path(shared / S2 / "test_search_paper_year.yaml", errors) == []  # fields=year only
    assert errors and errors[0].entry.startswith("interaction 1.data[0] (paperId ")
    assert "no title" in errors[0].reason
    assert parse_path(shared / S2 / "test_search_author.yaml") == []  # author listings hold no papers


def test_fixture_objects_and_ids() -> None:
    doc = {"data": [
        {"paperId": "p1", "title": "An ACL paper", "externalIds": {"ACL": "2022.x-1.1", "DOI": "10.1/A"},
         "year": 2022, "authors": [{"authorId": "1", "name": "Ann Lee"}], "venue": "X workshop"},
        {"paperId": "p2", "title": "Only on S2", "publicationVenue": {"name": "Journal of Examples"}},
        {"paperId": "p3", "title": "Bad year", "year": "2020"},
    ]}
    errors: list = []
    papers = parse_document(doc, "s.json", errors=errors)
    assert [(p.paper_id, p.venue) for p in papers] == [("acl:2022.x-1.1", "X workshop"),
                                                       ("s2:p2", "Journal of Examples")]
    assert papers[0].doi == "10.1/a" and papers[0].authors == ("Ann Lee",)
    assert [str(e) for e in errors] == ["s.json, entry document.data[2] (paperId p3): 'year' is '2020', "
                                        "expected an integer"]


def test_bad_json_in_cassette() -> None:
    cassette = ("interactions:\n- request: {uri: 'https://api.semanticscholar.org/graph/v1/paper/search'}\n"
                "  response:\n    status: {code: 200}\n    body: {string: '{\"data\": [{\"paperId\": '}\n")
    with pytest.raises(RecordError, match=r"c\.yaml, entry interaction 1: not valid JSON"):
        parse_cassette(cassette, "c.yaml")
    with pytest.raises(RecordError, match="expected a VCR cassette"):
        parse_cassette("just: text\n", "c.yaml")
    throttled = cassette.replace("code: 200", "code: 429")
    errors: list = []
    assert parse_cassette(throttled, "c.yaml", errors) == [] and "HTTP status 429" in str(errors[0])
