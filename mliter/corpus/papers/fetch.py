"""The network-facing side of the paper sources: every request goes through `mliter.http.PoliteClient`.

Each function builds one request (a PMLR volume's index page, an arXiv API query, a
Semantic Scholar paper search, an OpenAlex works search), lets the polite client fetch
it (cache, robots.txt, per-host rate limit, backoff honouring Retry-After) and hands
the body to the same parser the recorded files go through. Records carry the request
URL as `record_url` and the day of the response's `Date` header as `retrieved_at`
(cached with the body, so a rerun from the cache gives the same table).

A response that is not 200 is reported as a RecordError naming the URL; with an
`errors` list the batch goes on, as for local files.
"""

from __future__ import annotations

import email.utils
from dataclasses import replace
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

from mliter.corpus.papers import arxiv, openalex, pmlr, semantic_scholar
from mliter.corpus.papers.jsonutil import load_json
from mliter.corpus.papers.record import Paper, RecordError, report
from mliter.http import CachedResponse, HTTPClientError, PoliteClient

PMLR_INDEX = "https://proceedings.mlr.press/v{volume}/"
ARXIV_API = "https://export.arxiv.org/api/query"
S2_SEARCH = "https://api.semanticscholar.org/graph/v1/paper/search"
OPENALEX_WORKS = "https://api.openalex.org/works"
S2_FIELDS = "paperId,externalIds,title,abstract,venue,publicationVenue,year,authors,url"
#: arXiv asks for one request every three seconds; the others are fine with the client's default.
HOST_INTERVALS = {"export.arxiv.org": 3.0, "api.semanticscholar.org": 1.0, "api.openalex.org": 0.2}


def make_client(cache_dir: str | Path | None = None, offline: bool = False) -> PoliteClient:
    """The client the `mliter corpus papers` fetch options use."""
    return PoliteClient(cache_dir, offline=offline, host_intervals=HOST_INTERVALS)


def retrieved_day(response: CachedResponse) -> str:
    """YYYY-MM-DD of the response's Date header ('' when it has none)."""
    value = response.headers.get("date", "")
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat() if value else ""
    except (TypeError, ValueError):
        return ""


def _fetch(client: PoliteClient, url: str, params: dict | None, errors: list[RecordError] | None,
           accept: str | None, parse: Callable[[CachedResponse, str], list[Paper]]) -> list[Paper]:
    """GET, check the status, parse the body; problems named by the request URL (raised or recorded)."""
    shown = url + ("?" + urlencode(params) if params else "")
    try:
        response = client.get(url, params, {"Accept": accept} if accept else None)
        if response.status != 200:
            raise RecordError(shown, "response", f"HTTP {response.status}")
        papers = parse(response, shown)
    except HTTPClientError as exc:
        report(errors, RecordError(shown, "request", str(exc)))
        return []
    except RecordError as exc:
        report(errors, exc)
        return []
    day = retrieved_day(response)
    return [replace(p, record_url=shown, retrieved_at=day) for p in papers]


def pmlr_volume(client: PoliteClient, volume: str | int, errors: list[RecordError] | None = None) -> list[Paper]:
    """Papers listed on a PMLR volume's web index page (`v219` or `219`)."""
    number = str(volume).lstrip("v")
    return _fetch(client, PMLR_INDEX.format(volume=number), None, errors, None,
                  lambda r, u: pmlr.parse_index_html(r.text, u, number, errors))


def arxiv_query(client: PoliteClient, query: str, start: int = 0, max_results: int = 100,
                errors: list[RecordError] | None = None) -> list[Paper]:
    """One page of an arXiv API `search_query` (e.g. `cat:cs.LG AND abs:clinical`)."""
    params = {"search_query": query, "start": start, "max_results": max_results}
    return _fetch(client, ARXIV_API, params, errors, "application/atom+xml",
                  lambda r, u: arxiv.parse_feed(r.content, u, errors))


def s2_search(client: PoliteClient, query: str, limit: int = 100, offset: int = 0,
              errors: list[RecordError] | None = None) -> list[Paper]:
    """One page of a Semantic Scholar Graph API paper search, with the fields our record needs."""
    params = {"query": query, "fields": S2_FIELDS, "offset": offset, "limit": limit}
    return _fetch(client, S2_SEARCH, params, errors, "application/json",
                  lambda r, u: semantic_scholar.parse_document(load_json(r.content, u), u, errors=errors))


def openalex_search(client: PoliteClient, query: str, per_page: int = 100, page: int = 1,
                    errors: list[RecordError] | None = None) -> list[Paper]:
    """One page of an OpenAlex works search."""
    params = {"search": query, "per-page": per_page, "page": page}
    return _fetch(client, OPENALEX_WORKS, params, errors, "application/json",
                  lambda r, u: openalex.parse_document(load_json(r.content, u), u, errors))


#: The fetch kinds of `corpus/papers_sources.txt` and `mliter corpus papers` options.
FETCHERS: dict[str, Callable[..., list[Paper]]] = {
    "pmlr-volume": pmlr_volume,
    "arxiv-query": arxiv_query,
    "s2-query": s2_search,
    "openalex-search": openalex_search,
}
