"""`mliter code segments ...`: coder files of segments codebooks (the AutoML thread study)."""

from __future__ import annotations

import sys
from pathlib import Path

from mliter.coding.arguments import add_codebook, add_coder_files, add_root, coder_inputs, report_problems
from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK
from mliter.errors import InputError
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
    return report_problems(problems, f"{len(args.files)} file(s) valid against codebook {cb.name} {cb.version}",
                           f"{len(problems)} problem(s)")


def _locate(args) -> int:
    texts, _ = thread_texts(Path(args.root), Path(args.data))
    if args.source_id not in texts:
        raise InputError(f"unknown source id {args.source_id!r}")
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
        raise InputError(f"unknown source id {args.source_id!r}")
    text = texts[args.source_id]
    print(f"# {args.source_id}: {len(text)} characters; each line starts with its offset")
    pos = 0
    for line in text.splitlines(keepends=True):
        print(f"{pos:5d} | {line.rstrip(chr(10))}")
        pos += len(line)
    return 0


def _inputs(args):
    """(codebook, root, texts, segments, presence, adjudication) of the thread study, all validated."""
    from mliter.coding.adjudicate import read_adjudication
    from mliter.coding.assignment import read_assignment
    from mliter.coding.segments import coder_files, presence, read_segments

    cb, root, files = coder_inputs(args, CODERS, coder_files)
    texts, _ = thread_texts(root, Path(args.data))
    seg = read_segments(files, cb, texts, read_assignment(root / ASSIGNMENT), partial=args.partial)
    adj = read_adjudication(root / getattr(args, "adjudication", FOLDER / "adjudication.csv"), cb, key="source_id")
    return cb, root, texts, seg, presence(seg, cb), adj


def _agreement(args) -> int:
    from mliter.coding.segment_agreement import presence_agreement, unitised_agreement
    from mliter.coding.segment_consensus import disagreements
    from mliter.coding.threads_schema import AGREEMENT, DISAGREEMENTS, SEGMENT_AGREEMENT

    cb, root, texts, seg, pres, adj = _inputs(args)
    table = presence_agreement(pres, cb)
    units = unitised_agreement(seg, texts, cb)
    dis = disagreements(pres, seg, cb, adj)
    AGREEMENT.write(table, root)
    SEGMENT_AGREEMENT.write(units, root)
    DISAGREEMENTS.write(dis, root)
    n_multi = int((pres.groupby("source_id")["coder"].nunique() >= 2).sum())
    print(f"{pres['source_id'].nunique()} threads coded, {n_multi} by two or more coders; {len(dis)} disagreements "
          f"({int((dis.adjudicated_value == '').sum())} open) -> {AGREEMENT.path}, {SEGMENT_AGREEMENT.path}, "
          f"{DISAGREEMENTS.path}")
    return 0


def _check_adjudication(args) -> int:
    from mliter.coding.segment_consensus import build, disagreements
    from mliter.coding.validate import AnnotationError, Problem, copied_run

    try:
        cb, root, texts, seg, pres, adj = _inputs(args)
    except AnnotationError as exc:
        print(exc)
        return 1
    name = str(Path(args.root) / args.adjudication)
    problems: list[str] = []
    _, accounts = thread_texts(Path(args.root), Path(args.data))
    rows = {(r.source_id, r.code): i for i, r in enumerate(adj.itertuples(index=False), start=2)}
    for r in adj.itertuples(index=False):
        row = rows[(r.source_id, r.code)]
        if len(r.reason) > 300:
            problems.append(str(Problem(name, row, "reason", f"reason is {len(r.reason)} characters", "at most 300")))
        text = texts.get(r.source_id, "")
        run = copied_run(r.reason, text) if text else None
        if run:
            problems.append(str(Problem(name, row, "reason", f"reason copies the thread ('{run}')", "your own words")))
        for acc in sorted(accounts.get(r.source_id, ())):
            if len(acc) >= 3 and acc.lower() in r.reason.lower().split():
                problems.append(str(Problem(name, row, "reason", "reason contains an account name", "no names")))
                break
    dis = disagreements(pres, seg, cb, adj)
    for d in dis[dis["adjudicated_value"] == ""].itertuples(index=False):
        problems.append(f"{name}: open disagreement {d.source_id} {d.code} ({d.coder_values}) has no row")
    try:
        _, _, _, violations = build(pres, seg, cb, adj)
        problems += [f"{name}: {v}" for v in violations]
    except InputError as exc:
        problems.append(f"{name}: {exc}")
    summary = f"{len(adj)} decision(s), {len(dis)} disagreement(s), {len(problems)} problem(s)"
    return report_problems(problems, summary, summary)


