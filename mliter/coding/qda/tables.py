"""A coded project as two tables, and back: sources (one row per interview or thread) and segments.

`segments` is REFI-QDA's coded selection in table form: source, position (start and end in a
`unit`: characters for text selections, lines or rows for imports that only know those),
code (its path in the code system, `parent/child`), coder. Whatever a project was coded in
(ATLAS.ti, NVivo, MAXQDA, QualCoder, Taguette via .qdpx, or a spreadsheet export), it becomes
these two tables, and the analyses read only them.
"""

from __future__ import annotations

import pandas as pd

from mliter.coding.codebook import Codebook as YamlCodebook
from mliter.coding.qda.model import Code, Codebook, Coding, Project, Selection, TextSource, User, derived_guid
from mliter.io import sha256_bytes
from mliter.tables import Column, Table

UNITS = ("char", "line", "row")
SOURCE_COLUMNS = ["source_id", "kind", "tool", "date", "url", "participant", "text_chars", "text_sha256"]
SEGMENT_COLUMNS = ["source_id", "segment_id", "unit", "start", "end", "code", "coder"]


def source_columns() -> tuple[Column, ...]:
    return (
        Column("source_id", "string", "Source id (`<project>/<source>`).", required=True, unique=True),
        Column("kind", "string", "Kind of source.", required=True, enum=("interview", "thread", "document")),
        Column("tool", "string", "AutoML tool the source is about, when known."),
        Column("date", "date", "Date of the source, when known."),
        Column("url", "string", "Where the source is published, when it is."),
        Column("participant", "string", "Participant id as given by the project (already anonymised there) or a "
               "keyed pseudonym."),
        Column("text_chars", "integer", "Length of the source text in characters, when the project holds it.",
               minimum=0, unit="characters"),
        Column("text_sha256", "string", "SHA-256 of the source text, when the project holds it."),
    )


def segment_columns() -> tuple[Column, ...]:
    return (
        Column("source_id", "string", "Source id (see the sources table).", required=True),
        Column("segment_id", "string", "Id of the coded selection within the project.", required=True),
        Column("unit", "string", "Unit of start and end: characters of the text, lines of a transcript, or rows "
               "of a coded-excerpt spreadsheet.", required=True, enum=UNITS),
        Column("start", "integer", "Start position (0-based for characters; as numbered by the project for lines "
               "and rows), inclusive.", minimum=0),
        Column("end", "integer", "End position, exclusive.", minimum=0),
        Column("code", "string", "Code path in the project's code system (`parent/child`).", required=True),
        Column("coder", "string", "Who coded it, as the project names it (a coder id, `merged`, `study_coders` when "
               "the file does not say, `unknown` for a selection without a creating user).", required=True),
    )


def imported_tables(name: str, folder: str, title: str, description: str) -> tuple[Table, Table]:
    """The declared sources and segments tables of one imported project under `folder`."""
    src = Table(name=f"{name}_sources", path=f"{folder}/sources.csv", title=f"{title}: sources",
                description=description + " One row per source.", columns=source_columns(),
                primary_key=("source_id",))
    seg = Table(name=f"{name}_segments", path=f"{folder}/segments.csv", title=f"{title}: coded segments",
                description=description + " One row per coded segment and code (REFI-QDA coded selections).",
                columns=segment_columns(), primary_key=("source_id", "segment_id", "code", "coder"))
    return src, seg


def project_tables(project: Project, project_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sources, segments) of a REFI-QDA project; source ids are `<project_id>/<source name or guid>`."""
    paths = project.code_paths()
    users = {u.guid.upper(): (u.id or u.name or u.guid) for u in project.users}
    sources, segments = [], []
    for s in project.sources:
        sid = f"{project_id}/{s.name or s.guid}"
        sources.append({"source_id": sid, "kind": "document", "tool": "", "date": "", "url": "", "participant": "",
                        "text_chars": len(s.text), "text_sha256": sha256_bytes(s.text.encode("utf-8"))})
        for sel in s.selections:
            for cod in sel.codings:
                who = cod.attrs.get("creatingUser") or sel.attrs.get("creatingUser") or ""
                segments.append({"source_id": sid, "segment_id": sel.guid, "unit": "char", "start": sel.start,
                                 "end": sel.end, "code": paths[_match(paths, cod.code_guid)],
                                 "coder": users.get(who.upper(), who) or "unknown"})
    return pd.DataFrame(sources, columns=SOURCE_COLUMNS), pd.DataFrame(segments, columns=SEGMENT_COLUMNS)


def _match(paths: dict[str, str], guid: str) -> str:
    """The key of `paths` equal to `guid` ignoring case (GUIDs are case-insensitive)."""
    for k in paths:
        if k.upper() == guid.upper():
            return k
    raise KeyError(guid)


def codebook_codes(book: YamlCodebook) -> list[Code]:
    """A segments codebook as a REFI-QDA code system: one non-codable parent per group, its codes below."""
    out = []
    for group, label in book.groups.items():
        parent = Code(guid=derived_guid(book.name, "group", group), name=group, is_codable=False, description=label)
        for c in book.group_codes(group):
            text = (f"{c.name}. {c.definition}\nInclude: {c.include}\nExclude: {c.exclude}\nExample: {c.example}")
            parent.children.append(Code(guid=derived_guid(book.name, "code", c.code), name=c.code, description=text))
        out.append(parent)
    return out


def codebook_qdc(book: YamlCodebook) -> Codebook:
    return Codebook(codes=codebook_codes(book), origin=f"mliter codebook {book.name} {book.version}")


def tables_project(name: str, book: YamlCodebook, sources: pd.DataFrame, segments: pd.DataFrame,
                   texts: dict[str, str]) -> Project:
    """A REFI-QDA project of coded sources: texts as internal files, each (source, start, end) one selection.

    `segments` has source_id, code, start, end (character offsets into `texts`) and coder; a
    whole-source row (no offsets) becomes a selection over the whole text.
    """
    codes = codebook_codes(book)
    guid_of = {c.name: c.guid for parent in codes for c in parent.children}
    coders = sorted({str(c) for c in segments["coder"] if str(c)}) if "coder" in segments else []
    users = {c: derived_guid(name, "user", c) for c in coders}

    project = Project(name=name, origin="mliter", codes=codes,
                      users=[User(guid=g, name=c, id=c) for c, g in users.items()])
    for sid in sorted(sources["source_id"]):
        text = texts[sid]
        guid = derived_guid(name, "source", sid)
        src = TextSource(guid=guid, name=sid, text=text, plain_text_path=f"internal://{guid}.txt")
        rows = segments[segments["source_id"] == sid]
        spans: dict[tuple[int, int], list] = {}
        for r in rows.itertuples(index=False):
            start = 0 if pd.isna(r.start) else int(r.start)
            end = len(text) if pd.isna(r.end) else int(r.end)
            spans.setdefault((start, end), []).append(r)
        for (start, end), items in sorted(spans.items()):
            sel = Selection(guid=derived_guid(name, "selection", sid, str(start), str(end)), start=start, end=end)
            for r in sorted(items, key=lambda x: (x.code, str(getattr(x, "coder", "")))):
                coder = str(getattr(r, "coder", ""))
                attrs = {"creatingUser": users[coder]} if coder in users else {}
                sel.codings.append(Coding(guid=derived_guid(name, "coding", sid, str(start), str(end), r.code, coder),
                                          code_guid=guid_of[r.code], attrs=attrs))
            src.selections.append(sel)
        project.sources.append(src)
    return project
