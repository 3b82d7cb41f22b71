"""`mliter code qda ...`: REFI-QDA exchange (validate, import, export)."""

from __future__ import annotations

import sys
from pathlib import Path

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK
from mliter.errors import InputError
from mliter.paths import ROOT

#: The known spreadsheet layouts of the shared interview projects (see mliter.coding.qda.imports).
CSV_PARTICIPANT = "Pariticipant"  # sic: the column name in the published file
CSV_CODES = ["Stage.of.Analysis", "Mention", "Strategy", "Reason", "Impact", "Threat.to.Validity", "Need"]


def _validate(args) -> int:
    from mliter.coding.qda.errors import QdaError
    from mliter.coding.qda.files import read_qdc, read_qdpx
    from mliter.coding.qda.xml import schema_errors, write_codebook, write_project

    bad = 0
    for path in args.files:
        try:
            if path.suffix.lower() == ".qdc":
                raw = path.read_bytes().decode("utf-8", "replace")
                read_qdc(path)
                errors, kind = schema_errors(raw, "codebook"), "codebook"
                rewritten = schema_errors(write_codebook(read_qdc(path)), "codebook")
            else:
                import zipfile

                project = read_qdpx(path)
                with zipfile.ZipFile(path) as zf:
                    name = {n.lower(): n for n in zf.namelist()}["project.qde"]
                    raw = zf.read(name).decode("utf-8", "replace")
                errors, kind = schema_errors(raw, "project"), "project"
                rewritten = schema_errors(write_project(project), "project")
        except QdaError as exc:
            print(f"{exc}")
            bad += 1
            continue
        for where, reason in errors:
            print(f"{path}: {where}: not valid against the REFI-QDA {kind} schema: {reason}")
        if rewritten:
            print(f"{path}: as rewritten by mliter, {rewritten[0][0]}: {rewritten[0][1]}")
        status = "valid" if not errors else f"readable, {len(errors)} schema deviation(s)"
        print(f"{path}: {status}; mliter writes it back {'valid' if not rewritten else 'INVALID'}", file=sys.stderr)
        bad += bool(errors) or bool(rewritten)
    return 1 if bad else 0


def load_any(path: Path, project_id: str):
    """(sources, segments, problems) of a .qdpx, coded-excerpt .csv or .xlsx workbook."""
    from mliter.coding.qda.files import read_qdpx
    from mliter.coding.qda.imports import import_coded_csv, import_workbook
    from mliter.coding.qda.tables import project_tables

    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        src, seg = project_tables(read_qdpx(path), project_id)
        return src, seg, []
    if suffix == ".csv":
        got = import_coded_csv(path, project_id, CSV_PARTICIPANT, CSV_CODES)
    elif suffix == ".xlsx":
        got = import_workbook(path, project_id)
    else:
        raise InputError(f"{path}: unknown kind of coded project (expected .qdpx, .csv or .xlsx)")
    return got.sources, got.segments, got.problems


def _import(args) -> int:
    from mliter.coding.threads_schema import imported_pair

    project_id = args.project or args.file.stem
    src, seg, problems = load_any(args.file, project_id)
    for p in problems:
        print(p, file=sys.stderr)
    if src.empty:
        raise InputError(f"{args.file}: no sources found; nothing written")
    sources_t, segments_t = imported_pair(project_id, args.folder)
    root = Path(args.root)
    sources_t.write(src, root)
    segments_t.write(seg, root)
    print(f"{len(src)} sources, {len(seg)} coded segments ({len(problems)} row problem(s)) -> "
          f"{sources_t.path}, {segments_t.path}")
    return 0


def _codebook(args) -> int:
    from mliter.coding.codebook import load
    from mliter.coding.qda.files import qdc_text
    from mliter.coding.qda.tables import codebook_qdc
    from mliter.io import write_if_changed

    book = load(args.codebook)
    text = qdc_text(codebook_qdc(book))
    changed = write_if_changed(args.out, text.encode("utf-8"))
    print(f"{len(book.codes)} codes in {len(book.groups)} groups -> {args.out}" + ("" if changed else " (unchanged)"))
    return 0


def _export_threads(args) -> int:
    from mliter.coding.codebook import load
    from mliter.coding.qda.files import write_qdpx
    from mliter.coding.qda.tables import tables_project
    from mliter.coding.segment_commands import thread_texts
    from mliter.coding.threads_schema import CONSENSUS_SEGMENTS
    from mliter.corpus.threads.schema import SOURCES

    root = Path(args.root)
    texts, _ = thread_texts(root, Path(args.data))
    sources = SOURCES.read(root)
    segments = CONSENSUS_SEGMENTS.read(root).assign(coder="consensus")
    project = tables_project(args.name, load(args.codebook), sources, segments, texts)
    write_qdpx(project, args.out)
    n_sel = sum(len(s.selections) for s in project.sources)
    print(f"{len(project.sources)} threads, {n_sel} coded selections -> {args.out} (holds the excerpt texts: "
          "for your own use, do not redistribute)")
    return 0


def _schemas_fetch(args) -> int:
    from mliter.coding.qda.schemas import SOURCE_COMMIT, SOURCE_REPO, fetch, source_url

    paths = fetch(args.dir, url=source_url(args.base) if args.base else None)
    for path in paths:
        print(f"{path} (from {SOURCE_REPO} @ {SOURCE_COMMIT[:8]}, sha256-verified)")
    return 0