def _adjudicate(args) -> int:
    from mliter.coding.segment_consensus import build
    from mliter.coding.threads_schema import CONSENSUS, CONSENSUS_SEGMENTS, PROVENANCE

    cb, root, texts, seg, pres, adj = _inputs(args)
    prov, cons, cseg, violations = build(pres, seg, cb, adj)
    if violations:
        raise InputError("consensus breaks the codebook's per-source rules (fix the adjudication; nothing written): "
                         + "; ".join(violations[:10]))
    CONSENSUS.write(cons, root)
    PROVENANCE.write(prov, root)
    CONSENSUS_SEGMENTS.write(cseg, root)
    counts = prov["method"].value_counts().to_dict()
    print(f"{len(cons)} threads, {len(cseg)} consensus segments -> {CONSENSUS.path}, {PROVENANCE.path}, "
          f"{CONSENSUS_SEGMENTS.path}; values by method: " + ", ".join(f"{k}={counts[k]}" for k in sorted(counts)))
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
    from mliter.cli import HelpFormatter, add_verb

    top = groups["code"].add_parser(
        "segments", help="coder files of segment codebooks (AutoML threads, interviews)", formatter_class=HelpFormatter,
        description="Validate, inspect and assign segment-coded sources (coding/interviews.codebook.yaml).",
        epilog="example:\n  mliter code segments validate coding/threads/coders/coder_a.csv")
    verbs = top.add_subparsers(dest="segments_verb", metavar="VERB", required=True)

    def common(p) -> None:
        add_codebook(p, DEFAULT_INTERVIEW_CODEBOOK)
        add_root(p, ROOT)
        p.add_argument("--data", type=Path, default=shared_data(), help="folder holding automl_threads/")

    v = add_verb(
        verbs, "validate", _validate, help="check coder files against the codebook, the texts and the assignment",
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

    lo = add_verb(
        verbs, "locate", _locate, help="print start,end of an exact quote in a source's text",
        description="Find every occurrence of QUOTE in the text of SOURCE_ID and print its offsets as start,end.",
        epilog="example:\n  mliter code segments locate 'github:automl/auto-sklearn#268' 'which could give me more information'")
    lo.add_argument("source_id")
    lo.add_argument("quote")
    common(lo)

    sh = add_verb(
        verbs, "show", _show, help="print a source's text with the offset of every line",
        description="Print the text coders index into, each line prefixed by the offset of its first character.",
        epilog="example:\n  mliter code segments show 'github:automl/auto-sklearn#268'")
    sh.add_argument("source_id")
    common(sh)

    def study(p, files: bool = True) -> None:
        if files:
            add_coder_files(p, str(CODERS))
        else:
            p.set_defaults(files=[])
        common(p)
        p.add_argument("--partial", action="store_true", help="accept coder files that do not yet cover their assignment")

    ag = add_verb(
        verbs, "agreement", _agreement, help="presence kappa/alpha, unitised segment alpha and the disagreement list",
        description=("On threads coded by two or more coders: Cohen's kappa and Krippendorff's alpha (bootstrap "
                     "intervals) on the presence of every code and group -> coding/threads/agreement.csv; unitised "
                     "character-level alpha per code -> segment_agreement.csv; every disputed (thread, code) -> "
                     "disagreements.csv."),
        epilog="example:\n  mliter code segments agreement")
    study(ag)

    ca = add_verb(
        verbs, "check-adjudication", _check_adjudication, help="check coding/threads/adjudication.csv",
        description=("Check the adjudicator's file: header, known codes, present/absent values, reasons (given, at most "
                     "300 characters, not copied, no names), one decision per (thread, code), no row for an undisputed "
                     "code, no open disagreement, and a consensus that keeps the codebook's per-source rules."),
        epilog="example:\n  mliter code segments check-adjudication")
    study(ca, files=False)
    ca.add_argument("adjudication", nargs="?", type=Path, default=FOLDER / "adjudication.csv",
                    help="adjudication file, relative to --root")

    ad = add_verb(
        verbs, "adjudicate", _adjudicate, help="consensus presence, provenance and consensus segments",
        description=("Merge the coder files and coding/threads/adjudication.csv into consensus.csv, "
                     "consensus_provenance.csv and consensus_segments.csv (docs/coding.md); refuses a consensus that "
                     "breaks the codebook's per-source rules."),
        epilog="example:\n  mliter code segments adjudicate")
    study(ad)

    a = add_verb(
        verbs, "assign", _assign, help="write the assignment table (who codes which source)",
        description=("FULL codes every source of corpus/threads.csv; each --sample-coder codes the double-coding "
                     "sample (lowest SHA-256 ranks of the ids, deterministic)."),
        epilog="example:\n  mliter code segments assign --full coder_a --sample-coder coder_b --share 0.42")
    common(a)
    a.add_argument("--full", default="coder_a", help="coder who codes every source")
    a.add_argument("--sample-coder", action="append", default=None, help="coder of the double-coding sample")
    a.add_argument("--share", type=float, default=0.42, help="share of the sources double-coded")
    a.add_argument("--assignment", type=Path, default=ASSIGNMENT, help="output, relative to --root")
