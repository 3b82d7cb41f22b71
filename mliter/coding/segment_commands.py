"""`mliter code segments ...`: coder files of segments codebooks (the AutoML thread study)."""

from __future__ import annotations

import sys
from pathlib import Path

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK
from mliter.paths import ROOT, shared_data

SOURCES = Path("corpus/threads.csv")
FOLDER = Path("coding/threads")
CODERS = FOLDER / "coders"
ASSIGNMENT = FOLDER / "assignment.csv"


def thread_texts(root: Path, data: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(source id -> checked text, source id -> account names shown) for the thread study."""
    from mliter.corpus.threads import staged
    from mliter.corpus.threads.schema import SOURCES as TABLE
    from mliter.corpus.threads.sources import checked_texts

    src_path = Path(root) / SOURCES
    if not src_path.exists():
        raise FileNotFoundError(f"sources table {src_path} not found (write it with `mliter corpus threads`)")
    records = staged.read_staged(Path(data) / staged.STAGED)
    texts = checked_texts(TABLE.read(Path(root)), records, str(src_path))
    return texts, {r.source_id: r.accounts() for r in records}


def _validate(args) -> int:
    from mliter.coding.assignment import read_assignment
    from mliter.coding.codebook import load
    from mliter.coding.segments import validate_segment_files

    cb = load(args.codebook)
    root = Path(args.root)
    texts, accounts = thread_texts(root, Path(args.data))
    assignment = read_assignment(root / args.assignment) if args.assignment else None
    problems = validate_segment_files(args.files, cb, texts, assignment, args.partial, accounts)
    for p in problems:
        print(p)
    print(f"{len(args.files)} file(s) valid against codebook {cb.name} {cb.version}" if not problems
          else f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def _locate(args) -> int:
    texts, _ = thread_texts(Path(args.root), Path(args.data))
    if args.source_id not in texts:
        raise ValueError(f"unknown source id {args.source_id!r}")
    text = texts[args.source_id]
    start, found = 0, 0
    while True:
        i = text.find(args.quote, start)
        if i < 0:
            break
        print(f"{i},{i + len(args.quote)}")
        found += 1
        start = i + 1
    if not found:
        print(f"not found in {args.source_id} (the quote must match the excerpt exactly)", file=sys.stderr)
        return 1
    return 0


def _show(args) -> int:
    texts, _ = thread_texts(Path(args.root), Path(args.data))
    if args.source_id not in texts:
        raise ValueError(f"unknown source id {args.source_id!r}")
    text = texts[args.source_id]
    print(f"# {args.source_id}: {len(text)} characters; each line starts with its offset")
    pos = 0
    for line in text.splitlines(keepends=True):
        print(f"{pos:5d} | {line.rstrip(chr(10))}")
        pos += len(line)
    return 0


def _assign(args) -> int:
    from mliter.coding.assignment import COLUMNS, assignment_frame
    from mliter.corpus.threads.schema import SOURCES as TABLE
    from mliter.io import atomic_write_text

    root = Path(args.root)
    ids = TABLE.read(root)["source_id"].tolist()
    frame = assignment_frame(ids, args.full, args.sample_coder, args.share)
    frame = frame.sort_values(["coder", "source_id"], kind="mergesort")[COLUMNS]
    atomic_write_text(root / args.assignment, frame.to_csv(index=False, lineterminator="\n"))
    counts = frame.groupby("coder").size().to_dict()
    print(f"assignment -> {root / args.assignment}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    top = groups["code"].add_parser(
        "segments", help="coder files of segment codebooks (AutoML threads, interviews)", formatter_class=HelpFormatter,
        description="Validate, inspect and assign segment-coded sources (coding/interviews.codebook.yaml).",
        epilog="example:\n  mliter code segments validate coding/threads/coders/coder_a.csv")
    verbs = top.add_subparsers(dest="segments_verb", metavar="VERB", required=True)

    def common(p) -> None:
        p.add_argument("--codebook", type=Path, default=DEFAULT_INTERVIEW_CODEBOOK, help="codebook YAML")
        p.add_argument("--root", type=Path, default=ROOT, help="repository root")
        p.add_argument("--data", type=Path, default=shared_data(), help="folder holding automl_threads/")

    v = verbs.add_parser(
        "validate", help="check coder files against the codebook, the texts and the assignment",
        formatter_class=HelpFormatter,
        description=("Check coder files coding/threads/coders/<coder>.csv: columns, coder id, codebook version, known "
                     "and assigned source ids, known codes, offsets inside the text and on word boundaries, "
                     "none_codable alone, at most one user code per source, notes short, in your own words and "
                     "without names, and (unless --partial) a row for every assigned source. One line per problem "
                     "naming file, row (header = 1) and column; exits 1 when there is any."),
        epilog=("examples:\n  mliter code segments validate coding/threads/coders/coder_a.csv\n"
                "  mliter code segments validate --partial coding/threads/coders/coder_b.csv"))
    v.add_argument("files", nargs="+", type=Path, help="coder CSV files")
    common(v)
    v.add_argument("--assignment", type=Path, default=ASSIGNMENT, help="assignment table, relative to --root")
    v.add_argument("--partial", action="store_true", help="do not require a row for every assigned source")
    v.set_defaults(func=_validate)

    lo = verbs.add_parser(
        "locate", help="print start,end of an exact quote in a source's text", formatter_class=HelpFormatter,
        description="Find every occurrence of QUOTE in the text of SOURCE_ID and print its offsets as start,end.",
        epilog="example:\n  mliter code segments locate 'github:automl/auto-sklearn#268' 'which could give me more information'")
    lo.add_argument("source_id")
    lo.add_argument("quote")
    common(lo)
    lo.set_defaults(func=_locate)

    sh = verbs.add_parser(
        "show", help="print a source's text with the offset of every line", formatter_class=HelpFormatter,
        description="Print the text coders index into, each line prefixed by the offset of its first character.",
        epilog="example:\n  mliter code segments show 'github:automl/auto-sklearn#268'")
    sh.add_argument("source_id")
    common(sh)
    sh.set_defaults(func=_show)

    a = verbs.add_parser(
        "assign", help="write the assignment table (who codes which source)", formatter_class=HelpFormatter,
        description=("FULL codes every source of corpus/threads.csv; each --sample-coder codes the double-coding "
                     "sample (lowest SHA-256 ranks of the ids, deterministic)."),
        epilog="example:\n  mliter code segments assign --full coder_a --sample-coder coder_b --share 0.42")
    common(a)
    a.add_argument("--full", default="coder_a", help="coder who codes every source")
    a.add_argument("--sample-coder", action="append", default=None, help="coder of the double-coding sample")
    a.add_argument("--share", type=float, default=0.42, help="share of the sources double-coded")
    a.add_argument("--assignment", type=Path, default=ASSIGNMENT, help="output, relative to --root")
    a.set_defaults(func=_assign)
