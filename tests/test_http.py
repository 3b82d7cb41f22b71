"""Tests for mliter.http. They never touch the network: a fake transport adapter
is mounted on the client's requests.Session and serves canned responses, and
the clock and sleep are fakes so rate limits and back-off cost no real time."""

from __future__ import annotations

import email.utils
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mliter.io import atomic_write_bytes
from mliter.http import (
    HTTPStatusError,
    OfflineCacheMiss,
    PoliteClient,
    RetriesExhausted,
    RobotsDisallowed,
)

Canned = tuple[int, dict[str, str], bytes] | Exception


class FakeTransport(BaseAdapter):
    """Serves queued canned responses per URL and records every request it sees.

    The last queued response for a URL is repeated once the queue runs dry;
    unknown URLs (including robots.txt unless routed) get a 404.
    """

    def __init__(self, routes: dict[str, list[Canned]] | None = None) -> None:
        super().__init__()
        self.routes: dict[str, list[Canned]] = {k: list(v) for k, v in (routes or {}).items()}
        self.requests: list[requests.PreparedRequest] = []

    @property
    def urls(self) -> list[str]:
        return [r.url or "" for r in self.requests]

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.requests.append(request)
        queue = self.routes.get(request.url or "", [(404, {}, b"not found")])
        canned = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(canned, Exception):
            raise canned
        status, headers, body = canned
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = body
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


