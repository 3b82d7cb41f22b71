"""A small GitHub REST client for issue threads, on the one polite HTTP client (`mliter.http`).

- Pagination follows the `Link` header's `rel="next"` until there is none (never guesses page
  numbers), with a bound on the number of pages.
- Conditional requests: a refresh revalidates cached pages with their ETag (`If-None-Match`);
  a 304 costs no rate limit on GitHub and returns the cached copy.
- Rate limits: the `X-RateLimit-Remaining`/`-Reset` headers of every response are read; when
  the remaining budget is 0 the client sleeps until the reset before the next request (at most
  `max_wait` seconds, else it stops with a clear error), and a 403/429 rate-limit answer is
  retried once after that wait. Retry-After on 429/5xx is honoured by the polite client.
- Authentication: a token from `GITHUB_TOKEN` (or `token=`) goes into the session's
  Authorization header only. It is never part of a cache key, never stored (the cache keeps the
  body and a few response headers), never logged or printed.
api.github.com's robots.txt disallows all crawling; an API client follows GitHub's API terms
instead, so that host is exempt from robots.txt (as the polite client allows for APIs).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Iterator

from mliter.errors import InputError
from mliter.http import CachedResponse, PoliteClient

API = "https://api.github.com"
API_HOST = "api.github.com"
TOKEN_ENV = "GITHUB_TOKEN"
ACCEPT = "application/vnd.github+json"
LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')


class GitHubError(InputError):
    """A GitHub answer the client cannot use (status, rate limit beyond the wait allowed, bad pagination)."""


def parse_link(header: str | None) -> dict[str, str]:
    """`Link` header -> {rel: url}."""
    return {rel: url for url, rel in LINK.findall(header or "")}


@dataclass
class RateLimit:
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # epoch seconds

    def update(self, headers: dict[str, str]) -> None:
        for name, attr in (("x-ratelimit-limit", "limit"), ("x-ratelimit-remaining", "remaining"),
                           ("x-ratelimit-reset", "reset")):
            value = headers.get(name)
            if value is not None and value.strip().isdigit():
                setattr(self, attr, int(value))


class GitHubClient:
    def __init__(self, http: PoliteClient | None = None, token: str | None = None, max_wait: float = 900.0,
                 max_pages: int = 100, revalidate: bool = False) -> None:
        self.http = http or PoliteClient(min_interval=1.0, robots_exempt_hosts=(API_HOST,))
        self.http.robots_exempt_hosts.add(API_HOST)
        token = token if token is not None else os.environ.get(TOKEN_ENV)
        if token:
            self.http.session.headers["Authorization"] = f"Bearer {token}"
        self.max_wait, self.max_pages, self.revalidate = max_wait, max_pages, revalidate
        self.rate = RateLimit()

    def _wait_for_budget(self) -> None:
        if self.rate.remaining == 0 and self.rate.reset is not None:
            wait = self.rate.reset - self.http.wall_clock()
            if wait > self.max_wait:
                raise GitHubError(f"GitHub rate limit exhausted until epoch {int(self.rate.reset)} "
                                  f"({wait:.0f} s, more than max_wait={self.max_wait:.0f} s); set {TOKEN_ENV} or retry later")
            if wait > 0:
                self.http.sleep(wait + 1)
            self.rate.remaining = None

    def get(self, url: str, params: dict[str, Any] | None = None) -> CachedResponse:
        """GET an API URL (absolute, or a path under https://api.github.com), honouring the rate limit."""
        if url.startswith("/"):
            url = API + url
        for attempt in range(2):
            self._wait_for_budget()
            response = self.http.get(url, params, {"Accept": ACCEPT}, revalidate=self.revalidate)
            if not response.from_cache:
                self.rate.update(response.headers)
            limited = response.status in (403, 429) and response.headers.get("x-ratelimit-remaining") == "0"
            if limited and attempt == 0:
                continue
            if not response.ok:
                raise GitHubError(f"GET {url} returned HTTP {response.status}"
                                  + (" (rate limit exhausted)" if limited else ""))
            return response
        raise AssertionError("unreachable")

    def paginate(self, url: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"` page by page."""
        seen: set[str] = set()
        pages = 0
        while url:
            response = self.get(url, params)
            body = response.json()
            if isinstance(body, dict) and "items" in body:  # search endpoints wrap the list
                body = body["items"]
            if not isinstance(body, list):
                raise GitHubError(f"GET {url}: expected a JSON list, got {type(body).__name__}")
            yield from body
            pages += 1
            nxt = parse_link(response.headers.get("link")).get("next")
            if nxt in seen or pages >= self.max_pages:
                if nxt:
                    raise GitHubError(f"pagination of {url} stopped after {pages} pages (loop or max_pages)")
                break
            if nxt:
                seen.add(nxt)
            url, params = nxt, None  # the next URL carries its own query

    def issue(self, repo: str, number: int) -> dict:
        return self.get(f"/repos/{repo}/issues/{number}").json()

    def comments(self, repo: str, number: int, per_page: int | None = None) -> list[dict]:
        """Every comment of an issue (all pages; `per_page` up to 100 saves requests on long threads)."""
        params = {"per_page": per_page} if per_page else None
        return list(self.paginate(f"/repos/{repo}/issues/{number}/comments", params))


def render_thread(repo: str, issue: dict, comments: list[dict]) -> str:
    """A full thread as text in the layout of the staged excerpts (header, labels, title, dated blocks)."""
    kind = "pull request" if "pull_request" in issue else "issue"
    lines = [f"{repo} · {kind} #{issue.get('number')} · {issue.get('state', '')}"]
    labels = [lab.get("name", "") for lab in issue.get("labels") or [] if isinstance(lab, dict)]
    if labels:
        lines.append("labels: " + ", ".join(labels))
    lines += [f"# {issue.get('title', '')}", ""]
    blocks = [(issue, "description")] + [(c, "comment") for c in comments]
    for item, role in blocks:
        who = (item.get("user") or {}).get("login", "")
        day = (item.get("created_at") or "")[:10]
        lines += [f"{who} · {role} · {day}", (item.get("body") or "").replace("\r\n", "\n"), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
