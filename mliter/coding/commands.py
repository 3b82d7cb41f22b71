"""`mliter code ...`: validate annotation files, compute agreement, adjudicate, draw the double-coding sample."""

from __future__ import annotations

from mliter.errors import InputError
import sys
from pathlib import Path

from mliter.coding.arguments import add_codebook, add_coder_files, add_root, coder_inputs, report_problems
from mliter.coding.codebook import DEFAULT_CODEBOOK
from mliter.paths import ROOT
from mliter.corpus.rounds import FRESH_ROUNDS

PAPERS = Path("corpus/papers.csv")
FOLDER = Path("coding/papers")
CODERS = FOLDER / "coders"
SCREENERS = FOLDER / "screeners"
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

    from mliter.coding.screening import validate_screener_file

    cb = load(args.codebook)
    ids = read_paper_ids(Path(args.root) / args.papers)
    abstracts = _abstracts(args)
    from mliter.coding.adjudicate import read_adjudication
    from mliter.coding.validate import AnnotationError

    screen = [f for f in args.files if Path(f).parent.name == SCREENERS.name]
    adjud = [f for f in args.files if Path(f).name == "adjudication.csv"]
    code = [f for f in args.files if f not in screen and f not in adjud]
    problems = validate_files(code, cb, ids, abstracts)
    problems += [p for f in screen for p in validate_screener_file(f, cb, ids, abstracts)]
    for f in adjud:
        try:
            read_adjudication(f, cb)
        except AnnotationError as exc:
            problems += exc.problems
    problems += _cross_check(code, screen)
    n_files = len(args.files)
    return report_problems(problems, f"{n_files} file(s) valid against codebook {cb.version}",
                           f"{len(problems)} problem(s) in {len({p.file for p in problems})} of {n_files} file(s)")


def _cross_check(code_files, screen_files):
    """A coder's codes and screening agree: every coded paper was included, every included paper is coded."""
    import csv

    from mliter.coding.validate import Problem, csv_rows, records

    def column(path, col, where=None):
        try:
            rows = csv_rows(path)
        except (OSError, UnicodeDecodeError, csv.Error):
            return {}  # the file's own validation reports why it cannot be read
        header = [h.strip() for h in rows[0]] if rows else []
        return {rec.get("paper_id", ""): r for r, rec in records(rows, header, str(path), [])
                if col in rec and (where is None or where(rec))}

    problems = []
    screens = {Path(f).stem: f for f in screen_files}
    for f in code_files:
        s = screens.get(Path(f).stem)
        if s is None:
            continue
        coded = column(f, "paper_id")
        included = column(s, "decision", lambda r: (r.get("decision") or "").strip() == "include")
        screened = column(s, "decision")
        for pid, row in sorted(coded.items(), key=lambda kv: kv[1]):
            if pid in screened and pid not in included:
                problems.append(Problem(str(f), row, "paper_id", f"paper {pid!r} is coded but excluded in {s}",
                                        "codes only for papers the coder included"))
        for pid, row in sorted(included.items(), key=lambda kv: kv[1]):
            if pid not in coded:
                problems.append(Problem(str(s), row, "paper_id", f"paper {pid!r} is included but has no row in {f}",
                                        "a coding row for every included paper"))
    return problems


def _inputs(args):
    """(codebook, root, annotations, adjudication, screeners) of the paper survey, all validated."""
    from mliter.coding.adjudicate import read_adjudication
    from mliter.coding.validate import coder_files, read_annotations, read_paper_ids

    from mliter.coding.schema import SCREENING
    from mliter.coding.screening import read_screeners

    cb, root, files = coder_inputs(args, CODERS, coder_files)
    ids = read_paper_ids(root / args.papers)
    ann = read_annotations(files, cb, ids)
    adj = read_adjudication(root / FOLDER / "adjudication.csv", cb)
    screeners = read_screeners(coder_files(root / SCREENERS, cb), cb, ids)
    if (root / SCREENING.path).exists():
        screening = SCREENING.read(root)
        included = set(screening.loc[screening["decision"] == "included", "paper_id"])
        dropped = sorted(set(ann["paper_id"]) - included)
        if dropped:
            print(f"{len(dropped)} coded paper(s) not included by {SCREENING.path} are left out: "
                  + ", ".join(dropped[:8]) + (" ..." if len(dropped) > 8 else ""), file=sys.stderr)
        ann = ann[ann["paper_id"].isin(included)].reset_index(drop=True)
        keep = adj["paper_id"].isin(included) | (adj["code"] == "screening")
        adj = adj[keep].reset_index(drop=True)
    else:
        print(f"note: no {SCREENING.path}; every coded paper is kept (run `mliter code screen`)", file=sys.stderr)
    return cb, root, ann, adj, screeners


