"""arXiv Atom responses: the three recorded responses and malformed feeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mliter.corpus.papers.arxiv import parse_feed, parse_path, repair_mojibake
from mliter.corpus.papers.record import RecordError

ARXIV = "paper_pages/arxiv_api"


@pytest.mark.integration
def test_recorded_json_wrapped_response(shared: Path) -> None:
    papers = parse_path(shared / ARXIV / "q_testing_s0_m100.json")
    assert len(papers) == 100 and len({p.paper_id for p in papers}) == 100
    p = papers[0]
    assert p.paper_id == "arxiv:2202.12139" and p.arxiv_id == "2202.12139"
    assert p.title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    assert p.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert (p.year, p.venue, p.source) == (2022, "arXiv", "arxiv")
    assert p.doi == "10.1109/icstw55395.2022.00035"
    assert p.url == "https://arxiv.org/abs/2202.12139"
    assert p.abstract.startswith("Deep Learning (DL) has revolutionized")
    assert p.commit == "93315e7ce9f48e0786317ac2c3d78bdf5bdb748f" and p.license.startswith("MIT")
    # the first ten of the m100 response are the m10 response, byte-identical entries
    by_id = {q.paper_id: q for q in papers}
    assert by_id["arxiv:2306.03845"].title == "$ω$Test: WebView-Oriented Testing for Android Applications"
    m10 = parse_path(shared / ARXIV / "q_testing_s0_m10.json")
    assert [(q.paper_id, q.sha256) for q in m10] == [(q.paper_id, q.sha256) for q in papers[:10]]


@pytest.mark.integration
def test_recorded_raw_atom(shared: Path) -> None:
    papers = parse_path(shared / ARXIV / "search_query_au_del_maestro.atom.xml")
    assert len(papers) == 10
    p = papers[0]
    assert (p.paper_id, p.year, p.authors) == ("arxiv:1201.4869", 2012, ("Adrian Del Maestro",))
    assert p.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert p.doi == "10.1142/s021797921244002x"
    assert p.abstract.startswith("As helium-4 is cooled below 2.17 K")  # leading spaces and line breaks folded


@pytest.mark.integration
def test_truncated_feed_names_the_entry(shared: Path, tmp_path: Path) -> None:
    body = json.loads((shared / ARXIV / "q_testing_s0_m10.json").read_text(encoding="utf-8"))["body"]
    cut = body[:body.index("<entry>", body.index("2405.13786")) + 200]  # inside the third entry
    with pytest.raises(RecordError) as exc:
        parse_feed(cut, "cut.xml")
    assert str(exc.value).startswith("cut.xml, entry entry 3") and "not well-formed XML" in str(exc.value)


FEED = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2101.00001v2</id><title>An  invented
 title</title><published>2021-01-01T00:00:00Z</published><summary>Made up.</summary>
<author><name>A. Person</name></author></entry>
<entry><id>http://arxiv.org/abs/2101.00002v1</id><published>2021-01-02T00:00:00Z</published></entry>
<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><summary>incorrect id format for 1234</summary></entry>
</feed>"""


def test_fixture_feed_and_record_errors() -> None:
    errors: list = []
    papers = parse_feed(FEED, "feed.xml", errors)
    assert [(p.paper_id, p.title, p.year) for p in papers] == [("arxiv:2101.00001", "An invented title", 2021)]
    changed = parse_feed(FEED.replace("Made up.", "Made up!"), "feed.xml", [])
    assert len(papers[0].sha256) == 64 and changed[0].sha256 != papers[0].sha256  # hash of the entry's bytes
    assert parse_feed(FEED.replace("<feed ", "<feed  "), "feed.xml", [])[0].sha256 == papers[0].sha256
    assert [str(e) for e in errors] == [
        "feed.xml, entry entry 2 (http://arxiv.org/abs/2101.00002v1): no <title>",
        "feed.xml, entry entry 3 (http://arxiv.org/api/errors#incorrect_id_format_for_1234): "
        "the arXiv API returned an error: incorrect id format for 1234",
    ]


def test_bad_json_wrapper(tmp_path: Path) -> None:
    f = tmp_path / "resp.json"
    f.write_text('{"url": "x", "body": "<feed', encoding="utf-8")
    with pytest.raises(RecordError, match=r"resp\.json, entry document: not valid JSON"):
        parse_path(f)
    f.write_text('{"url": "x", "status_code": 503, "body": "busy"}', encoding="utf-8")
    with pytest.raises(RecordError, match="HTTP status 503"):
        parse_path(f)


def test_repair_mojibake() -> None:
    assert repair_mojibake("$\u00cf\u0089$Test") == "$ω$Test"
    assert repair_mojibake("caf\u00e9 au lait") == "café au lait"  # real Latin-1 text is not valid UTF-8: kept
    assert repair_mojibake("plain") == "plain" and repair_mojibake("ω already") == "ω already"
