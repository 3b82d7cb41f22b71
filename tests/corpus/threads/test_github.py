"""The GitHub client on recorded real responses: Link pagination, conditional requests, rate limits, the token."""

import pytest

from mliter.corpus.threads.github import GitHubClient, GitHubError, parse_link, render_thread
from mliter.http import PoliteClient
from tests.corpus.threads.replay import ReplayAdapter, octokit, pygithub, session

pytestmark = pytest.mark.integration
TOKEN = "ghp_TESTTOKEN_never_written_0123456789"


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now, self.slept = now, []

    def sleep(self, s):
        self.slept.append(s)
        self.now += s


def client(tmp_path, responses, clock=None, **kw):
    adapter = ReplayAdapter(responses)
    clock = clock or Clock()
    http = PoliteClient(tmp_path / "cache", session=session(adapter), min_interval=0, sleep=clock.sleep,
                        clock=lambda: clock.now, wall_clock=lambda: clock.now)
    return GitHubClient(http, token=TOKEN, **kw), adapter, clock


def replay(shared, name):
    return pygithub(shared / "github_api/PyGithub/tests/ReplayData" / name)


def test_link_pagination_over_fourteen_recorded_pages(shared, tmp_path):
    gh, adapter, _ = client(tmp_path, replay(shared, "Issue33.testOpenIssues.txt"))
    items = list(gh.paginate("/repos/openframeworks/openFrameworks/issues"))
    pages = [k for k, _ in adapter.seen]
    assert len(pages) == 14 and pages[-1].endswith("page=14")
    assert len(items) == len({i["id"] for i in items}) > 300
    assert gh.rate.limit == 5000 and gh.rate.remaining is not None
    # every request carried the token, and it reached no file of the cache
    assert all(h.get("Authorization") == f"Bearer {TOKEN}" for _, h in adapter.seen)
    for f in (tmp_path / "cache").rglob("*"):
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes()


def test_octokit_pagination_and_search(shared, tmp_path):
    rec = octokit(shared / "github_api/octokit-fixtures/paginate-issues/raw-fixture.json")
    path = next(k for k in rec if k.startswith("GET /repos/") and "per_page=3" in k).split(" ", 1)[1]
    gh, adapter, _ = client(tmp_path, rec)
    items = list(gh.paginate(path))
    assert len(adapter.seen) == 5 and len(items) == 13
    search = octokit(shared / "github_api/octokit-fixtures/search-issues/raw-fixture.json")
    key = next(k for k in search if k.startswith("GET /search/issues"))
    gh2, _, _ = client(tmp_path / "s", search)
    assert isinstance(list(gh2.paginate(key.split(" ", 1)[1])), list)


def test_issue_comments_and_rendering(shared, tmp_path):
    rec = {**replay(shared, "Issue.setUp.txt"), **replay(shared, "Issue.testGetComments.txt")}
    gh, adapter, _ = client(tmp_path, rec)
    issue = gh.issue("PyGithub/PyGithub", 28)
    comments = gh.comments("PyGithub/PyGithub", 28)
    text = render_thread("PyGithub/PyGithub", issue, comments)
    assert text.startswith("PyGithub/PyGithub · issue #28 · ")
    assert f"{issue['user']['login']} · description · {issue['created_at'][:10]}" in text
    assert text.count(" · comment · ") == len(comments) > 0


def test_conditional_refresh_uses_etag_and_304(shared, tmp_path):
    rec = replay(shared, "Issue.setUp.txt")
    key = next(k for k in rec if k.endswith("/issues/28"))
    gh, adapter, _ = client(tmp_path, rec)
    first = gh.get(key.split(" ", 1)[1])
    etag = first.headers["etag"]
    fresh, adapter2, _ = client(tmp_path, rec, revalidate=True)  # same cache folder
    adapter2.overrides[key] = [(304, {"etag": etag}, b"")]
    again = fresh.get(key.split(" ", 1)[1])
    assert adapter2.seen[0][1]["If-None-Match"] == etag
    assert again.content == first.content and fresh.http.stats.not_modified == 1


def test_rate_limit_waits_for_reset_then_retries(shared, tmp_path):
    rec = replay(shared, "Issue.setUp.txt")
    key = next(k for k in rec if k.endswith("/issues/28"))
    clock = Clock()
    gh, adapter, _ = client(tmp_path, rec, clock=clock)
    reset = int(clock.now + 120)
    adapter.overrides[key] = [(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}, b"{}")]
    assert gh.get(key.split(" ", 1)[1]).status == 200
    assert clock.slept and sum(clock.slept) >= 120
    gh2, adapter2, _ = client(tmp_path / "b", rec, clock=Clock(), max_wait=60)
    adapter2.overrides[key] = [(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset + 10_000)}, b"{}")]
    with pytest.raises(GitHubError, match="rate limit exhausted"):
        gh2.get(key.split(" ", 1)[1])


def test_parse_link():
    h = '<https://x/i?page=2>; rel="next", <https://x/i?page=9>; rel="last"'
    assert parse_link(h) == {"next": "https://x/i?page=2", "last": "https://x/i?page=9"}
    assert parse_link(None) == {}