def _agreement(args) -> int:
    import pandas as pd

    from mliter.coding.agreement import agreement_table, screening_agreement
    from mliter.coding.disagreements import disagreements, screening_disagreements
    from mliter.coding.schema import AGREEMENT, DISAGREEMENTS

    cb, root, ann, adj, screeners = _inputs(args)
    if args.only_version:
        ann = ann[ann["codebook_version"] == args.only_version]
        print(f"rows coded under codebook {args.only_version} only; nothing written")
        return _print_agreement(agreement_table(ann, cb), ann)
    table = pd.concat([agreement_table(ann, cb), screening_agreement(screeners)], ignore_index=True)
    dis = pd.concat([disagreements(ann, cb, adj), screening_disagreements(screeners, adj)], ignore_index=True)
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

    cb, root, ann, adj, _ = _inputs(args)
    prov = provenance(ann, cb, adj[adj["code"] != "screening"])
    cons = consensus(prov, ann, cb)
    CONSENSUS.write(cons, root)
    PROVENANCE.write(prov, root)
    counts = prov["method"].value_counts().to_dict()
    print(f"{len(cons)} papers -> {CONSENSUS.path}, {PROVENANCE.path}; values by method: "
          + ", ".join(f"{k}={counts[k]}" for k in sorted(counts)))
    return 0


