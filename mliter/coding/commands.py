"""`mliter code ...`: validate annotation files, compute agreement, adjudicate, draw the double-coding sample."""

from __future__ import annotations

from mliter.errors import InputError
import sys
from pathlib import Path

from mliter.coding.codebook import DEFAULT_CODEBOOK
from mliter.paths import ROOT

PAPERS = Path("corpus/papers.csv")
FOLDER = Path("coding/papers")
FRONT_MATTER = ("Preface", "Keynotes")


def _abstracts(args):
    """Abstracts for the copied-note check, when the recorded sources can be read; else None."""
    if args.no_copy_check:
        return None
    try:
        from mliter.corpus.papers.abstracts import load_abstracts

        found = {k: v for k, v in load_abstracts().items() if v}
    except (ImportError, OSError, ValueError) as exc:
        print(f"note: copied-text check skipped (abstracts not readable: {exc})", file=sys.stderr)
        return None
    return found


def _validate(args) -> int:
    from mliter.coding.codebook import load
    from mliter.coding.validate import read_paper_ids, validate_files

    cb = load(args.codebook)
    ids = read_paper_ids(Path(args.root) / args.papers)
    problems = validate_files(args.files, cb, ids, _abstracts(args))
    for p in problems:
        print(p)
    n_files = len(args.files)
    print(f"{n_files} file(s) valid against codebook {cb.version}" if not problems
          else f"{len(problems)} problem(s) in {len({p.file for p in problems})} of {n_files} file(s)",
          file=sys.stderr)
    return 1 if problems else 0


def _inputs(args):
    from mliter.coding.adjudicate import read_adjudication
    from mliter.coding.codebook import load
    from mliter.coding.validate import coder_files, read_annotations, read_paper_ids

    cb = load(args.codebook)
    root = Path(args.root)
    files = args.files or coder_files(root / FOLDER, cb)
    if not files:
        raise InputError(f"no coder files found in {root / FOLDER} (expected <coder>.csv)")
    ann = read_annotations(files, cb, read_paper_ids(root / args.papers))
    adj = read_adjudication(root / FOLDER / "adjudication.csv", cb)
    return cb, root, ann, adj


def _agreement(args) -> int:
    from mliter.coding.agreement import agreement_table
    from mliter.coding.disagreements import disagreements
    from mliter.coding.schema import AGREEMENT, DISAGREEMENTS

    cb, root, ann, adj = _inputs(args)
    if args.only_version:
        ann = ann[ann["codebook_version"] == args.only_version]
        print(f"rows coded under codebook {args.only_version} only; nothing written")
        return _print_agreement(agreement_table(ann, cb), ann)
    table = agreement_table(ann, cb)
    dis = disagreements(ann, cb, adj)
    AGREEMENT.write(table, root)
    DISAGREEMENTS.write(dis, root)
    print(f"{len(dis)} disagreements ({int((dis.adjudicated_value == '').sum())} open) -> "
          f"{AGREEMENT.path}, {DISAGREEMENTS.path}")
    return _print_agreement(table, ann)


def _print_agreement(table, ann) -> int:
    from mliter.coding.agreement import double_coded

    per_paper = double_coded(ann)
    print(f"{len(per_paper)} papers, {int((per_paper >= 2).sum())} coded by two or more coders")
    for r in table.itertuples(index=False):
        est = "undefined" if r.estimate is None or r.estimate != r.estimate else f"{r.estimate:.2f}"
        print(f"  {r.code:22} {r.on:9} {r.coders:24} {r.measure:28} n={r.n:<4} {est}")
    return 0


def _adjudicate(args) -> int:
    from mliter.coding.adjudicate import consensus, provenance
    from mliter.coding.schema import CONSENSUS, PROVENANCE

    cb, root, ann, adj = _inputs(args)
    prov = provenance(ann, cb, adj)
    cons = consensus(prov, ann, cb)
    CONSENSUS.write(cons, root)
    PROVENANCE.write(prov, root)
    counts = prov["method"].value_counts().to_dict()
    print(f"{len(cons)} papers -> {CONSENSUS.path}, {PROVENANCE.path}; values by method: "
          + ", ".join(f"{k}={counts[k]}" for k in sorted(counts)))
    return 0


