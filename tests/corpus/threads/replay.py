"""Recorded GitHub responses served to `requests` as a transport adapter (no network).

Reads the two recording formats in ../shared/data/github_api: PyGithub ReplayData (11-line
blocks: protocol, verb, host, port, path, request headers, body, status, response headers
as a Python list of pairs, response body, blank) and octokit nock fixtures (JSON list).
Requests are answered by method + path + query; `seen` records the request headers.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter


def pygithub(path: Path) -> dict[str, tuple[int, dict, bytes]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    out = {}
    i = 0
    while i + 9 < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        verb, rpath = lines[i + 1], lines[i + 4]
        status, headers, body = int(lines[i + 7]), dict(ast.literal_eval(lines[i + 8])), lines[i + 9]
        headers.pop("status", None)
        out[f"{verb} {rpath}"] = (status, headers, body.encode("utf-8"))
        i += 11
    return out


def octokit(path: Path) -> dict[str, tuple[int, dict, bytes]]:
    out = {}
    for rec in json.loads(path.read_text(encoding="utf-8")):
        raw = rec["rawHeaders"]
        headers = {raw[k].lower(): raw[k + 1] for k in range(0, len(raw), 2)}
        out[f"{rec['method'].upper()} {rec['path']}"] = (rec["status"], headers, json.dumps(rec["response"]).encode())
    return out


class ReplayAdapter(BaseAdapter):
    def __init__(self, responses: dict[str, tuple[int, dict, bytes]]) -> None:
        super().__init__()
        self.responses = responses
        self.seen: list[tuple[str, dict]] = []
        self.overrides: dict[str, list[tuple[int, dict, bytes]]] = {}

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        key = f"{request.method} {parts.path}" + (f"?{parts.query}" if parts.query else "")
        self.seen.append((key, dict(request.headers)))
        queue = self.overrides.get(key)
        if queue:
            status, headers, body = queue.pop(0)
        elif key in self.responses:
            status, headers, body = self.responses[key]
        else:
            status, headers, body = 404, {"content-type": "application/json"}, b'{"message": "Not Found"}'
        resp = requests.Response()
        resp.status_code, resp._content, resp.url, resp.request = status, body, request.url, request
        resp.headers = requests.structures.CaseInsensitiveDict(headers)
        return resp

    def close(self):
        pass


def session(adapter: ReplayAdapter) -> requests.Session:
    s = requests.Session()
    s.mount("https://", adapter)
    return s
