"""The one polite, cached HTTP client every mliter scraper goes through.

Every network read the project makes (Kaggle API, OpenML REST, arXiv, Semantic
Scholar, OpenAlex, PMLR pages) uses :class:`PoliteClient`, so that the crawl is

* reproducible: responses land in an on-disk cache, and a rerun against a warm
  cache makes zero network requests (``client.stats`` lets tests prove it);
* polite: at most one request per host per interval, robots.txt obeyed, a
  User-Agent that names us and says where to complain, and back-off whenever
  a server says it is overloaded (429/5xx, ``Retry-After``).

Cache policy: 200 responses are cached, and so are 404 and 410 as a negative
cache -- a dataset deleted from OpenML or a paper unknown to Semantic Scholar
stays gone, and asking again on every rerun would break the zero-request
guarantee. Other statuses are returned but never cached. Entries never expire;
delete the cache directory (or one entry) to refresh. Cached and fresh
responses carry the same small header subset, so code cannot come to depend on
headers that a warm rerun would not have. The client is not thread-safe:
scrapers run sequentially, which is part of being polite.
"""

from __future__ import annotations

from mliter.errors import MliterError
import email.utils
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import requests

from mliter.io import atomic_write_bytes

log = logging.getLogger(__name__)

DEFAULT_CONTACT = "https://github.com/mliter/mliter"
CACHEABLE_STATUSES = frozenset({200, 404, 410})
KEPT_HEADERS = ("content-type", "etag", "last-modified", "date", "link", "retry-after",
                "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-resource")
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # connection dropped mid-body
)


class HTTPClientError(MliterError):
    """Base class of every error this module raises on purpose."""


class RobotsDisallowed(HTTPClientError):
    """The host's robots.txt forbids our User-Agent from fetching this URL."""


class OfflineCacheMiss(HTTPClientError):
    """``offline=True`` and the URL is not in the cache: we refuse to go online."""


class RetriesExhausted(HTTPClientError):
    """The server kept failing (429/5xx or connection errors); we gave up."""

    def __init__(self, message: str, url: str, status: int | None) -> None:
        super().__init__(message)
        self.url, self.status = url, status


class HTTPStatusError(HTTPClientError):
    """A response that is not 2xx, raised by :meth:`CachedResponse.raise_for_status`."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"GET {url} returned HTTP {status}")
        self.url, self.status = url, status


@dataclass(frozen=True)
class CachedResponse:
    """A response as the scrapers see it, whether it came from disk or the wire."""

    status: int
    headers: dict[str, str]  # lower-case names, only KEPT_HEADERS
    content: bytes
    url: str  # final URL, after redirects
    from_cache: bool

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        """Body decoded with the declared charset (UTF-8 when none is declared)."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # unknown charset name
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if not self.ok:
            raise HTTPStatusError(self.url, self.status)


@dataclass
class ClientStats:
    """Counters that let tests assert what actually went over the network."""

    network_requests: int = 0  # every real HTTP attempt, robots.txt and retries included
    cache_hits: int = 0
    retries: int = 0
    not_modified: int = 0  # conditional requests the server answered 304 (the cached copy was current)