def _sample(args) -> int:
    import pandas as pd

    from mliter.coding.sample import double_coding_sample

    papers = pd.read_csv(Path(args.root) / args.papers, dtype=str, keep_default_na=False)
    keep = papers[~papers["section"].isin(args.exclude_section)] if "section" in papers else papers
    for pid in double_coding_sample(keep["paper_id"], args.share):
        print(pid)
    return 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter

    code = groups["code"]

    def common(p, files_help: str | None) -> None:
        if files_help:
            p.add_argument("files", nargs="*", type=Path, help=files_help)
        p.add_argument("--codebook", type=Path, default=DEFAULT_CODEBOOK, help="codebook YAML")
        p.add_argument("--papers", type=Path, default=PAPERS, help="paper list, relative to --root")
        p.add_argument("--root", type=Path, default=ROOT, help="repository root")

    v = code.add_parser(
        "validate", help="check annotation files against the codebook and the paper list",
        formatter_class=HelpFormatter,
        description=("Check coder files coding/papers/<coder>.csv: columns, coder id, codebook version, known and "
                     "unique paper ids, type and allowed values of every code, notes not copied from the abstract. "
                     "Prints one line per problem naming file, row (header = 1), column and what was expected; "
                     "exits 1 when there is any."),
        epilog="examples:\n  mliter code validate coding/papers/coder_a.csv\n  mliter code validate coding/papers/coder_*.csv --no-copy-check")
    v.add_argument("files", nargs="+", type=Path, help="annotation CSV files")
    common(v, None)
    v.add_argument("--no-copy-check", action="store_true", help="skip comparing notes with the abstracts")
    v.set_defaults(func=_validate)

    a = code.add_parser(
        "agreement", help="agreement per code and the disagreement report", formatter_class=HelpFormatter,
        description=("Cohen's kappa (categorical codes, presence of counts and of workflow parts) and Krippendorff's "
                     "alpha (counts) on papers coded by two or more coders -> coding/papers/agreement.csv; every "
                     "disagreement -> coding/papers/disagreements.csv."),
        epilog=("examples:\n  mliter code agreement\n  mliter code agreement coding/papers/coder_a.csv coding/papers/coder_b.csv\n"
                "  mliter code agreement --only-version 1.1"))
    common(a, "coder files (default: every coding/papers/<coder>.csv)")
    a.add_argument("--only-version", metavar="VERSION", default=None,
                   help="only rows coded under this codebook version (agreement after a revision); prints, writes nothing")
    a.set_defaults(func=_agreement)

    j = code.add_parser(
        "adjudicate", help="consensus codes with provenance", formatter_class=HelpFormatter,
        description=("Merge the coder files into coding/papers/consensus.csv and consensus_provenance.csv: agreed "
                     "values, adjudicated values from coding/papers/adjudication.csv, else the first coder's value "
                     "flagged first_coder_default (docs/coding.md)."),
        epilog="example:\n  mliter code adjudicate")
    common(j, "coder files (default: every coding/papers/<coder>.csv)")
    j.set_defaults(func=_adjudicate)

    s = code.add_parser(
        "sample", help="print the double-coding subset of the paper list", formatter_class=HelpFormatter,
        description="Print the paper ids every coder codes: the lowest SHA-256 ranks of the ids (deterministic).",
        epilog="example:\n  mliter code sample --share 0.4 > /tmp/double_coded.txt")
    s.add_argument("--share", type=float, default=0.4, help="share of the paper list to double-code")
    s.add_argument("--exclude-section", action="append", default=list(FRONT_MATTER),
                   help="proceedings sections that are not research papers")
    s.add_argument("--papers", type=Path, default=PAPERS, help="paper list, relative to --root")
    s.add_argument("--root", type=Path, default=ROOT, help="repository root")
    s.set_defaults(func=_sample)
