"""Fetch OpenML runs, flows, setups, tasks and evaluations from the REST API, politely and cached.

Endpoints (XML flavour of the OpenML REST API v1, base `https://www.openml.org/api/v1/xml`;
the test server is `https://test.openml.org/api/v1/xml`):

=================================================  =============================================
`run/list/uploader/{ids}/task/{ids}/limit/{n}/offset/{k}`  runs of users on tasks, with upload time
`run/{id}`                                         one run: flow, setup, parameter settings, evaluations
`flow/{id}`                                        a flow and its components (recursively)
`setup/{id}`                                       the parameter values of a setup
`task/{id}`                                        task type, dataset, target, estimation procedure
`evaluation/list/function/{name}/run/{ids}`        one measure (e.g. area_under_roc_curve) of many runs
`evaluation/list/function/{name}/task/{id}`        one measure of every run on a task (all uploaders)
=================================================  =============================================

Filters take comma-separated ids. A list with no match is answered with HTTP 412 and an
`<oml:error>` with code 512 ("no results"); `list_pages` treats that as the end. Every
request goes through `mliter.http.PoliteClient`: cached on disk, so a rerun against a warm
cache makes no request (412 answers are not cached, so a list that ends exactly on a page
boundary asks once more). This module returns response bodies; parsing is
`mliter.traces.openml.parse`, so capture and mining stay separate.
"""

from __future__ import annotations

from mliter.errors import InputError
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mliter.http import CACHEABLE_STATUSES, CachedResponse, HTTPStatusError, PoliteClient

API = "https://www.openml.org/api/v1/xml"
TEST_API = "https://test.openml.org/api/v1/xml"
#: OpenML asks API users to pace themselves; one request per second per host.
HOST_INTERVALS = {"www.openml.org": 1.0, "test.openml.org": 1.0}
PAGE_SIZE = 1000
NO_RESULTS = b"<oml:code>512</oml:code>"  # the error code of an empty list


@dataclass(frozen=True)
class Response:
    """A response body and the URL it came from (for provenance and error messages)."""

    url: str
    content: bytes
    retrieved_at: str  # the Date header's day (YYYY-MM-DD), empty when absent


def _ids(values: int | Iterable[int]) -> str:
    vals = [values] if isinstance(values, int) else list(values)
    if not vals:
        raise InputError("an OpenML filter needs at least one id")
    return ",".join(str(int(v)) for v in sorted(set(vals)))


def _day(response: CachedResponse) -> str:
    import email.utils

    date = response.headers.get("date")
    if not date:
        return ""
    try:
        return email.utils.parsedate_to_datetime(date).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return ""


class OpenMLApi:
    """Thin, typed access to the endpoints above; `base` selects the server."""

    def __init__(self, client: PoliteClient, base: str = API) -> None:
        self.client, self.base = client, base.rstrip("/")

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.base).netloc

    def get(self, path: str) -> Response:
        """GET `{base}/{path}`; raises `HTTPStatusError` unless 2xx."""
        url = f"{self.base}/{path.lstrip('/')}"
        response = self.client.get(url)
        response.raise_for_status()
        return Response(url, response.content, _day(response))

    def run(self, run_id: int) -> Response:
        return self.get(f"run/{int(run_id)}")

    def flow(self, flow_id: int) -> Response:
        return self.get(f"flow/{int(flow_id)}")

    def setup(self, setup_id: int) -> Response:
        return self.get(f"setup/{int(setup_id)}")

    def task(self, task_id: int) -> Response:
        return self.get(f"task/{int(task_id)}")

    def list_pages(self, path: str, page_size: int = PAGE_SIZE, count=None) -> Iterator[Response]:
        """Pages of a list endpoint (`limit/offset` appended) until a short or empty page.

        `count(body) -> int` tells how many entries a page holds; a page with fewer than
        `page_size` entries is the last one, and a 412 "no results" ends the list.
        """
        offset = 0
        while True:
            url = f"{self.base}/{path.strip('/')}/limit/{page_size}/offset/{offset}"
            response = self.client.get(url)
            if response.status == 412 and NO_RESULTS in response.content:
                return
            if not response.ok:
                raise HTTPStatusError(url, response.status)
            yield Response(url, response.content, _day(response))
            n = count(response.content) if count else response.content.count(b"<oml:run>")
            if n < page_size:
                return
            offset += page_size

    def run_list(self, uploaders: int | Iterable[int] | None = None, tasks: int | Iterable[int] | None = None,
                 page_size: int = PAGE_SIZE) -> Iterator[Response]:
        """Pages of `run/list` filtered by uploader and/or task (at least one)."""
        parts = []
        if uploaders is not None:
            parts.append(f"uploader/{_ids(uploaders)}")
        if tasks is not None:
            parts.append(f"task/{_ids(tasks)}")
        if not parts:
            raise InputError("run_list needs uploaders or tasks")
        yield from self.list_pages("run/list/" + "/".join(parts), page_size,
                                   count=lambda body: body.count(b"<oml:run>"))

    def task_evaluations(self, function: str, task_id: int, page_size: int = 10000) -> Iterator[Response]:
        """Pages of `evaluation/list/function/{function}/task/{id}`: the measure for every run on the task."""
        yield from self.list_pages(f"evaluation/list/function/{function}/task/{int(task_id)}", page_size,
                                   count=lambda body: body.count(b"<oml:evaluation>"))

    def evaluations(self, function: str, run_ids: Iterable[int], chunk: int = 100) -> Iterator[Response]:
        """Pages of `evaluation/list/function/{function}/run/{ids}`, `chunk` run ids per request."""
        ids = sorted(set(int(r) for r in run_ids))
        for i in range(0, len(ids), chunk):
            yield from self.list_pages(f"evaluation/list/function/{function}/run/{_ids(ids[i:i + chunk])}",
                                       count=lambda body: body.count(b"<oml:evaluation>"))


#: OpenML answers unknown objects and empty lists with HTTP 412: a stable answer, cached like a 404.
OPENML_CACHE_STATUSES = CACHEABLE_STATUSES | {412}


def make_client(cache_dir=None, offline: bool = False) -> PoliteClient:
    """The polite client with OpenML's pacing."""
    return PoliteClient(cache_dir, offline=offline, host_intervals=HOST_INTERVALS,
                        cache_statuses=OPENML_CACHE_STATUSES)
