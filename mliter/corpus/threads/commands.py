"""`mliter corpus threads`: the sources table of the AutoML user threads."""

from __future__ import annotations

from pathlib import Path

from mliter.paths import ROOT, shared_data


def _threads(args) -> int:
    from mliter.corpus.threads import staged
    from mliter.corpus.threads.pseudonym import fingerprint, key
    from mliter.corpus.threads.schema import SOURCES
    from mliter.corpus.threads.sources import sources_frame

    data = Path(args.data)
    records = staged.read_staged(data / staged.STAGED)
    secret = key(Path(args.root))
    frame = sources_frame(records, staged.read_tool_map(data / staged.TOOL_MAP),
                          staged.read_queries(data / staged.QUERIES), secret)
    if frame.empty:
        raise ValueError(f"{data / staged.STAGED}: no threads; the shipped table is left as it is")
    path = SOURCES.write(frame, Path(args.root))
    print(f"{len(frame)} threads from the staged excerpts -> {path} (pseudonym key {fingerprint(secret)})")
    return 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    p = groups["corpus"].add_parser(
        "threads", help="write the sources table of the AutoML user threads (corpus/threads.csv)",
        formatter_class=HelpFormatter,
        description=("Build corpus/threads.csv from the staged thread excerpts (ids, URL, tool, date, keyed pseudonym "
                     "of the opener, SHA-256 of the text; never text or usernames). The pseudonym key is read from "
                     "$MLITER_PSEUDONYM_KEY or .mliter/pseudonym.key (created on first use, never shipped)."),
        epilog="example:\n  mliter corpus threads\n  mliter corpus threads --data ../shared/data")
    p.add_argument("--data", type=Path, default=shared_data(), help="folder holding automl_threads/")
    p.add_argument("--root", type=Path, default=ROOT, help="repository root")
    p.set_defaults(func=_threads)
