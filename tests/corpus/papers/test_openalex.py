"""OpenAlex works JSON (fixture written from the documented Work object; nothing is recorded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mliter.corpus.papers.openalex import abstract_from_inverted_index, parse_document, parse_path
from mliter.corpus.papers.record import RecordError


def test_fixture_list_response(fixtures: Path) -> None:
    errors: list = []
    papers = parse_path(fixtures / "papers/openalex_works.json", errors)
    assert len(papers) == 3
    a, b, c = papers
    assert (a.paper_id, a.doi, a.venue, a.year) == ("doi:10.9999/invented.2031.1", "10.9999/invented.2031.1",
                                                    "Journal of Made-Up Agronomy", 2031)
    assert a.authors == ("Ada Field", "Bo Grain")
    assert a.abstract == "We tried three models on invented invented fields."
    assert (b.paper_id, b.arxiv_id, b.authors, b.abstract) == ("arxiv:3101.00042", "3101.00042", ("C. Sensor",), "")
    assert (c.paper_id, c.title, c.url) == ("openalex:W1000000003", "Only a Display Name Here",
                                            "https://openalex.org/W1000000003")
    assert [str(e) for e in errors] == [f"{fixtures / 'papers/openalex_works.json'}, entry results[3] (W1000000004): "
                                        "'publication_year' is '2030', expected an integer"]


def test_inverted_index() -> None:
    assert abstract_from_inverted_index({"b": [1], "a": [0, 2]}) == "a b a"
    assert abstract_from_inverted_index(None) == ""
    with pytest.raises(RecordError, match="not a list of positions"):
        abstract_from_inverted_index({"a": ["x"]}, "f.json", "work")


def test_single_work_and_bad_documents(tmp_path: Path) -> None:
    (p,) = parse_document({"id": "https://openalex.org/W5", "title": "One", "publication_year": 2001}, "w.json")
    assert p.paper_id == "openalex:W5" and p.year == 2001
    with pytest.raises(RecordError, match="expected a Work object or a list response"):
        parse_document([1, 2], "w.json")
    with pytest.raises(RecordError, match=r"entry work: 'id' 'W5' is not an OpenAlex work id"):
        parse_document({"id": "W5", "title": "x"}, "w.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"results": [', encoding="utf-8")
    with pytest.raises(RecordError, match=r"bad\.json, entry document: not valid JSON"):
        parse_path(bad)
