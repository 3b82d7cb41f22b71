"""The fetch functions: requests go through PoliteClient (fake transport, never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mliter.corpus.papers import fetch
from mliter.corpus.papers.record import RecordError
from mliter.http import PoliteClient

DATE = {"Date": "Tue, 03 Mar 2026 10:00:00 GMT", "Content-Type": "text/html; charset=utf-8"}


class Transport(BaseAdapter):
    """Answers by URL prefix (query strings ignored); robots.txt and anything unknown get 404."""

    def __init__(self, routes: dict[str, tuple[int, dict, bytes]]) -> None:
        super().__init__()
        self.routes, self.urls = routes, []

    def send(self, request, **kw):
        self.urls.append(request.url)
        base = request.url.split("?")[0]
        status, headers, body = self.routes.get(base, (404, {}, b"no"))
        r = requests.Response()
        r.status_code, r.headers, r._content, r.url, r.request = status, CaseInsensitiveDict(headers), body, \
            request.url, request
        return r

    def close(self) -> None:
        pass


def _client(tmp_path: Path, routes) -> tuple[PoliteClient, Transport]:
    client = PoliteClient(tmp_path / "cache", sleep=lambda s: None, clock=lambda: 0.0)
    t = Transport(routes)
    client.session.mount("https://", t)
    return client, t


def test_pmlr_volume_page(tmp_path: Path, fixtures: Path) -> None:
    html = (fixtures / "papers/pmlr_index_v999.html").read_bytes()
    client, t = _client(tmp_path, {"https://proceedings.mlr.press/v999/": (200, DATE, html)})
    errors: list = []
    papers = fetch.pmlr_volume(client, "v999", errors)
    assert [p.paper_id for p in papers] == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"]
    assert {p.retrieved_at for p in papers} == {"2026-03-03"}
    assert papers[0].record_url == "https://proceedings.mlr.press/v999/"
    assert "https://proceedings.mlr.press/robots.txt" in t.urls  # robots.txt asked first
    assert len(errors) == 1  # the entry without an abs link
    n = client.stats.network_requests
    assert [p.paper_id for p in fetch.pmlr_volume(client, 999, [])] == [p.paper_id for p in papers]
    assert client.stats.network_requests == n  # the second time from the cache


@pytest.mark.integration
def test_arxiv_query_with_recorded_body(tmp_path: Path, shared: Path) -> None:
    body = json.loads((shared / "paper_pages/arxiv_api/q_testing_s0_m10.json").read_text("utf-8"))["body"]
    client, t = _client(tmp_path, {fetch.ARXIV_API: (200, {"Date": DATE["Date"]}, body.encode("utf-8"))})
    papers = fetch.arxiv_query(client, "all:testing", max_results=10)
    assert len(papers) == 10 and papers[0].paper_id == "arxiv:2202.12139"
    sent = [u for u in t.urls if u.startswith(fetch.ARXIV_API)]
    assert sent == ["https://export.arxiv.org/api/query?search_query=all%3Atesting&start=0&max_results=10"]
    assert papers[0].record_url == sent[0] and papers[0].retrieved_at == "2026-03-03"


def test_openalex_and_s2_search(tmp_path: Path, fixtures: Path) -> None:
    works = (fixtures / "papers/openalex_works.json").read_bytes()
    s2 = json.dumps({"total": 1, "offset": 0, "data": [
        {"paperId": "abc", "title": "An Invented Search Hit", "year": 2030, "externalIds": {"ArXiv": "3001.00001"},
         "authors": [{"authorId": "1", "name": "Q. Person"}]}]}).encode()
    client, _ = _client(tmp_path, {fetch.OPENALEX_WORKS: (200, {}, works), fetch.S2_SEARCH: (200, {}, s2)})
    errors: list = []
    got = fetch.openalex_search(client, "crop yields", errors=errors)
    assert [p.paper_id for p in got] == ["doi:10.9999/invented.2031.1", "arxiv:3101.00042", "openalex:W1000000003"]
    assert got[0].retrieved_at == "" and len(errors) == 1  # no Date header; the bad year is reported
    (hit,) = fetch.s2_search(client, "invented", limit=5)
    assert (hit.paper_id, hit.authors, hit.year) == ("arxiv:3001.00001", ("Q. Person",), 2030)


def test_errors_name_the_request(tmp_path: Path) -> None:
    client, _ = _client(tmp_path, {fetch.S2_SEARCH: (200, {}, b"{not json"),
                                   "https://proceedings.mlr.press/v1/": (200, {}, b"<html>no papers</html>")})
    errors: list = []
    assert fetch.s2_search(client, "x", errors=errors) == []
    assert fetch.pmlr_volume(client, "v2", errors=errors) == []  # 404
    assert fetch.pmlr_volume(client, "v1", errors=errors) == []
    text = [str(e) for e in errors]
    assert text[0].startswith("https://api.semanticscholar.org/graph/v1/paper/search?query=x")
    assert "not valid JSON" in text[0]
    assert text[1] == "https://proceedings.mlr.press/v2/, entry response: HTTP 404"
    assert "not a PMLR volume index" in text[2]
    with pytest.raises(RecordError, match="HTTP 404"):
        fetch.pmlr_volume(client, "v2")


def test_fetch_lines_of_the_source_list(tmp_path: Path, fixtures: Path) -> None:
    from mliter.corpus.papers.sources import collect, parse_source_list

    html = (fixtures / "papers/pmlr_index_v999.html").read_bytes()
    client, _ = _client(tmp_path, {"https://proceedings.mlr.press/v999/": (200, DATE, html)})
    specs = parse_source_list("pmlr-volume v999\npmlr_v999\n", "list.txt")
    errors: list = []
    papers = collect(specs, fixtures / "papers", client_factory=lambda: client, errors=errors)
    assert [p.paper_id for p in papers] == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"] * 2
    assert [p.retrieved_at for p in papers] == ["2026-03-03"] * 2 + [""] * 2
    assert len(errors) == 1  # the index entry without an abs link
