"""The curated applied-ML Markdown list: the recorded README and a fixture."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mliter.corpus.papers.markdown_list import parse_markdown, parse_path
from mliter.corpus.papers.record import RecordError


@pytest.mark.integration
def test_recorded_list(shared: Path) -> None:
    papers = parse_path(shared / "paper_pages/applied_ml_list/eugeneyan_applied-ml_README.md")
    assert len(papers) == 542  # table of contents and intro bullets are not entries
    assert len({p.paper_id for p in papers}) == 518  # some entries are listed under two headings
    first = papers[0]
    assert (first.paper_id, first.title, first.venue, first.year, first.section) == (
        "list:reliable-and-scalable-data-ingestion-at-airbnb", "Reliable and Scalable Data Ingestion at Airbnb",
        "Airbnb", 2016, "Data Quality")
    assert first.commit == "d58606b6ec039e9cc242f43fd64d16af71cd1297"
    assert Counter(p.source for p in papers) == {"list": 542}
    assert sum(1 for p in papers if p.arxiv_id) == 100
    assert papers[-1].section == "Fails"


def test_fixture_entries_and_errors() -> None:
    text = """# A list
1. [Contents](#one)

## One
1. [A Blog Post](https://blog.example/post) `Acme` `2019`
2. [Model Notes](https://example.org/notes) ([Paper](https://arxiv.org/abs/1901.00001v3)) `Acme` `Beta Corp` `2020`
- [Relative](./CONTRIBUTING.md)
3. [Broken link(https://nowhere)
### Two
* [Via DOI](https://doi.org/10.5555/ABC) `2018`
"""
    errors: list = []
    papers = parse_markdown(text, "list.md", errors)
    assert [(p.paper_id, p.venue, p.year, p.section) for p in papers] == [
        ("list:a-blog-post", "Acme", 2019, "One"),
        ("arxiv:1901.00001", "Acme, Beta Corp", 2020, "One"),
        ("doi:10.5555/abc", "", 2018, "Two"),
    ]
    assert [str(e) for e in errors] == ["list.md, entry line 8 (One): a list entry must start with a complete "
                                        "[title](url) link"]
    with pytest.raises(RecordError, match="line 8"):
        parse_markdown(text, "list.md")