def _schemas_where(args) -> int:
    from mliter.coding.qda.schemas import KINDS, SchemaError, locate

    bad = 0
    for kind in KINDS:
        try:
            found = locate(kind)
        except SchemaError as exc:
            print(f"{kind}: {exc}")
            bad += 1
            continue
        print(f"{kind}: {found.path} ({found.origin}; sha256 as pinned"
              + (", repaired on reading)" if kind == "codebook" else ")"))
    return 1 if bad else 0


def register(groups) -> None:
    from mliter.cli import HelpFormatter, add_verb
    from mliter.paths import shared_data

    top = groups["code"].add_parser(
        "qda", help="REFI-QDA exchange: validate, import and export .qdpx/.qdc", formatter_class=HelpFormatter,
        description="Read, write and validate REFI-QDA (QDA-XML 1.0) projects and codebooks.",
        epilog="example:\n  mliter code qda validate project.qdpx")
    verbs = top.add_subparsers(dest="qda_verb", metavar="VERB", required=True)

    v = add_verb(
        verbs, "validate", _validate, help="check .qdpx/.qdc files (readable, schema-valid, written back valid)",
        description=("Read each file (errors name the file and element: bad zip, no project.qde, unknown code "
                     "reference, positions past the end of a source), validate its XML against the REFI-QDA "
                     "schemas, and check that what mliter writes back validates. Exits 1 on any problem."),
        epilog="examples:\n  mliter code qda validate ../shared/data/qda/enricllagostera__ponte/*.qdpx\n"
               "  mliter code qda validate coding/interviews.qdc")
    v.add_argument("files", nargs="+", type=Path)

    s = verbs.add_parser(
        "schemas", help="where the REFI-QDA schemas come from; fetch them into the user cache",
        formatter_class=HelpFormatter, description=("mliter ships no schema text. It reads Project.xsd and Codebook.xsd from $MLITER_QDA_SCHEMAS, "
                     "else ../shared/data/qda/schemas, else the user cache that `fetch` fills from the pinned "
                     "QualCoder commit (qualcoder/xsd.py, read statically). Every schema must match its pinned "
                     "sha256 (the codebook schema after mliter's repair)."),
        epilog="examples:\n  mliter code qda schemas where\n  mliter code qda schemas fetch")
    sv = s.add_subparsers(dest="schemas_verb", metavar="VERB", required=True)
    sf = add_verb(
        sv, "fetch", _schemas_fetch, help="download the schemas (network) into the user cache, sha256-verified",
        description=("GET the pinned source file through the polite client, check its sha256, read the two "
                     "schema constants from its syntax tree (never executed), check their sha256s, then write "
                     "Project.xsd and Codebook.xsd. Nothing is written unless every check passes."),
        epilog="examples:\n  mliter code qda schemas fetch\n  mliter code qda schemas fetch --dir /tmp/xsd && "
               "export MLITER_QDA_SCHEMAS=/tmp/xsd")
    sf.add_argument("--dir", type=Path, default=None, help="folder to write; when not given, the user cache "
                    "($XDG_CACHE_HOME/mliter/qda-schemas or ~/.cache/mliter/qda-schemas)")
    sf.add_argument("--base", default=None, help="raw-file server to fetch from, when not the public GitHub one")
    add_verb(sv, "where", _schemas_where, help="which file each schema is read from (exit 1 if one is missing)",
             description="Print, for the project and codebook schema, the file mliter validates with and where it "
                         "came from, or how to get it.", epilog="example:\n  mliter code qda schemas where")

    i = add_verb(
        verbs, "import", _import,
        help="a coded project (.qdpx, coded-excerpt .csv, .xlsx workbook) -> sources and segments tables",
        description=("Write <folder>/<project>/sources.csv and segments.csv. A file that cannot be read writes "
                     "nothing and exits non-zero; unreadable rows of a spreadsheet are reported and skipped."),
        epilog="example:\n  mliter code qda import ../shared/data/qda/kalealex__analysis_paths_research_synthesis/"
               "codes-anonymous.csv --project kalealex")
    i.add_argument("file", type=Path)
    i.add_argument("--project", default=None, help="project id (default: the file name)")
    i.add_argument("--folder", default="coding/imported", help="folder under --root")
    i.add_argument("--root", type=Path, default=ROOT)

    c = add_verb(
        verbs, "codebook", _codebook, help="export a segments codebook YAML as a REFI-QDA .qdc",
        description="One non-codable parent code per group, the codes below it with definition, include, "
                    "exclude and example as the description; GUIDs derived from the code ids (stable).",
        epilog="example:\n  mliter code qda codebook --out coding/interviews.qdc")
    c.add_argument("--codebook", type=Path, default=DEFAULT_INTERVIEW_CODEBOOK)
    c.add_argument("--out", type=Path, default=ROOT / "coding" / "interviews.qdc")

    e = add_verb(
        verbs, "export-threads", _export_threads,
        help="the coded threads as a .qdpx project to open in a QDA tool (local use)",
        description=("Build a REFI-QDA project of the thread excerpts (from the staged corpus, checked against "
                     "corpus/threads.csv) with the consensus segments as coded selections. The file holds thread "
                     "text: keep it local."),
        epilog="example:\n  mliter code qda export-threads /tmp/automl_threads.qdpx")
    e.add_argument("out", type=Path)
    e.add_argument("--name", default="automl-threads")
    e.add_argument("--codebook", type=Path, default=DEFAULT_INTERVIEW_CODEBOOK)
    e.add_argument("--root", type=Path, default=ROOT)
    e.add_argument("--data", type=Path, default=shared_data())
