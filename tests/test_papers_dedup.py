"""Deduplication across sources: DOI, arXiv id, title + year; provenance of merged records kept."""

from __future__ import annotations

from mliter.corpus.papers.dedup import deduplicate
from mliter.corpus.papers.record import Paper, normalize_arxiv_id, normalize_doi, normalize_title


def _p(pid, title="A Study of Invented Things", year=2020, source="list", **kw) -> Paper:
    return Paper(paper_id=pid, title=title, authors=kw.pop("authors", ()), venue=kw.pop("venue", ""), year=year,
                 source=source, **kw)


def test_normalizers() -> None:
    assert normalize_doi("https://doi.org/10.1145/ABC.1") == "10.1145/abc.1"
    assert normalize_doi("doi:10.5/x") == "10.5/x" and normalize_doi("not a doi") == ""
    assert normalize_arxiv_id("http://arxiv.org/abs/2202.12139v1") == "2202.12139"
    assert normalize_arxiv_id("arXiv:cond-mat/0102536v2") == "cond-mat/0102536"
    assert normalize_arxiv_id("2202.121") == ""
    assert normalize_title("  Über-Learning:  the {GAN} Way! ") == "uber learning the gan way"


def test_merge_by_doi_arxiv_and_title_year_keeps_provenance() -> None:
    records = [
        _p("s2:aaa", source="semantic_scholar", doi="10.1/x", abstract="from s2", venue="J. Inv."),
        _p("arxiv:2001.00001", title="A different title in the preprint", source="arxiv", arxiv_id="2001.00001",
           doi="10.1/x"),
        _p("pmlr:v1/inv20a", title="A study of invented things.", source="pmlr", url="https://p/v1/inv20a.html"),
        _p("list:a-study-of-invented-things", year=2021),  # other year: not merged by title
        _p("arxiv:2001.00001", source="arxiv", arxiv_id="2001.00001", doi="10.1/x"),  # same record, second file
    ]
    out = {p.paper_id: p for p in deduplicate(records)}
    assert sorted(out) == ["list:a-study-of-invented-things", "pmlr:v1/inv20a"]
    m = out["pmlr:v1/inv20a"]
    assert m.sources == ("arxiv", "pmlr", "semantic_scholar")
    assert m.merged_ids == ("arxiv:2001.00001", "pmlr:v1/inv20a", "s2:aaa")
    assert (m.doi, m.arxiv_id, m.abstract, m.venue, m.url) == ("10.1/x", "2001.00001", "from s2", "J. Inv.",
                                                                "https://p/v1/inv20a.html")
    assert m.title == "A study of invented things."  # the best-ranked record's own fields are kept


def test_distinct_ids_of_one_kind_are_never_merged() -> None:
    same_title = [_p("pmlr:v9/a20a", source="pmlr"), _p("pmlr:v9/b20a", source="pmlr"),
                  _p("s2:zzz", source="semantic_scholar")]
    out = deduplicate(same_title)
    assert [p.paper_id for p in out] == ["pmlr:v9/a20a", "pmlr:v9/b20a"]
    assert out[0].merged_ids == ("pmlr:v9/a20a", "s2:zzz")  # joins the first, not both
    two_arxiv = [_p("arxiv:2001.00001", arxiv_id="2001.00001"), _p("arxiv:2001.00002", arxiv_id="2001.00002")]
    assert len(deduplicate(two_arxiv)) == 2


def test_short_titles_do_not_merge() -> None:
    assert len(deduplicate([_p("pmlr:v1/pref", title="Preface"), _p("pmlr:v2/pref", title="Preface")])) == 2