def _screen(args) -> int:
    import pandas as pd

    from mliter.coding.adjudicate import read_adjudication
    from mliter.coding.codebook import load
    from mliter.coding.schema import SCREENING
    from mliter.coding.screening import read_screeners, screening_table
    from mliter.coding.validate import coder_files, read_paper_ids
    from mliter.corpus.papers.abstracts import load_abstracts

    cb = load(args.codebook)
    root = Path(args.root)
    papers = pd.read_csv(root / args.papers, dtype=str, keep_default_na=False)
    if papers.empty:
        raise InputError(f"{root / args.papers}: no records; screening.csv left unchanged")
    abstracts = load_abstracts(args.shared, root=root)
    found = sum(1 for pid in papers["paper_id"] if abstracts.get(pid))
    if not found:
        raise InputError("no abstract of any corpus record could be read from the shared material "
                         f"({args.shared or '../shared/data'}); screening.csv left unchanged")
    screeners = read_screeners(coder_files(root / SCREENERS, cb), cb, read_paper_ids(root / args.papers))
    adj = read_adjudication(root / FOLDER / "adjudication.csv", cb)
    table = screening_table(papers, abstracts, cb, screeners, adj)
    path = SCREENING.write(table, root)
    counts = table.groupby(["decision", "decided_by"]).size()
    print(f"{len(table)} records -> {path}")
    for (decision, by), n in counts.items():
        print(f"  {decision:12} {by:24} {n}")
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
    from mliter.cli import add_verb

    code = groups["code"]

    def common(p, coder_files: bool = False) -> None:
        if coder_files:
            add_coder_files(p, str(FOLDER))
        add_codebook(p, DEFAULT_CODEBOOK)
        p.add_argument("--papers", type=Path, default=PAPERS, help="paper list, relative to --root")
        add_root(p, ROOT)

    v = add_verb(
        code, "validate", _validate, help="check annotation files against the codebook and the paper list",
        description=("Check coder files coding/papers/coders/<coder>.csv: columns, coder id, codebook version, known and "
                     "unique paper ids, type and allowed values of every code, notes not copied from the abstract. "
                     "Prints one line per problem naming file, row (header = 1), column and what was expected; "
                     "exits 1 when there is any."),
        epilog="examples:\n  mliter code validate coding/papers/coders/c3.csv\n  mliter code validate coding/papers/coders/*.csv --no-copy-check")
    v.add_argument("files", nargs="+", type=Path, help="annotation CSV files")
    common(v)
    v.add_argument("--no-copy-check", action="store_true", help="skip comparing notes with the abstracts")

    a = add_verb(
        code, "agreement", _agreement, help="agreement per code and the disagreement report",
        description=("Cohen's kappa (categorical codes, presence of counts and of workflow parts) and Krippendorff's "
                     "alpha (counts) on papers coded by two or more coders -> coding/papers/agreement.csv; every "
                     "disagreement -> coding/papers/disagreements.csv."),
        epilog=("examples:\n  mliter code agreement\n  mliter code agreement coding/papers/coders/c3.csv coding/papers/coders/c4.csv\n"
                "  mliter code agreement --only-version 1.1"))
    common(a, coder_files=True)
    a.add_argument("--only-version", metavar="VERSION", default=None,
                   help="only rows coded under this codebook version (agreement after a revision); prints, writes nothing")

    j = add_verb(
        code, "adjudicate", _adjudicate, help="consensus codes with provenance",
        description=("Merge the coder files into coding/papers/consensus.csv and consensus_provenance.csv: agreed "
                     "values, adjudicated values from coding/papers/adjudication.csv, else the first coder's value "
                     "flagged first_coder_default (docs/coding.md)."),
        epilog="example:\n  mliter code adjudicate")
    common(j, coder_files=True)

    sc = add_verb(
        code, "screen", _screen, help="screen every corpus record -> coding/papers/screening.csv",
        description=("Apply the codebook's screening rules (test-fixture source, front matter, missing abstract) to "
                     "every record of corpus/papers.csv, draw the stratified coding sample, and merge the coders' "
                     "screening decisions (coding/papers/screeners/<coder>.csv) and the adjudicator's (code "
                     "`screening` in coding/papers/adjudication.csv) into coding/papers/screening.csv. Reads "
                     "abstracts from the shared material (never written)."),
        epilog="examples:\n  mliter code screen\n  mliter code screen --shared /path/to/shared/data")
    common(sc)
    sc.add_argument("--shared", type=Path, default=None, help="shared data folder (default ../shared/data)")

    s = add_verb(
        code, "sample", _sample, help="print the double-coding subset of the paper list",
        description=("Print the paper ids every coder codes: the lowest SHA-256 ranks of the ids (deterministic). "
                     "The codebook-2.0 survey uses the double_coded column of coding/papers/screening.csv instead "
                     "(`mliter code screen`); this prints a subset of any paper list."),
        epilog="example:\n  mliter code sample --share 0.4 > /tmp/double_coded.txt")
    s.add_argument("--share", type=float, default=0.4, help="share of the paper list to double-code")
    s.add_argument("--exclude-section", action="append", default=list(FRONT_MATTER),
                   help="proceedings sections that are not research papers")
    s.add_argument("--papers", type=Path, default=PAPERS, help="paper list, relative to --root")
    s.add_argument("--root", type=Path, default=ROOT, help="repository root")

    t = add_verb(
        code, "trace-eval", _trace_eval,
        help="consensus of the notebook-trace coders and the frozen rules' predictions",
        description=("Merge coding/labels/cells_<coder>.csv and pairs_<coder>.csv into consensus files (agreed "
                     "labels, adjudicated ones from coding/labels/adjudication_*.csv, else coder a's, listed in "
                     "disagreements_*.csv), and mine the sampled cells and version pairs with the current rules into "
                     "traces/eval_cells.csv and traces/eval_pairs.csv (never executing code). The figures "
                     "(analysis/trace_validity.py) score them; the held-out half is scored after the rules are frozen."),
        epilog=("examples:\n  mliter code trace-eval --data ../shared/data\n"
                "  mliter code trace-eval --round 2 --labels-only --kind cells     # consensus, no rules run\n"
                "  mliter code trace-eval --round 2 --material /work/fresh        # re-score with the current rules\n"
                "  mliter code trace-eval --round 3 --labels-only                 # round-3 consensus, no rules run\n"
                "  mliter code trace-eval --round 4 --labels-only                 # round-4 consensus, no rules run\n"
                "  mliter code trace-eval --round 4 --material /work/fresh4 --record  # once, after the round-4 freeze\n"
                "  mliter code trace-eval --round 3 --material /work/fresh3 --record  # the round-4 rules on round 3"))
    t.add_argument("--data", type=Path, default=None, help="folder holding notebooks_eval/ and notebook_versions*/")
    t.add_argument("--root", type=Path, default=ROOT, help="repository root")
    t.add_argument("--round", type=int, default=1, choices=(1, 2, *FRESH_ROUNDS),
                   help="1: coding/labels/ -> traces/eval_*.csv; N > 1: the fresh held-out samples "
                        "coding/labels/round<N>/ -> traces/eval_round<N>_*.csv")
    t.add_argument("--material", type=Path, default=None,
                   help="folder holding the material kept outside the repository: round 2 notebook_versions_round2/ "
                        "(default $MLITER_ROUND2_DATA, else ../fresh), round N >= 3 notebooks_roundN/ and "
                        "notebook_versions_roundN/ (default $MLITER_ROUNDN_DATA, else ../freshN)")
    t.add_argument("--kind", choices=("cells", "pairs", "both"), default="both", help="which items")
    t.add_argument("--labels-only", action="store_true",
                   help="write consensus and disagreements only; run no rule (for adjudicating before scoring)")
    t.add_argument("--record", action="store_true",
                   help="after round R's freeze (R = mliter.coding.trace_eval.RULES_ROUND), the scoring runs: also keep "
                        "the predictions as the frozen record traces/frozen/rulesR_sample<round>_*.csv, for round R's "
                        "held-out sample and for each earlier sample (refused if a different record exists)")


def _trace_eval(args) -> int:
    from mliter.coding.trace_eval import build_tables
    from mliter.paths import shared_data

    data = args.data or shared_data()
    kinds = ("cells", "pairs") if args.kind == "both" else (args.kind,)
    if args.record and args.labels_only:
        raise InputError("--record keeps the rules' predictions; it cannot go with --labels-only")
    if not args.labels_only and "cells" in kinds and args.round not in FRESH_ROUNDS and not (data / "notebooks_eval").is_dir():
        raise InputError(f"{data}: no notebooks_eval/ folder (pass --data)")
    for p in build_tables(Path(args.root), data, rnd=args.round, material=args.material, kinds=kinds,
                          predictions=not args.labels_only, record=args.record):
        print(p)
    return 0
