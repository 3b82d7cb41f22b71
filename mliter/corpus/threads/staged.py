"""The staged thread corpus: excerpts of public GitHub issue threads by AutoML users.

The staged file (`automl_threads/automl_threads.jsonl` in the shared data) holds, per
thread, the URL, repository, number, title, an excerpt of about 1,500 characters and the
search query that found it. The excerpt is the text coders mark segments in; its SHA-256
goes into the sources table, so coded offsets are tied to one exact text. The excerpt
itself and the usernames in it are never shipped: `ThreadRecord` keeps them in memory only.

An excerpt renders a thread as a header line, optional labels, `# title`, then blocks that
start with `author · description|comment · YYYY-MM-DD`; some begin mid-thread with
`[turn N by author, continued]`. The thread's opener and its date are read from those.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from mliter.errors import InputError
from mliter.io import sha256_bytes

STAGED = Path("automl_threads") / "automl_threads.jsonl"
TOOL_MAP = Path("automl_threads") / "repo_tool_map.tsv"
QUERIES = Path("automl_threads") / "queries.tsv"
URL = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(issues|pull)/(\d+)$")
BLOCK = re.compile(r"^(\S+) · (description|comment) · (\d{4}-\d{2}-\d{2})\s*$", re.M)
TURN = re.compile(r"\[turn \d+ by ([^,\]\s]+)")


class ThreadCorpusError(InputError):
    """A staged record that cannot be read; names the file and line."""


@dataclass(frozen=True)
class ThreadRecord:
    source_id: str
    url: str
    repo: str
    number: int
    kind: str
    title: str
    excerpt: str
    query: str

    @property
    def excerpt_sha256(self) -> str:
        return sha256_bytes(self.excerpt.encode("utf-8"))

    def opener(self) -> tuple[str, str]:
        """(account, basis): who opened the thread, as far as the excerpt shows it.

        basis is `description` (the opening post is in the excerpt), `continued_turn` (the
        excerpt starts inside a turn of this author) or `none`.
        """
        for m in BLOCK.finditer(self.excerpt):
            if m.group(2) == "description":
                return m.group(1), "description"
        m = TURN.search(self.excerpt)
        if m:
            return m.group(1), "continued_turn"
        return "", "none"

    def date(self) -> tuple[str, str]:
        """(YYYY-MM-DD, basis): the opening post's date, else the first dated block's, else ("", "none")."""
        first = None
        for m in BLOCK.finditer(self.excerpt):
            if m.group(2) == "description":
                return m.group(3), "description"
            first = first or m.group(3)
        if first:
            return first, "first_dated_block"
        m = re.search(r"\b(20\d{2}-\d{2}-\d{2})\b", self.excerpt)
        return (m.group(1), "first_date_in_text") if m else ("", "none")

    def accounts(self) -> set[str]:
        """Every account name the excerpt shows (block authors and continued turns): for the no-username scan."""
        return {m.group(1) for m in BLOCK.finditer(self.excerpt)} | set(TURN.findall(self.excerpt))


def source_id(repo: str, number: int) -> str:
    """`github:owner/repo#N`, the id of a thread in every table."""
    return f"github:{repo}#{number}"


def parse_url(url: str) -> tuple[str, str, int]:
    m = URL.match(url.strip())
    if not m:
        raise ThreadCorpusError(f"not a GitHub issue or pull request URL: {url!r}")
    return m.group(1), "issue" if m.group(2) == "issues" else "pull_request", int(m.group(3))


def read_staged(path: str | Path) -> list[ThreadRecord]:
    """All records of the staged JSONL, sorted by source id; errors name the file and line."""
    path = Path(path)
    out: dict[str, ThreadRecord] = {}
    try:
        # JSON lines end at "\n" only: a JSON string may hold a raw U+2028 that str.splitlines() would cut at.
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise ThreadCorpusError(f"{path}: cannot be read ({exc.strerror})") from None
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            repo, kind, number = parse_url(rec["url"])
            if rec.get("repo", repo) != repo or int(rec.get("number", number)) != number:
                raise ThreadCorpusError(f"repo/number {rec.get('repo')}#{rec.get('number')} differ from the URL")
            tr = ThreadRecord(source_id(repo, number), rec["url"], repo, number, kind, rec.get("title", ""),
                              rec["excerpt"], rec.get("query", ""))
        except (json.JSONDecodeError, KeyError, TypeError, ThreadCorpusError) as exc:
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ThreadCorpusError(f"{path}, line {i}: {what}") from None
        if tr.source_id in out:
            raise ThreadCorpusError(f"{path}, line {i}: thread {tr.source_id} appears twice")
        out[tr.source_id] = tr
    return [out[k] for k in sorted(out)]


def read_tool_map(path: str | Path) -> dict[str, str]:
    """repo -> tool name; a parenthetical note ("NNI (via third-party repo)") is dropped from the name."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["repo"]: re.sub(r"\s*\(.*\)\s*$", "", r["tool"]).strip() for r in csv.DictReader(fh, delimiter="\t")}


def read_queries(path: str | Path) -> dict[str, str]:
    """query text -> query id."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["query"]: r["query_id"] for r in csv.DictReader(fh, delimiter="\t")}


def texts(records: list[ThreadRecord]) -> dict[str, str]:
    """source id -> excerpt: the text coder offsets index into."""
    return {r.source_id: r.excerpt for r in records}
