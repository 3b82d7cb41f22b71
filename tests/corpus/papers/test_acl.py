"""ACL Anthology XML: the recorded collection and malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from mliter.corpus.papers.acl import anthology_id, parse_collection, parse_path
from mliter.corpus.papers.record import RecordError


@pytest.mark.integration
def test_recorded_collection(shared: Path) -> None:
    papers = parse_path(shared / "paper_pages/acl_anthology/2022.naloma.xml")
    assert [p.paper_id for p in papers] == [f"acl:2022.naloma-1.{i}" for i in range(1, 6)]  # frontmatter skipped
    p = papers[2]
    assert p.title == "Learning Knowledge with Neural DTS"  # <fixed-case> markup dropped
    assert p.authors == ("Daisuke Bekki", "Ribeka Tanaka", "Yuta Takahashi")
    assert (p.venue, p.year, p.url) == ("NALOMA III", 2022, "https://aclanthology.org/2022.naloma-1.3")
    assert p.abstract == "" and p.commit == "263bbd4b4ca20c9bbd799a61be6c88facd147be7"
    assert len(papers[3].authors) == 5


def test_ids() -> None:
    assert anthology_id("P19", "1", "1") == "P19-1001"
    assert anthology_id("2022.acl", "long", "12") == "2022.acl-long.12"


@pytest.mark.integration
def test_truncated_xml_names_the_paper(shared: Path) -> None:
    text = (shared / "paper_pages/acl_anthology/2022.naloma.xml").read_text(encoding="utf-8")
    cut = text[:text.index("Center-Embedding")]
    with pytest.raises(RecordError, match=r"x\.xml, entry paper 4 \(4\): not well-formed XML"):
        parse_collection(cut, "x.xml")


def test_fixture_errors_and_abstract() -> None:
    xml = ("<collection id='2031.wie'><volume id='1'><meta><booktitle>Invented Workshop</booktitle>"
           "<year>2031</year></meta>"
           "<paper id='1'><title>Good <i>one</i></title><author><first>A</first><last>B</last></author>"
           "<abstract>We made <b>this</b> up.</abstract><doi>10.9/WIE.1</doi></paper>"
           "<paper id='2'><author><first>C</first><last>D</last></author></paper></volume></collection>")
    errors: list = []
    papers = parse_collection(xml, "w.xml", errors)
    assert [(p.paper_id, p.title, p.venue, p.abstract, p.doi) for p in papers] == [
        ("acl:2031.wie-1.1", "Good one", "Invented Workshop", "We made this up.", "10.9/wie.1")]
    assert [str(e) for e in errors] == ["w.xml, entry volume 1 paper 2 (2031.wie-1.2): no <title>"]
    with pytest.raises(RecordError, match="expected <collection"):
        parse_collection("<volume id='1'/>", "v.xml")
