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


import hashlib  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_titles = st.sampled_from(["Learning to Count Invented Beans", "Sensor Drift in Made Up Plants", "Preface",
                           "Learning to count invented beans!"])


def _gen(kind: str, n: int, title: str, year: int) -> Paper:
    """A record whose DOI and arXiv id follow from its id, as with real sources; sha256 from its content."""
    pid = f"arxiv:2001.0000{n}" if kind == "arxiv" else f"{kind}:{n}"
    doi = f"10.1/{n % 2}" if (n + len(kind)) % 2 == 0 else ""
    arxiv_id = f"2001.0000{n}" if kind == "arxiv" or (kind == "s2" and n % 3 == 0) else ""
    source = {"pmlr": "pmlr", "s2": "semantic_scholar", "arxiv": "arxiv", "list": "list"}[kind]
    sha = hashlib.sha256(repr((pid, title, year)).encode()).hexdigest()
    return _p(pid, title=title, year=year, source=source, doi=doi, arxiv_id=arxiv_id, sha256=sha)


_records = st.builds(_gen, st.sampled_from(["pmlr", "s2", "arxiv", "list"]), st.integers(0, 3), _titles,
                     st.sampled_from([2020, 2021]))


@settings(max_examples=200, deadline=None)
@given(st.lists(_records, max_size=12), st.randoms())
def test_dedup_invariants(records, rnd) -> None:
    out = deduplicate(records)
    ids = [p.paper_id for p in out]
    assert ids == sorted(set(ids))
    merged = [i for p in out for i in p.merged_ids]
    assert sorted(merged) == sorted({r.paper_id for r in records})  # every record lands in exactly one row
    for p in out:  # a row never holds two different DOIs / arXiv ids / venue ids among its members
        members = [r for r in records if r.paper_id in p.merged_ids]
        assert len({r.doi for r in members if r.doi}) <= 1
        assert len({r.arxiv_id for r in members if r.arxiv_id}) <= 1
        assert len({r.paper_id for r in members if r.paper_id.startswith("pmlr:")}) <= 1
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert deduplicate(shuffled) == out  # independent of input order
