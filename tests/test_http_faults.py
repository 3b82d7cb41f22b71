"""The polite client against a misbehaving loopback server (tests/faultserver.py): every fault
is an `HTTPClientError` or a clean retry, never another exception, and nothing bad is cached."""

from __future__ import annotations

import os
import time

import pytest

from faultserver import FaultServer
from mliter.http import (
    BadResponse,
    BodyTooLarge,
    HTTPClientError,
    PoliteClient,
    RedirectError,
    RetriesExhausted,
    RobotsDisallowed,
)


@pytest.fixture(scope="module")
def server():
    with FaultServer() as srv:
        yield srv


class Clock:
    """Fake monotonic clock: sleeping advances it, so politeness costs no real time."""

    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.sleeps.append(s)
        self.now += s


def client(tmp_path, **kw):
    clock = Clock()
    kw.setdefault("min_interval", 0.0)
    c = PoliteClient(tmp_path / "cache", clock=clock, sleep=clock.sleep, backoff_base=0.01, **kw)
    c.fake_clock = clock
    return c


def cached_files(tmp_path):
    root = tmp_path / "cache"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_429_waits_retry_after_then_succeeds(server, tmp_path):
    c = client(tmp_path)
    r = c.get(server.base + "/429")
    assert r.status == 200 and r.content == b"after 429" and 2.0 in c.fake_clock.sleeps


def test_5xx_is_retried_and_never_cached(server, tmp_path):
    c = client(tmp_path, max_retries=1)
    with pytest.raises(RetriesExhausted) as err:
        c.get(server.base + "/500-always")
    assert err.value.status == 500
    assert not [f for f in cached_files(tmp_path) if "robots" not in f and f.endswith(".body")][1:]
    assert client(tmp_path).get(server.base + "/503").content == b"after 503"


def test_reset_and_truncated_bodies_are_retried_not_cached(server, tmp_path):
    c = client(tmp_path)
    assert c.get(server.base + "/reset").content == b"after reset"
    c = client(tmp_path / "t", max_retries=1)
    with pytest.raises(RetriesExhausted):
        c.get(server.base + "/truncate")
    assert server.hits["/truncate"] == 2
    assert len(cached_files(tmp_path / "t")) == 2  # robots.txt only


def test_dribbling_server_hits_the_total_timeout(server, tmp_path):
    c = client(tmp_path, timeout=1.0, total_timeout=0.4, max_retries=0)
    t0 = time.monotonic()
    with pytest.raises(RetriesExhausted, match="0.4 s"):
        c.get(server.base + "/slow")
    assert time.monotonic() - t0 < 3.0


@pytest.mark.parametrize("path", ["/loop", "/loop-a", "/chain/30", "/to-ftp"])
def test_redirect_loops_and_runaway_chains_are_client_errors(server, tmp_path, path):
    with pytest.raises(RedirectError):
        client(tmp_path).get(server.base + path)


def test_redirect_hops_obey_the_rate_limit(server, tmp_path):
    c = client(tmp_path, min_interval=1.0)
    c.get(server.base + "/ok")  # robots.txt and a first request
    r = c.get(server.base + "/chain/5")
    assert r.content == b"end" and r.url.endswith("/chain/0")
    assert sum(c.fake_clock.sleeps) >= 6 - 1e-6  # six requests, each a second after the one before
    assert c.stats.network_requests == 2 + 6


def test_redirect_into_a_disallowed_path_is_refused_and_not_cached(server, tmp_path):
    before = server.hits["/private/secret"]
    with pytest.raises(RobotsDisallowed):
        client(tmp_path).get(server.base + "/to-private")
    assert server.hits["/private/secret"] == before
    assert len(cached_files(tmp_path)) == 2  # robots.txt only


@pytest.mark.parametrize("path", ["/big-declared", "/big-undeclared"])
def test_oversized_bodies_are_refused(server, tmp_path, path):
    with pytest.raises(BodyTooLarge):
        client(tmp_path, max_body_bytes=1_000_000).get(server.base + path)


def test_bad_gzip_is_a_client_error(server, tmp_path):
    with pytest.raises(BadResponse):
        client(tmp_path).get(server.base + "/bad-gzip")


def test_every_fault_is_an_http_client_error(server, tmp_path):
    """What a crawl catches (`HTTPClientError`) is all it can meet."""
    paths = ["/500-always", "/truncate", "/slow", "/loop", "/to-private", "/big-declared", "/bad-gzip", "/to-ftp"]
    c = client(tmp_path, max_retries=0, total_timeout=0.3, timeout=1.0, max_body_bytes=10**6)
    for p in paths:
        with pytest.raises(HTTPClientError):
            c.get(server.base + p)


def test_stale_tmp_files_of_killed_writes_are_removed(tmp_path):
    shard = tmp_path / "cache" / "ab"
    shard.mkdir(parents=True)
    stale, fresh = shard / ".abc.body.x1.tmp", shard / ".abd.body.x2.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    client(tmp_path)
    assert not stale.exists() and fresh.exists()
