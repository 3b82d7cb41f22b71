"""`mliter corpus threads`: the sources table of the AutoML user threads."""

from __future__ import annotations

import sys
from pathlib import Path

from mliter.errors import InputError, MliterError
from mliter.paths import ROOT, shared_data


def refresh(records, client, texts_dir: Path) -> tuple[list, list[str]]:
    """Full threads of `records` from GitHub: (refreshed records, errors); one failure never stops the batch."""
    from dataclasses import replace

    from tqdm import tqdm

    from mliter.corpus.threads.github import GitHubError, render_thread
    from mliter.http import HTTPClientError
    from mliter.io import atomic_write_text

    out, errors = [], []
    for rec in tqdm(records, desc="threads", unit="thread"):
        try:
            issue = client.issue(rec.repo, rec.number)
            text = render_thread(rec.repo, issue, client.comments(rec.repo, rec.number, per_page=100))
        except (GitHubError, HTTPClientError, MliterError) as exc:
            errors.append(f"{rec.source_id} ({rec.url}): {exc}")
            continue
        name = rec.source_id.replace("github:", "").replace("/", "__").replace("#", "_") + ".txt"
        atomic_write_text(texts_dir / name, text)
        out.append(replace(rec, excerpt=text))
    return out, errors


def _threads(args) -> int:
    from mliter.corpus.threads import staged
    from mliter.corpus.threads.pseudonym import fingerprint, key
    from mliter.corpus.threads.schema import SOURCES
    from mliter.corpus.threads.sources import sources_frame

    data = Path(args.data)
    records = staged.read_staged(data / staged.STAGED)
    secret = key(Path(args.root))
    tools, queries = staged.read_tool_map(data / staged.TOOL_MAP), staged.read_queries(data / staged.QUERIES)
    if args.refresh:
        from datetime import datetime, timezone

        import pandas as pd

        from mliter.corpus.threads.github import GitHubClient
        from dataclasses import replace

        out = Path(args.refresh)
        fresh, errors = refresh(records, GitHubClient(revalidate=True), out / "texts")
        for e in errors:
            print(f"mliter: {e}", file=sys.stderr)
        today = datetime.now(timezone.utc).date().isoformat()
        frame = sources_frame(fresh, tools, queries, secret, origin="full_thread", retrieved=today)
        table = replace(SOURCES, path="threads_full.csv")
        table.write(frame if len(frame) else pd.DataFrame(columns=table.column_names), out)
        print(f"{len(fresh)} full threads ({len(errors)} failed) -> {out}/threads_full.csv and {out}/texts/ "
              "(local copies: thread text, not for redistribution; the shipped corpus/threads.csv is unchanged)")
        return 1 if errors else 0
    frame = sources_frame(records, tools, queries, secret)
    if frame.empty:
        raise InputError(f"{data / staged.STAGED}: no threads; the shipped table is left as it is")
    path = SOURCES.write(frame, Path(args.root))
    print(f"{len(frame)} threads from the staged excerpts -> {path} (pseudonym key {fingerprint(secret)})")
    return 0


def register(groups) -> None:
    from mliter.cli import add_verb

    p = add_verb(
        groups["corpus"], "threads", _threads,
        help="write the sources table of the AutoML user threads (corpus/threads.csv)",
        description=("Build corpus/threads.csv from the staged thread excerpts (ids, URL, tool, date, keyed pseudonym "
                     "of the opener, SHA-256 of the text; never text or usernames). The pseudonym key is read from "
                     "$MLITER_PSEUDONYM_KEY or .mliter/pseudonym.key (created on first use, never shipped)."),
        epilog=("examples:\n  mliter corpus threads\n  mliter corpus threads --data ../shared/data\n"
                "  GITHUB_TOKEN=... mliter corpus threads --refresh .mliter/threads"))
    p.add_argument("--data", type=Path, default=shared_data(), help="folder holding automl_threads/")
    p.add_argument("--root", type=Path, default=ROOT, help="repository root")
    p.add_argument("--refresh", type=Path, default=None, metavar="FOLDER",
                   help=("fetch every thread in full from the GitHub REST API (token from $GITHUB_TOKEN, optional) "
                         "into FOLDER/texts/ and FOLDER/threads_full.csv, local and untracked; cached, resumable"))