class PoliteClient:
    """Cached, rate-limited, robots-respecting GET client built on ``requests``.

    ``cache_dir`` defaults to ``$MLITER_HTTP_CACHE``, else ``~/.cache/mliter/http``.
    ``offline=True`` serves the cache only and raises :class:`OfflineCacheMiss`
    otherwise -- the mode for rebuilding the paper from a frozen crawl.
    ``min_interval`` seconds separate two requests to one host (netloc), unless
    ``host_intervals`` says otherwise for that host. Retries on 429/5xx and
    connection errors wait ``Retry-After`` when given, else ``backoff_base * 2**n``
    capped at ``backoff_max``; a ``Retry-After`` beyond ``max_retry_after`` means
    giving up at once. ``respect_robots=False`` or ``robots_exempt_hosts`` skip
    robots.txt, for APIs whose terms we follow instead; by default every host's
    robots.txt, APIs included, is obeyed. ``contact`` goes into the User-Agent
    so an operator can reach us; ``user_agent`` replaces it whole.

    ``clock`` (monotonic seconds), ``wall_clock`` (epoch seconds, for
    ``Retry-After`` dates) and ``sleep`` are injectable so tests run instantly;
    ``session`` is exposed so tests can mount a fake transport and scrapers
    can set ``session.auth`` (e.g. Kaggle's API key). ``cache_statuses`` adds
    an API's own "no such object" status to the negative cache (OpenML answers
    unknown objects and empty lists with 412).
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        offline: bool = False,
        min_interval: float = 1.0,
        host_intervals: Mapping[str, float] | None = None,
        max_retries: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 600.0,
        respect_robots: bool = True,
        robots_exempt_hosts: Iterable[str] = (),
        contact: str = DEFAULT_CONTACT,
        user_agent: str | None = None,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        cache_statuses: Iterable[int] = CACHEABLE_STATUSES,
    ) -> None:
        if cache_dir is None:
            cache_dir = os.environ.get("MLITER_HTTP_CACHE") or Path.home() / ".cache/mliter/http"
        self.cache_dir = Path(cache_dir).expanduser()
        self.offline = offline
        self.min_interval = min_interval
        self.host_intervals = {h.lower(): v for h, v in (host_intervals or {}).items()}
        self.max_retries = max_retries
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.max_retry_after = max_retry_after
        self.respect_robots = respect_robots
        self.robots_exempt_hosts = {h.lower() for h in robots_exempt_hosts}
        self.user_agent = user_agent or f"mliter/0.1 (research crawler; +{contact})"
        self.timeout = timeout
        self.cache_statuses = frozenset(cache_statuses)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        self.clock, self.wall_clock, self.sleep = clock, wall_clock, sleep
        self.stats = ClientStats()
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}

    # -- public API ---------------------------------------------------------

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        revalidate: bool = False,
    ) -> CachedResponse:
        """GET ``url``: from the cache if we have it, else politely from the network.

        Non-2xx responses are returned, not raised (call ``raise_for_status``).
        Only exhausted retries, robots refusals, offline misses and a failing
        cache write (e.g. a full disk, which would otherwise silently turn every
        rerun into a full re-crawl) raise.

        ``revalidate=True`` (refreshing a crawl) asks the server whether a cached
        entry is still current with a conditional request (``If-None-Match`` from
        its ETag, ``If-Modified-Since`` from its Last-Modified): a 304 returns the
        cached copy (``stats.not_modified``), a 200 replaces it. Offline, or for an
        entry without validators, the cache is served as usual.
        """
        if revalidate and not self.offline:
            return self._revalidate(url, params, headers)
        return self._get(url, params, headers, check_robots=True)

    def _revalidate(self, url: str, params, headers) -> CachedResponse:
        key = self.cache_key(url, params, headers)
        cached = self._read_cache(key)
        validators = {}
        if cached is not None:
            if "etag" in cached.headers:
                validators["If-None-Match"] = cached.headers["etag"]
            if "last-modified" in cached.headers:
                validators["If-Modified-Since"] = cached.headers["last-modified"]
        if not validators:
            return self._get(url, params, headers, check_robots=True)
        self._check_robots(url)
        response = self._fetch(url, params, {**(headers or {}), **validators})
        if response.status == 304:
            self.stats.not_modified += 1
            return cached
        if response.status in self.cache_statuses:
            self._write_cache(key, response)
        return response

    def get_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET a JSON API endpoint; raises :class:`HTTPStatusError` unless 2xx."""
        merged = {"Accept": "application/json", **(headers or {})}
        response = self.get(url, params, merged)
        response.raise_for_status()
        return response.json()

    def cache_key(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """sha256 of method, URL, sorted params and Accept header (it changes the body)."""
        pairs: list[tuple[str, str]] = []
        for name, value in (params or {}).items():
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs += [(str(name), str(v)) for v in values if v is not None]
        accept = next((v for k, v in (headers or {}).items() if k.lower() == "accept"), "")
        blob = json.dumps(["GET", url, sorted(pairs), accept])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    # -- internals ----------------------------------------------------------

    def _get(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        check_robots: bool,
    ) -> CachedResponse:
        key = self.cache_key(url, params, headers)
        cached = self._read_cache(key)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        if self.offline:
            raise OfflineCacheMiss(
                f"offline mode: GET {url} (params={params}) is not in {self.cache_dir}"
            )
        if check_robots:
            self._check_robots(url)
        response = self._fetch(url, params, headers)
        if response.status in self.cache_statuses:
            self._write_cache(key, response)
        return response

    def _paths(self, key: str) -> tuple[Path, Path]:
        shard = self.cache_dir / key[:2]
        return shard / f"{key}.body", shard / f"{key}.json"

    def _read_cache(self, key: str) -> CachedResponse | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            status, headers, url = meta["status"], meta["headers"], meta["url"]
            content = body_path.read_bytes()
        except (OSError, ValueError, KeyError):  # absent or unreadable: a miss
            return None
        return CachedResponse(status, headers, content, url, from_cache=True)

    def _write_cache(self, key: str, response: CachedResponse) -> None:
        # The body goes first and the metadata last: an entry exists only once
        # its metadata does, so a failure between the two leaves a cache miss.
        body_path, meta_path = self._paths(key)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(body_path, response.content)
        meta = {"status": response.status, "headers": response.headers, "url": response.url}
        atomic_write_bytes(meta_path, json.dumps(meta, sort_keys=True).encode("utf-8"))

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.netloc.lower()
        if not self.respect_robots or host in self.robots_exempt_hosts:
            return
        parser = self._robots.get(host)
        if parser is None:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            response = self._get(robots_url, None, None, check_robots=False)
            parser = RobotFileParser(robots_url)
            # Read as urllib.robotparser.read() does: 401/403 forbid everything, any
            # other 4xx means there is no robots.txt and everything is allowed. A
            # robots.txt that keeps failing with 5xx raises RetriesExhausted.
            if response.status in (401, 403):
                parser.parse(["User-agent: *", "Disallow: /"])
            else:
                parser.parse(response.text.splitlines() if response.ok else [])
            self._robots[host] = parser
        if not parser.can_fetch(self.user_agent, url):
            raise RobotsDisallowed(f"robots.txt of {host} disallows {url} for {self.user_agent!r}")

    def _wait_for_host(self, host: str) -> None:
        """Sleep until the host's minimum interval since our last request has passed."""
        interval = self.host_intervals.get(host, self.min_interval)
        last = self._last_request.get(host)
        if last is not None:
            wait = last + interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = self.clock()

    def _retry_after(self, response: requests.Response) -> float | None:
        """Seconds the server asked us to wait, from either form of ``Retry-After``."""
        value = response.headers.get("Retry-After")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.wall_clock())

    def _fetch(
        self, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None
    ) -> CachedResponse:
        host = urlsplit(url).netloc.lower()
        status: int | None = None
        reason = "no attempt made"
        for attempt in range(self.max_retries + 1):
            self._wait_for_host(host)
            self.stats.network_requests += 1
            log.debug("GET %s params=%s (attempt %d)", url, params, attempt + 1)
            try:
                raw = self.session.get(
                    url, params=params, headers=dict(headers or {}), timeout=self.timeout
                )
            except TRANSIENT_ERRORS as exc:
                status, reason, delay = None, f"{type(exc).__name__}: {exc}", None
            else:
                status, reason = raw.status_code, f"HTTP {raw.status_code}"
                if status != 429 and not 500 <= status < 600:
                    kept = {k: raw.headers[k] for k in KEPT_HEADERS if k in raw.headers}
                    return CachedResponse(status, kept, raw.content, raw.url, from_cache=False)
                delay = self._retry_after(raw)
            if attempt == self.max_retries:
                break
            if delay is None:
                delay = min(self.backoff_max, self.backoff_base * 2**attempt)
            elif delay > self.max_retry_after:
                raise RetriesExhausted(
                    f"GET {url}: server answered {reason} and asked us to wait {delay:.0f} s "
                    f"(more than max_retry_after={self.max_retry_after:.0f} s); giving up",
                    url,
                    status,
                )
            log.info("GET %s: %s, retrying in %.1f s", url, reason, delay)
            self.stats.retries += 1
            self.sleep(delay)
        raise RetriesExhausted(
            f"GET {url} failed after {self.max_retries + 1} attempts; last error: {reason}",
            url,
            status,
        )