class FakeClock:
    """Monotonic and wall clock in one; sleeping advances it and is recorded."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(
    cache_dir: Path, transport: FakeTransport, clock: FakeClock, **kwargs: Any
) -> PoliteClient:
    client = PoliteClient(cache_dir, clock=clock, wall_clock=clock, sleep=clock.sleep, **kwargs)
    client.session.mount("http://", transport)
    client.session.mount("https://", transport)
    return client


def cache_files(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.rglob("*") if p.is_file())


PAGE = "https://example.org/papers/1"


def test_warm_cache_rerun_makes_zero_network_requests(tmp_path: Path) -> None:
    transport = FakeTransport(
        {PAGE: [(200, {"Content-Type": "text/html; charset=utf-8"}, b"<p>hello</p>")]}
    )
    first = make_client(tmp_path, transport, FakeClock())
    response = first.get(PAGE)
    assert (response.status, response.text, response.from_cache) == (200, "<p>hello</p>", False)
    assert first.stats.network_requests == 2  # robots.txt + page
    assert transport.urls == ["https://example.org/robots.txt", PAGE]

    again = make_client(tmp_path, transport, FakeClock())  # a new process, same cache dir
    cached = again.get(PAGE)
    assert cached.from_cache and cached.content == b"<p>hello</p>" and cached.status == 200
    assert cached.headers["content-type"] == "text/html; charset=utf-8"
    assert again.stats.network_requests == 0 and again.stats.cache_hits == 1
    assert len(transport.requests) == 2


def test_cache_key_uses_sorted_params_and_accept_header(tmp_path: Path) -> None:
    client = PoliteClient(tmp_path)
    assert client.cache_key(PAGE, {"a": 1, "b": 2}) == client.cache_key(PAGE, {"b": 2, "a": 1})
    assert client.cache_key(PAGE, {"a": 1}) != client.cache_key(PAGE, {"a": 2})
    assert client.cache_key(PAGE, None, {"Accept": "application/json"}) != client.cache_key(PAGE)


def test_get_json_and_params_reach_the_server(tmp_path: Path) -> None:
    url = "https://api.openml.org/api/v1/json/data/61"
    transport = FakeTransport({url + "?x=1": [(200, {}, b'{"id": 61}')]})
    client = make_client(tmp_path, transport, FakeClock())
    assert client.get_json(url, params={"x": 1}) == {"id": 61}
    assert transport.requests[-1].headers["Accept"] == "application/json"


def test_user_agent_names_mliter_and_contact(tmp_path: Path) -> None:
    transport = FakeTransport({PAGE: [(200, {}, b"x")]})
    client = make_client(tmp_path, transport, FakeClock(), contact="mailto:team@example.org")
    client.get(PAGE)
    agents = {r.headers["User-Agent"] for r in transport.requests}
    assert len(agents) == 1
    (agent,) = agents
    assert agent.startswith("mliter/") and "mailto:team@example.org" in agent


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLITER_HTTP_CACHE", str(tmp_path / "from-env"))
    assert PoliteClient().cache_dir == tmp_path / "from-env"
    assert PoliteClient(tmp_path / "explicit").cache_dir == tmp_path / "explicit"


def test_404_is_negative_cached_but_403_is_not(tmp_path: Path) -> None:
    gone, forbidden = "https://example.org/gone", "https://example.org/forbidden"
    transport = FakeTransport({gone: [(404, {}, b"")], forbidden: [(403, {}, b"")]})
    client = make_client(tmp_path, transport, FakeClock())
    assert client.get(gone).status == 404
    assert client.get(forbidden).status == 403
    rerun = make_client(tmp_path, transport, FakeClock())
    negative = rerun.get(gone)
    assert negative.from_cache and negative.status == 404
    with pytest.raises(HTTPStatusError, match="gone returned HTTP 404"):
        negative.raise_for_status()
    assert rerun.get(forbidden).status == 403
    assert rerun.stats.network_requests == 1  # the 403, asked again


def test_retry_after_seconds_is_honoured(tmp_path: Path) -> None:
    transport = FakeTransport({PAGE: [(429, {"Retry-After": "7"}, b""), (200, {}, b"ok")]})
    clock = FakeClock()
    client = make_client(tmp_path, transport, clock, respect_robots=False)
    assert client.get(PAGE).content == b"ok"
    assert clock.sleeps == [7.0]
    assert client.stats.network_requests == 2 and client.stats.retries == 1


def test_retry_after_http_date_is_honoured(tmp_path: Path) -> None:
    clock = FakeClock()
    when = email.utils.formatdate(clock.now + 30, usegmt=True)
    transport = FakeTransport({PAGE: [(503, {"Retry-After": when}, b""), (200, {}, b"ok")]})
    client = make_client(tmp_path, transport, clock, respect_robots=False)
    assert client.get(PAGE).status == 200
    assert clock.sleeps == [pytest.approx(30.0)]


def test_exponential_backoff_on_503_then_success(tmp_path: Path) -> None:
    transport = FakeTransport(
        {PAGE: [(503, {}, b""), (503, {}, b""), (502, {}, b""), (200, {}, b"ok")]}
    )
    clock = FakeClock()
    client = make_client(tmp_path, transport, clock, respect_robots=False, backoff_base=2.0)
    response = client.get(PAGE)
    assert response.status == 200 and response.content == b"ok"
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert len(transport.requests) == 4


def test_connection_errors_are_retried(tmp_path: Path) -> None:
    reset, slow = requests.ConnectionError("reset"), requests.ReadTimeout("slow")
    transport = FakeTransport({PAGE: [reset, slow, (200, {}, b"ok")]})
    clock = FakeClock()
    client = make_client(tmp_path, transport, clock, respect_robots=False)
    assert client.get(PAGE).content == b"ok"
    assert clock.sleeps == [1.0, 2.0]


def test_gives_up_with_error_naming_url_and_status(tmp_path: Path) -> None:
    transport = FakeTransport({PAGE: [(503, {}, b"down")]})
    client = make_client(tmp_path, transport, FakeClock(), respect_robots=False, max_retries=2)
    with pytest.raises(
        RetriesExhausted, match=r"https://example\.org/papers/1.*3 attempts.*HTTP 503"
    ) as info:
        client.get(PAGE)
    assert (info.value.url, info.value.status) == (PAGE, 503)
    assert len(transport.requests) == 3
    assert cache_files(tmp_path) == []  # failures are never cached


def test_gives_up_at_once_when_retry_after_is_unreasonable(tmp_path: Path) -> None:
    transport = FakeTransport({PAGE: [(429, {"Retry-After": "86400"}, b"")]})
    clock = FakeClock()
    client = make_client(tmp_path, transport, clock, respect_robots=False, max_retry_after=600)
    with pytest.raises(RetriesExhausted, match="86400"):
        client.get(PAGE)
    assert clock.sleeps == [] and len(transport.requests) == 1


ROBOTS = b"User-agent: *\nDisallow: /private\n"


def test_robots_disallow_raises_and_robots_is_fetched_once(tmp_path: Path) -> None:
    private, public = "https://example.org/private/x", "https://example.org/public/y"
    transport = FakeTransport(
        {"https://example.org/robots.txt": [(200, {}, ROBOTS)], public: [(200, {}, b"y")]}
    )
    client = make_client(tmp_path, transport, FakeClock())
    with pytest.raises(RobotsDisallowed, match="private/x"):
        client.get(private)
    assert client.get(public).content == b"y"
    assert private not in transport.urls
    assert transport.urls.count("https://example.org/robots.txt") == 1
    # robots.txt itself is cached: a new client does not ask for it again
    rerun = make_client(tmp_path, transport, FakeClock())
    with pytest.raises(RobotsDisallowed):
        rerun.get(private)
    assert rerun.stats.network_requests == 0


def test_robots_401_forbids_everything(tmp_path: Path) -> None:
    transport = FakeTransport({"https://example.org/robots.txt": [(401, {}, b"")]})
    client = make_client(tmp_path, transport, FakeClock())
    with pytest.raises(RobotsDisallowed, match="example.org"):
        client.get(PAGE)
    assert transport.urls == ["https://example.org/robots.txt"]


def test_robots_can_be_disabled_per_host_or_globally(tmp_path: Path) -> None:
    private = "https://example.org/private/x"
    routes: dict[str, list[Canned]] = {
        "https://example.org/robots.txt": [(200, {}, ROBOTS)],
        private: [(200, {}, b"x")],
    }
    variants: list[dict[str, Any]] = [
        {"robots_exempt_hosts": ["Example.org"]},
        {"respect_robots": False},
    ]
    for i, kwargs in enumerate(variants):
        transport = FakeTransport(routes)
        client = make_client(tmp_path / str(i), transport, FakeClock(), **kwargs)
        assert client.get(private).content == b"x"
        assert transport.urls == [private]


def test_per_host_rate_limit(tmp_path: Path) -> None:
    urls = [
        "https://a.org/1",
        "https://a.org/2",
        "https://a.org/3",
        "https://b.org/1",
        "https://slow.org/1",
        "https://slow.org/2",
    ]
    transport = FakeTransport({url: [(200, {}, b"")] for url in urls})
    clock = FakeClock()
    client = make_client(
        tmp_path,
        transport,
        clock,
        respect_robots=False,
        min_interval=1.0,
        host_intervals={"slow.org": 5.0},
    )
    client.get("https://a.org/1")
    client.get("https://a.org/2")  # immediately after: must wait the full second
    assert clock.sleeps == [1.0]
    clock.now += 0.25
    client.get("https://a.org/3")  # 0.25 s already passed
    client.get("https://b.org/1")  # another host: no wait
    assert clock.sleeps == [1.0, 0.75]
    client.get("https://slow.org/1")
    client.get("https://slow.org/2")
    assert clock.sleeps == [1.0, 0.75, 5.0]
    client.get("https://a.org/1")  # cache hit: no request, so no wait either
    assert clock.sleeps == [1.0, 0.75, 5.0]


def test_failed_cache_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = FakeTransport({PAGE: [(200, {}, b"complete body")]})

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    client = make_client(tmp_path, transport, FakeClock(), respect_robots=False)
    with pytest.raises(OSError, match="No space left"):
        client.get(PAGE)
    assert cache_files(tmp_path) == []  # the temp file was removed too
    monkeypatch.undo()
    rerun = make_client(tmp_path, transport, FakeClock(), respect_robots=False)
    assert not rerun.get(PAGE).from_cache and rerun.stats.network_requests == 1


def test_failure_before_metadata_is_a_cache_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = FakeTransport({PAGE: [(200, {}, b"complete body")]})
    real_replace = os.replace

    def replace_fails_for_metadata(src: str, dst: str) -> None:
        if str(dst).endswith(".json"):
            raise OSError("disk went away")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_fails_for_metadata)
    client = make_client(tmp_path, transport, FakeClock(), respect_robots=False)
    with pytest.raises(OSError):
        client.get(PAGE)
    assert [p.suffix for p in cache_files(tmp_path)] == [".body"]  # no temp file left behind
    monkeypatch.undo()
    rerun = make_client(tmp_path, transport, FakeClock(), respect_robots=False)
    assert not rerun.get(PAGE).from_cache
    assert rerun.get(PAGE).from_cache


def test_offline_miss_raises_and_offline_hit_works(tmp_path: Path) -> None:
    transport = FakeTransport({PAGE: [(200, {}, b"ok")]})
    offline = make_client(tmp_path, transport, FakeClock(), offline=True)
    with pytest.raises(OfflineCacheMiss, match="papers/1"):
        offline.get(PAGE)
    assert transport.requests == []
    make_client(tmp_path, transport, FakeClock()).get(PAGE)
    assert offline.get(PAGE).content == b"ok"
    assert offline.stats.network_requests == 0


def test_atomic_write_keeps_old_content_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "entry.body"
    target.write_bytes(b"old complete body")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write_bytes(target, b"new body that never fully lands")
    assert target.read_bytes() == b"old complete body"
    assert cache_files(tmp_path) == [target]
