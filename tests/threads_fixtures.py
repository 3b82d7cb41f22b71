"""A miniature thread study written from scratch (our own invented texts), for fast unit tests.

`make_study(tmp_path)` lays out a repository root (corpus/threads.csv, the assignment) and a
data folder (automl_threads/ with three staged threads), the same shapes the real study uses.
"""

from __future__ import annotations

import json
from pathlib import Path

from mliter.corpus.threads.schema import SOURCES
from mliter.corpus.threads.sources import sources_frame
from mliter.corpus.threads.staged import read_queries, read_staged, read_tool_map

SECRET = b"test-key-0123456789abcdef"

THREADS = [
    ("acme/autotool", 1, "How do I see the tried models?",
     "acme/autotool · issue #1 · open · Python\n# How do I see the tried models?\n\nquietfox · description · 2021-03-04\n"
     "I ran the search for an hour. I would like to see every pipeline it tried, because only the final score is shown.\n"
     "It would help if the tool printed a table of the trials.\n\nmaintainer9 · comment · 2021-03-05\nUse the leaderboard.\n"),
    ("acme/autotool", 2, "Crash on load",
     "acme/autotool · issue #2 · closed · Python\n# Crash on load\n\nbluecat · description · 2020-01-02\n"
     "Traceback (most recent call last):\n  File x.py line 3\nValueError: bad\n"),
    ("other/gluon", 7, "Same seed, different result",
     "other/gluon · issue #7 · open · Python\n# Same seed, different result\n\n[turn 1 by redowl, continued]\n"
     "With the seed fixed I still get a different best model on each run, so I cannot report a stable number.\n"),
]


def write_data(data: Path) -> Path:
    folder = data / "automl_threads"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "automl_threads.jsonl", "w", encoding="utf-8") as fh:
        for repo, number, title, excerpt in THREADS:
            fh.write(json.dumps({"url": f"https://github.com/{repo}/issues/{number}", "repo": repo, "number": number,
                                 "title": title, "excerpt": excerpt, "query": "q text", "kind": "issue"}) + "\n")
    (folder / "repo_tool_map.tsv").write_text("repo\ttool\tthreads\nacme/autotool\tAutoTool\t2\n"
                                              "other/gluon\tGluon (via x)\t1\n", encoding="utf-8")
    (folder / "queries.tsv").write_text("query_id\tquery\trecords_kept\nq01\tq text\t3\n", encoding="utf-8")
    return data


def make_study(tmp: Path) -> tuple[Path, Path]:
    """(root, data) of a miniature study: coder_a codes all three threads, coder_b threads 1 and 7."""
    root, data = tmp / "repo", write_data(tmp / "data")
    folder = data / "automl_threads"
    records = read_staged(folder / "automl_threads.jsonl")
    SOURCES.write(sources_frame(records, read_tool_map(folder / "repo_tool_map.tsv"),
                                read_queries(folder / "queries.tsv"), SECRET), root)
    assign = root / "coding/threads/assignment.csv"
    assign.parent.mkdir(parents=True, exist_ok=True)
    assign.write_text("source_id,coder\n" + "".join(f"{r.source_id},coder_a\n" for r in records)
                      + "github:acme/autotool#1,coder_b\ngithub:other/gluon#7,coder_b\n", encoding="utf-8")
    return root, data


def text(source_id: str) -> str:
    for repo, number, _, excerpt in THREADS:
        if f"github:{repo}#{number}" == source_id:
            return excerpt
    raise KeyError(source_id)


def span(source_id: str, quote: str) -> tuple[int, int]:
    t = text(source_id)
    i = t.index(quote)
    return i, i + len(quote)


def write_coder(root: Path, coder: str, rows: list[tuple]) -> Path:
    """rows: (source_id, code, start, end, note) with None for empty offsets."""
    path = root / "coding/threads/coders" / f"{coder}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["source_id,coder,codebook_version,code,start,end,note"]
    for sid, code, s, e, note in rows:
        lines.append(",".join([sid, coder, "1.0", code, "" if s is None else str(s), "" if e is None else str(e),
                               note]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
