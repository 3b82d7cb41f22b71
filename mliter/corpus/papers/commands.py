"""`mliter corpus papers ...` (write corpus/papers.csv) and `mliter corpus abstracts ...` (read for coding)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mliter.paths import ROOT


def _print_errors(errors) -> None:
    for e in errors:
        print(f"warning: {e}", file=sys.stderr)


def _client(args):
    from mliter.corpus.papers.fetch import make_client

    return make_client(args.cache, offline=args.offline)


def _papers(args) -> int:
    from mliter.corpus.papers.dedup import deduplicate
    from mliter.corpus.papers.load import parse_sources
    from mliter.corpus.papers.sources import FETCH_KINDS, SOURCE_LIST, SourceSpec, collect, read_source_list
    from mliter.corpus.papers.table import papers_frame
    from mliter.corpus.papers.schema import PAPERS

    errors: list = []
    fetches = [SourceSpec(kind, value, "command line", 0) for kind in FETCH_KINDS
               for value in getattr(args, kind.replace("-", "_"))]
    if args.sources or fetches:
        records = parse_sources(args.sources, errors)
        records += collect(fetches, args.shared, lambda: _client(args), errors)
    else:
        source_list = args.source_list or Path(args.out) / SOURCE_LIST
        records = collect(read_source_list(source_list), args.shared, lambda: _client(args), errors)
    papers = deduplicate(records)
    path = PAPERS.write(papers_frame(papers), Path(args.out))
    _print_errors(errors)
    print(f"{len(records)} records -> {len(papers)} papers -> {path}"
          + (f" ({len(errors)} records could not be read, see warnings)" if errors else ""))
    return 1 if errors else 0


def _abstracts(args) -> int:
    from mliter.corpus.papers.abstracts import format_for_coder, load_papers

    errors: list = []
    papers = load_papers(args.shared, args.sources or None, errors=errors)
    if args.verbose:
        _print_errors(errors)
    ids = list(args.paper_ids)
    for f in args.ids_file or ():
        ids += [line.split("#", 1)[0].strip() for line in Path(f).read_text(encoding="utf-8").splitlines()]
        ids = [i for i in ids if i]
    ids = ids or sorted(papers)
    missing = [i for i in ids if i not in papers]
    chosen = [papers[i] for i in ids if i in papers]
    if args.json:
        print(json.dumps([{"paper_id": p.paper_id, "title": p.title, "abstract": p.abstract} for p in chosen],
                         indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(format_for_coder(p) for p in chosen))
    for i in missing:
        print(f"mliter: unknown paper id {i!r} (not in the recorded sources)", file=sys.stderr)
    return 1 if missing else 0


def register(groups) -> None:
    from mliter.cli import add_verb

    p = add_verb(
        groups["corpus"], "papers", _papers,
        help="write the paper corpus (corpus/papers.csv) from local sources or fetches",
        description=("Parse paper records (PMLR volume folders, arXiv Atom responses, Semantic Scholar JSON/VCR "
                     "cassettes, ACL Anthology XML, OpenAlex works JSON, Markdown lists), deduplicate them (DOI, "
                     "arXiv id, then title + year) and write corpus/papers.csv: metadata only, no abstracts. "
                     "Without sources or fetch options, the sources listed in corpus/papers_sources.txt are "
                     "used (paths relative to ../shared/data, or fetch lines). Records that cannot be read are "
                     "reported and skipped (exit status 1)."),
        epilog=("examples:\n"
                "  mliter corpus papers                      # rebuild from corpus/papers_sources.txt\n"
                "  mliter corpus papers ../shared/data/pmlr/v81 --out /tmp/try   # one volume, elsewhere\n"
                "  mliter corpus papers --pmlr-volume v219 --arxiv-query 'cat:cs.LG AND abs:clinical' --out /tmp/try"),
    )
    p.add_argument("sources", nargs="*", type=Path, help="local sources (format detected from content)")
    p.add_argument("--source-list", type=Path, default=None,
                   help="source list to read instead of <out>/corpus/papers_sources.txt")
    p.add_argument("--pmlr-volume", action="append", default=[], metavar="vNNN",
                   help="fetch a PMLR volume's web index page (repeatable)")
    p.add_argument("--arxiv-query", action="append", default=[], metavar="QUERY",
                   help="fetch an arXiv API search_query (repeatable)")
    p.add_argument("--s2-query", action="append", default=[], metavar="QUERY",
                   help="fetch a Semantic Scholar paper search (repeatable)")
    p.add_argument("--openalex-search", action="append", default=[], metavar="QUERY",
                   help="fetch an OpenAlex works search (repeatable)")
    p.add_argument("--cache", type=Path, default=None, help="HTTP cache folder (default $MLITER_HTTP_CACHE)")
    p.add_argument("--offline", action="store_true", help="serve fetches from the HTTP cache only")
    p.add_argument("--shared", type=Path, default=None, help="shared data folder (default ../shared/data)")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write corpus/papers.csv under")

    a = add_verb(
        groups["corpus"], "abstracts", _abstracts,
        help="print papers' titles and abstracts for coding (never written to shipped files)",
        description=("Print each paper's id, title, venue, authors, links and abstract, read from the recorded "
                     "sources (the same ones corpus/papers.csv is built from). Without ids, every paper."),
        epilog=("examples:\n  mliter corpus abstracts pmlr:v219/adams23a arxiv:2202.12139\n"
                "  mliter corpus abstracts --ids-file /work/notes/papers_coding/assignment_A.txt | less\n"
                "  mliter corpus abstracts --json > /tmp/to_code.json"),
    )
    a.add_argument("paper_ids", nargs="*", help="paper ids as in corpus/papers.csv")
    a.add_argument("--ids-file", action="append", type=Path, default=[], metavar="FILE",
                   help="read paper ids from FILE, one per line (# comments allowed; repeatable)")
    a.add_argument("--sources", nargs="*", type=Path, default=None, help="read these sources instead")
    a.add_argument("--shared", type=Path, default=None, help="shared data folder (default ../shared/data)")
    a.add_argument("--json", action="store_true", help="JSON list of {paper_id, title, abstract}")
    a.add_argument("--verbose", action="store_true", help="also report records that could not be read")
